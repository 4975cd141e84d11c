//! What the enum zero-value family shares: the zero value of an enum, and whether a name says
//! "not set".

use prost_reflect::{EnumDescriptor, EnumValueDescriptor};

/// The first value numbered 0, in declaration order.
pub(crate) fn zero(enum_: &EnumDescriptor) -> Option<EnumValueDescriptor> {
    enum_
        .enum_descriptor_proto()
        .value
        .iter()
        .find(|v| v.number() == 0)
        .and_then(|v| enum_.get_value_by_name(v.name()))
}

/// Words in a value name that say the value means "not set" (compared per `_`-separated word).
const UNSET_WORDS: &[&str] = &[
    "UNSPECIFIED",
    "UNKNOWN",
    "UNSET",
    "NONE",
    "INVALID",
    "DEFAULT",
];

/// Returns `true` if the name says "not set": a word of it is one of [`UNSET_WORDS`], or it ends
/// in `NOT_SET`.
pub(crate) fn says_unset(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.ends_with("NOT_SET") || upper.split('_').any(|w| UNSET_WORDS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_names() {
        for yes in [
            "STATUS_UNSPECIFIED",
            "STATUS_UNKNOWN",
            "UNSET",
            "COLOR_NOT_SET",
            "KIND_NONE",
        ] {
            assert!(says_unset(yes), "{yes}");
        }
        for no in ["STATUS_ACTIVE", "STATUS_OK", "NONESUCH", "STATUS_UNKNOWNS"] {
            assert!(!says_unset(no), "{no}");
        }
    }
}

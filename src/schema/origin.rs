//! Where a resolved feature comes from, in words a finding can carry: `features.field_presence =
//! IMPLICIT (inherited from the file on line 3)`, `(set on the field on line 12)`, `(the default
//! of edition 2023)`. A migration to editions changes behaviour through settings far from the
//! element that changed (a file-level feature, an edition's new default), so a finding about a
//! feature-dependent property says, for each revision, which setting decided it.

use prost_reflect::{EnumDescriptor, MessageDescriptor};

use super::field::FieldLike;
use super::resolved::{enum_features, field_features, message_features};
use super::{Element, Schema};
use crate::editions::features::{
    CppStringType, EnumType, FieldPresence, JavaUtf8Validation, JsonFormat, MessageEncoding,
    Origin, RepeatedFieldEncoding, Setting, Utf8Validation,
};
use crate::editions::Features;

/// A feature's value type: how `descriptor.proto` (or `cpp_features.proto`, …) names the
/// feature and its values.
pub trait FeatureValue: Copy {
    /// The feature as written after `features.`: `field_presence`, `(pb.cpp).string_type`.
    const FEATURE: &'static str;
    /// The number of `SourceCodeInfo` path elements that name the feature inside a `features`
    /// option (1 for a core feature, 2 for a custom one: the extension and its field).
    const DEPTH: usize = 1;
    /// The value as written: `EXPLICIT`, `CLOSED`.
    fn name(self) -> &'static str;
}

/// One revision's side of a feature: the element asked about and its resolved setting.
pub struct Side<'a, E: Element, T> {
    pub schema: &'a Schema,
    pub element: &'a E,
    pub setting: Setting<T>,
}

/// ` Previously features.X = A (origin); now features.X = B (origin).` — the sentence a finding
/// about a change of feature `X` appends, with a leading space; empty when neither revision's
/// file is an editions file (proto2 and proto3 behaviour needs no explaining).
pub fn explain<E1: Element, E2: Element, T: FeatureValue>(
    old: Side<'_, E1, T>,
    new: Side<'_, E2, T>,
) -> String {
    let editions =
        |schema: &Schema, element: &dyn Element| schema.edition(&element.file()).is_editions();
    if !editions(old.schema, old.element) && !editions(new.schema, new.element) {
        return String::new();
    }
    format!(
        " Previously {}; now {}.",
        describe(old.schema, old.element, &old.setting),
        describe(new.schema, new.element, &new.setting)
    )
}

/// `features.field_presence = IMPLICIT (inherited from the file on line 3)`.
pub fn describe<T: FeatureValue>(
    schema: &Schema,
    element: &dyn Element,
    setting: &Setting<T>,
) -> String {
    let file = element.file();
    let line = |path: &[i32]| {
        schema
            .span(&file, path)
            .map(|s| format!(" on line {}", s.start_line))
            .unwrap_or_default()
    };
    let source = match &setting.origin {
        Origin::Default(edition) if edition.is_editions() => {
            format!("the default of edition {}", edition.as_str())
        }
        Origin::Default(edition) => format!("the behaviour of {}", edition.as_str()),
        Origin::Language(path) => format!("decided by the declaration{}", line(path)),
        Origin::Option(path) => {
            // The option's path is the element's, then `options`, `features` and the feature.
            let owner = &path[..path.len().saturating_sub(2 + T::DEPTH)];
            let verb = if owner == element.path() {
                "set on"
            } else {
                "inherited from"
            };
            format!("{verb} {}{}", kind(owner), line(path))
        }
    };
    format!(
        "features.{} = {} ({source})",
        T::FEATURE,
        setting.value.name()
    )
}

/// What the element at a `SourceCodeInfo` path is, from the tag of its last step.
fn kind(path: &[i32]) -> &'static str {
    match path {
        [] => "the file",
        [4, _] => "the message",
        [5, _] => "the enum",
        [7, _] => "the extension",
        [.., 3, _] => "the message",
        [.., 2, _] => "the field",
        [.., 4, _] => "the enum",
        [.., 6, _] => "the extension",
        [.., 8, _] => "the oneof",
        _ => "the element",
    }
}

macro_rules! feature_value {
    ($ty:ty, $feature:literal, $depth:literal, { $($variant:path => $name:literal),* $(,)? }) => {
        impl FeatureValue for $ty {
            const FEATURE: &'static str = $feature;
            const DEPTH: usize = $depth;
            fn name(self) -> &'static str {
                match self {
                    $($variant => $name,)*
                }
            }
        }
    };
}

feature_value!(FieldPresence, "field_presence", 1, {
    FieldPresence::Explicit => "EXPLICIT",
    FieldPresence::Implicit => "IMPLICIT",
    FieldPresence::LegacyRequired => "LEGACY_REQUIRED",
});
feature_value!(EnumType, "enum_type", 1, {
    EnumType::Open => "OPEN",
    EnumType::Closed => "CLOSED",
});
feature_value!(RepeatedFieldEncoding, "repeated_field_encoding", 1, {
    RepeatedFieldEncoding::Packed => "PACKED",
    RepeatedFieldEncoding::Expanded => "EXPANDED",
});
feature_value!(Utf8Validation, "utf8_validation", 1, {
    Utf8Validation::None => "NONE",
    Utf8Validation::Verify => "VERIFY",
});
feature_value!(MessageEncoding, "message_encoding", 1, {
    MessageEncoding::LengthPrefixed => "LENGTH_PREFIXED",
    MessageEncoding::Delimited => "DELIMITED",
});
feature_value!(JsonFormat, "json_format", 1, {
    JsonFormat::Allow => "ALLOW",
    JsonFormat::LegacyBestEffort => "LEGACY_BEST_EFFORT",
});
feature_value!(CppStringType, "(pb.cpp).string_type", 2, {
    CppStringType::String => "STRING",
    CppStringType::Cord => "CORD",
    CppStringType::View => "VIEW",
});
feature_value!(JavaUtf8Validation, "(pb.java).utf8_validation", 2, {
    JavaUtf8Validation::Default => "DEFAULT",
    JavaUtf8Validation::Verify => "VERIFY",
});

/// [`explain`] for a feature of two fields (or extensions), each resolved in its revision.
pub fn fields<T: FeatureValue>(
    old: (&Schema, &impl FieldLike),
    new: (&Schema, &impl FieldLike),
    feature: fn(Features) -> Setting<T>,
) -> String {
    let was = feature(field_features(old.0, old.1));
    let now = feature(field_features(new.0, new.1));
    explain(side_of(old.0, old.1, was), side_of(new.0, new.1, now))
}

/// [`explain`] for a feature of two enums.
pub fn enums<T: FeatureValue>(
    old: (&Schema, &EnumDescriptor),
    new: (&Schema, &EnumDescriptor),
    feature: fn(Features) -> Setting<T>,
) -> String {
    let setting = |(schema, e): (&Schema, &EnumDescriptor)| feature(enum_features(schema, e));
    explain(
        side_of(old.0, old.1, setting(old)),
        side_of(new.0, new.1, setting(new)),
    )
}

/// [`explain`] for a feature of two messages.
pub fn messages<T: FeatureValue>(
    old: (&Schema, &MessageDescriptor),
    new: (&Schema, &MessageDescriptor),
    feature: fn(Features) -> Setting<T>,
) -> String {
    let setting = |(schema, m): (&Schema, &MessageDescriptor)| feature(message_features(schema, m));
    explain(
        side_of(old.0, old.1, setting(old)),
        side_of(new.0, new.1, setting(new)),
    )
}

fn side_of<'a, E: Element, T>(
    schema: &'a Schema,
    element: &'a E,
    setting: Setting<T>,
) -> Side<'a, E, T> {
    Side {
        schema,
        element,
        setting,
    }
}

//! ENUM_ZERO_VALUE_UNSET_NAME: an enum's zero value is named as "not set" (`_UNSPECIFIED`,
//! `_UNKNOWN`, `_UNSET`, `_NONE`, …) rather than as a business state. protoguard's own rule
//! (ENUM_ZERO_VALUE category): looser than ENUM_ZERO_VALUE_SUFFIX, which asks for one exact suffix,
//! and aimed at the real trap: an unset field reads as the zero value, so a zero value named
//! `STATUS_ACTIVE` makes every unset status active.

use prost_reflect::EnumDescriptor;

use super::zero_value::{says_unset, zero};
use super::LintCtx;

/// `EnumValueDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    let Some(zero) = zero(enum_) else {
        return;
    };
    // A one-value enum has no business states to confuse with "not set".
    if enum_.values().len() < 2 || says_unset(zero.name()) {
        return;
    }
    let at = ctx.schema.locate_part(&zero, &[NAME]);
    ctx.report(
        format!(
            "Zero value \"{}\" of enum \"{}\" is named like a real state, but every unset field reads as it.",
            zero.name(),
            enum_.full_name()
        ),
        at,
        enum_.full_name().to_owned(),
    );
}

//! ENUM_FIRST_VALUE_ZERO: an enum's first value is zero (buf's BASIC category). For a closed
//! (proto2) enum the first value is the default of every field of the enum's type, so a first
//! value that is not zero makes an unset field read as a real, non-zero state.

use prost_reflect::EnumDescriptor;

use super::LintCtx;

/// `EnumValueDescriptorProto.number`.
const NUMBER: i32 = 2;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    // `values()` is ordered by number; the first value is the first one declared.
    let Some(first) = enum_
        .enum_descriptor_proto()
        .value
        .first()
        .and_then(|v| enum_.get_value_by_name(v.name()))
    else {
        return;
    };
    if first.number() == 0 {
        return;
    }
    let at = ctx.schema.locate_part(&first, &[NUMBER]);
    ctx.report(
        format!(
            "First value \"{}\" of enum \"{}\" is {}, not 0.",
            first.name(),
            enum_.full_name(),
            first.number()
        ),
        at,
        enum_.full_name().to_owned(),
    );
}

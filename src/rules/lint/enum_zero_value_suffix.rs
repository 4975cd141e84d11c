//! ENUM_ZERO_VALUE_SUFFIX: an enum's zero value ends in the configured suffix, `_UNSPECIFIED` by
//! default (`enum_zero_value_suffix`), so that the value every unset field reads as says so (buf's
//! STANDARD category).

use prost_reflect::EnumDescriptor;

use super::LintCtx;

/// `EnumValueDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    let suffix = &ctx.options.enum_zero_value_suffix;
    let Some(zero) = enum_.values().find(|v| v.number() == 0) else {
        return;
    };
    // With aliases, one name for zero that ends in the suffix is enough.
    if enum_
        .values()
        .filter(|v| v.number() == 0)
        .any(|v| v.name().ends_with(suffix.as_str()))
    {
        return;
    }
    let at = ctx.schema.locate_part(&zero, &[NAME]);
    ctx.report(
        format!(
            "Zero value \"{}\" of enum \"{}\" does not end in \"{suffix}\".",
            zero.name(),
            enum_.full_name()
        ),
        at,
        enum_.full_name().to_owned(),
    );
}

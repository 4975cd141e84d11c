//! ENUM_VALUE_PREFIX: every value of an enum starts with the enum's name in UPPER_SNAKE_CASE
//! and an underscore: `STATUS_ACTIVE` in `enum Status` (buf's STANDARD category).

use prost_reflect::EnumValueDescriptor;

use super::naming::to_upper_snake;
use super::LintCtx;

/// `EnumValueDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, value: &EnumValueDescriptor) {
    let enum_ = value.parent_enum();
    let prefix = format!("{}_", to_upper_snake(enum_.name()));
    if value.name().starts_with(&prefix) {
        return;
    }
    let at = ctx.schema.locate_part(value, &[NAME]);
    ctx.report(
        format!(
            "Enum value \"{}\" of enum \"{}\" does not start with \"{prefix}\".",
            value.name(),
            enum_.full_name()
        ),
        at,
        value.full_name().to_owned(),
    );
}

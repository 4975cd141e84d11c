//! ENUM_VALUE_UPPER_SNAKE_CASE: Enum value names are UPPER_SNAKE_CASE (buf's BASIC category).

use prost_reflect::EnumValueDescriptor;

use super::naming_rule::{self, UPPER_SNAKE};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, value: &EnumValueDescriptor) {
    naming_rule::check(
        ctx,
        value,
        "Enum value",
        value.name(),
        value.full_name(),
        &UPPER_SNAKE,
    );
}

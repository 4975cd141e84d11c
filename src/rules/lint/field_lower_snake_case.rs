//! FIELD_LOWER_SNAKE_CASE: Field names are lower_snake_case (buf's BASIC category).

use prost_reflect::FieldDescriptor;

use super::naming_rule::{self, LOWER_SNAKE};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, field: &FieldDescriptor) {
    naming_rule::check(
        ctx,
        field,
        "Field",
        field.name(),
        field.full_name(),
        &LOWER_SNAKE,
    );
}

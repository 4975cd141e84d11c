//! FIELD_LOWER_SNAKE_CASE: Field names are lower_snake_case (buf's BASIC category).

use crate::schema::field::{AnyField, FieldLike};

use super::naming_rule::{self, LOWER_SNAKE};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, field: &AnyField) {
    naming_rule::check(
        ctx,
        field,
        "Field",
        field.name(),
        field.full_name(),
        &LOWER_SNAKE,
    );
}

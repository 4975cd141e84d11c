//! ONEOF_LOWER_SNAKE_CASE: Oneof names are lower_snake_case (buf's BASIC category).

use prost_reflect::OneofDescriptor;

use super::naming_rule::{self, LOWER_SNAKE};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, oneof: &OneofDescriptor) {
    naming_rule::check(
        ctx,
        oneof,
        "Oneof",
        oneof.name(),
        oneof.full_name(),
        &LOWER_SNAKE,
    );
}

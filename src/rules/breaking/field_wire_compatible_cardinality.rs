//! FIELD_WIRE_COMPATIBLE_CARDINALITY: a field's cardinality changes only in ways binary readers
//! of either revision still parse.

use super::compat::{report_cardinality, Mode};
use crate::rules::Ctx;
use crate::schema::field::AnyField;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    report_cardinality(ctx, old, new, Some(Mode::Wire));
}

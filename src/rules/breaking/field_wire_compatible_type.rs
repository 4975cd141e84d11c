//! FIELD_WIRE_COMPATIBLE_TYPE: a field's new type reads the data written with its old type (and
//! the reverse), as the language guide's wire compatibility allows.

use super::compat::{report_type, Mode};
use crate::rules::Ctx;
use crate::schema::field::AnyField;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    report_type(ctx, old, new, Mode::Wire);
}

//! FIELD_WIRE_JSON_COMPATIBLE_TYPE: a field's new type reads the data written with its old type
//! both in the binary encoding and in the JSON mapping.

use super::compat::{report_type, Mode};
use crate::rules::Ctx;
use crate::schema::field::AnyField;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    report_type(ctx, old, new, Mode::WireJson);
}

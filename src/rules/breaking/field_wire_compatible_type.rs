//! FIELD_WIRE_COMPATIBLE_TYPE: a field's new type reads the data written with its old type (and
//! the reverse), as the language guide's wire compatibility allows.

use prost_reflect::FieldDescriptor;

use super::compat::{report_type, Mode};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor) {
    report_type(ctx, old, new, Mode::Wire);
}

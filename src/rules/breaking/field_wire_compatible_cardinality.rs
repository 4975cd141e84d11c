//! FIELD_WIRE_COMPATIBLE_CARDINALITY: a field's cardinality changes only in ways binary readers
//! of either revision still parse.

use prost_reflect::FieldDescriptor;

use super::compat::{report_cardinality, Mode};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor) {
    report_cardinality(ctx, old, new, Some(Mode::Wire));
}

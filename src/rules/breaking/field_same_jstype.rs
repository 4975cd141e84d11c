//! FIELD_SAME_JSTYPE: PLACEHOLDER — not implemented yet.

use prost_reflect::FieldDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &FieldDescriptor, _new: &FieldDescriptor) {}

//! ENUM_SAME_TYPE: PLACEHOLDER — not implemented yet.

use prost_reflect::EnumDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &EnumDescriptor, _new: &EnumDescriptor) {}

//! ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED: an enum number that has no value any more is
//! reserved, so no later value can reuse it and misread old data.

use prost_reflect::EnumDescriptor;

use super::enum_value_no_delete::{deleted_values, reserves_number};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    deleted_values(ctx, old, new, |number, _| {
        (!reserves_number(new, number)).then(|| format!(" without reserving the number {number}"))
    });
}

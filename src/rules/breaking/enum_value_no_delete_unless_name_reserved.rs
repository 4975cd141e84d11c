//! ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED: when an enum number has no value any more, every
//! name it had (each alias) is reserved, so no later value can take a name JSON still uses.

use prost_reflect::EnumDescriptor;

use super::enum_value_no_delete::{deleted_values, unreserved_names};
use super::quoted_names;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    deleted_values(ctx, old, new, |_, values| {
        let missing = unreserved_names(values, new);
        let plural = if missing.len() > 1 { "s" } else { "" };
        (!missing.is_empty()).then(|| {
            format!(
                " without reserving the name{plural} {}",
                quoted_names(&missing)
            )
        })
    });
}

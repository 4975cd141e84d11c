//! ENUM_SAME_TYPE: an enum stays open or stays closed, so a value it does not declare keeps being
//! handled the same way by every reader.

use prost_reflect::EnumDescriptor;

use super::at_enum;
use crate::rules::Ctx;
use crate::schema::origin;
use crate::schema::resolved::enum_is_closed;

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    let (was, now) = (enum_is_closed(ctx.old, old), enum_is_closed(ctx.new, new));
    if was == now {
        return;
    }
    let (from, to, consequence) = if now {
        (
            "open",
            "closed",
            "a value it does not declare now goes to the unknown fields and the field reads as its default",
        )
    } else {
        (
            "closed",
            "open",
            "a value it does not declare is now stored in the field instead of the unknown fields",
        )
    };
    ctx.changed(
        format!(
            "Enum \"{}\" changed from {from} to {to}: {consequence}.{}",
            new.full_name(),
            origin::enums((ctx.old, old), (ctx.new, new), |f| f.enum_type)
        ),
        at_enum(ctx.new, new),
        at_enum(ctx.old, old),
    );
}

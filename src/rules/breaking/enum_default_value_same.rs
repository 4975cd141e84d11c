//! ENUM_DEFAULT_VALUE_SAME: the value an unset field of an enum reads as keeps its number. A closed
//! (proto2) enum defaults to its first declared value, an open (proto3) one to its zero value, so
//! this fires when a closed enum's first value changes or an enum changes openness.

use prost_reflect::EnumDescriptor;

use super::NAME;
use crate::rules::Ctx;
use crate::schema::resolved::{enum_default, enum_is_closed};

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    let (Some(was), Some(now)) = (enum_default(ctx.old, old), enum_default(ctx.new, new)) else {
        return;
    };
    // Same number under another name is ENUM_VALUE_SAME_NAME's finding, not a new default.
    if was.number() == now.number() {
        return;
    }
    let closed = enum_is_closed(ctx.old, old) && enum_is_closed(ctx.new, new);
    let finding = ctx.changed(
        format!(
            "The default value of enum \"{}\" changed from \"{}\" ({}) to \"{}\" ({}): fields of this enum without an explicit default now read \"{}\" when unset.",
            new.full_name(),
            was.name(),
            was.number(),
            now.name(),
            now.number(),
            now.name()
        ),
        ctx.new.locate_part(&now, &[NAME]),
        ctx.old.locate_part(&was, &[NAME]),
    );
    if closed {
        finding.help = Some(format!(
            "keep \"{}\" as the first value of enum \"{}\" and declare new values after it",
            was.name(),
            new.name()
        ));
    }
}

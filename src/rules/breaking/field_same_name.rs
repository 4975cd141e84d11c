//! FIELD_SAME_NAME: a field number keeps its name, so generated accessors and JSON keep working.

use prost_reflect::FieldDescriptor;

use super::{reuse_help, reused_number, NAME};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor) {
    if old.name() == new.name() {
        return;
    }
    let at = ctx.new.locate_part(new, &[NAME]);
    let was = ctx.old.locate_part(old, &[NAME]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(old)),
        None => {
            ctx.changed(
                format!(
                    "Field {} on message \"{}\" changed name from \"{}\" to \"{}\".",
                    new.number(),
                    new.parent_message().full_name(),
                    old.name(),
                    new.name()
                ),
                at,
                was,
            );
        }
    }
}

//! FIELD_SAME_NAME: a field number keeps its name, so generated accessors and JSON keep working.

use super::{reuse_help, reused_number, NAME};
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    // An extension is named by its full name (generated accessors live in its scope, and JSON
    // writes `[full.name]`), so moving it to another scope renames it too, as buf decides.
    let (was_named, now_named) = if new.is_extension() {
        (old.full_name(), new.full_name())
    } else {
        (old.name(), new.name())
    };
    if was_named == now_named {
        return;
    }
    let at = ctx.new.locate_part(new, &[NAME]);
    let was = ctx.old.locate_part(old, &[NAME]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(ctx.new, old, new)),
        None => {
            ctx.changed(
                format!(
                    "{} {} on message \"{}\" changed name from \"{was_named}\" to \"{now_named}\"; the binary encoding is unaffected (it carries the number, not the name), but JSON and generated code that use the old name break.",
                    if new.is_extension() {
                        "Extension"
                    } else {
                        "Field"
                    },
                    new.number(),
                    new.containing_message().full_name(),
                ),
                at,
                was,
            );
        }
    }
}

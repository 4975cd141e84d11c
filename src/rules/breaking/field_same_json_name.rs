//! FIELD_SAME_JSON_NAME: a field keeps its JSON name — the explicit `json_name`, or the lowerCamel
//! form of its name when none is given — so JSON written before still parses.

use prost_reflect::FieldDescriptor;

use super::{reuse_help, reused_number, FIELD_JSON_NAME, NAME};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor) {
    if old.json_name() == new.json_name() {
        return;
    }
    // The option when it is written out, else the name the default is derived from.
    let at = ctx.new.locate_part(new, &[FIELD_JSON_NAME, NAME]);
    let was = ctx.old.locate_part(old, &[FIELD_JSON_NAME, NAME]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(old)),
        None => {
            ctx.changed(
                format!(
                    "Field \"{}\" ({}) changed JSON name from \"{}\" to \"{}\".",
                    new.full_name(),
                    new.number(),
                    old.json_name(),
                    new.json_name()
                ),
                at,
                was,
            )
            .help = Some(format!(
                "keep the JSON name by declaring it: add `[json_name = \"{}\"]` to field \"{}\" ({})",
                old.json_name(),
                new.name(),
                new.number()
            ));
        }
    }
}

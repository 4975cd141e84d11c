//! FIELD_SAME_JSON_NAME: a field keeps its JSON name — the explicit `json_name`, or the lowerCamel
//! form of its name when none is given — so JSON written before still parses.

use super::subject;
use super::{reuse_help, reused_number, FIELD_JSON_NAME, NAME};
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    // An extension's JSON key is its full name in brackets (`json_name` cannot be set on it), so
    // it changes exactly when FIELD_SAME_NAME reports a new name: reported there, as buf does.
    if new.is_extension() || old.json_name() == new.json_name() {
        return;
    }
    // The option when it is written out, else the name the default is derived from.
    let at = ctx.new.locate_part(new, &[FIELD_JSON_NAME, NAME]);
    let was = ctx.old.locate_part(old, &[FIELD_JSON_NAME, NAME]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(ctx.new, old, new)),
        None => {
            ctx.changed(
                format!(
                    "{} changed JSON name from \"{}\" to \"{}\".",
                    subject(new, true),
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

//! FIELD_SAME_UTF8_VALIDATION: a string field keeps whether parsers reject invalid UTF-8 in it
//! (proto3 strings are validated, proto2 strings are not). The string keys and values of a map
//! field are checked too.

use prost_reflect::Kind;

use super::{subject, NAME};
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::origin;
use crate::schema::resolved::validates_utf8;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    for (what, was, now) in string_parts(old, new) {
        let (from, to) = (validates_utf8(ctx.old, &was), validates_utf8(ctx.new, &now));
        if from == to {
            continue;
        }
        let consequence = if to {
            "parsers now reject invalid UTF-8 that readers of the previous revision accepted"
        } else {
            "parsers no longer reject invalid UTF-8, so readers of the previous revision may fail on data written now"
        };
        ctx.changed(
            format!(
                "{what} changed UTF-8 validation from \"{}\" to \"{}\": {consequence}.{}",
                describe(from),
                describe(to),
                origin::fields((ctx.old, &was), (ctx.new, &now), |f| f.utf8_validation)
            ),
            ctx.new.locate_part(new, &[NAME]),
            ctx.old.locate_part(old, &[NAME]),
        );
    }
}

/// The string parts of a field pair, with how messages name them (see [`subject`]): the fields themselves when
/// both are strings, and the keys and values of two maps (whose entries are not paired as
/// messages of their own).
pub(crate) fn string_parts(old: &AnyField, new: &AnyField) -> Vec<(String, AnyField, AnyField)> {
    fn is_string(field: &impl FieldLike) -> bool {
        matches!(field.kind(), Kind::String)
    }
    let mut parts = Vec::new();
    if is_string(old) && is_string(new) {
        parts.push((subject(new, true), old.clone(), new.clone()));
    }
    if let (true, true, Kind::Message(was), Kind::Message(now)) =
        (old.is_map(), new.is_map(), old.kind(), new.kind())
    {
        let keys = (was.map_entry_key_field(), now.map_entry_key_field());
        let values = (was.map_entry_value_field(), now.map_entry_value_field());
        for (what, (was, now)) in [("keys", keys), ("values", values)] {
            if is_string(&was) && is_string(&now) {
                let what = format!(
                    "The {what} of map field \"{}\" ({})",
                    new.full_name(),
                    new.number()
                );
                parts.push((what, AnyField::Field(was), AnyField::Field(now)));
            }
        }
    }
    parts
}

fn describe(validates: bool) -> &'static str {
    if validates {
        "VERIFY"
    } else {
        "NONE"
    }
}

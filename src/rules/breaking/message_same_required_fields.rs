//! MESSAGE_SAME_REQUIRED_FIELDS: a message keeps the same set of required field numbers. A parser
//! rejects a message that lacks a field its schema requires, so adding a required field, deleting
//! one, or changing whether an existing field is required breaks one side of every exchange.

use prost_reflect::{FieldDescriptor, MessageDescriptor};

use super::{at_message, FIELD_LABEL, NAME};
use crate::rules::Ctx;
use crate::schema::resolved::{cardinality, Cardinality};
use crate::schema::Schema;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    let is_required =
        |schema: &Schema, f: &FieldDescriptor| cardinality(schema, f) == Cardinality::Required;
    for was in old.fields().filter(|f| is_required(ctx.old, f)) {
        match new.get_field(was.number()) {
            Some(now) if is_required(ctx.new, &now) => {}
            Some(now) => {
                ctx.changed(
                    format!(
                        "Field \"{}\" ({}) is no longer required: readers of the previous revision reject messages that leave it unset.",
                        now.full_name(),
                        now.number()
                    ),
                    ctx.new.locate_part(&now, &[FIELD_LABEL, NAME]),
                    ctx.old.locate_part(&was, &[FIELD_LABEL, NAME]),
                );
            }
            None => {
                ctx.deleted(
                    format!(
                        "Previously required field \"{}\" ({}) on message \"{}\" was deleted: readers of the previous revision reject messages without it.",
                        was.name(),
                        was.number(),
                        new.full_name()
                    ),
                    at_message(ctx.new, new),
                    ctx.old.locate(&was),
                );
            }
        }
    }
    for now in new.fields().filter(|f| is_required(ctx.new, f)) {
        match old.get_field(now.number()) {
            Some(was) if is_required(ctx.old, &was) => {}
            Some(was) => {
                ctx.changed(
                    format!(
                        "Field \"{}\" ({}) became required: readers of the current revision reject messages from writers that leave it unset.",
                        now.full_name(),
                        now.number()
                    ),
                    ctx.new.locate_part(&now, &[FIELD_LABEL, NAME]),
                    ctx.old.locate_part(&was, &[FIELD_LABEL, NAME]),
                );
            }
            None => {
                ctx.report(
                    format!(
                        "Required field \"{}\" ({}) was added to message \"{}\": readers of the current revision reject messages from writers that do not know it.",
                        now.name(),
                        now.number(),
                        new.full_name()
                    ),
                    ctx.new.locate_part(&now, &[FIELD_LABEL, NAME]),
                );
            }
        }
    }
}

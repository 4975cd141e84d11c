//! FIELD_NO_DELETE_UNLESS_NAME_RESERVED: the name of a field that is gone from a message is
//! reserved there, so no later field can take it and misread old JSON.

use prost_reflect::MessageDescriptor;

use super::{at_message, field_phrase, reserve_help};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    for field in old.fields() {
        if new.get_field(field.number()).is_some()
            || new.reserved_names().any(|n| n == field.name())
        {
            continue;
        }
        ctx.deleted(
            format!(
                "Previously present field {} was deleted without reserving the name \"{}\".",
                field_phrase(&field),
                field.name()
            ),
            at_message(ctx.new, new),
            ctx.old.locate(&field),
        )
        .help = Some(reserve_help(&field, new));
    }
}

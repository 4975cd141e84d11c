//! FIELD_NO_DELETE: a field number of a message is gone (a renamed field keeps its number and is
//! not a deletion).

use prost_reflect::MessageDescriptor;

use super::compat::Sides;
use super::{at_message, field_phrase, moved_number, reserve_help};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    for field in old.fields() {
        if new.get_field(field.number()).is_none() {
            let (help, fix) = reserve_help(ctx.new, &field, new);
            let finding = ctx.deleted(
                format!(
                    "Previously present field {} was deleted{}.",
                    field_phrase(&field),
                    moved_number(Sides::of(ctx), &field, old, new)
                ),
                at_message(ctx.new, new),
                ctx.old.locate(&field),
            );
            finding.help = Some(help);
            finding.fix = fix;
        }
    }
}

//! FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED: a field number that is gone from a message is reserved
//! there, so no later field can reuse it and misread old data.

use prost_reflect::MessageDescriptor;

use super::compat::Sides;
use super::{at_message, field_phrase, moved_number, reserve_help};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    for field in old.fields() {
        let number = field.number();
        if new.get_field(number).is_some() || new.reserved_ranges().any(|r| r.contains(&number)) {
            continue;
        }
        let (help, fix) = reserve_help(ctx.new, &field, new);
        let finding = ctx.deleted(
            format!(
                "Previously present field {} was deleted without reserving the number {number}{}.",
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

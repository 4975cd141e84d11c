//! FIELD_NUMBER_NO_REUSE: a field added by this change takes a number that, somewhere in the
//! history of the previous revision, belonged to a different field that was deleted. Old data
//! written with that number is read into the new field. A two-revision check cannot see it.

use super::ledger::{added_fields, written_type};
use crate::history::reuse::{next_free, past_owner, wire_compatible};
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    let ledger = read.ledger;
    for (message, field) in added_fields(ctx) {
        let number = field.number() as i32;
        let Some((element, past)) = past_owner(ledger, message.full_name(), number, field.name())
        else {
            continue;
        };
        let now = written_type(ctx.new, &field);
        let consequence = if wire_compatible(&past.type_name, &now) {
            "old data still parses, and is read as this field"
        } else {
            "old data is misread"
        };
        let message_text = format!(
            "Field number {number} on message \"{}\" was \"{}\" ({}) until {}, {}; now \"{}\" ({now}): {consequence}.",
            message.full_name(),
            past.name,
            past.type_name,
            past.last.commit.short(),
            past.last.commit.date(),
            field.name(),
        );
        let free = next_free(element, message.fields().map(|f| f.number() as i32));
        let at = ctx.new.locate(&field);
        ctx.report(message_text, at).help = Some(format!(
            "give \"{}\" an unused number ({free} is free) and reserve the old one so this cannot happen again: reserved {number}; {}",
            field.name(),
            crate::rules::breaking::reserved_names(ctx.new, &message.parent_file(), [past.name.as_str()])
        ));
    }
}

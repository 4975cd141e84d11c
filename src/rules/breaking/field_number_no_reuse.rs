//! FIELD_NUMBER_NO_REUSE: a field added by this change takes a number that, somewhere in the
//! history of the previous revision, belonged to a different field that was deleted. Old data
//! written with that number is read into the new field. A two-revision check cannot see it.
//! Extensions too: an extension number of an extendee that a differently named, since deleted
//! extension had (from any package: they share the extendee's number space).

use super::ledger::{added_fields, extensions_added, written_type};
use crate::history::reuse::{next_free, past_extension_owner, past_owner, wire_compatible};
use crate::history::{Ledger, Read};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    let ledger = read.ledger;
    extensions(ctx, ledger);
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

/// Extensions this change adds (not in the previous revision under the same full name, number
/// and extendee) whose number a retired extension of the same extendee had.
fn extensions(ctx: &mut Ctx, ledger: &Ledger) {
    for extension in extensions_added(ctx.old, ctx.new) {
        let extendee = extension.containing_message();
        let number = extension.number() as i32;
        let Some((element, past)) =
            past_extension_owner(ledger, extendee.full_name(), number, extension.full_name())
        else {
            continue;
        };
        let now = written_type(ctx.new, &extension);
        let consequence = if wire_compatible(&past.type_name, &now) {
            "old data still parses, and is read as this extension"
        } else {
            "old data is misread"
        };
        let text = format!(
            "Extension number {number} of \"{}\" was \"{}\" ({}) until {}, {}; now \"{}\" ({now}): {consequence}.",
            extendee.full_name(),
            past.name,
            past.type_name,
            past.last.commit.short(),
            past.last.commit.date(),
            extension.full_name(),
        );
        let free = next_free(element, std::iter::empty());
        let at = ctx.new.locate(&extension);
        ctx.report(text, at).help = Some(format!(
            "give \"{}\" an unused number ({free} is above every extension number of \"{}\" in the history); an extension number cannot be reserved, so record the retired one where the extendee's extensions are allocated",
            extension.name(),
            extendee.full_name(),
        ));
    }
}

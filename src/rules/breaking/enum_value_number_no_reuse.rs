//! ENUM_VALUE_NUMBER_NO_REUSE: an enum value added by this change takes a number that, in the
//! history of the previous revision, belonged to a different value that was deleted. Old data
//! with that number now reads as the new value. A two-revision check cannot see it.

use super::ledger::added_values;
use crate::history::reuse::{next_free, past_owner};
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    let ledger = read.ledger;
    for (enum_, value) in added_values(ctx) {
        let number = value.number();
        let Some((element, past)) = past_owner(ledger, enum_.full_name(), number, value.name())
        else {
            continue;
        };
        let message = format!(
            "Enum value number {number} on enum \"{}\" was \"{}\" until {}, {}; now \"{}\": stored values mean something else.",
            enum_.full_name(),
            past.name,
            past.last.commit.short(),
            past.last.commit.date(),
            value.name(),
        );
        let free = next_free(element, enum_.values().map(|v| v.number()));
        let at = ctx.new.locate(&value);
        ctx.report(message, at).help = Some(format!(
            "give \"{}\" an unused number ({free} is free) and reserve the old one so this cannot happen again: reserved {number}; {}",
            value.name(),
            crate::rules::breaking::reserved_names(ctx.new, &enum_.parent_file(), [past.name.as_str()])
        ));
    }
}

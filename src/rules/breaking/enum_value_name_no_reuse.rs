//! ENUM_VALUE_NAME_NO_REUSE: an enum value added by this change takes a name that, in the history
//! of the previous revision, belonged to a value with another number that was deleted. JSON and
//! text format write enum values by name, so data written back then now reads as the new number.
//! A two-revision check cannot see it.

use super::ledger::added_values;
use crate::history::reuse::past_name_owner;
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    let ledger = read.ledger;
    for (enum_, value) in added_values(ctx) {
        let number = value.number();
        let Some((past, _)) =
            past_name_owner(ledger, enum_.full_name(), number, &[value.name()], false)
        else {
            continue;
        };
        let message = format!(
            "Enum value name \"{}\" on enum \"{}\" was number {} until {}, {}; now number {number}: JSON and text-format data written then reads as the new number.",
            value.name(),
            enum_.full_name(),
            past.number,
            past.last.commit.short(),
            past.last.commit.date(),
        );
        let mut reserve = Vec::new();
        if !enum_.reserved_ranges().any(|r| r.contains(&past.number))
            && enum_.get_value(past.number).is_none()
        {
            reserve.push(format!("reserved {};", past.number));
        }
        reserve.push(crate::rules::breaking::reserved_names(
            ctx.new,
            &enum_.parent_file(),
            [past.name.as_str()],
        ));
        let at = ctx.new.locate(&value);
        ctx.report(message, at).help = Some(format!(
            "rename the value to a name enum \"{}\" never had (keep its number {number}), and reserve the old name so this cannot happen again: {}",
            enum_.name(),
            reserve.join(" ")
        ));
    }
}

//! ENUM_VALUE_RETIRED_RESERVED: an enum this change touches has value numbers or names that were
//! retired in the history of the previous revision (the value deleted, nothing reserved since):
//! debt that a later change can turn into a reuse. A warning by default, with a fix.

use super::ledger::touched_enums;
use super::retired::{debts, report};
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    for enum_ in touched_enums(ctx, read.all_debt) {
        let Some(element) = read.ledger.elements.get(enum_.full_name()) else {
            continue;
        };
        let number_free = |n: i32| {
            enum_.get_value(n).is_none() && !enum_.reserved_ranges().any(|r| r.contains(&n))
        };
        let name_free = |name: &str| {
            enum_.get_value_by_name(name).is_none() && !enum_.reserved_names().any(|r| r == name)
        };
        let debts = debts(element, number_free, name_free);
        report(ctx, &enum_, &enum_.parent_file(), debts, |past| {
            format!("Enum value \"{}\" ({})", past.name, past.number)
        });
    }
}

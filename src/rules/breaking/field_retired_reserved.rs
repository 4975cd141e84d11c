//! FIELD_RETIRED_RESERVED: a message this change touches has field numbers or names that were
//! retired in the history of the previous revision (the field deleted, nothing reserved since):
//! debt that a later change can turn into a reuse. A warning by default, with a fix.

use super::ledger::touched_messages;
use super::retired::{debts, report};
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    for message in touched_messages(ctx, read.all_debt) {
        let Some(element) = read.ledger.elements.get(message.full_name()) else {
            continue;
        };
        let number_free = |n: i32| {
            let n = n as u32;
            message.get_field(n).is_none()
                && !message.reserved_ranges().any(|r| r.contains(&n))
                && !message.extension_ranges().any(|r| r.contains(&n))
        };
        let name_free = |name: &str| {
            message.get_field_by_name(name).is_none()
                && !message.reserved_names().any(|r| r == name)
        };
        let debts = debts(element, number_free, name_free);
        report(ctx, &message, &message.parent_file(), debts, |past| {
            format!(
                "Field \"{}\" ({}, {})",
                past.name, past.number, past.type_name
            )
        });
    }
}

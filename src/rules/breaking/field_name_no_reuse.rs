//! FIELD_NAME_NO_REUSE: a field added by this change takes a name (or a JSON name) that, in the
//! history of the previous revision, belonged to a field with another number that was deleted.
//! JSON and text-format data written back then carries the name, so it now decodes into the
//! new field. A two-revision check cannot see it.

use super::ledger::{added_fields, written_type};
use crate::history::reuse::past_name_owner;
use crate::history::Read;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, read: &Read) {
    let ledger = read.ledger;
    for (message, field) in added_fields(ctx) {
        let number = field.number() as i32;
        let keys = [field.name(), field.json_name()];
        let Some((past, key)) = past_name_owner(ledger, message.full_name(), number, &keys, true)
        else {
            continue;
        };
        let now = written_type(ctx.new, &field);
        let consequence = if past.type_name == now {
            "JSON and text-format data written then is read into this field"
        } else {
            "JSON and text-format data written then is misread or rejected"
        };
        // The plain case names the number; a shared JSON name also names both fields.
        let (was, now_is) = if key == field.name() && key == past.name {
            (
                format!(
                    "Field name \"{key}\" on message \"{}\" was number {}",
                    message.full_name(),
                    past.number
                ),
                format!("number {number}"),
            )
        } else {
            (
                format!(
                    "JSON name \"{key}\" on message \"{}\" was that of field {} \"{}\"",
                    message.full_name(),
                    past.number,
                    past.name
                ),
                format!("of field {number} \"{}\"", field.name()),
            )
        };
        let message_text = format!(
            "{was} ({}) until {}, {}; now {now_is} ({now}): {consequence}.",
            past.type_name,
            past.last.commit.short(),
            past.last.commit.date(),
        );
        let mut reserve = Vec::new();
        if !message
            .reserved_ranges()
            .any(|r| r.contains(&(past.number as u32)))
            && message.get_field(past.number as u32).is_none()
        {
            reserve.push(format!("reserved {};", past.number));
        }
        reserve.push(crate::rules::breaking::reserved_names(
            ctx.new,
            &message.parent_file(),
            [past.name.as_str()],
        ));
        let at = ctx.new.locate(&field);
        ctx.report(message_text, at).help = Some(format!(
            "rename the field to a name no field of message \"{}\" had (keep its number {number}), and reserve the old name so this cannot happen again: {}",
            message.name(),
            reserve.join(" ")
        ));
    }
}

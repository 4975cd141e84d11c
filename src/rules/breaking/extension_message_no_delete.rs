//! EXTENSION_MESSAGE_NO_DELETE: every number a message's extension ranges covered is still
//! covered. Coverage counts, not the statements, with the arithmetic of
//! RESERVED_MESSAGE_NO_DELETE: splitting, merging, widening or reordering ranges is fine.

use std::ops::Range;

use prost_reflect::MessageDescriptor;

use super::at_message;
use super::reserved_message_no_delete::{range_text, uncovered};
use crate::rules::Ctx;

// DescriptorProto.extension_range: the SourceCodeInfo path of an `extensions` range.
const EXTENSION_RANGE: i32 = 5;
/// The largest field number: what `to max` means in a message.
const MAX_FIELD_NUMBER: i64 = 536_870_911;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    // Extension ranges are half-open in the descriptor; compare them as inclusive ranges.
    let inclusive = |r: Range<u32>| i64::from(r.start)..=i64::from(r.end) - 1;
    let current: Vec<_> = new.extension_ranges().map(inclusive).collect();
    for (index, range) in old.extension_ranges().map(inclusive).enumerate() {
        let missing = uncovered(&range, &current);
        if missing.is_empty() {
            continue;
        }
        let text = |r| range_text(r, MAX_FIELD_NUMBER);
        let lost = missing.iter().map(text).collect::<Vec<_>>().join(", ");
        let message = if missing == [range.clone()] {
            format!(
                "Previously present extension range {} on message \"{}\" was deleted.",
                text(&range),
                new.full_name()
            )
        } else {
            format!(
                "Previously present extension range {} on message \"{}\" no longer covers {lost}.",
                text(&range),
                new.full_name()
            )
        };
        let users: Vec<String> = new
            .fields()
            .filter(|f| missing.iter().any(|m| m.contains(&i64::from(f.number()))))
            .map(|f| format!("field \"{}\" ({})", f.name(), f.number()))
            .collect();
        let add = format!("add `extensions {lost};` to message \"{}\"", new.name());
        let help = match &users[..] {
            [] => format!(
                "extensions that other files declare with these numbers no longer compile, and what they wrote can no longer be read as extensions: {add}"
            ),
            users => format!(
                "{} now use{} numbers of the range, so extension data written before is misread as {}: renumber, then {add}",
                users.join(", "),
                if users.len() == 1 { "s" } else { "" },
                if users.len() == 1 { "that field" } else { "those fields" }
            ),
        };
        ctx.deleted(
            message,
            at_message(ctx.new, new),
            ctx.old.locate_path(old, &[EXTENSION_RANGE, index as i32]),
        )
        .help = Some(help);
    }
}

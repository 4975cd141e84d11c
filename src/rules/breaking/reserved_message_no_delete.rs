//! RESERVED_MESSAGE_NO_DELETE: every number and name a message reserved is still reserved.
//! Coverage counts, not the statements: splitting, merging, widening or reordering ranges is
//! fine. The range arithmetic here is shared with RESERVED_ENUM_NO_DELETE.

use std::ops::RangeInclusive;

use prost_reflect::MessageDescriptor;

use super::{at_message, reserved_names};
use crate::rules::Ctx;

// DescriptorProto.reserved_range and .reserved_name: SourceCodeInfo paths of reserved parts.
const RESERVED_RANGE: i32 = 9;
const RESERVED_NAME: i32 = 10;
/// The largest field number: what `to max` means in a message.
const MAX_FIELD_NUMBER: i64 = 536_870_911;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    let owner = Owner {
        kind: "message",
        full_name: new.full_name(),
        name: new.name(),
        max: MAX_FIELD_NUMBER,
    };
    // Message ranges are half-open in the descriptor; compare them as inclusive ranges.
    let inclusive = |r: std::ops::Range<u32>| i64::from(r.start)..=i64::from(r.end) - 1;
    let current: Vec<_> = new.reserved_ranges().map(inclusive).collect();
    for (index, range) in old.reserved_ranges().map(inclusive).enumerate() {
        let missing = uncovered(&range, &current);
        if missing.is_empty() {
            continue;
        }
        let users: Vec<String> = new
            .fields()
            .filter(|f| missing.iter().any(|m| m.contains(&i64::from(f.number()))))
            .map(|f| format!("field \"{}\" ({})", f.name(), f.number()))
            .collect();
        let (message, help) = lost_range(&owner, &range, &missing, &users);
        ctx.deleted(
            message,
            at_message(ctx.new, new),
            ctx.old.locate_path(old, &[RESERVED_RANGE, index as i32]),
        )
        .help = Some(help);
    }
    for (index, name) in old.reserved_names().enumerate() {
        if old.reserved_names().take(index).any(|n| n == name)
            || new.reserved_names().any(|n| n == name)
        {
            continue;
        }
        let user = new
            .get_field_by_name(name)
            .map(|f| format!("field \"{}\" ({})", f.name(), f.number()));
        let statement = reserved_names(ctx.new, &new.parent_file(), [name]);
        let (message, help) = lost_name(&owner, name, &statement, user);
        ctx.deleted(
            message,
            at_message(ctx.new, new),
            ctx.old.locate_path(old, &[RESERVED_NAME, index as i32]),
        )
        .help = Some(help);
    }
}

/// The message or enum whose reservations are compared, as findings name it.
pub(crate) struct Owner<'a> {
    /// `message` or `enum`.
    pub kind: &'static str,
    pub full_name: &'a str,
    pub name: &'a str,
    /// The number `to max` stands for.
    pub max: i64,
}

/// The numbers of `old` that no range of `current` covers, as ranges in increasing order. All
/// ranges are inclusive.
pub(crate) fn uncovered(
    old: &RangeInclusive<i64>,
    current: &[RangeInclusive<i64>],
) -> Vec<RangeInclusive<i64>> {
    let mut current = current.to_vec();
    current.sort_by_key(|r| *r.start());
    let mut missing = Vec::new();
    // Every number of `old` below `next` is covered or already listed as missing.
    let mut next = *old.start();
    for range in &current {
        if next > *old.end() || *range.start() > *old.end() {
            break;
        }
        if *range.end() < next {
            continue;
        }
        if *range.start() > next {
            missing.push(next..=*range.start() - 1);
        }
        next = next.max(*range.end() + 1);
    }
    if next <= *old.end() {
        missing.push(next..=*old.end());
    }
    missing
}

/// A range as a `reserved` statement writes it: `7`, `9 to 10`, `100 to max`.
pub(crate) fn range_text(range: &RangeInclusive<i64>, max: i64) -> String {
    match (*range.start(), *range.end()) {
        (start, end) if start == end => start.to_string(),
        (start, end) if end == max => format!("{start} to max"),
        (start, end) => format!("{start} to {end}"),
    }
}

/// The message and help for an old reserved range that lost numbers. `users` are the elements
/// (`field "nickname" (7)`) that now use the lost numbers.
pub(crate) fn lost_range(
    owner: &Owner,
    old: &RangeInclusive<i64>,
    missing: &[RangeInclusive<i64>],
    users: &[String],
) -> (String, String) {
    let what = if old.start() == old.end() {
        "number"
    } else {
        "range"
    };
    let lost = missing
        .iter()
        .map(|r| range_text(r, owner.max))
        .collect::<Vec<_>>()
        .join(", ");
    let message = if missing == [old.clone()] {
        format!(
            "Previously reserved {what} {} on {} \"{}\" is no longer reserved.",
            range_text(old, owner.max),
            owner.kind,
            owner.full_name
        )
    } else {
        format!(
            "Previously reserved {what} {} on {} \"{}\" no longer reserves {lost}.",
            range_text(old, owner.max),
            owner.kind,
            owner.full_name
        )
    };
    (
        message,
        restore_help(owner, &format!("reserved {lost};"), users),
    )
}

/// The message and help for an old reserved name that is no longer reserved. `statement` is the
/// `reserved` statement that restores it, spelled for the current file (see
/// [`reserved_names`]); `user` is the element that now has the name, if any.
pub(crate) fn lost_name(
    owner: &Owner,
    name: &str,
    statement: &str,
    user: Option<String>,
) -> (String, String) {
    let message = format!(
        "Previously reserved name \"{name}\" on {} \"{}\" is no longer reserved.",
        owner.kind, owner.full_name
    );
    let users: Vec<String> = user.into_iter().collect();
    (message, restore_help(owner, statement, &users))
}

fn restore_help(owner: &Owner, statement: &str, users: &[String]) -> String {
    let add = format!("add `{statement}` to {} \"{}\"", owner.kind, owner.name);
    match users {
        [] => format!("it was reserved so that nothing reuses it and misreads old data: {add}"),
        users => format!(
            "{} now reuse{} what was reserved, so data written before is misread: rename or renumber, then {add}",
            users.join(", "),
            if users.len() == 1 { "s" } else { "" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::uncovered;

    #[test]
    fn coverage_ignores_how_ranges_are_written() {
        assert!(uncovered(&(1..=10), &[6..=10, 1..=5]).is_empty());
        assert!(uncovered(&(1..=10), &[0..=20]).is_empty());
        assert!(uncovered(&(3..=4), &[1..=3, 4..=9]).is_empty());
        assert_eq!(uncovered(&(5..=10), &[5..=6, 8..=8]), [7..=7, 9..=10]);
        assert_eq!(uncovered(&(5..=10), &[1..=2, 20..=30]), [5..=10]);
        assert_eq!(uncovered(&(5..=10), &[]), [5..=10]);
        assert_eq!(uncovered(&(1..=10), &[1..=4, 2..=3, 8..=12]), [5..=7]);
    }
}

//! Renamed and moved types: a message or enum that is gone under its old full name while one with
//! the same data appeared under a new name. The deletion is still reported under buf's IDs
//! (generated code names types), but its message says what happened, so the reviewer sees one
//! event instead of a deletion and an unrelated addition.
//!
//! "The same data" is strict, so that a claim is only made on strong evidence: a message with the
//! same field numbers, names and JSON names, each pair of fields wire- and JSON-compatible
//! (compared recursively, see [`compat::same_data`]); an enum with exactly the same value names and
//! numbers. When several added types qualify, one with the same short name (a move) or in the
//! same file wins; otherwise no claim is made.
//!
//! Without such a type, a deleted type whose shape is close to exactly one added type's (see
//! [`super::similar`]) gets the weaker "it was probably renamed to …", with how many members match;
//! that is wording only.

use std::cell::OnceCell;

use prost_reflect::{EnumDescriptor, FileDescriptor, MessageDescriptor};

use super::compat::{self, Sides};
use super::similar::Matches;
use crate::rules::Ctx;
use crate::schema::Schema;

/// The messages and enums of one revision's checked files that the other revision does not have.
type OneSide = (Vec<MessageDescriptor>, Vec<EnumDescriptor>);

/// The types of the current revision's checked files that the previous revision does not have,
/// and the close matches of deleted types among them, found once per check on the first deletion
/// that asks.
#[derive(Default)]
pub struct Added {
    found: OnceCell<OneSide>,
    similar: OnceCell<Matches>,
}

impl Added {
    fn get(&self, ctx: &Ctx) -> &OneSide {
        self.found.get_or_init(|| only_in(ctx.new, ctx.old))
    }

    fn similar(&self, ctx: &Ctx) -> &Matches {
        self.similar.get_or_init(|| {
            let (added_messages, added_enums) = self.get(ctx);
            let (deleted_messages, deleted_enums) = only_in(ctx.old, ctx.new);
            Matches::build(
                ctx.old,
                ctx.new,
                (&deleted_messages, added_messages),
                (&deleted_enums, added_enums),
            )
        })
    }
}

/// The messages (map entries left out) and enums of `schema`'s checked files that `other` does
/// not have, sorted by full name.
fn only_in(schema: &Schema, other: &Schema) -> OneSide {
    let other = other.pool();
    let mut messages = Vec::new();
    let mut enums: Vec<EnumDescriptor> = Vec::new();
    let mut stack: Vec<MessageDescriptor> =
        schema.files().iter().flat_map(|f| f.messages()).collect();
    enums.extend(schema.files().iter().flat_map(|f| f.enums()));
    while let Some(message) = stack.pop() {
        if message.is_map_entry() {
            continue;
        }
        stack.extend(message.child_messages());
        enums.extend(message.child_enums());
        if other.get_message_by_name(message.full_name()).is_none() {
            messages.push(message);
        }
    }
    enums.retain(|e| other.get_enum_by_name(e.full_name()).is_none());
    messages.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    enums.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    (messages, enums)
}

/// The clause a deletion of the `kind` ("message" or "enum") `old_name` gets when the type was
/// renamed or moved to another package: `; it was renamed to "acme.v1.Account" in
/// "acme/v1/account.proto"…`. `None` for
/// other kinds, or when no added type holds the same data; then, when one added type is close in
/// shape (see [`super::similar`]), `; it was probably renamed to "acme.v1.Account" (3 of 4 fields
/// match by number, name and type)`.
pub(crate) fn renamed(ctx: &Ctx, kind: &str, old_name: &str) -> Option<String> {
    exactly_renamed(ctx, kind, old_name).or_else(|| probably_renamed(ctx, kind, old_name))
}

/// The clause for a type that was renamed or moved to one whose shape is close, not the same.
fn probably_renamed(ctx: &Ctx, kind: &str, old_name: &str) -> Option<String> {
    let (name, score) = ctx.added.similar(ctx).of(old_name)?;
    let old_file = match kind {
        "message" => ctx.old.pool().get_message_by_name(old_name)?.parent_file(),
        _ => ctx.old.pool().get_enum_by_name(old_name)?.parent_file(),
    };
    let file = match kind {
        "message" => ctx.new.pool().get_message_by_name(name)?.parent_file(),
        _ => ctx.new.pool().get_enum_by_name(name)?.parent_file(),
    };
    let (members, by) = match kind {
        "message" => ("fields", "number, name and type"),
        _ => ("values", "number and name"),
    };
    Some(format!(
        "; it was probably {} to \"{name}\"{} ({} of {} {members} match by {by})",
        event(old_name, name),
        place(&file, &old_file),
        score.matching,
        score.of,
    ))
}

/// Whether `old_name` → `new_name` is a move (the same short name) or a rename.
fn event(old_name: &str, new_name: &str) -> &'static str {
    let short = |full: &str| full.rsplit('.').next().unwrap_or_default().to_owned();
    if short(new_name) == short(old_name) {
        "moved"
    } else {
        "renamed"
    }
}

/// ` in "acme/v1/account.proto"` when the type is now in another file.
fn place(file: &FileDescriptor, old_file: &FileDescriptor) -> String {
    if file.name() == old_file.name() {
        String::new()
    } else {
        format!(" in \"{}\"", file.name())
    }
}

fn exactly_renamed(ctx: &Ctx, kind: &str, old_name: &str) -> Option<String> {
    let (messages, enums) = ctx.added.get(ctx);
    let old_pool = ctx.old.pool();
    let (name, file, old_file) = match kind {
        "message" => {
            let old = old_pool.get_message_by_name(old_name)?;
            let s = Sides::of(ctx);
            let fields = |m: &MessageDescriptor| {
                let mut numbers: Vec<u32> = m.fields().map(|f| f.number()).collect();
                numbers.sort_unstable();
                numbers
            };
            let wanted = fields(&old);
            let candidates: Vec<&MessageDescriptor> = messages
                .iter()
                .filter(|m| fields(m) == wanted && compat::same_data(s, &old, m))
                .collect();
            let new = pick(&candidates, old.name(), &old.parent_file(), |m| {
                (m.name(), m.parent_file())
            })?;
            (
                new.full_name().to_owned(),
                new.parent_file(),
                old.parent_file(),
            )
        }
        "enum" => {
            let old = old_pool.get_enum_by_name(old_name)?;
            let values = |e: &EnumDescriptor| {
                let mut values: Vec<(i32, String)> = e
                    .values()
                    .map(|v| (v.number(), v.name().to_owned()))
                    .collect();
                values.sort();
                values
            };
            let wanted = values(&old);
            let candidates: Vec<&EnumDescriptor> =
                enums.iter().filter(|e| values(e) == wanted).collect();
            let new = pick(&candidates, old.name(), &old.parent_file(), |e| {
                (e.name(), e.parent_file())
            })?;
            (
                new.full_name().to_owned(),
                new.parent_file(),
                old.parent_file(),
            )
        }
        _ => return None,
    };
    let same = match kind {
        "message" => "the same field numbers, names and types",
        _ => "the same value names and numbers",
    };
    let (event, place) = (event(old_name, &name), place(&file, &old_file));
    Some(format!(
        "; it was {event} to \"{name}\"{place}, which has {same}: binary and JSON data still read, but generated code that names \"{old_name}\" breaks"
    ))
}

/// The one candidate to name: the only one, else the only one with the old short name, else the
/// only one in the old file.
fn pick<'t, T>(
    candidates: &[&'t T],
    short: &str,
    file: &FileDescriptor,
    of: impl Fn(&T) -> (&str, FileDescriptor),
) -> Option<&'t T> {
    if let [one] = candidates {
        return Some(one);
    }
    let only =
        |keep: &dyn Fn(&T) -> bool| match candidates.iter().filter(|c| keep(c)).collect::<Vec<_>>()
            [..]
        {
            [one] => Some(*one),
            _ => None,
        };
    only(&|c| of(c).0 == short).or_else(|| only(&|c| of(c).1 == *file))
}

//! Wire and JSON compatibility of a field's type and cardinality, decided once for the
//! FIELD_WIRE_*_COMPATIBLE_* and FIELD_SAME_CARDINALITY rules. The authority is the protobuf
//! language guide ("Updating a message type") and the encoding spec, not buf's groups where the
//! two differ: e.g. an enum may become an int32 and, when its reader keeps unknown numbers (an
//! open enum), back again. Each decision returns the reason a change breaks, in plain words, or
//! `None` when the change is compatible; [`report_type`] and [`report_cardinality`] turn it into
//! a finding, so each rule file is a single call.
//!
//! [`types`] decides type changes, [`cardinality`] decides cardinality changes, [`shape`] a
//! message type changed to another, field by field.

mod cardinality;
mod shape;
#[cfg(test)]
mod tests;
mod types;

use std::fmt;

pub(crate) use cardinality::cardinality_change;
pub(crate) use types::type_change;

use super::{
    reuse_help, reused_number, subject, type_names, FIELD_LABEL, FIELD_TYPE, FIELD_TYPE_NAME,
};
use crate::rules::Ctx;
use crate::schema::field::FieldLike;
use crate::schema::origin;
use crate::schema::resolved::{cardinality, is_delimited};
use crate::schema::Schema;

/// The two revisions a pair of fields comes from: each field's properties are resolved in its
/// own revision.
#[derive(Clone, Copy)]
pub(crate) struct Sides<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
}

impl<'a> Sides<'a> {
    pub(crate) fn of(ctx: &Ctx<'a>) -> Self {
        Sides {
            old: ctx.old,
            new: ctx.new,
        }
    }
}

/// Which readers a change must keep working for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The binary encoding only (WIRE).
    Wire,
    /// The binary encoding and the JSON mapping (WIRE_JSON).
    WireJson,
}

/// The format a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Wire,
    Json,
}

/// Why a change breaks; displays as the clause `not wire-compatible: <reason>`, or, when the
/// break cannot be decided from the two types alone, `not known to be wire-compatible: <reason>`
/// (a message type changed to another: a finding must not claim a break it cannot tell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incompatible {
    pub layer: Layer,
    pub reason: String,
    pub unverified: bool,
}

impl fmt::Display for Incompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer = match self.layer {
            Layer::Wire => "wire",
            Layer::Json => "JSON",
        };
        let known = if self.unverified { " known to be" } else { "" };
        write!(f, "not{known} {layer}-compatible: {}", self.reason)
    }
}

fn wire(reason: String) -> Option<Incompatible> {
    Some(Incompatible {
        layer: Layer::Wire,
        reason,
        unverified: false,
    })
}

/// A wire change that may or may not break, depending on data protoguard cannot see.
fn unverified_wire(reason: String) -> Option<Incompatible> {
    Some(Incompatible {
        layer: Layer::Wire,
        reason,
        unverified: true,
    })
}

fn json(reason: String) -> Option<Incompatible> {
    Some(Incompatible {
        layer: Layer::Json,
        reason,
        unverified: false,
    })
}

/// Returns `true` if data of message `old` and of message `new` read as each other in binary
/// and in JSON: the same fields, compared recursively (see [`shape`]).
pub(crate) fn same_data(
    s: Sides,
    old: &prost_reflect::MessageDescriptor,
    new: &prost_reflect::MessageDescriptor,
) -> bool {
    shape::messages_wire(s, old, new).is_none() && shape::messages_json(s, old, new).is_none()
}

/// Reports a type change that breaks in `mode`, anchored at the type.
pub(crate) fn report_type(ctx: &mut Ctx, old: &impl FieldLike, new: &impl FieldLike, mode: Mode) {
    let Some(why) = type_change(Sides::of(ctx), old, new, mode) else {
        return;
    };
    let at = ctx.new.locate_part(new, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    let was = ctx.old.locate_part(old, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(ctx.new, old, new)),
        None => {
            let (old_type, new_type) = type_names(Sides::of(ctx), old, new);
            ctx.changed(
                format!(
                    "{} changed type from \"{old_type}\" to \"{new_type}\", which is {why}.{}",
                    subject(new, false),
                    encoding_origin(Sides::of(ctx), old, new)
                ),
                at,
                was,
            );
        }
    }
}

/// Reports a cardinality change, anchored at the label (or the type when there is no label):
/// any change when `mode` is `None`, else one that breaks in `mode`.
pub(crate) fn report_cardinality(
    ctx: &mut Ctx,
    old: &impl FieldLike,
    new: &impl FieldLike,
    mode: Option<Mode>,
) {
    let (a, b) = (cardinality(ctx.old, old), cardinality(ctx.new, new));
    if a == b {
        return;
    }
    let why = match mode {
        None => None,
        Some(mode) => match cardinality_change(Sides::of(ctx), old, new, mode) {
            None => return,
            some => some,
        },
    };
    let parts = [FIELD_LABEL, FIELD_TYPE_NAME, FIELD_TYPE];
    let at = ctx.new.locate_part(new, &parts);
    let was = ctx.old.locate_part(old, &parts);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(ctx.new, old, new)),
        None => {
            let why = why.map(|w| format!(", which is {w}")).unwrap_or_default();
            // Between singular cardinalities only presence changed: say which setting decided it.
            let origin = if a.is_singular() && b.is_singular() {
                origin::fields((ctx.old, old), (ctx.new, new), |f| f.field_presence)
            } else {
                String::new()
            };
            ctx.changed(
                format!(
                    "{} changed cardinality from \"{}\" to \"{}\"{why}.{origin}",
                    subject(new, false),
                    a.describe(),
                    b.describe()
                ),
                at,
                was,
            );
        }
    }
}

/// Where each side's `message_encoding` comes from, when a field became or stopped being
/// delimited (a group, or `DELIMITED` in editions); empty otherwise.
pub(crate) fn encoding_origin(s: Sides, old: &impl FieldLike, new: &impl FieldLike) -> String {
    if is_delimited(s.old, old) == is_delimited(s.new, new) {
        return String::new();
    }
    origin::fields((s.old, old), (s.new, new), |f| f.message_encoding)
}

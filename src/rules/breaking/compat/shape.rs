//! A field whose message type changed to another message: compatible when the two messages read
//! each other's data, decided field by field (same numbers; each pair of fields compatible in
//! type and cardinality, recursively; for JSON, the same names and JSON names too). This is how a
//! renamed or moved message is recognised: the wire and the JSON mapping never see type names.
//!
//! Message graphs can be cyclic (`User.manager` of type `User`), so a pair of messages already
//! being compared is assumed compatible where it recurs: if any other field differs, that field
//! reports it. Depth and the number of pairs compared are capped; past the cap the change is
//! reported as not known to be compatible, as before this comparison existed.

use std::cell::RefCell;

use prost_reflect::{FieldDescriptor, MessageDescriptor};

use super::types::{json_type, wire_type};
use super::{cardinality_change, json, unverified_wire, Incompatible, Layer, Mode, Sides};

/// How deep message comparisons may nest.
const MAX_DEPTH: usize = 64;
/// How many pairs of messages one field's comparison may look at.
const MAX_PAIRS: usize = 10_000;

/// The comparisons in progress on this thread (rules run on one thread per check): the pairs of
/// message full names being compared, per layer, and how many pairs were entered since the
/// outermost comparison began. Kept out of every signature of the type matrix, which recurses
/// into messages through the same functions that compare scalars.
#[derive(Default)]
struct Walk {
    open: Vec<(Layer, String, String)>,
    entered: usize,
}

thread_local! {
    static WALK: RefCell<Walk> = RefCell::new(Walk::default());
}

/// Why data of message `old` does not read as message `new` (or the reverse) on the wire.
pub(crate) fn messages_wire(
    s: Sides,
    old: &MessageDescriptor,
    new: &MessageDescriptor,
) -> Option<Incompatible> {
    guarded(Layer::Wire, old, new, || {
        compare(old, new, Mode::Wire, |f, g| {
            cardinality_change(s, f, g, Mode::Wire).or_else(|| wire_type(s, f, g))
        })
    })
}

/// Why JSON of message `old` does not read as message `new` (or the reverse); the wire is
/// compared by [`messages_wire`] first.
pub(crate) fn messages_json(
    s: Sides,
    old: &MessageDescriptor,
    new: &MessageDescriptor,
) -> Option<Incompatible> {
    guarded(Layer::Json, old, new, || {
        compare(old, new, Mode::WireJson, |f, g| {
            if f.json_name() != g.json_name() {
                return json(format!(
                    "the JSON name changed from \"{}\" to \"{}\"",
                    f.json_name(),
                    g.json_name()
                ));
            }
            if f.name() != g.name() {
                return json(format!(
                    "the name changed from \"{}\" to \"{}\", and JSON readers accept (and some writers emit) the field name",
                    f.name(),
                    g.name()
                ));
            }
            cardinality_change(s, f, g, Mode::WireJson)
                .filter(|i| i.layer == Layer::Json)
                .or_else(|| json_type(s, f, g))
        })
    })
}

/// Compares two messages' fields by number with `field`, naming the first field that differs.
fn compare(
    old: &MessageDescriptor,
    new: &MessageDescriptor,
    mode: Mode,
    field: impl Fn(&FieldDescriptor, &FieldDescriptor) -> Option<Incompatible>,
) -> Option<Incompatible> {
    let (a, b) = (old.full_name(), new.full_name());
    let only_in = |one: &MessageDescriptor, other: &MessageDescriptor| {
        one.fields().find(|f| other.get_field(f.number()).is_none())
    };
    if let Some((f, has, lacks)) = only_in(old, new)
        .map(|f| (f, a, b))
        .or_else(|| only_in(new, old).map(|f| (f, b, a)))
    {
        let reason = format!(
            "\"{has}\" has field {} (\"{}\") and \"{lacks}\" has no field of that number",
            f.number(),
            f.name()
        );
        return match mode {
            // Unknown fields are kept but not read: whether that loses data depends on use.
            Mode::Wire => unverified_wire(format!("{reason}, so its values are not read")),
            Mode::WireJson => json(format!("{reason}, and JSON parsers reject unknown keys")),
        };
    }
    old.fields().find_map(|f| {
        let g = new.get_field(f.number())?;
        field(&f, &g).map(|i| Incompatible {
            reason: format!(
                "in field {} (\"{}\") of \"{a}\" and \"{b}\", {}",
                f.number(),
                f.name(),
                i.reason
            ),
            ..i
        })
    })
}

/// Runs `compare` unless the pair is already being compared (then it is assumed compatible) or
/// the walk is too deep or too large (then it is not known to be).
fn guarded(
    layer: Layer,
    old: &MessageDescriptor,
    new: &MessageDescriptor,
    compare: impl FnOnce() -> Option<Incompatible>,
) -> Option<Incompatible> {
    let key = (
        layer,
        old.full_name().to_owned(),
        new.full_name().to_owned(),
    );
    let too_large = WALK.with(|walk| {
        let mut walk = walk.borrow_mut();
        if walk.open.is_empty() {
            walk.entered = 0;
        }
        if walk.open.contains(&key) {
            return Some(false);
        }
        walk.entered += 1;
        if walk.open.len() >= MAX_DEPTH || walk.entered > MAX_PAIRS {
            return Some(true);
        }
        walk.open.push(key);
        None
    });
    match too_large {
        Some(false) => return None,
        Some(true) => {
            return unverified_wire(format!(
                "\"{}\" and \"{}\" nest too deeply or too widely to compare field by field",
                old.full_name(),
                new.full_name()
            ))
        }
        None => {}
    }
    let found = compare();
    WALK.with(|walk| walk.borrow_mut().open.pop());
    found
}

//! Cardinality changes: presence, required, repeated (packed or not) and maps.

use super::{json, wire, Incompatible, Layer, Mode, Sides};
use crate::schema::field::FieldLike;
use crate::schema::resolved::{cardinality, repeated_encoding, type_name, Cardinality, Encoding};
use crate::schema::Schema;

/// Returns why a change of cardinality breaks readers in `mode`, or `None` when the
/// cardinality did not change or the change is compatible.
pub(crate) fn cardinality_change(
    s: Sides,
    old: &impl FieldLike,
    new: &impl FieldLike,
    mode: Mode,
) -> Option<Incompatible> {
    use Cardinality::*;
    let (a, b) = (cardinality(s.old, old), cardinality(s.new, new));
    if a == b {
        return None;
    }
    let wire_reason = match (a, b) {
        (Explicit | Implicit, Explicit | Implicit) => None,
        (Required, _) => wire(
            "readers of the previous revision reject every message that leaves a required field out"
                .to_owned(),
        ),
        (_, Required) => wire(
            "readers of the current revision reject every message written without the field, such as data written before the change"
                .to_owned(),
        ),
        (Repeated, Map) | (Map, Repeated) => None,
        (Explicit | Implicit, Repeated) => packed(s.new, new),
        (Repeated, Explicit | Implicit) => packed(s.old, old),
        (Explicit | Implicit, Map) | (Map, Explicit | Implicit) => wire(
            "the language guide makes a map compatible only with a repeated field of its entry message, not with a singular field"
                .to_owned(),
        ),
        (Repeated, Repeated) | (Map, Map) => None,
    };
    wire_reason.or_else(|| match (mode, a, b) {
        (Mode::Wire, _, _) => None,
        (Mode::WireJson, Explicit | Implicit, Explicit | Implicit) => None,
        (Mode::WireJson, _, _) => json(format!(
            "JSON writes a {} field as {} and a {} field as {}",
            json_noun(a),
            json_shape(a),
            json_noun(b),
            json_shape(b)
        )),
    })
}

/// A singular reader takes the last of several values written one per record, but cannot read
/// one packed record holding them all.
fn packed(schema: &Schema, repeated: &impl FieldLike) -> Option<Incompatible> {
    (repeated_encoding(schema, repeated) == Encoding::Packed).then(|| Incompatible {
        layer: Layer::Wire,
        unverified: false,
        reason: format!(
            "repeated \"{}\" values are packed into one length-delimited record, which a singular field cannot read",
            type_name(schema, repeated)
        ),
    })
}

fn json_noun(cardinality: Cardinality) -> &'static str {
    match cardinality {
        Cardinality::Repeated => "repeated",
        Cardinality::Map => "map",
        _ => "singular",
    }
}

fn json_shape(cardinality: Cardinality) -> &'static str {
    match cardinality {
        Cardinality::Repeated => "an array",
        Cardinality::Map => "an object keyed by the map keys",
        _ => "a single value",
    }
}

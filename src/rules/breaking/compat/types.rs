//! Type changes: the language guide's wire matrix, then the JSON mapping's groups.

use prost_reflect::{EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};

use super::shape::{messages_json, messages_wire};
use super::{json, unverified_wire, wire, Incompatible, Mode, Sides};
use crate::rules::breaking::{same_type, type_names};
use crate::schema::field::FieldLike;
use crate::schema::resolved::{enum_is_closed, is_delimited, type_name, validates_utf8};
use crate::schema::Schema;

/// Returns why data written with `old`'s type cannot be read with `new`'s (or the reverse), or
/// `None` when the type did not change or the change is compatible in `mode`.
pub(crate) fn type_change(
    s: Sides,
    old: &impl FieldLike,
    new: &impl FieldLike,
    mode: Mode,
) -> Option<Incompatible> {
    if same_type(s, old, new) {
        return None;
    }
    wire_type(s, old, new).or_else(|| match mode {
        Mode::Wire => None,
        Mode::WireJson => json_type(s, old, new),
    })
}

/// How a value of a field's type is written on the wire. Two types with different forms never
/// read each other's data; two with the same form may (see [`wire_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Varint,
    ZigZag,
    Fixed32,
    Float,
    Fixed64,
    Double,
    Len,
    Group,
}

impl Form {
    fn of(schema: &Schema, field: &impl FieldLike) -> Form {
        match field.kind() {
            Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Bool
            | Kind::Enum(_) => Form::Varint,
            Kind::Sint32 | Kind::Sint64 => Form::ZigZag,
            Kind::Fixed32 | Kind::Sfixed32 => Form::Fixed32,
            Kind::Float => Form::Float,
            Kind::Fixed64 | Kind::Sfixed64 => Form::Fixed64,
            Kind::Double => Form::Double,
            Kind::Message(_) if is_delimited(schema, field) => Form::Group,
            Kind::String | Kind::Bytes | Kind::Message(_) => Form::Len,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Form::Varint => "a varint",
            Form::ZigZag => "a ZigZag-encoded varint",
            Form::Fixed32 => "a 4-byte integer",
            Form::Float => "a 4-byte floating-point number",
            Form::Fixed64 => "an 8-byte integer",
            Form::Double => "an 8-byte floating-point number",
            Form::Len => "a length-delimited record",
            Form::Group => "a group between start and end markers",
        }
    }
}

/// The language guide's wire compatibility of two field types (cardinality aside).
pub(super) fn wire_type(
    s: Sides,
    old: &impl FieldLike,
    new: &impl FieldLike,
) -> Option<Incompatible> {
    if same_type(s, old, new) {
        return None;
    }
    let (old_type, new_type) = type_names(s, old, new);
    match (entry_of(old), entry_of(new)) {
        (Some(old_entry), Some(new_entry)) => {
            return in_entries(s, &old_entry, &new_entry, wire_type);
        }
        (Some(map), None) => return map_and_message(s, &map, new, true),
        (None, Some(map)) => return map_and_message(s, &map, old, false),
        (None, None) => {}
    }
    let (old_form, new_form) = (Form::of(s.old, old), Form::of(s.new, new));
    if old_form != new_form {
        return wire(format!(
            "\"{old_type}\" is written as {} and \"{new_type}\" as {}",
            old_form.describe(),
            new_form.describe()
        ));
    }
    match (old.kind(), new.kind()) {
        (Kind::Enum(a), Kind::Enum(b)) => enum_numbers(s, &a, &b),
        (Kind::Enum(_), Kind::Bool) | (Kind::Bool, Kind::Enum(_)) => wire(
            "the encoding spec makes an enum compatible with int32, int64, uint32 and uint64, not with bool"
                .to_owned(),
        ),
        // The number is kept as it is (truncated when out of range, as between integers).
        (Kind::Enum(_), _) => None,
        (_, Kind::Enum(b)) if enum_is_closed(s.new, &b) => wire(format!(
            "numbers the closed enum \"{}\" does not declare are moved to unknown fields and the field reads as unset",
            b.full_name()
        )),
        (_, Kind::Enum(_)) => None,
        // Type names never reach the wire: compare the messages field by field.
        (Kind::Message(a), Kind::Message(b)) => messages_wire(s, &a, &b),
        (Kind::Message(_), Kind::Bytes) => None,
        (Kind::Bytes, Kind::Message(m)) => unverified_wire(format!(
            "bytes are read as a message correctly only if every value written was an encoded \"{}\", which protoguard cannot verify",
            m.full_name()
        )),
        (Kind::Message(_), Kind::String) | (Kind::String, Kind::Message(_)) => wire(
            "the encoding spec makes a message compatible with bytes, not with string"
                .to_owned(),
        ),
        (Kind::String, Kind::Bytes) => None,
        (Kind::Bytes, Kind::String) if validates_utf8(s.new, new) => wire(
            "parsers of the new \"string\" field reject values that are not valid UTF-8, which a \"bytes\" field may hold"
                .to_owned(),
        ),
        // Same form and family: integers of one encoding, string and bytes without validation.
        _ => None,
    }
}

/// The entry message of a map field.
fn entry_of(field: &impl FieldLike) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(entry) if field.is_map() => Some(entry),
        _ => None,
    }
}

/// Compares two map entries' keys and values with `compare`, naming which part breaks.
fn in_entries(
    s: Sides,
    old: &MessageDescriptor,
    new: &MessageDescriptor,
    compare: fn(Sides, &FieldDescriptor, &FieldDescriptor) -> Option<Incompatible>,
) -> Option<Incompatible> {
    let keys = compare(s, &old.map_entry_key_field(), &new.map_entry_key_field());
    let values = || {
        compare(
            s,
            &old.map_entry_value_field(),
            &new.map_entry_value_field(),
        )
    };
    keys.map(|i| Incompatible {
        reason: format!("in the map keys, {}", i.reason),
        ..i
    })
    .or_else(|| {
        values().map(|i| Incompatible {
            reason: format!("in the map values, {}", i.reason),
            ..i
        })
    })
}

/// A map is a repeated entry message on the wire (key = 1, value = 2), so it reads and writes the
/// same data as a message with that shape. `other` is the non-map side; `old_is_map` gives the
/// direction of the change.
fn map_and_message(
    s: Sides,
    map: &MessageDescriptor,
    other: &impl FieldLike,
    old_is_map: bool,
) -> Option<Incompatible> {
    let other_schema = if old_is_map { s.new } else { s.old };
    let shape =
        "a map is written as entry messages with the key as field 1 and the value as field 2";
    let message = match other.kind() {
        Kind::Message(m) if !is_delimited(other_schema, other) => m,
        _ => {
            return wire(format!(
                "{shape}, which only a message field of that shape can read, not \"{}\"",
                type_name(other_schema, other)
            ))
        }
    };
    let singular = |n| message.get_field(n).filter(|f| !f.is_list() && !f.is_map());
    let (Some(key), Some(value)) = (singular(1), singular(2)) else {
        return wire(format!(
            "{shape}, and \"{}\" has no singular fields 1 and 2",
            message.full_name()
        ));
    };
    let (map_key, map_value) = (map.map_entry_key_field(), map.map_entry_value_field());
    let pairs = [("keys", map_key, key), ("values", map_value, value)];
    pairs.into_iter().find_map(|(part, m, f)| {
        let found = if old_is_map {
            wire_type(s, &m, &f)
        } else {
            wire_type(s, &f, &m)
        };
        found.map(|i| Incompatible {
            reason: format!("in the map {part}, {}", i.reason),
            ..i
        })
    })
}

/// An enum read as another: every number the old one declares must be kept by the new one,
/// unless the new one is open and keeps any number.
fn enum_numbers(s: Sides, old: &EnumDescriptor, new: &EnumDescriptor) -> Option<Incompatible> {
    if old.full_name() == new.full_name() || !enum_is_closed(s.new, new) {
        return None;
    }
    let mut missing: Vec<i32> = old
        .values()
        .map(|v| v.number())
        .filter(|n| new.get_value(*n).is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return None;
    }
    let numbers = missing
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    wire(format!(
        "the closed enum \"{}\" does not declare {numbers}, which \"{}\" declares, so such values are moved to unknown fields and the field reads as unset",
        new.full_name(),
        old.full_name()
    ))
}

/// The JSON mapping's compatibility of two types that are already wire-compatible. buf's groups:
/// {int32, uint32}, {int64, uint64}, {fixed32, sfixed32}, {fixed64, sfixed64}; every other type
/// only with itself, except enums that keep every value name with its number.
pub(super) fn json_type(
    s: Sides,
    old: &impl FieldLike,
    new: &impl FieldLike,
) -> Option<Incompatible> {
    if same_type(s, old, new) {
        return None;
    }
    let (old_type, new_type) = type_names(s, old, new);
    if let (Some(old_entry), Some(new_entry)) = (entry_of(old), entry_of(new)) {
        return in_entries(s, &old_entry, &new_entry, json_type);
    }
    let (old_kind, new_kind) = (old.kind(), new.kind());
    if !old.is_map() && !new.is_map() {
        match (&old_kind, &new_kind) {
            (Kind::Enum(a), Kind::Enum(b)) => return enum_names(a, b),
            (Kind::Message(a), Kind::Message(b)) => return messages_json(s, a, b),
            (Kind::String, Kind::Bytes) | (Kind::Bytes, Kind::String) => {
                return json(
                    "JSON writes bytes as base64 and a string as plain text, so the same JSON value reads as different data or is rejected"
                        .to_owned(),
                )
            }
            (a, b) if json_group(a).is_some() && json_group(a) == json_group(b) => return None,
            (a, b) if is_integer(a) && is_integer(b) => {
                return json(
                    "JSON parsers reject a number outside the range of the type that reads it, where binary parsers truncate it"
                        .to_owned(),
                )
            }
            _ => {}
        }
    }
    json(format!(
        "JSON writes \"{old_type}\" as {} and \"{new_type}\" as {}",
        json_form(old),
        json_form(new)
    ))
}

fn json_group(kind: &Kind) -> Option<u8> {
    match kind {
        Kind::Int32 | Kind::Uint32 => Some(1),
        Kind::Int64 | Kind::Uint64 => Some(2),
        Kind::Fixed32 | Kind::Sfixed32 => Some(3),
        Kind::Fixed64 | Kind::Sfixed64 => Some(4),
        _ => None,
    }
}

fn is_integer(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Sint32
            | Kind::Sint64
            | Kind::Fixed32
            | Kind::Fixed64
            | Kind::Sfixed32
            | Kind::Sfixed64
    )
}

/// How the proto3 JSON mapping writes a value of the field's type.
fn json_form(field: &impl FieldLike) -> &'static str {
    if field.is_map() {
        return "an object keyed by the map keys";
    }
    match field.kind() {
        Kind::Int32 | Kind::Uint32 | Kind::Sint32 | Kind::Fixed32 | Kind::Sfixed32 => "a number",
        Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64 => {
            "a decimal string"
        }
        Kind::Float | Kind::Double => "a number",
        Kind::Bool => "true or false",
        Kind::String => "a string",
        Kind::Bytes => "a base64 string",
        Kind::Enum(_) => "the name of its value",
        Kind::Message(_) => "an object",
    }
}

/// JSON writes enum values by name: every old name must still stand for the same number.
fn enum_names(old: &EnumDescriptor, new: &EnumDescriptor) -> Option<Incompatible> {
    if old.full_name() == new.full_name() {
        return None;
    }
    let missing: Vec<String> = old
        .values()
        .filter(|v| {
            new.get_value_by_name(v.name())
                .is_none_or(|n| n.number() != v.number())
        })
        .map(|v| format!("\"{}\" = {}", v.name(), v.number()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    json(format!(
        "JSON writes enum values by name, and \"{}\" does not declare {}",
        new.full_name(),
        missing.join(", ")
    ))
}

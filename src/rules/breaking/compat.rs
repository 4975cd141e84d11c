//! Wire and JSON compatibility of a field's type and cardinality, decided once for the
//! FIELD_WIRE_*_COMPATIBLE_* and FIELD_SAME_CARDINALITY rules. The authority is the protobuf
//! language guide ("Updating a message type") and the encoding spec, not buf's groups where the
//! two differ: e.g. an enum may become an int32 and, when its reader keeps unknown numbers (an
//! open enum), back again. Each decision returns the reason a change breaks, in plain words, or
//! `None` when the change is compatible; [`report_type`] and [`report_cardinality`] turn it into
//! a finding, so each rule file is a single call.

use std::fmt;

use prost_reflect::{EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};

use super::{reuse_help, reused_number, FIELD_LABEL, FIELD_TYPE, FIELD_TYPE_NAME};
use crate::rules::Ctx;
use crate::schema::resolved::{
    cardinality, enum_is_closed, is_delimited, repeated_encoding, type_name, validates_utf8,
    Cardinality, Encoding,
};

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

/// Why a change breaks; displays as the clause `not wire-compatible: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incompatible {
    pub layer: Layer,
    pub reason: String,
}

impl fmt::Display for Incompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer = match self.layer {
            Layer::Wire => "wire",
            Layer::Json => "JSON",
        };
        write!(f, "not {layer}-compatible: {}", self.reason)
    }
}

fn wire(reason: String) -> Option<Incompatible> {
    Some(Incompatible {
        layer: Layer::Wire,
        reason,
    })
}

fn json(reason: String) -> Option<Incompatible> {
    Some(Incompatible {
        layer: Layer::Json,
        reason,
    })
}

/// Returns why data written with `old`'s type cannot be read with `new`'s (or the reverse), or
/// `None` when the type did not change or the change is compatible in `mode`.
pub(crate) fn type_change(
    old: &FieldDescriptor,
    new: &FieldDescriptor,
    mode: Mode,
) -> Option<Incompatible> {
    if type_name(old) == type_name(new) {
        return None;
    }
    wire_type(old, new).or_else(|| match mode {
        Mode::Wire => None,
        Mode::WireJson => json_type(old, new),
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
    fn of(field: &FieldDescriptor) -> Form {
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
            Kind::Message(_) if is_delimited(field) => Form::Group,
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
fn wire_type(old: &FieldDescriptor, new: &FieldDescriptor) -> Option<Incompatible> {
    let (old_type, new_type) = (type_name(old), type_name(new));
    if old_type == new_type {
        return None;
    }
    match (entry_of(old), entry_of(new)) {
        (Some(old_entry), Some(new_entry)) => {
            return in_entries(&old_entry, &new_entry, wire_type);
        }
        (Some(map), None) => return map_and_message(&map, new, true),
        (None, Some(map)) => return map_and_message(&map, old, false),
        (None, None) => {}
    }
    let (old_form, new_form) = (Form::of(old), Form::of(new));
    if old_form != new_form {
        return wire(format!(
            "\"{old_type}\" is written as {} and \"{new_type}\" as {}",
            old_form.describe(),
            new_form.describe()
        ));
    }
    match (old.kind(), new.kind()) {
        (Kind::Enum(a), Kind::Enum(b)) => enum_numbers(&a, &b),
        (Kind::Enum(_), Kind::Bool) | (Kind::Bool, Kind::Enum(_)) => wire(
            "the encoding spec makes an enum compatible with int32, int64, uint32 and uint64, not with bool"
                .to_owned(),
        ),
        // The number is kept as it is (truncated when out of range, as between integers).
        (Kind::Enum(_), _) => None,
        (_, Kind::Enum(b)) if enum_is_closed(&b) => wire(format!(
            "numbers the closed enum \"{}\" does not declare are moved to unknown fields and the field reads as unset",
            b.full_name()
        )),
        (_, Kind::Enum(_)) => None,
        (Kind::Message(_), Kind::Message(_)) => wire(format!(
            "protoguard does not compare the fields of \"{old_type}\" and \"{new_type}\", so it cannot tell whether one reads the data of the other"
        )),
        (Kind::Message(_), Kind::Bytes) => None,
        (Kind::Bytes, Kind::Message(m)) => wire(format!(
            "bytes are read as a message correctly only if every value written was an encoded \"{}\", which protoguard cannot verify",
            m.full_name()
        )),
        (Kind::Message(_), Kind::String) | (Kind::String, Kind::Message(_)) => wire(
            "the encoding spec makes a message compatible with bytes, not with string"
                .to_owned(),
        ),
        (Kind::String, Kind::Bytes) => None,
        (Kind::Bytes, Kind::String) if validates_utf8(new) => wire(
            "parsers of the new \"string\" field reject values that are not valid UTF-8, which a \"bytes\" field may hold"
                .to_owned(),
        ),
        // Same form and family: integers of one encoding, string and bytes without validation.
        _ => None,
    }
}

/// The entry message of a map field.
fn entry_of(field: &FieldDescriptor) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(entry) if field.is_map() => Some(entry),
        _ => None,
    }
}

/// Compares two map entries' keys and values with `compare`, naming which part breaks.
fn in_entries(
    old: &MessageDescriptor,
    new: &MessageDescriptor,
    compare: fn(&FieldDescriptor, &FieldDescriptor) -> Option<Incompatible>,
) -> Option<Incompatible> {
    let keys = compare(&old.map_entry_key_field(), &new.map_entry_key_field());
    let values = || compare(&old.map_entry_value_field(), &new.map_entry_value_field());
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
    map: &MessageDescriptor,
    other: &FieldDescriptor,
    old_is_map: bool,
) -> Option<Incompatible> {
    let shape =
        "a map is written as entry messages with the key as field 1 and the value as field 2";
    let message = match other.kind() {
        Kind::Message(m) if !is_delimited(other) => m,
        _ => {
            return wire(format!(
                "{shape}, which only a message field of that shape can read, not \"{}\"",
                type_name(other)
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
            wire_type(&m, &f)
        } else {
            wire_type(&f, &m)
        };
        found.map(|i| Incompatible {
            reason: format!("in the map {part}, {}", i.reason),
            ..i
        })
    })
}

/// An enum read as another: every number the old one declares must be kept by the new one,
/// unless the new one is open and keeps any number.
fn enum_numbers(old: &EnumDescriptor, new: &EnumDescriptor) -> Option<Incompatible> {
    if old.full_name() == new.full_name() || !enum_is_closed(new) {
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
fn json_type(old: &FieldDescriptor, new: &FieldDescriptor) -> Option<Incompatible> {
    let (old_type, new_type) = (type_name(old), type_name(new));
    if old_type == new_type {
        return None;
    }
    if let (Some(old_entry), Some(new_entry)) = (entry_of(old), entry_of(new)) {
        return in_entries(&old_entry, &new_entry, json_type);
    }
    let (old_kind, new_kind) = (old.kind(), new.kind());
    if !old.is_map() && !new.is_map() {
        match (&old_kind, &new_kind) {
            (Kind::Enum(a), Kind::Enum(b)) => return enum_names(a, b),
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
fn json_form(field: &FieldDescriptor) -> &'static str {
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

/// Returns why a change of cardinality breaks readers in `mode`, or `None` when the
/// cardinality did not change or the change is compatible.
pub(crate) fn cardinality_change(
    old: &FieldDescriptor,
    new: &FieldDescriptor,
    mode: Mode,
) -> Option<Incompatible> {
    use Cardinality::*;
    let (a, b) = (cardinality(old), cardinality(new));
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
        (Explicit | Implicit, Repeated) => packed(new),
        (Repeated, Explicit | Implicit) => packed(old),
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
fn packed(repeated: &FieldDescriptor) -> Option<Incompatible> {
    (repeated_encoding(repeated) == Encoding::Packed).then(|| Incompatible {
        layer: Layer::Wire,
        reason: format!(
            "repeated \"{}\" values are packed into one length-delimited record, which a singular field cannot read",
            type_name(repeated)
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

/// Reports a type change that breaks in `mode`, anchored at the type.
pub(crate) fn report_type(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor, mode: Mode) {
    let Some(why) = type_change(old, new, mode) else {
        return;
    };
    let at = ctx.new.locate_part(new, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    let was = ctx.old.locate_part(old, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    match reused_number(old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(old)),
        None => {
            ctx.changed(
                format!(
                    "Field \"{}\" changed type from \"{}\" to \"{}\", which is {why}.",
                    new.full_name(),
                    type_name(old),
                    type_name(new)
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
    old: &FieldDescriptor,
    new: &FieldDescriptor,
    mode: Option<Mode>,
) {
    let (a, b) = (cardinality(old), cardinality(new));
    if a == b {
        return;
    }
    let why = match mode {
        None => None,
        Some(mode) => match cardinality_change(old, new, mode) {
            None => return,
            some => some,
        },
    };
    let parts = [FIELD_LABEL, FIELD_TYPE_NAME, FIELD_TYPE];
    let at = ctx.new.locate_part(new, &parts);
    let was = ctx.old.locate_part(old, &parts);
    match reused_number(old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(old)),
        None => {
            let why = why.map(|w| format!(", which is {w}")).unwrap_or_default();
            ctx.changed(
                format!(
                    "Field \"{}\" changed cardinality from \"{}\" to \"{}\"{why}.",
                    new.full_name(),
                    a.describe(),
                    b.describe()
                ),
                at,
                was,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_reflect::DescriptorPool;
    use protox::file::{File, FileResolver};

    const PROTO3: &str = r#"
syntax = "proto3";
package t3;

enum Open { OPEN_ZERO = 0; OPEN_ONE = 1; OPEN_TWO = 2; }
enum Renamed { RENAMED_ZERO = 0; RENAMED_ONE = 1; RENAMED_TWO = 2; }
message Other { enum Open { OPEN_ZERO = 0; OPEN_ONE = 1; OPEN_TWO = 2; } }

message Msg { string s = 1; }
message OtherMsg { string s = 1; }
message Entry { string key = 1; int32 value = 2; }
message WideEntry { string key = 1; int64 value = 2; }
message BadEntry { string key = 1; string value = 2; }
message HalfEntry { string key = 1; }

message M {
  int32 v_int32 = 1;
  int64 v_int64 = 2;
  uint32 v_uint32 = 3;
  uint64 v_uint64 = 4;
  bool v_bool = 5;
  sint32 v_sint32 = 6;
  sint64 v_sint64 = 7;
  fixed32 v_fixed32 = 8;
  sfixed32 v_sfixed32 = 9;
  fixed64 v_fixed64 = 10;
  sfixed64 v_sfixed64 = 11;
  float v_float = 12;
  double v_double = 13;
  string v_string = 14;
  bytes v_bytes = 15;
  Open v_open = 16;
  Renamed v_renamed = 17;
  Other.Open v_other_open = 18;
  Msg v_msg = 19;
  OtherMsg v_other_msg = 20;

  map<string, int32> map_si32 = 30;
  map<string, int64> map_si64 = 31;
  map<string, string> map_ss = 32;
  map<int32, int32> map_i32 = 33;
  map<int64, int32> map_i64 = 34;
  map<bool, int32> map_b = 35;
  repeated Entry entries = 36;
  repeated WideEntry wide_entries = 37;
  repeated BadEntry bad_entries = 38;
  repeated HalfEntry half_entries = 39;

  optional int32 explicit = 50;
  repeated int32 packed = 51;
  repeated int32 expanded = 52 [packed = false];
  repeated string strings = 53;
  repeated Msg msgs = 54;
}
"#;

    const PROTO2: &str = r#"
syntax = "proto2";
package t2;
import "t3.proto";

enum Closed { C_ZERO = 0; C_ONE = 1; C_TWO = 2; }
enum ClosedSmall { S_ZERO = 0; S_ONE = 1; }
enum ClosedBig { B_ZERO = 0; B_ONE = 1; B_TWO = 2; B_THREE = 3; }

message M {
  optional int32 v_int32 = 1;
  optional bool v_bool = 5;
  optional string v_string = 14;
  optional bytes v_bytes = 15;
  optional Closed v_closed = 16;
  optional ClosedSmall v_closed_small = 17;
  optional ClosedBig v_closed_big = 18;
  optional t3.Open v_open = 19;
  optional group G = 20 { optional int32 a = 1; }
  optional group H = 21 { optional int32 a = 1; }
  optional G g_as_message = 22;

  required int32 required = 50;
  repeated int32 expanded = 51;
  repeated int32 packed = 52 [packed = true];
}
"#;

    struct Sources;

    impl FileResolver for Sources {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            match name {
                "t3.proto" => File::from_source(name, PROTO3),
                "t2.proto" => File::from_source(name, PROTO2),
                _ => Err(protox::Error::file_not_found(name)),
            }
        }
    }

    fn pool() -> DescriptorPool {
        let mut compiler = protox::Compiler::with_file_resolver(Sources);
        compiler.open_file("t2.proto").expect("test protos compile");
        compiler.descriptor_pool()
    }

    /// A field of `t3.M` (`"int32"` means `v_int32`, other names as written) or of `t2.M`
    /// (prefixed `2:`).
    fn field(pool: &DescriptorPool, name: &str) -> FieldDescriptor {
        let (message, name) = match name.strip_prefix("2:") {
            Some(rest) => ("t2.M", rest),
            None => ("t3.M", name),
        };
        let message = pool.get_message_by_name(message).unwrap();
        message
            .get_field_by_name(&format!("v_{name}"))
            .or_else(|| message.get_field_by_name(name))
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    /// Which layer breaks (`-` for none) in Wire mode and in WireJson mode.
    fn types(pool: &DescriptorPool, old: &str, new: &str) -> (char, char) {
        let (old, new) = (field(pool, old), field(pool, new));
        let layer = |mode| match type_change(&old, &new, mode) {
            None => '-',
            Some(Incompatible {
                layer: Layer::Wire, ..
            }) => 'W',
            Some(Incompatible {
                layer: Layer::Json, ..
            }) => 'J',
        };
        (layer(Mode::Wire), layer(Mode::WireJson))
    }

    #[test]
    fn type_matrix() {
        let pool = pool();
        // (old, new, wire, wire+json): '-' compatible, 'W' wire breaks, 'J' only JSON breaks.
        let cells = [
            // identical types
            ("int32", "int32", '-', '-'),
            ("open", "open", '-', '-'),
            ("msg", "msg", '-', '-'),
            ("map_si32", "map_si32", '-', '-'),
            // varint family
            ("int32", "int64", '-', 'J'),
            ("int64", "int32", '-', 'J'),
            ("int32", "uint32", '-', '-'),
            ("int64", "uint64", '-', '-'),
            ("uint32", "uint64", '-', 'J'),
            ("int32", "bool", '-', 'J'),
            ("bool", "uint64", '-', 'J'),
            // ZigZag
            ("sint32", "sint64", '-', 'J'),
            ("sint32", "int32", 'W', 'W'),
            ("int64", "sint64", 'W', 'W'),
            // fixed width
            ("fixed32", "sfixed32", '-', '-'),
            ("sfixed64", "fixed64", '-', '-'),
            ("fixed32", "fixed64", 'W', 'W'),
            ("fixed32", "float", 'W', 'W'),
            ("double", "fixed64", 'W', 'W'),
            ("float", "double", 'W', 'W'),
            ("int32", "fixed32", 'W', 'W'),
            // length-delimited
            ("int32", "string", 'W', 'W'),
            ("string", "bytes", '-', 'J'),
            ("bytes", "string", 'W', 'W'),
            ("bytes", "2:string", '-', 'J'),
            ("2:bytes", "2:string", '-', 'J'),
            ("2:bytes", "string", 'W', 'W'),
            ("msg", "bytes", '-', 'J'),
            ("bytes", "msg", 'W', 'W'),
            ("msg", "string", 'W', 'W'),
            ("string", "msg", 'W', 'W'),
            ("msg", "other_msg", 'W', 'W'),
            // enums and integers
            ("open", "int32", '-', 'J'),
            ("open", "uint64", '-', 'J'),
            ("int64", "open", '-', 'J'),
            ("2:int32", "2:closed", 'W', 'W'),
            ("2:closed", "2:int32", '-', 'J'),
            ("open", "bool", 'W', 'W'),
            ("2:bool", "2:closed", 'W', 'W'),
            ("open", "sint32", 'W', 'W'),
            ("open", "fixed32", 'W', 'W'),
            // enum to enum
            ("open", "other_open", '-', '-'),
            ("open", "renamed", '-', 'J'),
            ("2:open", "2:closed", '-', 'J'),
            ("2:closed", "2:closed_big", '-', 'J'),
            ("2:closed", "2:closed_small", 'W', 'W'),
            ("2:closed_small", "2:closed", '-', 'J'),
            // groups
            ("2:g", "2:g_as_message", 'W', 'W'),
            ("2:g_as_message", "2:g", 'W', 'W'),
            ("2:g", "2:h", 'W', 'W'),
            ("2:g", "2:bytes", 'W', 'W'),
            // maps
            ("map_si32", "map_si64", '-', 'J'),
            ("map_si32", "map_ss", 'W', 'W'),
            ("map_i32", "map_i64", '-', 'J'),
            ("map_i32", "map_b", '-', 'J'),
            ("map_i32", "map_si32", 'W', 'W'),
            ("map_si32", "entries", '-', 'J'),
            ("entries", "map_si32", '-', 'J'),
            ("map_si32", "wide_entries", '-', 'J'),
            ("map_si32", "bad_entries", 'W', 'W'),
            ("half_entries", "map_si32", 'W', 'W'),
            ("map_si32", "bytes", 'W', 'W'),
            ("int32", "map_si32", 'W', 'W'),
        ];
        let mut wrong = Vec::new();
        for (old, new, wire, json) in cells {
            let got = types(&pool, old, new);
            if got != (wire, json) {
                wrong.push(format!(
                    "{old} -> {new}: expected {wire}{json}, got {}{}",
                    got.0, got.1
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    fn reason(pool: &DescriptorPool, old: &str, new: &str, mode: Mode) -> String {
        type_change(&field(pool, old), &field(pool, new), mode)
            .expect("incompatible")
            .to_string()
    }

    #[test]
    fn type_reasons_name_the_cause() {
        let pool = pool();
        let cases = [
            (
                "int32",
                "string",
                Mode::Wire,
                "not wire-compatible: \"int32\" is written as a varint and \"string\" as a length-delimited record",
            ),
            (
                "bytes",
                "string",
                Mode::Wire,
                "not wire-compatible: parsers of the new \"string\" field reject values that are not valid UTF-8, which a \"bytes\" field may hold",
            ),
            (
                "2:int32",
                "2:closed",
                Mode::Wire,
                "not wire-compatible: numbers the closed enum \"t2.Closed\" does not declare are moved to unknown fields and the field reads as unset",
            ),
            (
                "2:closed",
                "2:closed_small",
                Mode::Wire,
                "not wire-compatible: the closed enum \"t2.ClosedSmall\" does not declare 2, which \"t2.Closed\" declares, so such values are moved to unknown fields and the field reads as unset",
            ),
            (
                "bytes",
                "msg",
                Mode::Wire,
                "not wire-compatible: bytes are read as a message correctly only if every value written was an encoded \"t3.Msg\", which protoguard cannot verify",
            ),
            (
                "open",
                "renamed",
                Mode::WireJson,
                "not JSON-compatible: JSON writes enum values by name, and \"t3.Renamed\" does not declare \"OPEN_ZERO\" = 0, \"OPEN_ONE\" = 1, \"OPEN_TWO\" = 2",
            ),
            (
                "string",
                "bytes",
                Mode::WireJson,
                "not JSON-compatible: JSON writes bytes as base64 and a string as plain text, so the same JSON value reads as different data or is rejected",
            ),
            (
                "map_si32",
                "map_ss",
                Mode::Wire,
                "not wire-compatible: in the map values, \"int32\" is written as a varint and \"string\" as a length-delimited record",
            ),
        ];
        for (old, new, mode, expected) in cases {
            assert_eq!(reason(&pool, old, new, mode), expected, "{old} -> {new}");
        }
    }

    fn cards(pool: &DescriptorPool, old: &str, new: &str) -> (char, char) {
        let (old, new) = (field(pool, old), field(pool, new));
        let layer = |mode| match cardinality_change(&old, &new, mode) {
            None => '-',
            Some(Incompatible {
                layer: Layer::Wire, ..
            }) => 'W',
            Some(Incompatible {
                layer: Layer::Json, ..
            }) => 'J',
        };
        (layer(Mode::Wire), layer(Mode::WireJson))
    }

    #[test]
    fn cardinality_matrix() {
        let pool = pool();
        let cells = [
            ("int32", "int32", '-', '-'),
            // explicit <-> implicit
            ("int32", "explicit", '-', '-'),
            ("explicit", "int32", '-', '-'),
            ("2:int32", "int32", '-', '-'),
            // required
            ("2:required", "2:int32", 'W', 'W'),
            ("2:int32", "2:required", 'W', 'W'),
            ("2:required", "2:expanded", 'W', 'W'),
            // singular <-> repeated: only when the repeated side is not packed
            ("int32", "packed", 'W', 'W'),
            ("packed", "explicit", 'W', 'W'),
            ("int32", "expanded", '-', 'J'),
            ("expanded", "int32", '-', 'J'),
            ("2:int32", "2:expanded", '-', 'J'),
            ("2:int32", "2:packed", 'W', 'W'),
            ("string", "strings", '-', 'J'),
            ("msg", "msgs", '-', 'J'),
            // packed <-> expanded is no change of cardinality
            ("packed", "expanded", '-', '-'),
            ("2:packed", "2:expanded", '-', '-'),
            // maps
            ("map_si32", "entries", '-', 'J'),
            ("entries", "map_si32", '-', 'J'),
            ("msg", "map_si32", 'W', 'W'),
            ("map_si32", "int32", 'W', 'W'),
        ];
        let mut wrong = Vec::new();
        for (old, new, wire, json) in cells {
            let got = cards(&pool, old, new);
            if got != (wire, json) {
                wrong.push(format!(
                    "{old} -> {new}: expected {wire}{json}, got {}{}",
                    got.0, got.1
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn cardinality_reasons_name_the_cause() {
        let pool = pool();
        let why = |old, new, mode| {
            cardinality_change(&field(&pool, old), &field(&pool, new), mode)
                .unwrap()
                .to_string()
        };
        assert_eq!(
            why("int32", "packed", Mode::Wire),
            "not wire-compatible: repeated \"int32\" values are packed into one length-delimited record, which a singular field cannot read"
        );
        assert_eq!(
            why("string", "strings", Mode::WireJson),
            "not JSON-compatible: JSON writes a singular field as a single value and a repeated field as an array"
        );
        assert_eq!(
            why("entries", "map_si32", Mode::WireJson),
            "not JSON-compatible: JSON writes a repeated field as an array and a map field as an object keyed by the map keys"
        );
    }
}

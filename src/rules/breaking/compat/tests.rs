//! The compatibility matrices over descriptors compiled from small proto sources.

use super::*;
use prost_reflect::{DescriptorPool, FieldDescriptor};
use protox::file::{File, FileResolver};

const PROTO3: &str = r#"
syntax = "proto3";
package t3;

enum Open { OPEN_ZERO = 0; OPEN_ONE = 1; OPEN_TWO = 2; }
enum Renamed { RENAMED_ZERO = 0; RENAMED_ONE = 1; RENAMED_TWO = 2; }
message Other { enum Open { OPEN_ZERO = 0; OPEN_ONE = 1; OPEN_TWO = 2; } }

message Msg { string s = 1; }
message OtherMsg { string s = 1; }
message Wider { string s = 1; int32 n = 2; }
message Wrong { int32 s = 1; }
message Relabelled { string t = 1; }
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
  Wider v_wider = 21;
  Wrong v_wrong = 22;
  Relabelled v_relabelled = 23;

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

/// A schema over `pool` (both sides of a comparison are the same proto2/proto3 pool here).
fn schema(pool: &DescriptorPool) -> crate::schema::Schema {
    let snapshot = crate::input::Snapshot {
        label: "test".to_owned(),
        content: crate::input::Content::Sources(Default::default()),
    };
    crate::schema::Schema::new(
        std::sync::Arc::new(snapshot),
        crate::finding::Side::Current,
        pool.clone(),
        &[],
        Default::default(),
    )
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
    let schema = schema(pool);
    let sides = Sides {
        old: &schema,
        new: &schema,
    };
    let layer = |mode| match type_change(sides, &old, &new, mode) {
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
        // a message to another: field by field (the same fields read the same data)
        ("msg", "other_msg", '-', '-'),
        ("msg", "wider", 'W', 'W'),
        ("msg", "wrong", 'W', 'W'),
        ("msg", "relabelled", '-', 'J'),
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
        ("2:g", "2:h", '-', '-'),
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
    let schema = schema(pool);
    let sides = Sides {
        old: &schema,
        new: &schema,
    };
    type_change(sides, &field(pool, old), &field(pool, new), mode)
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
            "not known to be wire-compatible: bytes are read as a message correctly only if every value written was an encoded \"t3.Msg\", which protoguard cannot verify",
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
    let schema = schema(pool);
    let sides = Sides {
        old: &schema,
        new: &schema,
    };
    let layer = |mode| match cardinality_change(sides, &old, &new, mode) {
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
    let schema = schema(&pool);
    let sides = Sides {
        old: &schema,
        new: &schema,
    };
    let why = |old, new, mode| {
        cardinality_change(sides, &field(&pool, old), &field(&pool, new), mode)
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

/// Two chains of `depth` nested messages, `A0 { A1 next = 1; }` … and `B0 { B1 next = 1; }` …,
/// each ending in a message that holds itself (a cycle).
fn chains(depth: usize) -> DescriptorPool {
    let mut text = String::from("syntax = \"proto3\";\npackage c;\n");
    for prefix in ["A", "B"] {
        for i in 0..depth {
            text.push_str(&format!(
                "message {prefix}{i} {{ {prefix}{} next = 1; string s = 2; }}\n",
                i + 1
            ));
        }
        text.push_str(&format!(
            "message {prefix}{depth} {{ {prefix}{depth} self = 1; }}\n"
        ));
    }
    struct One(String);
    impl FileResolver for One {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            File::from_source(name, &self.0)
        }
    }
    let mut compiler = protox::Compiler::with_file_resolver(One(text));
    compiler.open_file("c.proto").expect("chains compile");
    compiler.descriptor_pool()
}

#[test]
fn messages_are_compared_field_by_field_through_cycles_up_to_a_depth() {
    for (depth, expected) in [(10, None), (80, Some(true))] {
        let pool = chains(depth);
        let schema = schema(&pool);
        let s = Sides {
            old: &schema,
            new: &schema,
        };
        let (a, b) = (
            pool.get_message_by_name("c.A0").unwrap(),
            pool.get_message_by_name("c.B0").unwrap(),
        );
        let found = shape::messages_wire(s, &a, &b);
        assert_eq!(found.as_ref().map(|i| i.unverified), expected, "{found:?}");
        if let Some(why) = found {
            assert!(why.reason.contains("nest too deeply"), "{why}");
        }
        assert_eq!(same_data(s, &a, &b), expected.is_none());
    }
    // A different leaf far down is found and named.
    let pool = chains(10);
    let schema = schema(&pool);
    let s = Sides {
        old: &schema,
        new: &schema,
    };
    let a = pool.get_message_by_name("c.A3").unwrap();
    let b = pool.get_message_by_name("c.B10").unwrap();
    assert!(shape::messages_wire(s, &a, &b).is_some());
}

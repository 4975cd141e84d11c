//! Feature resolution tables: defaults per edition, inheritance through every scope, the
//! language's overrides, map entries and custom features, on files compiled from real text.

use std::collections::HashMap;

use prost_reflect::{DescriptorPool, FieldDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use super::*;
use crate::editions::lower::lower;

/// Serves test files, lowering editions ones, and protoguard's custom-feature files.
struct Files(HashMap<&'static str, String>);

impl FileResolver for Files {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Some((_, text)) = crate::editions::FEATURE_FILES
            .iter()
            .find(|(n, _)| *n == name)
        {
            return File::from_source(name, text);
        }
        match self.0.get(name) {
            Some(text) => File::from_source(name, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Compiles one file (`a.proto`), lowering it when it is an editions file.
fn compile(text: &str) -> (DescriptorPool, Edition) {
    let (edition, source) = match lower(text).expect("lowers") {
        Some(lowered) => (lowered.edition, lowered.text),
        None if text.contains("proto3") => (Edition::Proto3, text.to_owned()),
        None => (Edition::Proto2, text.to_owned()),
    };
    let mut chain = ChainFileResolver::new();
    chain.add(Files(HashMap::from([("a.proto", source)])));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_source_info(true);
    compiler.open_file("a.proto").expect("compiles");
    (compiler.descriptor_pool(), edition)
}

fn field(pool: &DescriptorPool, message: &str, name: &str) -> FieldDescriptor {
    pool.get_message_by_name(message)
        .unwrap_or_else(|| panic!("no message {message}"))
        .get_field_by_name(name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn defaults_table() {
    use Edition::*;
    let rows = [
        (
            Proto2,
            FieldPresence::Explicit,
            EnumType::Closed,
            RepeatedFieldEncoding::Expanded,
            Utf8Validation::None,
            JsonFormat::LegacyBestEffort,
            CppStringType::String,
        ),
        (
            Proto3,
            FieldPresence::Implicit,
            EnumType::Open,
            RepeatedFieldEncoding::Packed,
            Utf8Validation::Verify,
            JsonFormat::Allow,
            CppStringType::String,
        ),
        (
            E2023,
            FieldPresence::Explicit,
            EnumType::Open,
            RepeatedFieldEncoding::Packed,
            Utf8Validation::Verify,
            JsonFormat::Allow,
            CppStringType::String,
        ),
        (
            E2024,
            FieldPresence::Explicit,
            EnumType::Open,
            RepeatedFieldEncoding::Packed,
            Utf8Validation::Verify,
            JsonFormat::Allow,
            CppStringType::View,
        ),
    ];
    for (edition, presence, enum_type, encoding, utf8, json, cpp) in rows {
        let f = Features::defaults(edition);
        assert_eq!(f.field_presence.value, presence, "{edition:?}");
        assert_eq!(f.enum_type.value, enum_type, "{edition:?}");
        assert_eq!(f.repeated_field_encoding.value, encoding, "{edition:?}");
        assert_eq!(f.utf8_validation.value, utf8, "{edition:?}");
        assert_eq!(f.message_encoding.value, MessageEncoding::LengthPrefixed);
        assert_eq!(f.json_format.value, json, "{edition:?}");
        assert_eq!(f.cpp_string_type.value, cpp, "{edition:?}");
        assert_eq!(f.java_utf8_validation.value, JavaUtf8Validation::Default);
        assert_eq!(f.field_presence.origin, Origin::Default(edition));
    }
}

const SCOPES: &str = r#"edition = "2023";
package t;
option features.field_presence = IMPLICIT;
option features.utf8_validation = NONE;

message Outer {
  option features.repeated_field_encoding = EXPANDED;
  int32 a = 1;
  repeated int32 r = 2;
  message Inner {
    option features.field_presence = EXPLICIT;
    int32 b = 1;
    repeated int32 packed_again = 2 [features.repeated_field_encoding = PACKED];
    string s = 3 [features.utf8_validation = VERIFY];
  }
  oneof choice {
    int32 c = 3;
  }
  Inner inner = 4;
  map<string, string> m = 5 [features.utf8_validation = VERIFY];
  int32 legacy = 6 [features.field_presence = LEGACY_REQUIRED];
  enum Nested {
    NESTED_UNSPECIFIED = 0;
  }
  extend Outer {
    int32 ext = 100;
  }
  extensions 100 to 200;
}

enum Closed {
  option features.enum_type = CLOSED;
  CLOSED_ONE = 1;
}
"#;

#[test]
fn inheritance_file_message_oneof_field() {
    let (pool, edition) = compile(SCOPES);
    assert_eq!(edition, Edition::E2023);
    let of = |m, f| Features::of_field(edition, &field(&pool, m, f));
    // The file's IMPLICIT reaches a field of a top-level message.
    let a = of("t.Outer", "a");
    assert_eq!(a.field_presence.value, FieldPresence::Implicit);
    assert_eq!(
        a.field_presence.origin,
        Origin::Option(vec![8, 50, 1].into())
    );
    assert_eq!(a.utf8_validation.value, Utf8Validation::None);
    // The message's EXPANDED reaches its repeated field.
    let r = of("t.Outer", "r");
    assert_eq!(
        r.repeated_field_encoding.value,
        RepeatedFieldEncoding::Expanded
    );
    assert_eq!(
        r.repeated_field_encoding.origin,
        Origin::Option(vec![4, 0, 7, 12, 3].into())
    );
    // A nested message overrides the file, and a field overrides its message.
    let b = of("t.Outer.Inner", "b");
    assert_eq!(b.field_presence.value, FieldPresence::Explicit);
    assert_eq!(
        of("t.Outer.Inner", "packed_again")
            .repeated_field_encoding
            .value,
        RepeatedFieldEncoding::Packed
    );
    assert_eq!(
        of("t.Outer.Inner", "s").utf8_validation.value,
        Utf8Validation::Verify
    );
    // Oneof members and message-typed fields always have explicit presence.
    let c = of("t.Outer", "c");
    assert_eq!(c.field_presence.value, FieldPresence::Explicit);
    assert!(matches!(c.field_presence.origin, Origin::Language(_)));
    assert_eq!(
        of("t.Outer", "inner").field_presence.value,
        FieldPresence::Explicit
    );
    assert_eq!(
        of("t.Outer", "legacy").field_presence.value,
        FieldPresence::LegacyRequired
    );
}

#[test]
fn map_entries_take_the_map_fields_features() {
    let (pool, edition) = compile(SCOPES);
    let map = field(&pool, "t.Outer", "m");
    let prost_reflect::Kind::Message(entry) = map.kind() else {
        panic!("map entry")
    };
    for part in [entry.map_entry_key_field(), entry.map_entry_value_field()] {
        assert_eq!(
            Features::of_field(edition, &part).utf8_validation.value,
            Utf8Validation::Verify,
            "{}",
            part.name()
        );
    }
}

#[test]
fn enums_and_extensions() {
    let (pool, edition) = compile(SCOPES);
    let closed = pool.get_enum_by_name("t.Closed").unwrap();
    assert_eq!(
        Features::of_enum(edition, &closed).enum_type.value,
        EnumType::Closed
    );
    let nested = pool.get_enum_by_name("t.Outer.Nested").unwrap();
    assert_eq!(
        Features::of_enum(edition, &nested).enum_type.value,
        EnumType::Open
    );
    // An extension declared inside Outer inherits Outer's scope (not its extendee's), and has
    // explicit presence whatever the file says.
    let ext = pool.get_extension_by_name("t.Outer.ext").unwrap();
    let features = Features::of_extension(edition, &ext);
    assert_eq!(features.field_presence.value, FieldPresence::Explicit);
    assert_eq!(
        features.repeated_field_encoding.value,
        RepeatedFieldEncoding::Expanded
    );
}

#[test]
fn proto2_and_proto3_are_rows_of_the_table_with_their_labels() {
    let (pool, edition) = compile(
        "syntax = \"proto3\";\npackage t;\nmessage M {\n  int32 a = 1;\n  optional int32 b = 2;\n  repeated int32 r = 3;\n  repeated int32 e = 4 [packed = false];\n  string s = 5 [ctype = CORD];\n}\n",
    );
    assert_eq!(edition, Edition::Proto3);
    let of = |f| Features::of_field(edition, &field(&pool, "t.M", f));
    assert_eq!(of("a").field_presence.value, FieldPresence::Implicit);
    assert_eq!(of("b").field_presence.value, FieldPresence::Explicit);
    assert_eq!(
        of("r").repeated_field_encoding.value,
        RepeatedFieldEncoding::Packed
    );
    assert_eq!(
        of("e").repeated_field_encoding.value,
        RepeatedFieldEncoding::Expanded
    );
    assert_eq!(of("s").cpp_string_type.value, CppStringType::Cord);
    let (pool, edition) = compile(
        "syntax = \"proto2\";\npackage t;\nmessage M {\n  required int32 a = 1;\n  optional group G = 2 { optional int32 x = 1; }\n  repeated int32 r = 3;\n}\n",
    );
    let of = |f| Features::of_field(edition, &field(&pool, "t.M", f));
    assert_eq!(of("a").field_presence.value, FieldPresence::LegacyRequired);
    assert_eq!(of("g").message_encoding.value, MessageEncoding::Delimited);
    assert_eq!(
        of("r").repeated_field_encoding.value,
        RepeatedFieldEncoding::Expanded
    );
}

#[test]
fn custom_features_and_2024_defaults() {
    let text = r#"edition = "2024";
package t;
import "google/protobuf/cpp_features.proto";
import "google/protobuf/java_features.proto";
message M {
  string view = 1;
  string plain = 2 [features.(pb.cpp).string_type = STRING];
  string checked = 3 [features.(pb.java).utf8_validation = VERIFY];
}
"#;
    let (pool, edition) = compile(text);
    assert_eq!(edition, Edition::E2024);
    let of = |f| Features::of_field(edition, &field(&pool, "t.M", f));
    assert_eq!(of("view").cpp_string_type.value, CppStringType::View);
    assert_eq!(of("plain").cpp_string_type.value, CppStringType::String);
    assert_eq!(
        of("plain").cpp_string_type.origin,
        Origin::Option(vec![4, 0, 2, 1, 8, 21, 1000, 2].into())
    );
    assert_eq!(
        of("checked").java_utf8_validation.value,
        JavaUtf8Validation::Verify
    );
    let (pool, edition) = compile(&text.replace("2024", "2023"));
    let view = Features::of_field(edition, &field(&pool, "t.M", "view"));
    assert_eq!(view.cpp_string_type.value, CppStringType::String);
}

/// The per-file table (what the schema caches) resolves every element exactly as resolving it
/// on its own does: fields (in oneofs and map entries too), oneofs, enums, messages, extensions.
#[test]
fn file_table_agrees_with_resolving_each_element() {
    let custom = "edition = \"2024\";\npackage t;\nimport \"google/protobuf/cpp_features.proto\";\noption features.(pb.cpp).string_type = CORD;\nmessage M {\n  option features.field_presence = IMPLICIT;\n  string a = 1;\n  oneof o {\n    option features.utf8_validation = NONE;\n    string b = 2;\n  }\n  map<int32, string> m = 3 [features.(pb.cpp).string_type = STRING];\n}\n";
    for text in [SCOPES, custom] {
        let (pool, edition) = compile(text);
        let file = pool.get_file_by_name("a.proto").unwrap();
        let table = FileFeatures::resolve(edition, &file);
        assert_eq!(table.get(&[]), Features::of_file(edition, &file).values());
        let mut checked = 0;
        let mine = |f: &prost_reflect::FileDescriptor| f == &file;
        for message in pool.all_messages().filter(|m| mine(&m.parent_file())) {
            let at = |path: &[i32]| table.get(path);
            assert_eq!(
                at(message.path()),
                Features::of_message(edition, &message).values()
            );
            for field in message.fields() {
                assert_eq!(
                    at(field.path()),
                    Features::of_field(edition, &field).values(),
                    "{}",
                    field.full_name()
                );
                checked += 1;
            }
            for oneof in message.oneofs() {
                assert_eq!(
                    at(oneof.path()),
                    Features::of_oneof(edition, &oneof).values()
                );
            }
        }
        for enum_ in pool.all_enums().filter(|e| mine(&e.parent_file())) {
            let resolved = table.get(enum_.path());
            assert_eq!(resolved, Features::of_enum(edition, &enum_).values());
        }
        for extension in pool.all_extensions().filter(|e| mine(&e.parent_file())) {
            let resolved = table.get(extension.path());
            assert_eq!(
                resolved,
                Features::of_extension(edition, &extension).values()
            );
        }
        assert!(checked > 3, "{checked} fields checked");
    }
}

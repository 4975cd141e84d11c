//! Editions files end to end: descriptor sets and buf images that hold them, source trees, and
//! migrations between syntaxes.

mod common;

use std::fs;

use common::{expect_code, protoguard, repo_root};
use prost::Message;
use tempfile::TempDir;

/// A buf image (`buf build -o`, buf 1.75) of one `edition = "2023"` file with file, message,
/// field and enum features: testdata/editions/README.md says how it was made.
fn editions_image() -> Vec<u8> {
    fs::read(repo_root().join("testdata/editions/user_2023.binpb")).unwrap()
}

/// Every category, so that any property read differently from the image and from the source
/// shows up.
const ALL: [&str; 8] = [
    "--category",
    "FILE",
    "--category",
    "PACKAGE",
    "--category",
    "WIRE_JSON",
    "--category",
    "WIRE",
];

#[test]
fn an_editions_image_reads_like_its_source() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("image.binpb"), editions_image()).unwrap();
    let source = repo_root().join("testdata/editions/source");
    let source = source.to_str().unwrap();
    for (current, previous) in [
        ("image.binpb", "image.binpb"),
        (source, "image.binpb"),
        ("image.binpb", source),
    ] {
        let mut args = vec!["breaking", current, "--against", previous];
        args.extend(ALL);
        let output = protoguard(dir.path(), &args);
        assert!(!common::stderr(&output).contains("panicked"));
        expect_code(&output, 0);
    }
}

#[test]
fn features_in_an_image_are_compared_with_the_source() {
    // The image's `id` has IMPLICIT presence, its `scores` are EXPANDED, its `address` is
    // DELIMITED and its file default enum_type CLOSED: a source without those features differs.
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("image.binpb"), editions_image()).unwrap();
    let text = fs::read_to_string(repo_root().join("testdata/editions/source/a.proto")).unwrap();
    let changed = text
        .replace(" [features.field_presence = IMPLICIT]", "")
        .replace(" [features.message_encoding = DELIMITED]", "");
    common::write(&dir.path().join("new/a.proto"), &changed);
    let mut args = vec![
        "breaking",
        "new",
        "--against",
        "image.binpb",
        "--format",
        "text",
    ];
    args.extend(ALL);
    let output = protoguard(dir.path(), &args);
    let out = expect_code(&output, 1);
    assert!(
        out.contains("FIELD_SAME_CARDINALITY Field \"acme.v1.User.id\" changed cardinality from \"optional with implicit presence\" to \"optional with explicit presence\""),
        "{out}"
    );
    assert!(
        out.contains("FIELD_SAME_TYPE Field \"acme.v1.User.address\" changed type from \"group acme.v1.User.Address\" to \"acme.v1.User.Address\""),
        "{out}"
    );
}

#[test]
fn an_image_of_an_unknown_edition_is_a_clear_error() {
    // The image with its edition number (field 14, 1000) changed to 1002 (a later edition).
    let mut image = editions_image();
    let at = image
        .windows(3)
        .position(|w| w == [0x70, 0xe8, 0x07])
        .expect("edition = 1000 in the image");
    image[at + 1] = 0xea;
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("image.binpb"), image).unwrap();
    let output = protoguard(
        dir.path(),
        &["breaking", "image.binpb", "--against", "image.binpb"],
    );
    let out = expect_code(&output, 2);
    assert!(
        out.contains("a.proto is an editions file of edition number 1002"),
        "{out}"
    );
}

#[test]
fn a_descriptor_set_with_an_unknown_syntax_is_a_clear_error() {
    // Whatever the syntax string, the pool builder must never see it (it panics on any value but
    // proto2/proto3): the class is checked, not one value.
    for syntax in ["proto4", "editions2", "PROTO3"] {
        let set = prost_types::FileDescriptorSet {
            file: vec![prost_types::FileDescriptorProto {
                name: Some("acme/v1/a.proto".into()),
                package: Some("acme.v1".into()),
                syntax: Some(syntax.into()),
                ..Default::default()
            }],
        };
        let dir = TempDir::new().unwrap();
        fs::write(dir.path().join("set.binpb"), set.encode_to_vec()).unwrap();
        let output = protoguard(
            dir.path(),
            &["breaking", "set.binpb", "--against", "set.binpb"],
        );
        let out = expect_code(&output, 2);
        assert!(
            out.contains(&format!("acme/v1/a.proto declares syntax \"{syntax}\"")),
            "{out}"
        );
    }
}

fn two_trees(old: &str, new: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    common::write(&dir.path().join("old/acme/v1/user.proto"), old);
    common::write(&dir.path().join("new/acme/v1/user.proto"), new);
    dir
}

const PROTO3: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string name = 1;
  int32 id = 2;
  optional string nickname = 3;
  repeated int32 scores = 4;
  Kind kind = 5;
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  KIND_ADMIN = 1;
}
"#;

/// PROTO3 rewritten as the equivalent edition 2023 file, as `buf` or protoc's migration would.
const EDITION_2023: &str = r#"edition = "2023";

package acme.v1;

option features.field_presence = IMPLICIT;

message User {
  string name = 1;
  int32 id = 2;
  string nickname = 3 [features.field_presence = EXPLICIT];
  repeated int32 scores = 4;
  Kind kind = 5;
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  KIND_ADMIN = 1;
}
"#;

#[test]
fn an_equivalent_migration_reports_only_the_syntax() {
    let dir = two_trees(PROTO3, EDITION_2023);
    let args = [
        "breaking",
        "new",
        "--against",
        "old",
        "--format",
        "json",
        "--category",
        "FILE",
        "--category",
        "PACKAGE",
        "--category",
        "WIRE_JSON",
        "--category",
        "WIRE",
    ];
    let output = protoguard(dir.path(), &args);
    let out = expect_code(&output, 1);
    let findings: serde_json::Value = serde_json::from_str(&common::stdout(&output)).unwrap();
    let rules: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{out}"))
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["FILE_SAME_SYNTAX"], "{out}");
}

#[test]
fn a_migration_that_changes_presence_is_reported_by_the_cardinality_rule() {
    // Without `field_presence = IMPLICIT`, proto3's implicit scalars become explicit.
    let changed = EDITION_2023.replace("option features.field_presence = IMPLICIT;\n", "");
    let dir = two_trees(PROTO3, &changed);
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--rule",
            "FIELD_SAME_CARDINALITY",
        ],
    );
    let out = expect_code(&output, 1);
    assert!(
        out.contains("Field \"acme.v1.User.id\" changed cardinality from \"optional with implicit presence\" to \"optional with explicit presence\""),
        "{out}"
    );
}

#[test]
fn compile_errors_in_editions_files_point_into_the_original_text() {
    // The error is on a line where lowering inserted `optional `: its column must be the
    // original one.
    let broken =
        "edition = \"2023\";\npackage acme.v1;\nmessage User { int32 id = 1; Missing m = 2; }\n";
    let dir = two_trees(PROTO3, broken);
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let out = expect_code(&output, 2);
    assert!(out.contains("acme/v1/user.proto:3:30"), "{out}");
    assert!(!out.contains("optional"), "{out}");
}

#[test]
fn editions_rules_protoc_enforces_are_compile_errors_with_locations() {
    let open_enum = "edition = \"2023\";\npackage acme.v1;\nenum Kind {\n  KIND_ONE = 1;\n}\n";
    let dir = two_trees(PROTO3, open_enum);
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let out = expect_code(&output, 2);
    assert!(
        out.contains(
            "acme/v1/user.proto:4:14: the first value of open enum \"acme.v1.Kind\" must be zero"
        ),
        "{out}"
    );
    let label =
        "edition = \"2023\";\npackage acme.v1;\nmessage User {\n  optional int32 id = 1;\n}\n";
    let dir = two_trees(PROTO3, label);
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let out = expect_code(&output, 2);
    assert!(
        out.contains("acme/v1/user.proto:4:3: label \"optional\" is not allowed in editions"),
        "{out}"
    );
}

/// What protoc (35.1) and buf (1.75) refuse and a proto2 compile of the lowered text would not:
/// `features` in a proto2/proto3 file, quoted reserved names in an editions file, `ctype` from
/// edition 2024 on. Each is a compile error at the offending text.
#[test]
fn editions_only_syntax_and_editions_forbidden_options_are_compile_errors() {
    let cases = [
        (
            "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string name = 1 [features.utf8_validation = NONE];\n}\n",
            "acme/v1/user.proto:4:20: features are only valid under editions",
        ),
        (
            "syntax = \"proto2\";\npackage acme.v1;\noption features.enum_type = OPEN;\nmessage User {}\n",
            "acme/v1/user.proto:3:1: features are only valid under editions",
        ),
        (
            "edition = \"2023\";\npackage acme.v1;\nmessage User {\n  reserved \"email\";\n}\n",
            "acme/v1/user.proto:4:12: reserved names must be identifiers in editions",
        ),
        (
            "edition = \"2024\";\npackage acme.v1;\nmessage User {\n  string name = 1 [ctype = CORD];\n}\n",
            "acme/v1/user.proto:4:20: the field option \"ctype\" of \"name\" is not allowed in edition 2024",
        ),
    ];
    for (text, expected) in cases {
        let dir = two_trees(PROTO3, text);
        let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
        let out = expect_code(&output, 2);
        assert!(out.contains(expected), "{text}\n{out}");
    }
    // `ctype` stays allowed in 2023, and a proto3 file that only mentions the word compiles.
    let ok = [
        "edition = \"2023\";\npackage acme.v1;\nmessage User {\n  string name = 1 [ctype = CORD];\n}\n",
        "syntax = \"proto3\";\npackage acme.v1;\n// features of a user\nmessage User {\n  string features = 1;\n}\n",
    ];
    for text in ok {
        let dir = two_trees(text, text);
        let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
        expect_code(&output, 0);
    }
}

/// Edition 2024's naming and visibility features and the Go custom features compile against
/// protoguard's current descriptor.proto, without the revision providing it.
#[test]
fn edition_2024_features_and_go_features_compile() {
    let text = r#"edition = "2024";
package acme.v1;
import "google/protobuf/go_features.proto";
option features.enforce_naming_style = STYLE_LEGACY;
option features.default_symbol_visibility = EXPORT_ALL;
option features.(pb.go).api_level = API_OPAQUE;
message user_record {
  string Name = 1;
}
"#;
    let dir = two_trees(text, text);
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    expect_code(&output, 0);
}

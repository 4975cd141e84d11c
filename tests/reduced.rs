//! Inputs reduced from public bug reports, each run as a whole command on a real git repository:
//! where findings about a whole file point, byte-order marks, extension fields, vendored
//! well-known types.

mod common;

use common::{commit_all, expect_code, git, protoguard, stdout, write};

use tempfile::TempDir;

/// A repository whose `main` holds `before`, with `after` written to the working tree (each a list
/// of (path, text); a path missing from `after` is deleted).
fn repo(before: &[(&str, &str)], after: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    for (name, text) in before {
        write(&path.join(name), text);
    }
    commit_all(path, "before");
    for (name, _) in before {
        std::fs::remove_file(path.join(name)).unwrap();
    }
    for (name, text) in after {
        write(&path.join(name), text);
    }
    dir
}

/// Runs `breaking --against main` with `args` and returns stdout, asserting the exit code.
fn check(dir: &TempDir, args: &[&str], code: i32) -> String {
    let mut all = vec!["breaking", "--against", "main"];
    all.extend_from_slice(args);
    let output = protoguard(dir.path(), &all);
    expect_code(&output, code);
    stdout(&output)
}

const HOST_BEFORE: &str = r#"syntax = "proto2";

package acme.v1;

option java_package = "com.acme.v1";

message Host {
  optional string name = 1;
  extensions 100 to 200;
  message Inner {
    optional int32 x = 1;
  }
}

message Gone {
  optional int32 a = 1;
}

enum Color {
  COLOR_UNSPECIFIED = 0;
}

service Svc {
  rpc Get(Host) returns (Host);
}

extend Host {
  optional string tag = 100;
}
"#;

const HOST_AFTER: &str = r#"syntax = "proto2";

package acme.v1;

message Host {
  optional string name = 1;
  extensions 100 to 200;
}
"#;

const OTHER: &str = "syntax = \"proto3\";\n\npackage acme.other.v1;\n\nmessage B {}\n";

/// buf 1.75 on the same change reports every deletion whose surviving parent is the file at line
/// 1, column 1 (a deleted file and package without a path); a nested deletion stays at its
/// message. The old element keeps its own frame.
#[test]
fn findings_about_a_whole_file_point_where_buf_points() {
    let dir = repo(
        &[
            ("acme/v1/host.proto", HOST_BEFORE),
            ("acme/other/v1/b.proto", OTHER),
        ],
        &[("acme/v1/host.proto", HOST_AFTER)],
    );

    let text = check(&dir, &["--format", "text", "--category", "FILE"], 1);
    let at: Vec<&str> = text
        .lines()
        .map(|l| l.split_once(" Previously").map_or(l, |(a, _)| a))
        .map(|l| l.split_once(" File option").map_or(l, |(a, _)| a))
        .collect();
    assert_eq!(
        at,
        [
            "acme/other/v1/b.proto:1:1: FILE_NO_DELETE",
            "acme/v1/host.proto:1:1: ENUM_NO_DELETE",
            "acme/v1/host.proto:1:1: EXTENSION_NO_DELETE",
            "acme/v1/host.proto:1:1: FILE_SAME_JAVA_PACKAGE",
            "acme/v1/host.proto:1:1: MESSAGE_NO_DELETE",
            "acme/v1/host.proto:1:1: SERVICE_NO_DELETE",
            "acme/v1/host.proto:5:9: MESSAGE_NO_DELETE",
        ],
        "{text}"
    );

    let text = check(&dir, &["--format", "text", "--category", "PACKAGE"], 1);
    assert!(
        text.contains("acme/other/v1/b.proto:1:1: PACKAGE_NO_DELETE"),
        "{text}"
    );
    assert!(
        text.contains("acme/v1/host.proto:1:1: PACKAGE_MESSAGE_NO_DELETE Previously present message \"acme.v1.Gone\""),
        "{text}"
    );

    // The JSON keeps the old element's place as `previous`.
    let json: serde_json::Value =
        serde_json::from_str(&check(&dir, &["--format", "json"], 1)).unwrap();
    let gone = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("\"acme.v1.Gone\""))
        .expect("MESSAGE_NO_DELETE for Gone");
    assert_eq!(gone["start_line"], 1);
    assert_eq!(gone["start_column"], 1);
    assert_eq!(gone["previous"]["start_line"], 15, "{gone}");
}

const BOM: &str = "\u{feff}";

/// A file saved by an editor that writes a byte-order mark (often with CRLF line endings)
/// compiles as protoc and buf compile it, and its findings stand where they stand without the
/// mark (buf 1.75 reports `string` below at 1:43 too).
#[test]
fn a_byte_order_mark_is_skipped_and_spans_are_unchanged() {
    let line =
        |ty: &str| format!("syntax = \"proto3\"; package a; message M {{ {ty} x = 1; }}\r\n");
    let dir = repo(
        &[("a.proto", &format!("{BOM}{}", line("int32")))],
        &[("a.proto", &format!("{BOM}{}", line("string")))],
    );
    for mode in [&[][..], &["--full"][..]] {
        let mut args = vec!["--format", "text", "--category", "WIRE"];
        args.extend_from_slice(mode);
        assert_eq!(
            check(&dir, &args, 1),
            "a.proto:1:43: FIELD_WIRE_COMPATIBLE_TYPE Field \"a.M.x\" changed type from \"int32\" to \"string\", which is not wire-compatible: \"int32\" is written as a varint and \"string\" as a length-delimited record.\n",
        );
    }

    // Adding or removing only the mark changes nothing.
    let plain =
        "syntax = \"proto3\";\r\n\r\npackage a;\r\n\r\nmessage M {\r\n  int32 x = 1;\r\n}\r\n";
    let dir = repo(
        &[("a.proto", plain)],
        &[("a.proto", &format!("{BOM}{plain}"))],
    );
    for mode in [&[][..], &["--full"][..]] {
        let mut args = vec!["--category", "FILE"];
        args.extend_from_slice(mode);
        check(&dir, &args, 0);
    }
}

/// The planner reads a marked file's imports too: `b.proto` changes an enum into a message of the
/// same name (buf: "changed type from enum to message"), and `a.proto`, which starts with the mark
/// directly followed by `import`, is compared because of it in change-based mode exactly as with
/// `--full`.
#[test]
fn a_byte_order_mark_does_not_hide_the_first_import_from_the_planner() {
    let a = format!(
        "{BOM}import \"b.proto\";\r\npackage a;\r\nmessage M {{\r\n  optional b.T t = 1;\r\n}}\r\n"
    );
    let b_enum = "syntax = \"proto2\";\npackage b;\nenum T {\n  T_UNSPECIFIED = 0;\n}\n";
    let b_message = "syntax = \"proto2\";\npackage b;\nmessage T {\n}\n";
    let dir = repo(
        &[("a.proto", &a), ("b.proto", b_enum)],
        &[("a.proto", &a), ("b.proto", b_message)],
    );
    let args = ["--format", "text", "--rule", "FIELD_SAME_TYPE"];
    let changed = check(&dir, &args, 1);
    assert_eq!(
        changed,
        "a.proto:4:12: FIELD_SAME_TYPE Field \"a.M.t\" changed type from \"enum b.T\" to \"message b.T\".\n"
    );
    let mut full = args.to_vec();
    full.push("--full");
    assert_eq!(check(&dir, &full, 1), changed);
}

/// Extension fields are paired by (extended message, number) and every field rule runs on them,
/// custom options on `google.protobuf.*Options` included: buf 1.75 reports FIELD_SAME_TYPE (FILE,
/// PACKAGE), FIELD_WIRE_JSON_COMPATIBLE_TYPE and FIELD_WIRE_COMPATIBLE_TYPE for this change.
#[test]
fn extension_fields_are_compared_field_by_field() {
    let file = |priority: &str, tag: &str| {
        format!(
            "syntax = \"proto2\";\n\npackage acme.v1;\n\nimport \"google/protobuf/descriptor.proto\";\n\nmessage Host {{\n  extensions 100 to 200;\n}}\n\nextend Host {{\n  optional {priority} priority = 100;\n}}\n\nextend google.protobuf.FieldOptions {{\n  optional {tag} tag = 50001;\n}}\n"
        )
    };
    let dir = repo(
        &[("acme/v1/host.proto", &file("int32", "string"))],
        &[("acme/v1/host.proto", &file("string", "bytes"))],
    );
    let priority = "Extension \"acme.v1.priority\" (100) on message \"acme.v1.Host\" changed type from \"int32\" to \"string\"";
    let tag = "Extension \"acme.v1.tag\" (50001) on message \"google.protobuf.FieldOptions\" changed type from \"string\" to \"bytes\"";
    for mode in [&[][..], &["--full"][..]] {
        for (category, rule, expected) in [
            ("FILE", "FIELD_SAME_TYPE", vec![priority, tag]),
            ("PACKAGE", "FIELD_SAME_TYPE", vec![priority, tag]),
            (
                "WIRE_JSON",
                "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
                vec![priority, tag],
            ),
            ("WIRE", "FIELD_WIRE_COMPATIBLE_TYPE", vec![priority]),
        ] {
            let mut args = vec!["--format", "text", "--category", category];
            args.extend_from_slice(mode);
            let text = check(&dir, &args, 1);
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), expected.len(), "{category}: {text}");
            for (line, (want, at)) in lines.iter().zip(expected.iter().zip(["12:12", "16:12"])) {
                assert!(
                    line.starts_with(&format!("acme/v1/host.proto:{at}: {rule} {want}")),
                    "{category}: {line}"
                );
            }
        }
    }
}

/// A module that shipped its own copy of a well-known type stops shipping it: imports now resolve
/// to the copy every compiler provides, `google.protobuf.Empty` still exists, and buf 1.75
/// reports nothing. So does protoguard, in every category and both modes.
#[test]
fn a_vendored_well_known_type_that_is_no_longer_shipped_is_not_deleted() {
    let empty = "syntax = \"proto3\";\n\npackage google.protobuf;\n\noption go_package = \"google.golang.org/protobuf/types/known/emptypb\";\n\nmessage Empty {}\n";
    let api = "syntax = \"proto3\";\n\npackage acme.v1;\n\nimport \"google/protobuf/empty.proto\";\n\nservice Pinger {\n  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);\n}\n";
    let dir = repo(
        &[
            ("google/protobuf/empty.proto", empty),
            ("acme/v1/api.proto", api),
        ],
        &[("acme/v1/api.proto", api)],
    );
    for mode in [&[][..], &["--full"][..]] {
        for category in ["FILE", "PACKAGE", "WIRE_JSON", "WIRE"] {
            let mut args = vec!["--format", "text", "--category", category];
            args.extend_from_slice(mode);
            assert_eq!(check(&dir, &args, 0), "", "{category} {mode:?}");
        }
    }
}

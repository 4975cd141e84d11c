//! Span indexes kept from the compile ([`Spans::Kept`]) are the ones parsed again on demand.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{compile, CompileOptions, Spans};
use crate::finding::Side;
use crate::input::{Content, Snapshot, Sources};
use crate::schema::Schema;

const OPTIONS: &str = r#"syntax = "proto3";
package acme.options;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions {
  repeated string tags = 50001;
  Rule rule = 50002;
}
extend google.protobuf.MessageOptions { bool audited = 50003; }
message Rule { int32 min = 1; int32 max = 2; }
"#;

const USER: &str = r#"// Detached from the syntax statement.

syntax = "proto3";

// The package.
package acme.v1;

import "acme/options/options.proto";

option java_package = "com.acme.v1";
option go_package = "acme/v1";

// A user. buf:lint:ignore MESSAGE_PASCAL_CASE
message user {
  option (acme.options.audited) = true;
  // The name.
  string name = 1 [(acme.options.tags) = "a", (acme.options.tags) = "b", deprecated = true];
  int32 age = 2 [(acme.options.rule) = { min: 0 max: 150 }]; // trailing
  oneof contact { string email = 3 [(acme.options.rule).min = 3, (acme.options.rule).max = 9]; }
  enum Kind { KIND_UNSPECIFIED = 0; }
}
"#;

const EDITIONS: &str = r#"edition = "2023";
package acme.v2;
option features.field_presence = IMPLICIT;
// Ünïcode before the message.
message Account {
  string id = 1 [features.field_presence = EXPLICIT];
  repeated int32 scores = 2 [features.repeated_field_encoding = EXPANDED];
}
"#;

/// A snapshot of source files (name, bytes), labelled `label`.
pub(super) fn snapshot_of(label: &str, files: Vec<(String, Vec<u8>)>) -> Arc<Snapshot> {
    let mut sources = Sources::default();
    for (name, bytes) in files {
        sources.insert(name, bytes);
    }
    Arc::new(Snapshot {
        label: label.to_owned(),
        content: Content::Sources(sources),
    })
}

fn snapshot() -> Arc<Snapshot> {
    let files = [
        ("acme/options/options.proto", OPTIONS),
        ("acme/v1/user.proto", USER),
        ("acme/v2/account.proto", EDITIONS),
    ];
    let files = files.map(|(name, text)| (name.to_owned(), text.as_bytes().to_vec()));
    snapshot_of("test", files.into())
}

fn schema(spans: Spans) -> Schema {
    let snapshot = snapshot();
    let Content::Sources(sources) = &snapshot.content else {
        unreachable!()
    };
    let names: BTreeSet<String> = sources.files.keys().cloned().collect();
    let options = CompileOptions {
        spans,
        read_ahead: false,
        parses: None,
    };
    compile(snapshot.clone(), Side::Current, &names, &[], options).expect("compiles")
}

type Comments = Vec<(Vec<i32>, Option<String>, Option<String>, Vec<String>)>;

fn comments(schema: &Schema, name: &str) -> Comments {
    let file = schema.file(name).expect("checked file").clone();
    let index = schema.span_index(&file);
    index
        .comments()
        .map(|c| {
            let detached = c.leading_detached.iter().map(|d| d.to_string()).collect();
            let owned = |s: Option<&str>| s.map(str::to_owned);
            (
                c.path.to_vec(),
                owned(c.leading),
                owned(c.trailing),
                detached,
            )
        })
        .collect()
}

#[test]
fn kept_spans_are_the_parsed_ones() {
    let parsed = schema(Spans::OnDemand);
    let kept = schema(Spans::Kept { comments: true });
    let lean = schema(Spans::Kept { comments: false });
    for file in parsed.files() {
        let name = file.name();
        let want = parsed.span_index(file).entries();
        assert!(want.len() > 10, "{name}: {} locations", want.len());
        for other in [&kept, &lean] {
            let got = other.span_index(other.file(name).unwrap()).entries();
            assert_eq!(got, want, "{name}");
        }
        assert_eq!(comments(&kept, name), comments(&parsed, name), "{name}");
    }
    // Options moved to their resolved paths, one index per value of a repeated option.
    let user = parsed.file("acme/v1/user.proto").unwrap();
    let index = parsed.span_index(user);
    let field_options = [4, 0, 2, 0, 8];
    for path in [&[50001, 0][..], &[50001, 1], &[3]] {
        let path = [&field_options[..], path].concat();
        assert!(index.get(&path, None).is_some(), "{path:?}");
    }
    // Without comment rules, only a file with an ignore directive keeps its comments.
    assert!(!comments(&lean, "acme/v1/user.proto").is_empty());
    assert_eq!(
        comments(&lean, "acme/v1/user.proto"),
        comments(&parsed, "acme/v1/user.proto")
    );
    assert!(!comments(&parsed, "acme/v2/account.proto").is_empty());
    assert!(comments(&lean, "acme/v2/account.proto").is_empty());
}

/// Enough files that a second thread reads them ahead of the compile ([`super::read`]), each
/// importing a later one, so that the compile also opens files the reader has not reached.
fn many(broken: Option<usize>) -> Arc<Snapshot> {
    let mut files = Vec::new();
    let count = 48;
    for i in 0..count {
        let import = match i + 17 < count {
            true => format!("import \"acme/f{:02}.proto\";", i + 17),
            false => String::new(),
        };
        let text = format!(
            "syntax = \"proto3\";\npackage acme;\n{import}\n// M{i}.\nmessage M{i} {{ string a = 1 [deprecated = true]; }}\n"
        );
        let mut bytes = text.into_bytes();
        if broken == Some(i) {
            bytes.extend_from_slice(b"// \xff\n");
        }
        files.push((format!("acme/f{i:02}.proto"), bytes));
    }
    snapshot_of("many", files)
}

fn compile_all(
    snapshot: &Arc<Snapshot>,
    spans: Spans,
    read_ahead: bool,
) -> crate::error::Result<Schema> {
    let Content::Sources(sources) = &snapshot.content else {
        unreachable!()
    };
    let names: BTreeSet<String> = sources.files.keys().cloned().collect();
    let options = CompileOptions {
        spans,
        read_ahead,
        parses: None,
    };
    compile(snapshot.clone(), Side::Current, &names, &[], options)
}

#[test]
fn files_read_ahead_compile_as_read_in_turn() {
    let snapshot = many(None);
    let parsed = compile_all(&snapshot, Spans::OnDemand, false).expect("compiles");
    let kept = compile_all(&snapshot, Spans::Kept { comments: true }, true).expect("compiles");
    assert_eq!(parsed.files().len(), 48);
    for file in parsed.files() {
        let other = kept.file(file.name()).expect("same files");
        assert_eq!(other.file_descriptor_proto(), file.file_descriptor_proto());
        let (want, got) = (parsed.span_index(file), kept.span_index(other));
        assert_eq!(got.entries(), want.entries(), "{}", file.name());
    }
    // A file that cannot be read is reported as without a reader, whichever thread met it.
    for broken in [0, 30, 47] {
        let snapshot = many(Some(broken));
        let Err(err) = compile_all(&snapshot, Spans::Kept { comments: false }, true) else {
            panic!("f{broken:02}.proto is not UTF-8");
        };
        let shown = err.to_string() + &format!("{err:?}");
        assert!(shown.contains(&format!("f{broken:02}.proto")), "{shown}");
        assert!(shown.contains("NotUtf8"), "{shown}");
    }
}

#[test]
fn the_feature_files_are_parsed_once_and_served_the_same_every_time() {
    use protox::file::FileResolver;
    for (name, _) in crate::editions::FEATURE_FILES {
        let first = super::FeatureFileResolver.open_file(name).unwrap();
        let again = super::FeatureFileResolver.open_file(name).unwrap();
        assert_eq!(
            first.file_descriptor_proto(),
            again.file_descriptor_proto(),
            "{name}"
        );
        assert!(again.file_descriptor_proto().source_code_info.is_some());
    }
    assert!(super::FeatureFileResolver.open_file("a.proto").is_err());
}

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

#[test]
fn an_editions_image_never_crashes() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("image.binpb"), editions_image()).unwrap();
    let output = protoguard(
        dir.path(),
        &["breaking", "image.binpb", "--against", "image.binpb"],
    );
    assert!(!common::stderr(&output).contains("panicked"));
    let code = output.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit {code:?}: {}",
        common::all_output(&output)
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

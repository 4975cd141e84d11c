//! Structure-aware verdicts that depend on the rule selection, through the binary: an event that
//! breaks only generated code is reported for FILE and PACKAGE, not for WIRE or WIRE_JSON alone.

mod common;

use common::{expect_code, protoguard, repo_root};

fn messages(case: &str, category: &str) -> Vec<String> {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            &format!("testdata/breaking/{case}/current"),
            "--against",
            &format!("testdata/breaking/{case}/previous"),
            "--category",
            category,
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let messages: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "FIELD_SAME_ONEOF")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    expect_code(
        &output,
        i32::from(!doc["findings"].as_array().unwrap().is_empty()),
    );
    messages
}

#[test]
fn a_single_explicit_field_into_a_new_oneof_breaks_generated_code_only() {
    let case = "field_same_oneof/single_into_new_oneof";
    for category in ["FILE", "PACKAGE"] {
        let found = messages(case, category);
        assert_eq!(found.len(), 3, "{category}: {found:?}");
        assert!(found
            .iter()
            .any(|m| m.contains("\"acme.v1.User.nickname\" moved into the new oneof")));
    }
    for category in ["WIRE", "WIRE_JSON"] {
        let found = messages(case, category);
        assert_eq!(found.len(), 2, "{category}: {found:?}");
        assert!(!found.iter().any(|m| m.contains("nickname")), "{found:?}");
        assert!(found.iter().any(|m| m.contains("handle")));
        assert!(found.iter().any(|m| m.contains("phone")));
    }
}

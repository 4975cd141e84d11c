//! Impact, end to end through the binary: which RPCs a finding reaches in JSON, the full list with
//! `--verbose`, and `--impact-only` lowering findings that reach no RPC to warnings.

mod common;

use common::{expect_code, protoguard, repo_root};

fn case(args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "breaking",
        "testdata/breaking/field_same_type/reaches_rpcs/current",
        "--against",
        "testdata/breaking/field_same_type/reaches_rpcs/previous",
        "--rule",
        "FIELD_SAME_TYPE",
    ];
    all.extend(args);
    protoguard(&repo_root(), &all)
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn json_names_every_rpc_reached_with_its_path() {
    let output = case(&["--format", "json"]);
    expect_code(&output, 1);
    let doc = json(&output);
    let findings = doc["findings"].as_array().unwrap();
    let zip = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("Address.zip"))
        .unwrap();
    assert_eq!(
        zip["impact"]["services"],
        serde_json::json!(["acme.v1.AdminService", "acme.v1.UserService"])
    );
    let reaches = zip["impact"]["reaches"].as_array().unwrap();
    let list_users = reaches
        .iter()
        .find(|r| r["rpc"] == "acme.v1.AdminService.ListUsers")
        .unwrap();
    assert_eq!(list_users["direction"], "response");
    assert_eq!(
        list_users["via"],
        serde_json::json!([
            "acme.v1.ListUsersResponse.page",
            "acme.v1.UserPage.users",
            "acme.v1.User.addresses"
        ])
    );
    assert_eq!(list_users["location"]["path"], "acme/v1/service.proto");
    assert_eq!(list_users["location"]["start_line"], 23);
    // Request and response of one RPC are two entries.
    let update: Vec<_> = reaches
        .iter()
        .filter(|r| r["rpc"] == "acme.v1.AdminService.UpdateUser")
        .map(|r| r["direction"].as_str().unwrap())
        .collect();
    assert_eq!(update, ["request", "response"]);
    let stored = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("StoredUser"))
        .unwrap();
    assert_eq!(stored["impact"]["services"], serde_json::json!([]));
    assert_eq!(stored["severity"], "error");
}

/// Human output with its wrapping undone: words joined by single spaces, frame bars dropped.
fn unwrapped(output: std::process::Output) -> String {
    let text = String::from_utf8(output.stdout).unwrap();
    let words: Vec<&str> = text.split_whitespace().filter(|w| *w != "│").collect();
    words.join(" ")
}

#[test]
fn verbose_lists_every_rpc() {
    let short = unwrapped(case(&["--color", "never"]));
    assert!(
        short.contains("and 1 more (--verbose lists them all)"),
        "{short}"
    );
    let long = unwrapped(case(&["--color", "never", "--verbose"]));
    assert!(!long.contains("--verbose lists them all"), "{long}");
    assert!(long.contains("acme.v1.UserService.GetUser (response, via acme.v1.User.addresses)"));
}

#[test]
fn impact_only_lowers_what_reaches_no_rpc() {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("protoguard.toml");
    std::fs::write(
        &file,
        "[breaking]\nuse = [\"FIELD_SAME_TYPE\"]\nimpact_only = true\n",
    )
    .unwrap();
    for flag in [
        vec!["--impact-only"],
        vec!["--config", file.to_str().unwrap()],
    ] {
        let mut args = flag;
        args.extend(["--format", "json"]);
        impact_only_lowers(case(&args));
    }
}

fn impact_only_lowers(output: std::process::Output) {
    expect_code(&output, 1);
    let doc = json(&output);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
    let stored = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("StoredUser"))
        .unwrap();
    assert_eq!(stored["severity"], "warning");
}

#[test]
fn impact_only_passes_a_change_no_rpc_reaches() {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/breaking/field_same_type/changed/current",
            "--against",
            "testdata/breaking/field_same_type/changed/previous",
            "--rule",
            "FIELD_SAME_TYPE",
            "--impact-only",
            "--format",
            "json",
        ],
    );
    // No service in either revision: every finding reaches nothing, so none fails the check,
    // and no impact is shown.
    expect_code(&output, 0);
    let doc = json(&output);
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        assert_eq!(finding["severity"], "warning");
        assert!(finding.get("impact").is_none(), "{finding}");
    }
}

const OPTIONS_CASE: &str = "testdata/breaking/field_no_delete/reaches_through_options";

#[test]
fn a_custom_options_type_reaches_the_rpcs_that_set_it() {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            &format!("{OPTIONS_CASE}/current"),
            "--against",
            &format!("{OPTIONS_CASE}/previous"),
            "--rule",
            "FIELD_NO_DELETE",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 1);
    let doc = json(&output);
    let findings = doc["findings"].as_array().unwrap();
    let about = |field: &str| {
        findings
            .iter()
            .find(|f| f["message"].as_str().unwrap().contains(field))
            .unwrap_or_else(|| panic!("a finding about {field}"))
    };
    let path = &about("\"path\"")["impact"]["reaches"][0];
    assert_eq!(path["rpc"], "acme.v1.UserService.GetUser");
    assert_eq!(path["direction"], "option");
    assert_eq!(path["option"], "acme.api.http");
    assert_eq!(path["via"], serde_json::json!(["acme.api.HttpRule.custom"]));
    let scope = about("\"scope\"")["impact"]["reaches"].as_array().unwrap();
    assert_eq!(scope.len(), 3, "every RPC of the service: {scope:?}");
    assert!(scope.iter().all(|r| r["direction"] == "service_option"));
    // Each names the option it came through.
    assert!(scope.iter().all(|r| r["option"] == "acme.api.info"));
}

#[test]
fn a_deleted_option_reaches_the_rpcs_that_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root().join(OPTIONS_CASE);
    for side in ["previous", "current"] {
        for file in ["acme/api/annotations.proto", "acme/v1/user.proto"] {
            let text = std::fs::read_to_string(root.join("previous").join(file)).unwrap();
            common::write(&dir.path().join(side).join(file), &text);
        }
    }
    // The current side drops the service option: its declaration and its one use.
    let current = dir.path().join("current");
    let edit = |file: &str, from: &str| {
        let path = current.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} holds {from:?}");
        common::write(&path, &text.replace(from, ""));
    };
    edit(
        "acme/api/annotations.proto",
        "extend google.protobuf.ServiceOptions {\n  ServiceInfo info = 72295729;\n}\n",
    );
    edit(
        "acme/v1/user.proto",
        "  option (acme.api.info) = { host: \"users.acme.com\" };\n",
    );
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "current",
            "--against",
            "previous",
            "--rule",
            "EXTENSION_NO_DELETE",
            "--color",
            "never",
        ],
    );
    expect_code(&output, 1);
    let text = unwrapped(output);
    assert!(
        text.contains(
            "reaches: acme.v1.UserService.GetUser (service option (acme.api.info)), acme.v1.UserService.Lookup (service option (acme.api.info)), acme.v1.UserService.UpdateUser (service option (acme.api.info))"
        ),
        "{text}"
    );
}

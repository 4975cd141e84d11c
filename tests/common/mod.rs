//! Helpers shared by the whole-command tests: running the binary, real git repositories, files.
// Each test crate uses its own subset of these.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository this test runs in (where testdata/ and the action live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built binary in `dir` without colour at a fixed, wide terminal width.
pub fn protoguard(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("protoguard")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .args(args)
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output followed by standard error.
pub fn all_output(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

/// Asserts an exit code and that nothing panicked; returns stdout + stderr for further checks.
#[track_caller]
pub fn expect_code(output: &Output, code: i32) -> String {
    let all = all_output(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "unexpected exit code; output:\n{all}"
    );
    assert!(!all.contains("panicked"), "panic:\n{all}");
    all
}

pub fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Runs git in `dir` with a fixed identity and no user or system configuration; returns its
/// trimmed standard output.
#[track_caller]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// One user service file in a `proto/` module, in three states: a first version, a breaking change
/// to it (field 3 deleted: FIELD_NO_DELETE) and a compatible one (a field added).
pub mod user_proto {
    pub const USER: &str = "proto/acme/user/v1/user.proto";

    pub const USER_V1: &str = r#"syntax = "proto3";

package acme.user.v1;

message User {
  string id = 1;
  string name = 2;
  string email = 3;
}
"#;

    pub const USER_BREAKING: &str = r#"syntax = "proto3";

package acme.user.v1;

message User {
  string id = 1;
  string name = 2;
}
"#;

    pub const USER_CLEAN: &str = r#"syntax = "proto3";

package acme.user.v1;

message User {
  string id = 1;
  string name = 2;
  string email = 3;
  string phone = 4;
}
"#;
}

/// A `--filter=blob:none` clone of `src` (which is told to allow filters) at `dir/clone`, as
/// actions/checkout makes with `filter`: only the checked-out revision's blobs are local.
pub fn partial_clone_of(src: &Path, dir: &Path) -> PathBuf {
    git(src, &["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", src.display());
    git(dir, &["clone", "-q", "--filter=blob:none", &url, "clone"]);
    dir.join("clone")
}

/// Damaged versions of a cache file whose good bytes are `good`, as a crash, a full disk or
/// another program leaves one: garbage, cut in half, a byte flipped near the end, another kind
/// of cache file under the same name (its kind byte changed), and empty.
pub fn damaged_caches(good: &[u8]) -> Vec<Vec<u8>> {
    let mut flipped = good.to_vec();
    flipped[good.len() - 3] ^= 0x20;
    let mut foreign = good.to_vec();
    foreign[9] ^= 0x01;
    vec![
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        flipped,
        foreign,
        Vec::new(),
    ]
}

/// The findings of `protoguard breaking ARGS --format json` run in `dir`, each as its `fields`
/// (JSON keys; strings unquoted) joined by spaces, sorted. Any exit but 0 or 1, and a finding
/// without one of the fields, fail the test with the output.
pub fn breaking_findings(dir: &Path, args: &[&str], fields: &[&str]) -> Vec<String> {
    let mut all = vec!["breaking"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = protoguard(dir, &all);
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{args:?}: exit {code:?}\n{}{}",
        stdout(&output),
        stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut lines: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let shown = fields.iter().map(|&field| match &f[field] {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Null => panic!("a finding without {field}: {f}"),
                other => other.to_string(),
            });
            shown.collect::<Vec<_>>().join(" ")
        })
        .collect();
    lines.sort();
    lines
}

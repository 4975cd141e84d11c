//! Each revision is read with its own configuration: a git revision's buf.yaml / protoguard.toml
//! from that revision's tree, a directory input's from that directory; `--config` and
//! `--against-config` override them; rule selection comes from the current side. Whole-command
//! tests on real git repositories and directories.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{commit_all, expect_code, git, protoguard, stdout, write};
use tempfile::TempDir;

const USER: &str = r#"syntax = "proto3";

package acme.user.v1;

import "acme/common/v1/id.proto";

message User {
  acme.common.v1.Id id = 1;
  string name = 2;
}
"#;

const ID: &str = r#"syntax = "proto3";

package acme.common.v1;

message Id {
  string value = 1;
}
"#;

/// The `(rule, path)` of every finding of a JSON report.
fn findings(output: &std::process::Output) -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{}", common::all_output(output));
    });
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn init_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

#[test]
fn a_branch_that_moved_its_roots_is_compared_with_the_roots_each_side_had() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    // main: buf.yaml v1beta1 with one root, as old repositories still have it.
    write(
        &path.join("buf.yaml"),
        "version: v1beta1\nbuild:\n  roots:\n    - proto\n",
    );
    write(&path.join("proto/acme/user/v1/user.proto"), USER);
    write(&path.join("proto/acme/common/v1/id.proto"), ID);
    commit_all(path, "v1beta1 layout");
    // The branch moves the module to src/ and to a v2 buf.yaml; no file changes.
    git(path, &["checkout", "-q", "-b", "move"]);
    git(path, &["mv", "proto", "src"]);
    write(
        &path.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: src\n",
    );
    commit_all(path, "move to src");

    let output = protoguard(path, &["breaking", "--against", "main", "--format", "json"]);
    expect_code(&output, 0);
    assert!(findings(&output).is_empty(), "{}", stdout(&output));

    // A real deletion on the branch is still found, at the branch's path.
    std::fs::remove_file(path.join("src/acme/user/v1/user.proto")).unwrap();
    let output = protoguard(path, &["breaking", "--against", "main", "--format", "json"]);
    expect_code(&output, 1);
    assert_eq!(
        findings(&output),
        BTreeSet::from([(
            "FILE_NO_DELETE".to_owned(),
            "proto/acme/user/v1/user.proto".to_owned()
        )])
    );
}

#[test]
fn a_revision_without_configuration_uses_the_working_directory_s() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(&path.join("proto/acme/user/v1/user.proto"), USER);
    write(&path.join("proto/acme/common/v1/id.proto"), ID);
    commit_all(path, "no configuration yet");
    // The pull request adds the configuration: HEAD has none of its own.
    write(
        &path.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n",
    );
    let output = protoguard(path, &["breaking", "--against", "HEAD", "--format", "json"]);
    expect_code(&output, 0);
    assert!(findings(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn a_revision_s_own_protoguard_toml_wins_over_the_working_directory_s() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(&path.join("protoguard.toml"), "[module]\nroots = [\"a\"]\n");
    write(&path.join("a/acme/common/v1/id.proto"), ID);
    commit_all(path, "root a");
    git(path, &["mv", "a", "b"]);
    write(&path.join("protoguard.toml"), "[module]\nroots = [\"b\"]\n");
    // Uncommitted: the working tree reads b/, HEAD reads a/ with its own configuration.
    let output = protoguard(path, &["breaking", "--against", "HEAD", "--format", "json"]);
    expect_code(&output, 0);
    // The staged index brings its own configuration too.
    git(path, &["add", "-A"]);
    let output = protoguard(
        path,
        &[
            "breaking",
            "--staged",
            "--against",
            "HEAD",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 0);
    assert!(findings(&output).is_empty(), "{}", stdout(&output));
}

/// `old/` and `new/` where `new` renames a message: FILE finds it, WIRE does not.
fn two_dirs() -> TempDir {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(
        &path.join("old/a.proto"),
        "syntax = \"proto3\";\npackage a;\nmessage M { int32 x = 1; }\n",
    );
    write(
        &path.join("new/a.proto"),
        "syntax = \"proto3\";\npackage a;\nmessage N { int32 x = 1; }\n",
    );
    dir
}

#[test]
fn a_directory_input_is_read_with_its_own_buf_yaml() {
    let dir = two_dirs();
    let path = dir.path();
    write(
        &path.join("new/buf.yaml"),
        "version: v2\nbreaking:\n  use: [WIRE]\n",
    );
    // From outside and from inside, the same answer (buf 1.75: exit 0 both ways).
    let output = protoguard(
        path,
        &["breaking", "new", "--against", "old", "--format", "json"],
    );
    expect_code(&output, 0);
    let output = protoguard(
        &path.join("new"),
        &["breaking", ".", "--against", "../old", "--format", "json"],
    );
    expect_code(&output, 0);
    // Rules come from the current side: old/'s selection does not apply.
    write(
        &path.join("old/buf.yaml"),
        "version: v2\nbreaking:\n  use: [FILE]\n",
    );
    let output = protoguard(
        path,
        &["breaking", "new", "--against", "old", "--format", "json"],
    );
    expect_code(&output, 0);
    // --config wins over the input's own.
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--format",
            "json",
            "--config",
            "old/buf.yaml",
        ],
    );
    expect_code(&output, 1);
    assert!(findings(&output).contains(&("MESSAGE_NO_DELETE".to_owned(), "a.proto".to_owned())));
}

#[test]
fn config_flags_take_files_or_buf_yaml_data() {
    let dir = two_dirs();
    let path = dir.path();
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--config",
            r#"{"version":"v2","breaking":{"use":["WIRE"]}}"#,
        ],
    );
    expect_code(&output, 0);
    // --against-config lays out the previous side: old/ moved under a root.
    std::fs::create_dir_all(path.join("old2/proto")).unwrap();
    std::fs::rename(path.join("old/a.proto"), path.join("old2/proto/a.proto")).unwrap();
    std::fs::write(
        path.join("old2/proto/a.proto"),
        "syntax = \"proto3\";\npackage a;\nmessage N { int32 x = 1; }\n",
    )
    .unwrap();
    write(&path.join("old.toml"), "[module]\nroots = [\"proto\"]\n");
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old2",
            "--against-config",
            "old.toml",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 0);
    assert!(findings(&output).is_empty());
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--config",
            "missing.yaml",
        ],
    );
    let all = expect_code(&output, 2);
    assert!(all.contains("--config missing.yaml: no such file"), "{all}");
}

#[test]
fn buf_yaml_v1beta1_roots_and_excludes_are_read() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(
        &path.join("buf.yaml"),
        "version: v1beta1\nbuild:\n  roots:\n    - proto\n    - vendor\n  excludes:\n    - proto/acme/internal\nbreaking:\n  use:\n    - FILE\n",
    );
    write(&path.join("proto/acme/user/v1/user.proto"), USER);
    write(&path.join("vendor/acme/common/v1/id.proto"), ID);
    write(
        &path.join("proto/acme/internal/x.proto"),
        "syntax = \"proto3\";\npackage acme.internal;\nmessage X {}\n",
    );
    commit_all(path, "v1");
    std::fs::remove_dir_all(path.join("proto/acme/internal")).unwrap();
    let output = protoguard(path, &["breaking", "--against", "HEAD", "--format", "json"]);
    expect_code(&output, 0);
    // An exclude outside every root is refused, as buf refuses it.
    write(
        &path.join("buf.yaml"),
        "version: v1beta1\nbuild:\n  roots: [proto]\n  excludes: [acme]\n",
    );
    let output = protoguard(path, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("buf.yaml:4:") && all.contains("not inside any root"),
        "{all}"
    );
}

#[test]
fn a_broken_configuration_in_a_revision_is_named_by_revision_and_path() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(&path.join("buf.yaml"), "version: v9\n");
    write(&path.join("a.proto"), ID);
    commit_all(path, "broken");
    write(&path.join("buf.yaml"), "version: v2\n");
    let output = protoguard(path, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("HEAD:buf.yaml:1:"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// Paths a user can open

/// A repository with two module roots, `proto` and `api`, whose working tree deletes a field in
/// each.
fn two_roots() -> TempDir {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(
        &path.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n  - path: api\n",
    );
    write(&path.join("proto/acme/common/v1/id.proto"), ID);
    write(
        &path.join("api/other/b.proto"),
        "syntax = \"proto3\";\npackage other;\nmessage B {\n  string a = 1;\n  string b = 2;\n}\n",
    );
    commit_all(path, "v1");
    write(
        &path.join("proto/acme/common/v1/id.proto"),
        "syntax = \"proto3\";\n\npackage acme.common.v1;\n\nmessage Id {\n}\n",
    );
    write(
        &path.join("api/other/b.proto"),
        "syntax = \"proto3\";\npackage other;\nmessage B {\n  string a = 1;\n}\n",
    );
    dir
}

#[test]
fn every_format_reports_paths_relative_to_the_repository_root() {
    let dir = two_roots();
    let path = dir.path();
    let output = protoguard(path, &["breaking", "--against", "HEAD", "--format", "json"]);
    expect_code(&output, 1);
    assert_eq!(
        findings(&output),
        BTreeSet::from([
            ("FIELD_NO_DELETE".to_owned(), "api/other/b.proto".to_owned()),
            (
                "FIELD_NO_DELETE".to_owned(),
                "proto/acme/common/v1/id.proto".to_owned()
            ),
        ])
    );
    let text = stdout(&protoguard(
        path,
        &["breaking", "--against", "HEAD", "--format", "text"],
    ));
    assert!(text.contains("api/other/b.proto:3:"), "{text}");
    let github = stdout(&protoguard(
        path,
        &["breaking", "--against", "HEAD", "--format", "github"],
    ));
    assert!(github.contains("file=api/other/b.proto,"), "{github}");
    assert!(!github.contains("file=other/b.proto"), "{github}");
    // Human frames name the file by the same path, and show its text.
    let human = stdout(&protoguard(path, &["breaking", "--against", "HEAD"]));
    assert!(human.contains("[api/other/b.proto:3:"), "{human}");
    assert!(human.contains("message B {"), "{human}");
    // The staged index and a subdirectory working directory report the same paths.
    git(path, &["add", "-A"]);
    let output = protoguard(
        &path.join("api"),
        &[
            "breaking",
            "--staged",
            "--against",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert!(
        findings(&output).contains(&("FIELD_NO_DELETE".to_owned(), "api/other/b.proto".to_owned()))
    );
}

#[test]
fn directory_inputs_report_paths_relative_to_the_input() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    for (side, body) in [
        ("old", "  string a = 1;\n  string b = 2;\n"),
        ("new", "  string a = 1;\n"),
    ] {
        write(
            &path.join(side).join("api/other/b.proto"),
            &format!("syntax = \"proto3\";\npackage other;\nmessage B {{\n{body}}}\n"),
        );
    }
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--root",
            "api",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 1);
    assert_eq!(
        findings(&output),
        BTreeSet::from([("FIELD_NO_DELETE".to_owned(), "api/other/b.proto".to_owned())])
    );
}

#[test]
fn path_and_exclude_path_select_findings_as_in_buf() {
    let dir = two_roots();
    let path = dir.path();
    let run = |extra: &[&str]| {
        let mut args = vec!["breaking", "--against", "HEAD", "--format", "json"];
        args.extend_from_slice(extra);
        protoguard(path, &args)
    };
    let only_api = run(&["--path", "api"]);
    assert_eq!(
        findings(&only_api),
        BTreeSet::from([("FIELD_NO_DELETE".to_owned(), "api/other/b.proto".to_owned())])
    );
    let both = run(&["--path", "api/other/b.proto", "--path", "./proto/acme/"]);
    assert_eq!(findings(&both).len(), 2);
    let excluded = run(&["--exclude-path", "api"]);
    assert_eq!(
        findings(&excluded),
        BTreeSet::from([(
            "FIELD_NO_DELETE".to_owned(),
            "proto/acme/common/v1/id.proto".to_owned()
        )])
    );
    let clean = run(&["--path", "api", "--exclude-path", "api/other"]);
    expect_code(&clean, 0);
    let typo = run(&["--path", "apj"]);
    let all = expect_code(&typo, 2);
    assert!(
        all.contains("--path/--exclude-path apj: no .proto file"),
        "{all}"
    );
}

// ---------------------------------------------------------------------------------------------
// buf deps

/// Runs protoguard in `dir` with buf's cache at `cache`.
fn with_cache(dir: &Path, cache: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("protoguard")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .env("BUF_CACHE_DIR", cache)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn buf_deps_come_from_buf_s_module_cache_or_the_error_names_the_fix() {
    const COMMIT: &str = "0123456789abcdef0123456789abcdef";
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    init_repo(path);
    write(
        &path.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\ndeps:\n  - buf.build/acme/common\n",
    );
    write(
        &path.join("buf.lock"),
        &format!("# Generated by buf. DO NOT EDIT.\nversion: v2\ndeps:\n  - name: buf.build/acme/common\n    commit: {COMMIT}\n    digest: b5:00ff\n"),
    );
    write(&path.join("proto/acme/user/v1/user.proto"), USER);
    commit_all(path, "v1");
    write(
        &path.join("proto/acme/user/v1/user.proto"),
        &USER.replace("  string name = 2;\n", ""),
    );
    let cache = TempDir::new().unwrap();
    let output = with_cache(path, cache.path(), &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    for part in [
        "acme/common/v1/id.proto",
        "buf.build/acme/common",
        "buf dep update",
        "-I path/to/a/vendored/copy",
        "acme/user/v1/user.proto",
    ] {
        assert!(all.contains(part), "{part}: {all}");
    }
    assert!(!all.contains("protoc would reject"), "{all}");
    // Once buf has the module in its cache, it is importable (and never checked).
    write(
        &cache
            .path()
            .join("v3/modules/b5/buf.build/acme/common")
            .join(COMMIT)
            .join("files/acme/common/v1/id.proto"),
        ID,
    );
    let output = with_cache(
        path,
        cache.path(),
        &["breaking", "--against", "HEAD", "--format", "json"],
    );
    expect_code(&output, 1);
    assert_eq!(
        findings(&output),
        BTreeSet::from([(
            "FIELD_NO_DELETE".to_owned(),
            "proto/acme/user/v1/user.proto".to_owned()
        )])
    );
    // init converts the buf.yaml and marks the dependency for review.
    let output = with_cache(path, cache.path(), &["init"]);
    let out = expect_code(&output, 0);
    assert!(out.contains("buf.build/acme/common"), "{out}");
    let toml = std::fs::read_to_string(path.join("protoguard.toml")).unwrap();
    assert!(
        toml.contains("# REVIEW: the buf configuration depends on buf.build/acme/common"),
        "{toml}"
    );
}

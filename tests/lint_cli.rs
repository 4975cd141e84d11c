//! `protoguard lint` as a user runs it: exit codes, configuration (protoguard.toml and buf.yaml),
//! inline ignores, formats, and `--against` on a real git repository.

mod common;

use common::{all_output, commit_all, expect_code, git, protoguard, stdout, write};
use tempfile::TempDir;

const USER: &str =
    "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string name = 1;\n}\n";

const BAD_NAMES: &str =
    "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage user_info {\n  string userName = 1;\n}\n";

#[test]
fn clean_tree_exits_0_and_findings_exit_1() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(&path.join("acme/v1/user.proto"), USER);
    let out = expect_code(&protoguard(path, &["lint"]), 0);
    assert!(out.contains("No lint findings in working tree."), "{out}");
    write(&path.join("acme/v1/info.proto"), BAD_NAMES);
    let output = protoguard(path, &["lint", "--format", "text"]);
    let text = expect_code(&output, 1);
    assert_eq!(
        text,
        "acme/v1/info.proto:5:9: MESSAGE_PASCAL_CASE Message name \"user_info\" is not PascalCase; it would be \"UserInfo\".\n\
         acme/v1/info.proto:6:10: FIELD_LOWER_SNAKE_CASE Field name \"userName\" is not lower_snake_case; it would be \"user_name\".\n"
    );
    // --rule narrows, --except removes, unknown names are refused with exit 2.
    let text = expect_code(
        &protoguard(
            path,
            &[
                "lint",
                "--rule",
                "FIELD_LOWER_SNAKE_CASE",
                "--format",
                "text",
            ],
        ),
        1,
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    expect_code(
        &protoguard(
            path,
            &[
                "lint",
                "--except",
                "MESSAGE_PASCAL_CASE",
                "--except",
                "FIELD_LOWER_SNAKE_CASE",
            ],
        ),
        0,
    );
    let err = expect_code(&protoguard(path, &["lint", "--rule", "FIELD_NO_DELETE"]), 2);
    assert!(err.contains("breaking rule"), "{err}");
    let err = expect_code(&protoguard(path, &["lint", "--category", "FILE"]), 2);
    assert!(err.contains("unknown lint category"), "{err}");
}

#[test]
fn every_format_renders_lint_findings() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(&path.join("acme/v1/info.proto"), BAD_NAMES);
    for format in [
        "human", "text", "json", "github", "sarif", "junit", "gitlab", "msvs", "markdown",
    ] {
        let output = protoguard(path, &["lint", "--format", format]);
        let text = expect_code(&output, 1);
        assert!(
            text.contains("FIELD_LOWER_SNAKE_CASE") && text.contains("MESSAGE_PASCAL_CASE"),
            "{format}: {text}"
        );
    }
    let md = stdout(&protoguard(path, &["lint", "--format", "markdown"]));
    assert!(md.contains("lint findings at error severity"), "{md}");
    assert!(!md.contains("breaking"), "{md}");
}

#[test]
fn configuration_selects_rules_and_options() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(&path.join("acme/v1/info.proto"), BAD_NAMES);
    write(
        &path.join("protoguard.toml"),
        "[lint]\nuse = [\"BASIC\"]\nexcept = [\"FIELD_LOWER_SNAKE_CASE\"]\n[lint.severity]\nMESSAGE_PASCAL_CASE = \"warning\"\n",
    );
    let text = expect_code(&protoguard(path, &["lint", "--format", "text"]), 0);
    assert_eq!(
        text,
        "acme/v1/info.proto:5:9: warning: MESSAGE_PASCAL_CASE Message name \"user_info\" is not PascalCase; it would be \"UserInfo\".\n"
    );
    // A lint rule in [breaking] (or the other way round) is refused with its place.
    write(
        &path.join("protoguard.toml"),
        "[breaking]\nuse = [\"FILE\"]\n[lint]\nuse = [\"FIELD_NO_DELETE\"]\n",
    );
    let err = expect_code(&protoguard(path, &["lint"]), 2);
    assert!(err.contains("protoguard.toml:4:"), "{err}");
    assert!(err.contains("breaking rule or category"), "{err}");
}

#[test]
fn buf_yaml_lint_sections_are_read() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(&path.join("acme/v1/info.proto"), BAD_NAMES);
    write(
        &path.join("acme/v1/other.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\n// buf:lint:ignore MESSAGE_PASCAL_CASE\nmessage other_thing {}\n",
    );
    write(
        &path.join("buf.yaml"),
        "version: v2\nlint:\n  use:\n    - DEFAULT\n  except:\n    - FIELD_LOWER_SNAKE_CASE\n  ignore_only:\n    MESSAGE_PASCAL_CASE:\n      - acme/v1/info.proto\n",
    );
    // The v2 default honours buf:lint:ignore; ignore_only silences info.proto.
    let text = expect_code(&protoguard(path, &["lint", "--format", "text"]), 0);
    assert_eq!(text, "");
    write(
        &path.join("buf.yaml"),
        "version: v2\nlint:\n  use:\n    - MESSAGE_PASCAL_CASE\n  disallow_comment_ignores: true\n",
    );
    let text = expect_code(&protoguard(path, &["lint", "--format", "text"]), 1);
    assert!(
        text.contains("other.proto:6:9: MESSAGE_PASCAL_CASE"),
        "{text}"
    );
    assert!(
        text.contains("info.proto:5:9: MESSAGE_PASCAL_CASE"),
        "{text}"
    );
    // v1: comment ignores are off unless allowed.
    write(
        &path.join("buf.yaml"),
        "version: v1\nlint:\n  use:\n    - MESSAGE_PASCAL_CASE\n",
    );
    let text = expect_code(&protoguard(path, &["lint", "--format", "text"]), 1);
    assert_eq!(text.lines().count(), 2, "{text}");
    write(
        &path.join("buf.yaml"),
        "version: v1\nlint:\n  use:\n    - MESSAGE_PASCAL_CASE\n  allow_comment_ignores: true\n",
    );
    let text = expect_code(&protoguard(path, &["lint", "--format", "text"]), 1);
    assert_eq!(text.lines().count(), 1, "{text}");
    // buf's comment marker never silences a breaking rule.
    write(
        &path.join("buf.yaml"),
        "version: v2\nlint:\n  use: [NOPE_RULE]\n",
    );
    let err = expect_code(&protoguard(path, &["lint"]), 2);
    assert!(err.contains("buf.yaml:3:"), "{err}");
}

#[test]
fn protoguard_ignore_comments_silence_lint_rules() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(
        &path.join("acme/v1/info.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\n// protoguard:ignore MESSAGE_PASCAL_CASE generated name kept for compatibility\nmessage user_info {\n  string user_name = 1;\n}\n",
    );
    expect_code(&protoguard(path, &["lint"]), 0);
}

#[test]
fn rules_and_explain_cover_lint() {
    let dir = TempDir::new().unwrap();
    let text = expect_code(&protoguard(dir.path(), &["rules"]), 0);
    assert!(text.contains("Lint rules (protoguard lint)"), "{text}");
    assert!(text.contains("MINIMAL (5 rules)"), "{text}");
    let text = expect_code(&protoguard(dir.path(), &["explain", "import_used"]), 0);
    assert!(
        text.starts_with("IMPORT_USED (lint rule; categories: BASIC, STANDARD"),
        "{text}"
    );
    let text = expect_code(&protoguard(dir.path(), &["explain", "IMPORT_NO_WEAK"]), 0);
    assert!(text.contains("retired"), "{text}");
}

/// `--against`: only what the change introduces, matched by rule and element, so that moved
/// lines and a renamed file do not make old findings new.
#[test]
fn against_reports_only_new_findings() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    write(&path.join("acme/v1/info.proto"), BAD_NAMES);
    write(&path.join("acme/v1/user.proto"), USER);
    commit_all(path, "v1 with old findings");
    // Old findings everywhere: the whole lint fails, the change-based lint passes.
    expect_code(&protoguard(path, &["lint"]), 1);
    let text = expect_code(&protoguard(path, &["lint", "--against", "HEAD"]), 0);
    assert!(text.contains("No new lint findings"), "{text}");
    // Moved lines and a renamed file: still nothing new.
    git(
        path,
        &["mv", "acme/v1/info.proto", "acme/v1/user_info.proto"],
    );
    write(
        &path.join("acme/v1/user_info.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\n// Extra lines move everything down.\n\n\nmessage user_info {\n  string note = 2;\n  string userName = 1;\n}\n",
    );
    let text = expect_code(
        &protoguard(path, &["lint", "--against", "HEAD", "--format", "text"]),
        0,
    );
    assert_eq!(text, "");
    // A new bad field is new; the old ones are not.
    write(
        &path.join("acme/v1/user.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string name = 1;\n  string emailAddress = 2;\n}\n",
    );
    let text = expect_code(
        &protoguard(path, &["lint", "--against", "HEAD", "--format", "text"]),
        1,
    );
    assert_eq!(
        text,
        "acme/v1/user.proto:7:10: FIELD_LOWER_SNAKE_CASE Field name \"emailAddress\" is not lower_snake_case; it would be \"email_address\".\n"
    );
    let human = all_output(&protoguard(path, &["lint", "--against", "HEAD"]));
    assert!(human.contains("1 error, 0 warnings introduced"), "{human}");
    // A pull request sees the merge base: a commit on main after the branch point does not count.
    commit_all(path, "branch work");
    git(path, &["branch", "feature"]);
    git(path, &["reset", "-q", "--hard", "HEAD~1"]);
    write(
        &path.join("acme/v1/late.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage late_one {}\n",
    );
    commit_all(path, "main moves on");
    git(path, &["checkout", "-q", "feature"]);
    let text = expect_code(
        &protoguard(
            path,
            &[
                "lint",
                "--against",
                "main",
                "--merge-base",
                "--format",
                "text",
            ],
        ),
        1,
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("emailAddress"), "{text}");
    // The staged index, as the pre-commit hook lints it.
    write(
        &path.join("acme/v1/staged.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage staged_one {}\n",
    );
    let text = expect_code(
        &protoguard(
            path,
            &["lint", "--staged", "--against", "HEAD", "--format", "text"],
        ),
        0,
    );
    assert_eq!(text, "");
    git(path, &["add", "acme/v1/staged.proto"]);
    let text = expect_code(
        &protoguard(
            path,
            &["lint", "--staged", "--against", "HEAD", "--format", "text"],
        ),
        1,
    );
    assert!(text.contains("staged_one"), "{text}");
}

#[test]
fn against_says_which_rpcs_a_new_finding_reaches() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    let service = "syntax = \"proto3\";\n\npackage acme.v1;\n\nimport \"acme/v1/user.proto\";\n\nmessage GetUserRequest {\n  string name = 1;\n}\n\nservice UserService {\n  rpc GetUser(GetUserRequest) returns (User);\n}\n";
    write(&path.join("acme/v1/service.proto"), service);
    write(&path.join("acme/v1/user.proto"), USER);
    write(
        &path.join("acme/v1/stored.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage Stored {\n  string name = 1;\n}\n",
    );
    commit_all(path, "v1");
    write(
        &path.join("acme/v1/user.proto"),
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string name = 1;\n  string emailAddress = 2;\n}\n",
    );
    write(&path.join("acme/v1/stored.proto"), "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage Stored {\n  string name = 1;\n  string storedAt = 2;\n}\n");
    let lint = |more: &[&str]| {
        let mut args = vec!["lint", "--rule", "FIELD_LOWER_SNAKE_CASE"];
        args.extend(more);
        protoguard(path, &args)
    };
    let output = lint(&["--against", "HEAD", "--format", "json"]);
    expect_code(&output, 1);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{doc}");
    let about = |name: &str| {
        findings
            .iter()
            .find(|f| f["message"].as_str().unwrap().contains(name))
            .unwrap()
    };
    let reaches = &about("emailAddress")["impact"]["reaches"];
    assert_eq!(reaches[0]["rpc"], "acme.v1.UserService.GetUser");
    assert_eq!(reaches[0]["direction"], "response");
    assert_eq!(
        about("storedAt")["impact"]["reaches"],
        serde_json::json!([])
    );
    let human = all_output(&lint(&["--against", "HEAD", "--color", "never"]));
    assert!(
        human.contains("reaches: acme.v1.UserService.GetUser (response)"),
        "{human}"
    );
    // A lint of the whole revision says nothing about RPCs.
    let whole = all_output(&lint(&[]));
    assert!(!whole.contains("reach"), "{whole}");
    let json = stdout(&lint(&["--format", "json"]));
    assert!(!json.contains("\"impact\""), "{json}");
}

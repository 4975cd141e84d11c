//! `breaking --fix` and `--diff` on real git repositories and directories: the exact text written
//! for every shape of message and enum (proto2, proto3, editions; existing reserved statements;
//! CRLF; tabs; one-line bodies; nested messages; a byte-order mark), and the round trip: the
//! fixed files compile, the reserved rules pass, and a second run changes nothing.

mod common;

use std::fs;
use std::path::Path;

use common::{commit_all, expect_code, git, protoguard, stderr, stdout, write};

/// A repository whose first commit holds `before` at `path`, with `after` in the working tree.
fn repo(path: &str, before: &str, after: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    write(&dir.path().join(path), before);
    commit_all(dir.path(), "first");
    write(&dir.path().join(path), after);
    dir
}

/// Runs `--diff` (must show a change and write nothing), then `--fix` (must write `expected`),
/// then proves the round trip: the reserved rules (WIRE_JSON) pass on the fixed file, and a
/// second `--fix` writes nothing.
#[track_caller]
fn fixes_to(dir: &Path, path: &str, expected: &str) {
    let file = dir.join(path);
    let before = fs::read(&file).unwrap();
    let diff = protoguard(dir, &["breaking", "--against", "HEAD", "--diff"]);
    expect_code(&diff, 1);
    assert!(
        stdout(&diff).starts_with(&format!("--- a/{path}\n+++ b/{path}\n")),
        "{}",
        stdout(&diff)
    );
    assert_eq!(fs::read(&file).unwrap(), before, "--diff wrote the file");

    let fixed = protoguard(
        dir,
        &["breaking", "--against", "HEAD", "--fix", "--format", "text"],
    );
    let out = common::all_output(&fixed);
    assert!(
        out.contains(&format!("protoguard: fixed {path}: ")),
        "{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    assert_eq!(
        String::from_utf8(fs::read(&file).unwrap()).unwrap(),
        expected
    );
    // The diff shown is the edit made.
    let diff_text = stdout(&diff);
    let shown: Vec<&str> = diff_text
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| l[1..].trim_end_matches('\r'))
        .collect();
    for line in shown {
        assert!(
            expected.contains(line),
            "diff line {line:?} not in the fixed file"
        );
    }

    let wire = protoguard(
        dir,
        &["breaking", "--against", "HEAD", "--category", "WIRE_JSON"],
    );
    expect_code(&wire, 0);
    let again = protoguard(dir, &["breaking", "--against", "HEAD", "--fix"]);
    assert!(
        stderr(&again).contains("protoguard: nothing to fix"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        String::from_utf8(fs::read(&file).unwrap()).unwrap(),
        expected
    );
    let diff = protoguard(dir, &["breaking", "--against", "HEAD", "--diff"]);
    expect_code(&diff, 0);
    assert_eq!(stdout(&diff), "");
}

#[test]
fn proto3_fields_and_enum_values_get_new_statements_indented_like_their_members() {
    let dir = repo(
        "api/user.proto",
        "syntax = \"proto3\";\npackage acme.v1;\n\n// A user.\nmessage User {\n  string id = 1;\n  string email = 2; // primary\n  int32 age = 3;\n  int32 height = 7;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_OK = 1;\n  STATUS_GONE = 2;\n}\n",
        "syntax = \"proto3\";\npackage acme.v1;\n\n// A user.\nmessage User {\n  string id = 1;\n  // Still here.\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_OK = 1;\n}\n",
    );
    fixes_to(
        dir.path(),
        "api/user.proto",
        "syntax = \"proto3\";\npackage acme.v1;\n\n// A user.\nmessage User {\n  string id = 1;\n  // Still here.\n  reserved 2 to 3, 7;\n  reserved \"age\", \"email\", \"height\";\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_OK = 1;\n  reserved 2;\n  reserved \"STATUS_GONE\";\n}\n",
    );
}

#[test]
fn existing_reserved_statements_are_extended_and_ranges_coalesced() {
    let dir = repo(
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 5 to 6;\n  reserved \"gone\";\n  string a = 2;\n  string b = 3;\n  string c = 4;\n  string d = 8;\n  reserved 20, /* old */ 21;\n}\n",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 5 to 6;\n  reserved \"gone\";\n  string a = 2;\n  string d = 8;\n  reserved 20, /* old */ 21;\n}\n",
    );
    // The last numbers statement is the one extended; it has a comment, so it is appended to.
    fixes_to(
        dir.path(),
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 5 to 6;\n  reserved \"gone\", \"b\", \"c\";\n  string a = 2;\n  string d = 8;\n  reserved 20, /* old */ 21, 3 to 4;\n}\n",
    );

    let dir = repo(
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 5 to 6;\n  string a = 2;\n  string b = 3;\n  string c = 4;\n  string d = 7;\n}\n",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 5 to 6;\n  string a = 2;\n}\n",
    );
    fixes_to(
        dir.path(),
        "a.proto",
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  reserved 1, 3 to 7;\n  reserved \"b\", \"c\", \"d\";\n  string a = 2;\n}\n",
    );
}

#[test]
fn proto2_crlf_tabs_and_one_line_messages_keep_their_layout() {
    let dir = repo(
        "a.proto",
        "syntax = \"proto2\";\r\npackage p;\r\nmessage M {\r\n\toptional string a = 1;\r\n\toptional string b = 2;\r\n\tmessage N { optional int32 x = 1; optional int32 y = 2; }\r\n}\r\nmessage E { optional int32 z = 1; }\r\n",
        "syntax = \"proto2\";\r\npackage p;\r\nmessage M {\r\n\toptional string a = 1;\r\n\tmessage N { optional int32 x = 1; }\r\n}\r\nmessage E {}\r\n",
    );
    fixes_to(
        dir.path(),
        "a.proto",
        "syntax = \"proto2\";\r\npackage p;\r\nmessage M {\r\n\toptional string a = 1;\r\n\tmessage N { optional int32 x = 1; reserved 2; reserved \"y\"; }\r\n\treserved 2;\r\n\treserved \"b\";\r\n}\r\nmessage E { reserved 1; reserved \"z\"; }\r\n",
    );
}

#[test]
fn editions_files_reserve_names_as_identifiers() {
    let dir = repo(
        "a.proto",
        "edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 2;\n  reserved 9;\n}\nenum E {\n  option features.enum_type = CLOSED;\n  E_A = 0;\n  E_B = 1;\n}\n",
        "edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved 9;\n}\nenum E {\n  option features.enum_type = CLOSED;\n  E_A = 0;\n}\n",
    );
    fixes_to(
        dir.path(),
        "a.proto",
        "edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved 2, 9;\n  reserved b;\n}\nenum E {\n  option features.enum_type = CLOSED;\n  E_A = 0;\n  reserved 1;\n  reserved E_B;\n}\n",
    );
}

#[test]
fn a_byte_order_mark_stays_and_a_name_taken_by_another_field_is_not_reserved() {
    let dir = repo(
        "a.proto",
        "\u{feff}syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n",
        "\u{feff}syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 3;\n}\n",
    );
    let fixed = protoguard(dir.path(), &["breaking", "--against", "HEAD", "--fix"]);
    expect_code(&fixed, 1);
    assert_eq!(
        fs::read_to_string(dir.path().join("a.proto")).unwrap(),
        "\u{feff}syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 3;\n  reserved 2;\n}\n"
    );
}

#[test]
fn a_directory_input_is_fixed_and_other_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    write(
        &old.join("a.proto"),
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n",
    );
    write(
        &new.join("a.proto"),
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
    );
    let fixed = protoguard(
        dir.path(),
        &["breaking", "new", "--against", "old", "--fix"],
    );
    expect_code(&fixed, 1);
    assert_eq!(
        fs::read_to_string(new.join("a.proto")).unwrap(),
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  reserved 2;\n  reserved \"b\";\n}\n"
    );

    let repo = repo(
        "a.proto",
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n",
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
    );
    commit_all(repo.path(), "second");
    for args in [
        &["breaking", "git:HEAD", "--against", "HEAD~1", "--fix"][..],
        &["breaking", "--staged", "--against", "HEAD~1", "--diff"][..],
    ] {
        let refused = protoguard(repo.path(), args);
        let out = expect_code(&refused, 2);
        assert!(
            out.contains("--fix and --diff edit .proto files on disk"),
            "{out}"
        );
    }
    assert_eq!(
        fs::read_to_string(repo.path().join("a.proto")).unwrap(),
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n"
    );
}

#[test]
fn fix_and_diff_cannot_be_combined() {
    let dir = tempfile::tempdir().unwrap();
    let out = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--fix", "--diff"],
    );
    expect_code(&out, 2);
}

#[cfg(unix)]
#[test]
fn a_fixed_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(
        "a.proto",
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n",
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
    );
    let file = dir.path().join("a.proto");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    expect_code(
        &protoguard(dir.path(), &["breaking", "--against", "HEAD", "--fix"]),
        1,
    );
    assert!(fs::read_to_string(&file).unwrap().contains("reserved 2;"));
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// A repository with one commit per text of `history` at `path`, and `now` in the working tree.
fn repo_with_history(path: &str, history: &[&str], now: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    for (i, text) in history.iter().enumerate() {
        write(&dir.path().join(path), text);
        commit_all(dir.path(), &format!("step {i}"));
    }
    write(&dir.path().join(path), now);
    dir
}

#[test]
fn numbers_and_names_retired_in_history_are_reserved_in_the_messages_a_change_touches() {
    let dir = repo_with_history(
        "api/user.proto",
        &[
            "syntax = \"proto3\";\npackage acme.v1;\n\nmessage User {\n  string id = 1;\n  string nickname = 3;\n  int64 legacy_id = 5;\n  string email = 6;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_SUSPENDED = 2;\n}\n\nmessage Team {\n  string id = 1;\n  string motto = 2;\n}\n",
            // Deleted without reserving (5 only by number), in a later commit than the fields.
            "syntax = \"proto3\";\npackage acme.v1;\n\nmessage User {\n  reserved 5;\n  string id = 1;\n  string email = 6;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_SUSPENDED = 2;\n}\n\nmessage Team {\n  string id = 1;\n}\n",
            "syntax = \"proto3\";\npackage acme.v1;\n\nmessage User {\n  reserved 5;\n  string id = 1;\n  string email = 6;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n}\n\nmessage Team {\n  string id = 1;\n}\n",
        ],
        // The change touches User and Status, not Team.
        "syntax = \"proto3\";\npackage acme.v1;\n\nmessage User {\n  reserved 5;\n  string id = 1;\n  string name = 2;\n  string email = 6;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_ACTIVE = 1;\n}\n\nmessage Team {\n  string id = 1;\n}\n",
    );
    // The debt is a warning: shown, and the check passes.
    let check = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--format", "text"],
    );
    let out = expect_code(&check, 0);
    assert!(
        out.contains("warning: FIELD_RETIRED_RESERVED Field \"nickname\" (3, string) on message \"acme.v1.User\" was last seen in"),
        "{out}"
    );
    assert!(
        out.contains("warning: ENUM_VALUE_RETIRED_RESERVED"),
        "{out}"
    );
    assert!(
        !out.contains("Team"),
        "an untouched message is not reported: {out}"
    );
    // Every output says warning, and none fails the check.
    for (format, says) in [
        ("github", "::warning file=api/user.proto"),
        ("sarif", "\"level\": \"warning\""),
        ("json", "\"severity\": \"warning\""),
    ] {
        let run = protoguard(
            dir.path(),
            &["breaking", "--against", "HEAD", "--format", format],
        );
        let out = expect_code(&run, 0);
        assert!(out.contains(says), "{format}: {out}");
    }
    fixes_to(
        dir.path(),
        "api/user.proto",
        "syntax = \"proto3\";\npackage acme.v1;\n\nmessage User {\n  reserved 3, 5;\n  reserved \"legacy_id\", \"nickname\";\n  string id = 1;\n  string name = 2;\n  string email = 6;\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_ACTIVE = 1;\n  reserved 2;\n  reserved \"STATUS_SUSPENDED\";\n}\n\nmessage Team {\n  string id = 1;\n}\n",
    );
    let after = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--format", "text"],
    );
    assert_eq!(expect_code(&after, 0).trim(), "", "the debt is gone");
}

#[test]
fn retired_enum_values_in_an_editions_file_are_reserved_as_identifiers() {
    let dir = repo_with_history(
        "status.proto",
        &[
            "edition = \"2023\";\npackage acme.v1;\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_SUSPENDED = 2;\n  STATUS_BANNED = 3;\n}\n",
            "edition = \"2023\";\npackage acme.v1;\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_BLOCKED = 3;\n}\n",
        ],
        "edition = \"2023\";\npackage acme.v1;\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_ACTIVE = 1;\n  STATUS_BLOCKED = 3;\n}\n",
    );
    // 3 is in use (renamed in history): only its old name is reserved.
    fixes_to(
        dir.path(),
        "status.proto",
        "edition = \"2023\";\npackage acme.v1;\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_ACTIVE = 1;\n  STATUS_BLOCKED = 3;\n  reserved 2;\n  reserved STATUS_BANNED, STATUS_SUSPENDED;\n}\n",
    );
}

#[test]
fn all_debt_reserves_the_history_of_every_message_and_enum_without_a_change() {
    let dir = repo_with_history(
        "api/team.proto",
        &[
            "syntax = \"proto3\";\npackage acme.v1;\n\nmessage Team {\n  string id = 1;\n  string motto = 2;\n  message Member {\n    string id = 1;\n    int32 rank = 2;\n  }\n}\n\nenum Role {\n  ROLE_UNSPECIFIED = 0;\n  ROLE_OWNER = 1;\n}\n",
            "syntax = \"proto3\";\npackage acme.v1;\n\nmessage Team {\n  string id = 1;\n  message Member {\n    string id = 1;\n  }\n}\n\nenum Role {\n  ROLE_UNSPECIFIED = 0;\n}\n",
        ],
        "syntax = \"proto3\";\npackage acme.v1;\n\nmessage Team {\n  string id = 1;\n  message Member {\n    string id = 1;\n  }\n}\n\nenum Role {\n  ROLE_UNSPECIFIED = 0;\n}\n",
    );
    // Nothing changed, so nothing is touched: no debt is reported and there is nothing to fix.
    let plain = protoguard(dir.path(), &["breaking", "--against", "HEAD", "--fix"]);
    expect_code(&plain, 0);
    assert!(
        stderr(&plain).contains("protoguard: nothing to fix"),
        "{}",
        stderr(&plain)
    );
    // --all-debt speaks about every message and enum (and compares every file).
    let listed = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "HEAD",
            "--all-debt",
            "--format",
            "text",
        ],
    );
    let out = expect_code(&listed, 0);
    for what in [
        "\"motto\" (2, string) on message \"acme.v1.Team\"",
        "\"rank\" (2, int32) on message \"acme.v1.Team.Member\"",
        "\"ROLE_OWNER\" (1) on enum \"acme.v1.Role\"",
    ] {
        assert!(out.contains(what), "{what}: {out}");
    }
    let fixed = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--all-debt", "--fix"],
    );
    expect_code(&fixed, 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("api/team.proto")).unwrap(),
        "syntax = \"proto3\";\npackage acme.v1;\n\nmessage Team {\n  string id = 1;\n  message Member {\n    string id = 1;\n    reserved 2;\n    reserved \"rank\";\n  }\n  reserved 2;\n  reserved \"motto\";\n}\n\nenum Role {\n  ROLE_UNSPECIFIED = 0;\n  reserved 1;\n  reserved \"ROLE_OWNER\";\n}\n",
    );
    let again = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--all-debt", "--fix"],
    );
    assert!(
        stderr(&again).contains("protoguard: nothing to fix"),
        "{}",
        stderr(&again)
    );
}

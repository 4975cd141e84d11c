//! Whole-command tests: the binary, run the way users run it, on fixture trees and on real git
//! repositories created here with the git command line.

mod common;

use common::{commit_all, expect_code, git, protoguard, repo_root, stdout, write};

use std::fs;

use tempfile::TempDir;

const USER_V1: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string id = 1;
  string email = 2;
  int32 age = 3;
}
"#;

const USER_V2_HARMLESS: &str = r#"syntax = "proto3";

package acme.v1;

// Comments and new fields are not breaking.
message User {
  string id = 1;
  string email = 2;
  int32 age = 3;
  string nickname = 4;
}
"#;

const USER_V3_BREAKING: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string id = 1;
  int64 age = 3;
  string nickname = 4;
}
"#;

/// A repository with `main` at three commits (v1, tagged v1.0.0; a harmless change; a breaking
/// change), module files under `root`.
fn repo_with_history(root_dir: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    let file = path.join(root_dir).join("acme/v1/user.proto");
    write(&file, USER_V1);
    commit_all(path, "v1");
    git(path, &["tag", "v1.0.0"]);
    write(&file, USER_V2_HARMLESS);
    commit_all(path, "harmless");
    write(&file, USER_V3_BREAKING);
    commit_all(path, "breaking");
    dir
}

#[test]
fn bundled_example_reports_findings_and_exits_1() {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
        ],
    );
    let all = expect_code(&output, 1);
    for rule in ["FILE_NO_DELETE", "FIELD_NO_DELETE", "FIELD_SAME_TYPE"] {
        assert!(all.contains(rule), "{rule} missing from:\n{all}");
    }
    assert!(all.contains("reused by a different field"), "{all}");
}

#[test]
fn identical_revisions_exit_0() {
    let dir = repo_root().join("testdata/example");
    let output = protoguard(&dir, &["breaking", "previous", "--against", "previous"]);
    let all = expect_code(&output, 0);
    assert!(all.contains("No breaking changes"), "{all}");
}

#[test]
fn json_output_follows_the_documented_schema() {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 1);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["current_revision"], "testdata/example/current");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(
        doc["summary"]["errors"].as_u64().unwrap() as usize,
        findings.len()
    );
    for finding in findings {
        for key in [
            "rule",
            "severity",
            "message",
            "path",
            "revision",
            "start_line",
            "start_column",
            "end_line",
            "end_column",
        ] {
            assert!(!finding[key].is_null(), "{key} missing in {finding}");
        }
    }
    let deleted_file = findings
        .iter()
        .find(|f| f["rule"] == "FILE_NO_DELETE")
        .unwrap();
    assert_eq!(deleted_file["path"], "acme/billing/v1/legacy_export.proto");
    assert_eq!(deleted_file["revision"], "previous");
    let deleted_field = findings
        .iter()
        .find(|f| f["rule"] == "FIELD_NO_DELETE")
        .unwrap();
    assert_eq!(deleted_field["revision"], "current");
    assert_eq!(deleted_field["previous"]["revision"], "previous");
    assert_eq!(deleted_field["previous"]["start_line"], 14);
}

#[test]
fn text_format_is_one_line_per_finding() {
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
            "--format",
            "text",
        ],
    );
    let out = stdout(&output);
    expect_code(&output, 1);
    assert!(out.lines().all(|l| l.split(':').count() >= 4), "{out}");
    assert!(
        out.contains(
            "acme/user/v1/user.proto:10:9: FIELD_NO_DELETE Previously present field \"email\" (3)"
        ),
        "{out}"
    );
}

#[test]
fn category_selects_rules() {
    // FIELD_SAME_TYPE is not in WIRE; FILE_NO_DELETE is FILE-only.
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
            "--category",
            "WIRE",
            "--format",
            "text",
        ],
    );
    let out = stdout(&output);
    assert!(
        !out.contains("FILE_NO_DELETE") && !out.contains("FIELD_SAME_TYPE "),
        "{out}"
    );
    let output = protoguard(
        &repo_root(),
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
            "--category",
            "NOPE",
        ],
    );
    assert!(expect_code(&output, 2).contains("unknown category"));
}

#[test]
fn rules_and_explain() {
    let output = protoguard(&repo_root(), &["rules"]);
    let out = expect_code(&output, 0);
    for rule in protoguard::registry::BREAKING {
        assert!(out.contains(rule.id), "{} missing from `rules`", rule.id);
    }
    let output = protoguard(&repo_root(), &["explain", "FIELD_NO_DELETE"]);
    let out = expect_code(&output, 0);
    assert!(
        out.contains("## Why is this breaking?") && out.contains("categories: FILE, PACKAGE"),
        "{out}"
    );
    let output = protoguard(&repo_root(), &["explain", "FIELD_NO_DELET"]);
    assert!(expect_code(&output, 2).contains("did you mean FIELD_NO_DELETE"));
}

#[test]
fn help_documents_exit_codes() {
    let output = protoguard(&repo_root(), &["breaking", "--help"]);
    let out = expect_code(&output, 0);
    assert!(
        out.contains("Exit codes") && out.contains("could not run"),
        "{out}"
    );
}

#[test]
fn git_revisions_branch_tag_sha_and_relative() {
    let repo = repo_with_history("");
    let dir = repo.path();
    let sha_v1 = git(dir, &["rev-parse", "v1.0.0"]);
    for against in ["v1.0.0", sha_v1.as_str(), "HEAD~2", "git:HEAD~1"] {
        let output = protoguard(dir, &["breaking", "--against", against, "--format", "text"]);
        let out = expect_code(&output, 1);
        assert!(
            out.contains("FIELD_NO_DELETE Previously present field \"email\" (2)"),
            "{against}: {out}"
        );
        assert!(
            out.contains("FIELD_SAME_TYPE Field \"acme.v1.User.age\" changed type"),
            "{against}: {out}"
        );
    }
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    expect_code(&output, 0);
    // The working tree is what is checked: an uncommitted fix clears the findings.
    write(&dir.join("acme/v1/user.proto"), USER_V2_HARMLESS);
    let output = protoguard(dir, &["breaking", "--against", "v1.0.0"]);
    expect_code(&output, 0);
}

#[test]
fn merge_base_compares_with_where_the_branch_started() {
    let repo = repo_with_history("");
    let dir = repo.path();
    git(dir, &["checkout", "-q", "-b", "feature", "HEAD~1"]);
    write(
        &dir.join("acme/v1/order.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage Order { string id = 1; }\n",
    );
    commit_all(dir, "feature: add order");
    // Against the tip of main, the branch lacks main's later change: that looks like a break.
    let output = protoguard(dir, &["breaking", "--against", "main"]);
    expect_code(&output, 1);
    // Against the merge base, only the branch's own change counts.
    let output = protoguard(dir, &["breaking", "--against", "main", "--merge-base"]);
    let out = expect_code(&output, 0);
    assert!(out.contains("merge base of HEAD and main"), "{out}");
}

#[test]
fn staged_index_is_compared_not_the_working_tree() {
    let repo = repo_with_history("");
    let dir = repo.path();
    let file = dir.join("acme/v1/user.proto");
    write(
        &file,
        USER_V3_BREAKING
            .replace("  string nickname = 4;\n", "")
            .as_str(),
    );
    git(dir, &["add", "acme/v1/user.proto"]);
    // Unstaged: the working tree goes back to HEAD's content.
    write(&file, USER_V3_BREAKING);
    let output = protoguard(dir, &["breaking", "--staged", "--against", "HEAD"]);
    let out = expect_code(&output, 1);
    assert!(
        out.contains("Previously present field \"nickname\" (4)"),
        "{out}"
    );
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    expect_code(&output, 0);
}

#[test]
fn subdirectory_module_root_and_running_from_inside_it() {
    let repo = repo_with_history("proto");
    let dir = repo.path();
    write(
        &dir.join("proto/acme/v1/account.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/user.proto\";\nmessage Account { User owner = 1; }\n",
    );
    commit_all(dir, "account imports user");
    let output = protoguard(
        dir,
        &[
            "breaking",
            "--root",
            "proto",
            "--against",
            "v1.0.0",
            "--format",
            "json",
        ],
    );
    expect_code(&output, 1);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["path"] == "proto/acme/v1/user.proto"));
    let output = protoguard(&dir.join("proto"), &["breaking", "--against", "v1.0.0"]);
    expect_code(&output, 1);
    let output = protoguard(dir, &["breaking", "--root", "proto", "--against", "HEAD"]);
    expect_code(&output, 0);
}

#[test]
fn full_mode_and_change_mode_agree() {
    let repo = repo_with_history("");
    let dir = repo.path();
    let a = protoguard(
        dir,
        &["breaking", "--against", "v1.0.0", "--format", "json"],
    );
    let b = protoguard(
        dir,
        &[
            "breaking",
            "--against",
            "v1.0.0",
            "--format",
            "json",
            "--full",
        ],
    );
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn descriptor_set_against() {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("old/acme/v1/user.proto"), USER_V1);
    write(&dir.path().join("new/acme/v1/user.proto"), USER_V3_BREAKING);
    let mut compiler = protox::Compiler::new([dir.path().join("old")]).unwrap();
    compiler.include_source_info(true).include_imports(true);
    compiler.open_file("acme/v1/user.proto").unwrap();
    fs::write(
        dir.path().join("image.binpb"),
        compiler.encode_file_descriptor_set(),
    )
    .unwrap();
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "new",
            "--against",
            "image.binpb",
            "--format",
            "text",
        ],
    );
    let out = expect_code(&output, 1);
    assert!(
        out.contains("FIELD_NO_DELETE Previously present field \"email\" (2)"),
        "{out}"
    );
    fs::write(
        dir.path().join("garbage.binpb"),
        b"\xff\xff\xff not a descriptor set",
    )
    .unwrap();
    let output = protoguard(
        dir.path(),
        &["breaking", "new", "--against", "garbage.binpb"],
    );
    assert!(expect_code(&output, 2).contains("not a binary FileDescriptorSet"));
}

fn two_dirs(old: &str, new: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("old/acme/v1/user.proto"), old);
    write(&dir.path().join("new/acme/v1/user.proto"), new);
    dir
}

#[test]
fn syntax_error_is_reported_with_location_and_exit_2() {
    let dir = two_dirs(
        USER_V1,
        "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = ;\n}\n",
    );
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("new does not compile"), "{all}");
    assert!(all.contains("acme/v1/user.proto:4:"), "{all}");
}

#[test]
fn missing_import_is_reported() {
    let dir = two_dirs(USER_V1, "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/missing.proto\";\nmessage User {}\n");
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("acme/v1/missing.proto") && all.contains("acme/v1/user.proto:3:"),
        "{all}"
    );
}

#[test]
fn non_utf8_file_is_reported_with_its_line() {
    let dir = two_dirs(USER_V1, USER_V1);
    let mut bytes = USER_V1.as_bytes().to_vec();
    bytes.extend_from_slice(b"// caf\xe9\n");
    fs::write(dir.path().join("new/acme/v1/user.proto"), bytes).unwrap();
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("acme/v1/user.proto:10:7: the file is not valid UTF-8"),
        "{all}"
    );
}

#[test]
fn unknown_edition_is_refused_clearly() {
    let dir = two_dirs(
        USER_V1,
        "// header\nedition = \"2025\";\npackage acme.v1;\nmessage User {}\n",
    );
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("acme/v1/user.proto:2:1: edition \"2025\" is not supported"),
        "{all}"
    );
}

#[test]
fn unknown_revision_and_missing_path() {
    let repo = repo_with_history("");
    let output = protoguard(repo.path(), &["breaking", "--against", "no-such-branch"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("unknown git revision 'no-such-branch'"),
        "{all}"
    );
    let outside = TempDir::new().unwrap();
    let output = protoguard(outside.path(), &["breaking", "--against", "does/not/exist"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("is not an existing file or directory"),
        "{all}"
    );
    let output = protoguard(
        repo.path(),
        &["breaking", "does-not-exist/", "--against", "HEAD"],
    );
    expect_code(&output, 2);
}

#[test]
fn empty_repository() {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(&dir.path().join("acme/v1/user.proto"), USER_V1);
    let output = protoguard(dir.path(), &["breaking", "--against", "main"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("has no commits yet"), "{all}");
    // Before the first commit, the staged index compared with HEAD has nothing to break.
    git(dir.path(), &["add", "-A"]);
    let output = protoguard(dir.path(), &["breaking", "--staged", "--against", "HEAD"]);
    let all = expect_code(&output, 0);
    assert!(all.contains("HEAD (no commits yet)"), "{all}");
}

#[test]
fn invalid_config_names_file_and_line() {
    let dir = two_dirs(USER_V1, USER_V1);
    write(
        &dir.path().join("protoguard.toml"),
        "[breaking]\nuse = [\"FILE\"]\nnot_a_key = 1\n",
    );
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("protoguard.toml:3:1: invalid configuration"),
        "{all}"
    );
    write(
        &dir.path().join("protoguard.toml"),
        "[breaking]\nuse = [\"NOT_A_RULE\"]\n",
    );
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    assert!(expect_code(&output, 2).contains("unknown breaking rule or category 'NOT_A_RULE'"));
}

/// A reader that stops early (`protoguard … | head`) closes the pipe: the exit code is still the
/// check's (1: findings), with no panic and no error message.
#[test]
fn closed_pipe_is_not_an_error() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("protoguard"))
        .current_dir(repo_root())
        .args([
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
        ])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the report is written.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{err}");
    assert!(err.is_empty(), "stderr:\n{err}");
}

#[test]
fn include_paths_resolve_imports_for_every_input_kind() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    write(
        &path.join("third_party/vendor/money.proto"),
        "syntax = \"proto3\";\npackage vendor;\nmessage Money { int64 units = 1; }\n",
    );
    let invoice = |amount_type: &str| {
        format!(
            "syntax = \"proto3\";\npackage acme.v1;\nimport \"vendor/money.proto\";\nmessage Invoice {{ {amount_type} amount = 1; }}\n"
        )
    };
    write(
        &path.join("proto/acme/v1/invoice.proto"),
        &invoice("vendor.Money"),
    );
    commit_all(path, "v1");
    write(&path.join("proto/acme/v1/invoice.proto"), &invoice("int64"));
    let args = [
        "breaking",
        "--root",
        "proto",
        "-I",
        "third_party",
        "--against",
        "HEAD",
        "--format",
        "text",
    ];
    let output = protoguard(path, &args);
    let out = expect_code(&output, 1);
    assert!(
        out.contains("changed type from \"vendor.Money\" to \"int64\""),
        "{out}"
    );
    // Files under an include path are importable but never checked themselves.
    assert!(
        !out.contains("third_party") && !out.contains("vendor/money.proto:"),
        "{out}"
    );
    git(path, &["add", "-A"]);
    let mut staged = args.to_vec();
    staged.insert(1, "--staged");
    expect_code(&protoguard(path, &staged), 1);
    // Without the include path the import cannot be resolved: a clear compile error.
    let output = protoguard(path, &["breaking", "--root", "proto", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("vendor/money.proto"), "{all}");
}

/// Rules read resolved properties (presence, openness, UTF-8 validation, encoding), never the
/// syntax nor prost-reflect's helpers derived from it, which editions features can contradict.
#[test]
fn rules_never_read_the_syntax() {
    let forbidden = [
        ".syntax()",
        "Syntax::",
        ".supports_presence()",
        ".is_packed()",
        ".is_group()",
        ".cardinality()",
    ];
    for entry in walkdir::WalkDir::new(repo_root().join("src/rules")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let text = fs::read_to_string(path).unwrap();
        for call in forbidden {
            assert!(
                !text.contains(call),
                "{} calls {call}: read crate::schema::resolved instead",
                path.display()
            );
        }
    }
}

/// Directories named on the command line are read whole even when git ignores them (a scratch
/// copy under `target/`), while the working tree leaves ignored files out.
#[test]
fn explicit_directories_inside_ignored_paths_are_read() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    write(&path.join(".gitignore"), "scratch/\n*.gen.proto\n");
    write(&path.join("scratch/old/acme/v1/user.proto"), USER_V1);
    write(
        &path.join("scratch/new/acme/v1/user.proto"),
        USER_V3_BREAKING,
    );
    let output = protoguard(
        path,
        &["breaking", "scratch/new", "--against", "scratch/old"],
    );
    expect_code(&output, 1);
    write(&path.join("acme/v1/user.proto"), USER_V1);
    commit_all(path, "v1");
    // An ignored generated file in the working tree is not part of the module.
    write(
        &path.join("acme/v1/extra.gen.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage User {}\n",
    );
    expect_code(&protoguard(path, &["breaking", "--against", "HEAD"]), 0);
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_the_root_are_not_followed() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    write(
        &path.join("outside/acme/v1/other.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage Other {}\n",
    );
    write(&path.join("old/acme/v1/user.proto"), USER_V1);
    write(&path.join("new/acme/v1/user.proto"), USER_V1);
    // Only the previous revision has the link: followed, it would read as a deleted file.
    std::os::unix::fs::symlink(path.join("outside"), path.join("old/escape")).unwrap();
    let output = protoguard(
        path,
        &["breaking", "new", "--against", "old", "--format", "text"],
    );
    let out = expect_code(&output, 0);
    assert!(!out.contains("escape/"), "{out}");
    // A link that stays inside the root is read like any directory.
    std::os::unix::fs::symlink(path.join("old/acme"), path.join("old/inside")).unwrap();
    let output = protoguard(
        path,
        &[
            "breaking",
            "new",
            "--against",
            "old",
            "--format",
            "text",
            "--rule",
            "FILE_NO_DELETE",
        ],
    );
    let out = expect_code(&output, 1);
    assert!(
        out.contains("Previously present file \"inside/v1/user.proto\""),
        "{out}"
    );
}

/// Output that cannot be written (a full disk) is reported and exits 2, unlike a closed pipe.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_output_exits_2() {
    for args in [
        &["rules"][..],
        &[
            "breaking",
            "testdata/example/current",
            "--against",
            "testdata/example/previous",
        ][..],
    ] {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("protoguard"))
            .current_dir(repo_root())
            .args(args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write the output"), "{args:?}: {err}");
    }
}

#[test]
fn a_thousand_compile_errors_show_a_few_dozen_frames_and_a_count() {
    let fields: String = (0..1000)
        .map(|i| format!("  int32 f{i} = {};\n", 19000 + i))
        .collect();
    let dir = two_dirs(
        USER_V1,
        &format!("syntax = \"proto3\";\npackage acme.v1;\nmessage User {{\n{fields}}}\n"),
    );
    let output = protoguard(dir.path(), &["breaking", "new", "--against", "old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.trim_start().starts_with("× new does not compile"),
        "{all}"
    );
    let frames = all.matches("invalid field number").count();
    assert_eq!(frames, 30, "{all}");
    assert!(all.contains("970 more errors not shown"), "{all}");
    assert!(all.lines().count() < 400, "{} lines", all.lines().count());
}

#[test]
fn human_output_never_wraps_an_identifier() {
    let long = "a_field_with_a_rather_long_name_that_does_not_fit_on_one_narrow_terminal_line";
    let old = format!(
        "syntax = \"proto3\";\npackage acme.v1.very.deeply.nested.package.name;\nmessage User {{\n  string {long} = 1;\n}}\n"
    );
    let new = "syntax = \"proto3\";\npackage acme.v1.very.deeply.nested.package.name;\nmessage User {\n}\n";
    let dir = two_dirs(&old, new);
    let output = assert_cmd::Command::cargo_bin("protoguard")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "60")
        .args(["breaking", "new", "--against", "old"])
        .output()
        .unwrap();
    let all = expect_code(&output, 1);
    assert!(all.contains(long), "{all}");
    assert!(
        all.contains("acme.v1.very.deeply.nested.package.name.User"),
        "{all}"
    );
}

#[test]
fn rules_configured_only_lists_what_the_configuration_selects_as_json() {
    let dir = TempDir::new().unwrap();
    write(
        &dir.path().join("buf.yaml"),
        "version: v2\nbreaking:\n  use: [WIRE]\n  except: [FIELD_WIRE_COMPATIBLE_TYPE]\nlint:\n  use: [MINIMAL]\n",
    );
    let output = protoguard(
        dir.path(),
        &["rules", "--configured-only", "--format", "json"],
    );
    let text = expect_code(&output, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect(&text);
    let ids = |kind: &str| -> Vec<String> {
        rules
            .iter()
            .filter(|r| r["kind"] == kind)
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let breaking = ids("breaking");
    assert!(breaking.contains(&"FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED".to_owned()));
    assert!(!breaking.contains(&"FIELD_WIRE_COMPATIBLE_TYPE".to_owned()));
    assert!(
        !breaking.contains(&"FILE_NO_DELETE".to_owned()),
        "FILE only"
    );
    assert!(rules
        .iter()
        .filter(|r| r["kind"] == "breaking")
        .all(|r| r["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "WIRE")
            && r["severity"] == "error"));
    let mut lint = ids("lint");
    lint.sort();
    assert_eq!(
        lint,
        [
            "DIRECTORY_SAME_PACKAGE",
            "PACKAGE_DEFINED",
            "PACKAGE_DIRECTORY_MATCH",
            "PACKAGE_NO_IMPORT_CYCLE",
            "PACKAGE_SAME_DIRECTORY"
        ]
    );

    // Without --configured-only, JSON lists every rule; --kind narrows it.
    let all = protoguard(dir.path(), &["rules", "--format", "json", "--kind", "lint"]);
    expect_code(&all, 0);
    let all: Vec<serde_json::Value> = serde_json::from_str(&stdout(&all)).unwrap();
    assert!(
        all.len() > 40
            && all
                .iter()
                .all(|r| r["kind"] == "lint" && r.get("severity").is_none())
    );
}

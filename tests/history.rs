//! `protoguard history` on real git repositories built in the test: a number deleted and reused
//! commits later, a deletion on a merged branch, a file moved, a package renamed, a shallow
//! clone, a corrupted cache, two runs at once, and the incremental update.

mod common;

use std::fs;
use std::path::Path;

use common::{commit_all, expect_code, git, protoguard, stderr, stdout, write};

const V1: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n  string old_email = 4;\n}\n";
const DELETED: &str =
    "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n}\n";
const REUSED: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n  int32 age = 4;\n}\n";

/// A repository with `commits` (path, text) committed in order, one commit each.
fn repo(commits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (i, (path, text)) in commits.iter().enumerate() {
        write(&dir.path().join(path), text);
        commit_all(dir.path(), &format!("commit {i}"));
    }
    dir
}

fn history(dir: &Path, args: &[&str]) -> (String, String) {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    let out = protoguard(dir, &all);
    expect_code(&out, 0);
    (stdout(&out), stderr(&out))
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&history(dir, &all).0).unwrap()
}

#[test]
fn a_number_deleted_and_reused_later_is_in_the_ledger_with_its_past_owner() {
    let dir = repo(&[
        ("api/user.proto", V1),
        ("api/user.proto", DELETED),
        ("README", "unrelated"),
        ("api/user.proto", REUSED),
    ]);
    let (text, _) = history(dir.path(), &[]);
    let first = git(dir.path(), &["rev-parse", "--short=7", "HEAD~3"]);
    assert!(text.starts_with("History of "), "{text}");
    assert!(text.contains("4 first-parent commits back to"), "{text}");
    assert!(text.contains("message acme.v1.User\n"), "{text}");
    assert!(text.contains("  in use:    1 id, 4 age\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  reused:    4 age (was old_email, string, until {first} "
        )),
        "{text}"
    );
    let ledger = json(dir.path(), &[]);
    assert_eq!(ledger["version"], 1);
    let members = ledger["elements"]["acme.v1.User"]["members"]
        .as_array()
        .unwrap();
    let old = members.iter().find(|m| m["name"] == "old_email").unwrap();
    assert_eq!(old["number"], 4);
    assert_eq!(old["type_name"], "string");
    assert_eq!(old["present"], false);
    assert_eq!(old["last"]["path"], "api/user.proto");
    assert_eq!(old["last"]["line"], 5);
    assert_eq!(
        old["last"]["commit"]["id"],
        git(dir.path(), &["rev-parse", "HEAD~3"])
    );
    let age = members.iter().find(|m| m["name"] == "age").unwrap();
    assert_eq!(age["present"], true);
    assert_eq!(
        age["first"]["commit"]["id"],
        git(dir.path(), &["rev-parse", "HEAD"])
    );
}

#[test]
fn retired_but_not_reserved_numbers_and_names_are_listed() {
    let dir = repo(&[
        ("a.proto", "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  string b = 2;\n  string c = 3;\n}\nenum E {\n  E_UNSPECIFIED = 0;\n  E_X = 1;\n}\n"),
        ("a.proto", "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  reserved 2;\n  reserved \"c\";\n}\nenum E {\n  E_UNSPECIFIED = 0;\n}\n"),
    ]);
    let (text, _) = history(dir.path(), &[]);
    assert!(text.contains("  reserved:  2, \"c\"\n"), "{text}");
    assert!(
        text.contains("  retired, not reserved: \"b\", 3\n"),
        "{text}"
    );
    assert!(text.contains("enum E\n"), "{text}");
    assert!(
        text.contains("  retired, not reserved: 1 \"E_X\"\n"),
        "{text}"
    );
}

#[test]
fn a_deletion_on_a_merged_branch_is_seen_at_the_merge_on_the_first_parent_line() {
    let dir = repo(&[("api/user.proto", V1)]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(&dir.path().join("api/user.proto"), DELETED);
    commit_all(dir.path(), "delete on a branch");
    git(dir.path(), &["checkout", "-q", "main"]);
    write(
        &dir.path().join("other.proto"),
        "syntax = \"proto3\";\nmessage O {}\n",
    );
    commit_all(dir.path(), "main moves on");
    git(
        dir.path(),
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
    );
    write(&dir.path().join("api/user.proto"), REUSED);
    commit_all(dir.path(), "reuse on main");
    let ledger = json(dir.path(), &[]);
    assert_eq!(
        ledger["commits"], 4,
        "the branch's own commit is not on the first-parent line"
    );
    let members = ledger["elements"]["acme.v1.User"]["members"]
        .as_array()
        .unwrap();
    let old = members.iter().find(|m| m["name"] == "old_email").unwrap();
    // Last seen on main just before the merge that deleted it.
    assert_eq!(
        old["last"]["commit"]["id"],
        git(dir.path(), &["rev-parse", "HEAD~2"])
    );
    // Walking the feature branch alone sees the deletion there.
    let (text, _) = history(dir.path(), &["feature"]);
    assert!(
        text.contains("retired, not reserved: 4 \"old_email\""),
        "{text}"
    );
}

#[test]
fn a_moved_file_keeps_its_history_and_a_package_rename_is_followed() {
    let dir = repo(&[("api/v1/user.proto", V1), ("api/v1/user.proto", DELETED)]);
    fs::create_dir_all(dir.path().join("proto")).unwrap();
    git(dir.path(), &["mv", "api/v1/user.proto", "proto/user.proto"]);
    commit_all(dir.path(), "move");
    let (text, _) = history(dir.path(), &[]);
    assert!(
        text.contains("message acme.v1.User\n  in use:    1 id\n"),
        "{text}"
    );
    let ledger = json(dir.path(), &[]);
    let id = &ledger["elements"]["acme.v1.User"]["members"][0];
    assert_eq!(id["first"]["path"], "api/v1/user.proto");
    assert_eq!(id["last"]["path"], "proto/user.proto");
    assert_eq!(
        id["first"]["commit"]["id"],
        git(dir.path(), &["rev-parse", "HEAD~2"])
    );

    write(
        &dir.path().join("proto/user.proto"),
        &REUSED.replace("acme.v1", "acme.v2"),
    );
    commit_all(dir.path(), "rename the package and reuse 4");
    let (text, _) = history(dir.path(), &[]);
    assert!(
        text.contains("message acme.v2.User\n  formerly:  acme.v1.User\n"),
        "{text}"
    );
    assert!(
        text.contains("reused:    4 age (was old_email, string"),
        "{text}"
    );
    assert!(!text.contains("message acme.v1.User\n"), "{text}");
}

#[test]
fn since_and_max_count_limit_the_walk() {
    let dir = repo(&[
        ("api/user.proto", V1),
        ("api/user.proto", DELETED),
        ("api/user.proto", REUSED),
    ]);
    let ledger = json(dir.path(), &["--max-count", "1"]);
    assert_eq!(ledger["commits"], 1);
    assert_eq!(
        ledger["elements"]["acme.v1.User"]["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let ledger = json(dir.path(), &["--since", "HEAD~2"]);
    assert_eq!(ledger["commits"], 2);
    let names: Vec<&str> = ledger["elements"]["acme.v1.User"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id", "age"]);
    let out = protoguard(dir.path(), &["history", "--since", "no-such-rev"]);
    let all = expect_code(&out, 2);
    assert!(all.contains("no-such-rev: not a revision"), "{all}");
}

#[test]
fn a_shallow_clone_says_how_far_back_the_ledger_reaches() {
    let origin = repo(&[
        ("api/user.proto", V1),
        ("api/user.proto", DELETED),
        ("api/user.proto", REUSED),
    ]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "2", &url, "c"]);
    let dir = clone.path().join("c");
    let (text, _) = history(&dir, &[]);
    assert!(text.contains("2 first-parent commits back to"), "{text}");
    assert!(text.contains("shallow clone's history ends"), "{text}");
    assert_eq!(json(&dir, &[])["shallow"], true);
}

#[test]
fn the_cache_is_continued_after_a_commit_and_rebuilt_when_damaged() {
    let dir = repo(&[
        ("api/user.proto", V1),
        ("b.proto", "syntax = \"proto3\";\nmessage B {}\n"),
    ]);
    let (first, err) = history(dir.path(), &[]);
    assert!(
        err.contains("ledger built from 2 commits, parsed 2 file versions"),
        "{err}"
    );
    write(&dir.path().join("api/user.proto"), DELETED);
    commit_all(dir.path(), "delete");
    let (after, err) = history(dir.path(), &[]);
    // The new version, and the one it replaces (the cache keeps counts, not parsed files).
    assert!(
        err.contains("ledger continued over 1 commit, parsed 2 file versions"),
        "{err}"
    );
    assert_ne!(first, after);
    // The same answer as a walk that ignores the cache.
    let (fresh, err) = history(dir.path(), &["--no-cache"]);
    assert!(err.contains("ledger built from 3 commits"), "{err}");
    assert_eq!(after, fresh);

    let cache = dir.path().join(".git/protoguard/ledger");
    let bytes = fs::read(&cache).unwrap();
    for damaged in [
        bytes[..bytes.len() / 2].to_vec(),
        b"not a ledger at all".to_vec(),
        {
            let mut flipped = bytes.clone();
            let at = flipped.len() - 10;
            flipped[at] ^= 1;
            flipped
        },
        Vec::new(),
    ] {
        fs::write(&cache, &damaged).unwrap();
        let (text, err) = history(dir.path(), &[]);
        assert!(err.contains("ledger built from 3 commits"), "{err}");
        assert_eq!(text, fresh);
    }
    // A cache for another walk (--since) is not continued.
    let (_, err) = history(dir.path(), &["--since", "HEAD~1"]);
    assert!(err.contains("ledger built from 1 commit"), "{err}");
}

#[test]
fn two_runs_at_once_both_answer_and_leave_a_whole_cache() {
    let dir = repo(&[
        ("api/user.proto", V1),
        ("api/user.proto", DELETED),
        ("api/user.proto", REUSED),
    ]);
    let (expected, _) = history(dir.path(), &["--no-cache"]);
    let path = dir.path().to_owned();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || protoguard(&path, &["history"]))
        })
        .collect();
    for run in runs {
        let out = run.join().unwrap();
        expect_code(&out, 0);
        assert_eq!(stdout(&out), expected);
    }
    let (text, err) = history(dir.path(), &[]);
    assert!(err.contains("ledger continued over 0 commits"), "{err}");
    assert_eq!(text, expected);
}

#[test]
fn editions_files_and_files_that_do_not_parse() {
    let dir = repo(&[
        (
            "e.proto",
            "edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  string b = 2;\n}\n",
        ),
        (
            "e.proto",
            "edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved b;\n}\n",
        ),
        ("broken.proto", "message {"),
    ]);
    let (text, _) = history(dir.path(), &[]);
    assert!(text.contains("1 file version did not parse"), "{text}");
    assert!(text.contains("  reserved:  \"b\"\n"), "{text}");
    assert!(text.contains("  retired, not reserved: 2\n"), "{text}");
}

#[test]
fn outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = protoguard(dir.path(), &["history"]);
    let all = expect_code(&out, 2);
    assert!(all.contains("history needs a git repository"), "{all}");
}

#[test]
fn breaking_reports_a_number_reused_across_commits_from_the_working_tree_and_the_index() {
    let dir = repo(&[("api/user.proto", V1), ("api/user.proto", DELETED)]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(&dir.path().join("api/user.proto"), REUSED);
    let out = protoguard(
        dir.path(),
        &["breaking", "--against", "main", "--format", "text"],
    );
    let all = expect_code(&out, 1);
    let first = git(dir.path(), &["rev-parse", "--short=7", "main~1"]);
    assert!(
        all.contains(&format!("api/user.proto:5:3: FIELD_NUMBER_NO_REUSE Field number 4 on message \"acme.v1.User\" was \"old_email\" (string) until {first}, ")),
        "{all}"
    );
    assert!(
        all.contains("now \"age\" (int32): old data is misread."),
        "{all}"
    );
    // What a pre-commit hook runs: the staged index against HEAD.
    git(dir.path(), &["add", "-A"]);
    let out = protoguard(dir.path(), &["breaking", "--staged", "--format", "text"]);
    let all = expect_code(&out, 1);
    assert!(all.contains("FIELD_NUMBER_NO_REUSE"), "{all}");
    // Excepting the category silences it; a directory --against has no history to read.
    let out = protoguard(
        dir.path(),
        &["breaking", "--against", "main", "--except", "HISTORY"],
    );
    expect_code(&out, 0);
    // A fresh number passes.
    write(
        &dir.path().join("api/user.proto"),
        &REUSED.replace("age = 4", "age = 5"),
    );
    let out = protoguard(dir.path(), &["breaking", "--against", "main"]);
    expect_code(&out, 0);
}

/// The breaking rules read the same ledger a `protoguard history` shows: a deletion made on a
/// merged branch, a file moved between directories and a package renamed since, and then, on a
/// feature branch, number 4 and the name "old_email" reused. A damaged cache and two checks at
/// once give the same answer; a shallow clone that no longer reaches the deletion says so.
#[test]
fn breaking_sees_reuse_across_a_merged_branch_a_moved_file_and_a_renamed_package() {
    let dir = repo(&[("api/v1/user.proto", V1)]);
    git(dir.path(), &["checkout", "-q", "-b", "cleanup"]);
    write(&dir.path().join("api/v1/user.proto"), DELETED);
    commit_all(dir.path(), "delete old_email on a branch");
    git(dir.path(), &["checkout", "-q", "main"]);
    git(
        dir.path(),
        &["merge", "-q", "--no-ff", "-m", "merge cleanup", "cleanup"],
    );
    fs::create_dir_all(dir.path().join("proto")).unwrap();
    git(dir.path(), &["mv", "api/v1/user.proto", "proto/user.proto"]);
    commit_all(dir.path(), "move");
    write(
        &dir.path().join("proto/user.proto"),
        &DELETED.replace("acme.v1", "acme.v2"),
    );
    commit_all(dir.path(), "rename the package");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(
        &dir.path().join("proto/user.proto"),
        "syntax = \"proto3\";\npackage acme.v2;\nmessage User {\n  string id = 1;\n  int32 age = 4;\n  repeated string old_email = 7;\n}\n",
    );
    let check = || {
        let out = protoguard(
            dir.path(),
            &["breaking", "--against", "main", "--format", "text"],
        );
        expect_code(&out, 1)
    };
    let all = check();
    let last = git(dir.path(), &["rev-parse", "--short=7", "main~3"]);
    assert!(
        all.contains(&format!("proto/user.proto:5:3: FIELD_NUMBER_NO_REUSE Field number 4 on message \"acme.v2.User\" was \"old_email\" (string) until {last}, ")),
        "{all}"
    );
    assert!(
        all.contains(&format!("proto/user.proto:6:3: FIELD_NAME_NO_REUSE Field name \"old_email\" on message \"acme.v2.User\" was number 4 (string) until {last}, ")),
        "{all}"
    );
    let report = |all: &str| -> Vec<String> {
        all.lines()
            .filter(|l| l.contains("_NO_REUSE"))
            .map(str::to_owned)
            .collect()
    };
    let expected = report(&all);
    assert_eq!(expected.len(), 2, "{all}");

    // A damaged cache is rebuilt, with the same answer.
    let cache = dir.path().join(".git/protoguard/ledger");
    assert!(cache.is_file(), "the check cached the ledger");
    fs::write(&cache, b"not a ledger").unwrap();
    assert_eq!(report(&check()), expected);

    // Two checks at once, from no cache: both answer the same.
    fs::remove_file(&cache).unwrap();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let cwd = dir.path().to_owned();
            std::thread::spawn(move || {
                let out = protoguard(&cwd, &["breaking", "--against", "main", "--format", "text"]);
                expect_code(&out, 1)
            })
        })
        .collect();
    for run in runs {
        assert_eq!(report(&run.join().unwrap()), expected);
    }

    // A clone too shallow to reach the deletion cannot see the reuse, and says so.
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "2", "--branch", "main", &url, "c"],
    );
    let shallow = clone.path().join("c");
    fs::copy(
        dir.path().join("proto/user.proto"),
        shallow.join("proto/user.proto"),
    )
    .unwrap();
    let out = protoguard(
        &shallow,
        &["breaking", "--against", "HEAD", "--format", "text"],
    );
    let all = expect_code(&out, 0);
    assert!(!all.contains("_NO_REUSE"), "{all}");
    assert!(all.contains("shallow clone"), "{all}");
}

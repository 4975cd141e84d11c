//! Git repositories as teams have them: sparse checkouts, partial clones (fetched through the git
//! binary over file://), buf's git input syntax (local `.git#branch=…` and `file://` URLs cloned
//! into a temporary bare repository), `--staged` without `--against`, and inputs that exist but
//! are no input. Whole-command tests on real repositories.

mod common;

use std::path::Path;

use common::{
    all_output, commit_all, expect_code, git, partial_clone_of, protoguard, stderr, stdout, write,
};
use tempfile::TempDir;

fn message(name: &str, fields: &[&str]) -> String {
    let mut text = format!("syntax = \"proto3\";\n\npackage acme.{name};\n\nmessage M {{\n");
    for (i, field) in fields.iter().enumerate() {
        text.push_str(&format!("  string {field} = {};\n", i + 1));
    }
    text.push_str("}\n");
    text
}

/// A repository with `proto/a/a.proto` and `proto/b/b.proto`, two commits: the second adds a
/// field to `a` (compatible).
fn two_commits(path: &Path) {
    git(path, &["init", "-q", "-b", "main"]);
    write(&path.join("proto/a/a.proto"), &message("a", &["x"]));
    write(&path.join("proto/b/b.proto"), &message("b", &["x", "y"]));
    commit_all(path, "first");
    write(&path.join("proto/a/a.proto"), &message("a", &["x", "z"]));
    commit_all(path, "second");
}

#[test]
fn sparse_checkout_files_outside_the_cone_are_not_deleted() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    two_commits(path);
    git(path, &["sparse-checkout", "set", "--cone", "proto/a"]);
    assert!(!path.join("proto/b/b.proto").exists());
    let output = protoguard(
        path,
        &["breaking", "--against", "HEAD~1", "--root", "proto"],
    );
    let all = expect_code(&output, 0);
    assert!(!all.contains("FILE_NO_DELETE"), "{all}");
    // A real change outside the cone (committed on a full checkout) is still seen, at its path.
    git(path, &["sparse-checkout", "disable"]);
    write(&path.join("proto/b/b.proto"), &message("b", &["x"]));
    commit_all(path, "third: delete b.y");
    git(path, &["sparse-checkout", "set", "--cone", "proto/a"]);
    let output = protoguard(
        path,
        &["breaking", "--against", "HEAD~1", "--format", "text"],
    );
    let out = expect_code(&output, 1);
    assert!(
        out.contains("proto/b/b.proto:5:9: FIELD_NO_DELETE"),
        "{out}"
    );
    // A module root entirely outside the cone is read from the index too.
    let output = protoguard(
        path,
        &["breaking", "--against", "HEAD~1", "--root", "proto/b"],
    );
    expect_code(&output, 1);
}

/// A source repository that allows filtered clones, and a `--filter=blob:none` clone of it.
fn partial_clone() -> (TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    git(&src, &["init", "-q", "-b", "main"]);
    write(&src.join("proto/a/a.proto"), &message("a", &["x", "y"]));
    commit_all(&src, "first");
    write(&src.join("proto/a/a.proto"), &message("a", &["x"]));
    commit_all(&src, "second: delete a.y");
    let clone = partial_clone_of(&src, dir.path());
    (dir, src, clone)
}

#[test]
fn partial_clone_fetches_the_missing_blobs_in_one_batch() {
    let (_dir, _src, clone) = partial_clone();
    // HEAD~1's version of a.proto is promised, not local.
    let missing = git(
        &clone,
        &["rev-list", "--objects", "--missing=print", "HEAD~1"],
    );
    assert!(missing.lines().any(|l| l.starts_with('?')), "{missing}");
    let output = protoguard(
        &clone,
        &["breaking", "--against", "HEAD~1", "--format", "text"],
    );
    let out = expect_code(&output, 1);
    assert!(
        out.contains("proto/a/a.proto:5:9: FIELD_NO_DELETE"),
        "{out}"
    );
    let err = stderr(&output);
    assert!(
        err.contains("fetched 1 missing object(s) of HEAD~1 from 'origin'")
            && err.contains("partial clone"),
        "{err}"
    );
    assert!(!stdout(&output).contains("fetched"));
}

#[test]
fn partial_clone_whose_remote_is_gone_names_path_revision_and_fix() {
    let (_dir, src, clone) = partial_clone();
    std::fs::remove_dir_all(&src).unwrap();
    let output = protoguard(&clone, &["breaking", "--against", "HEAD~1"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("HEAD~1:proto/a/a.proto"), "{all}");
    assert!(all.contains("partial clone"), "{all}");
    assert!(
        all.contains("git cat-file -p HEAD~1:proto/a/a.proto"),
        "{all}"
    );
    assert!(!all.contains("no match for id"), "{all}");
}

#[test]
fn against_takes_buf_git_syntax() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    write(&path.join("proto/a/a.proto"), &message("a", &["x", "y"]));
    commit_all(path, "v1");
    git(path, &["tag", "v1"]);
    git(path, &["checkout", "-q", "-b", "feature"]);
    write(&path.join("proto/a/a.proto"), &message("a", &["x"]));
    commit_all(path, "delete y");
    let json = |dir: &Path, against: &str, extra: &[&str]| {
        let mut args = vec!["breaking", "--against", against, "--format", "text"];
        args.extend_from_slice(extra);
        protoguard(dir, &args)
    };
    for against in [
        ".git#branch=main",
        ".git#tag=v1",
        "#ref=HEAD~1",
        ".git#ref=main,depth=50",
    ] {
        let output = json(path, against, &[]);
        let out = expect_code(&output, 1);
        assert!(
            out.contains("proto/a/a.proto:5:9: FIELD_NO_DELETE"),
            "{against}: {out}"
        );
    }
    // subdir= makes the input's top a directory of the repository, as --root does here.
    let output = json(path, ".git#branch=main,subdir=proto", &[]);
    let out = expect_code(&output, 1);
    assert!(out.contains("FIELD_NO_DELETE"), "{out}");
    // A file:// URL is cloned into a temporary bare repository, from anywhere.
    let elsewhere = TempDir::new().unwrap();
    write(
        &elsewhere.path().join("proto/a/a.proto"),
        &message("a", &["x"]),
    );
    let url = format!("file://{}#branch=main", path.display());
    let output = json(elsewhere.path(), &url, &[]);
    let out = expect_code(&output, 1);
    assert!(
        out.contains("proto/a/a.proto:5:9: FIELD_NO_DELETE"),
        "{out}"
    );
    assert!(
        stderr(&output).contains("cloned file://"),
        "{}",
        stderr(&output)
    );
    let url = format!("file://{}#tag=v1,subdir=proto", path.display());
    let output = protoguard(
        &elsewhere.path().join("proto"),
        &["breaking", "--against", &url, "--format", "text"],
    );
    let out = expect_code(&output, 1);
    assert!(out.contains("a/a.proto:5:9: FIELD_NO_DELETE"), "{out}");
    // Mistakes are named.
    let output = json(path, ".git#branch=main,tag=v1", &[]);
    assert!(expect_code(&output, 2).contains("only one of branch, tag and ref"));
    let output = json(path, ".git#colour=blue", &[]);
    assert!(expect_code(&output, 2).contains("unknown option 'colour'"));
    let output = json(path, ".git#branch=nope", &[]);
    assert!(expect_code(&output, 2).contains("refs/heads/nope"));
    let gone = format!("file://{}/missing.git#branch=main", path.display());
    let output = json(path, &gone, &[]);
    assert!(expect_code(&output, 2).contains("cloning"));
}

#[test]
fn staged_defaults_to_against_head() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    two_commits(path);
    write(&path.join("proto/b/b.proto"), &message("b", &["x"]));
    git(path, &["add", "-A"]);
    let output = protoguard(path, &["breaking", "--staged", "--format", "text"]);
    let out = expect_code(&output, 1);
    assert!(
        out.contains("proto/b/b.proto:5:9: FIELD_NO_DELETE"),
        "{out}"
    );
    let output = protoguard(path, &["breaking"]);
    assert!(expect_code(&output, 2).contains("--against is required"));
}

#[test]
fn inputs_that_exist_but_are_no_input_are_named_as_such() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    two_commits(path);
    write(&path.join("README.md"), "# schemas\n");
    std::fs::create_dir_all(path.join("old")).unwrap();
    let output = protoguard(path, &["breaking", "--against", "old", "--merge-base"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("--merge-base needs a git revision, and 'old' is a directory"),
        "{all}"
    );
    let output = protoguard(path, &["breaking", "--against", "git:README.md"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("'README.md' is not a git revision") && all.contains("it is a file"),
        "{all}"
    );
    assert!(!all.contains("not an existing path"), "{all}");
    let output = protoguard(path, &["breaking", "--against", "git:old"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("it is a directory") && all.contains("dir:old"),
        "{all}"
    );
    let output = protoguard(path, &["breaking", "--against", "/dev/null"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("'/dev/null' exists but is neither a directory nor a regular file"),
        "{all}"
    );
    let _ = all_output;
}

//! The pre-commit hook (.pre-commit-hooks.yaml) run by the real `pre-commit` from PyPI in a
//! temporary repository: a staged breaking change is blocked, a clean one goes through.
//!
//! The hook is published with `language: rust`, so pre-commit builds protoguard with `cargo install`
//! on first use: minutes of compiling on a small CI machine, plus a crates.io download. The test
//! therefore declares the same hook as a `repo: local` hook: every key is copied from
//! .pre-commit-hooks.yaml (`entry`, `files`, `pass_filenames`, `stages`, …) except `language`,
//! which becomes `system`, with the locally built binary first on PATH. So the manifest's own
//! entry and file filter are what run. `PROTOGUARD_TEST_TRY_REPO=1` additionally runs
//! `pre-commit try-repo` on this checkout, which builds the hook exactly as users get it.
//!
//! pre-commit is found as `$PRE_COMMIT`, on PATH, or in the venv .ci/run creates
//! (target/ci-venv). Without it the test is skipped with a message, except in CI (`CI` set), where
//! a missing pre-commit is a failure.

#![cfg(unix)]

mod common;

use common::user_proto::{USER, USER_BREAKING, USER_CLEAN, USER_V1};

use common::repo_root;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};
use tempfile::TempDir;

/// The pre-commit executable, or `None` (after saying why) when the test should be skipped.
fn pre_commit() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PRE_COMMIT").map(PathBuf::from),
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("pre-commit"))
                .find(|p| p.is_file())
        }),
        Some(repo_root().join("target/ci-venv/bin/pre-commit")),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| p.is_file()) {
        return Some(found);
    }
    if std::env::var_os("CI").is_some() {
        panic!("pre-commit is not installed, and CI must run this test: .ci/run installs it");
    }
    eprintln!(
        "SKIPPED: pre-commit is not installed (pip install pre-commit, or set PRE_COMMIT=/path); \
         the pre-commit hook tests did not run"
    );
    None
}

/// The hook as published in .pre-commit-hooks.yaml.
fn manifest_hook(id: &str) -> BTreeMap<String, Value> {
    let text = fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<BTreeMap<String, Value>> = serde_saphyr::from_str(&text).unwrap();
    hooks
        .into_iter()
        .find(|h| h.get("id") == Some(&json!(id)))
        .unwrap_or_else(|| panic!(".pre-commit-hooks.yaml has no hook {id}"))
}

struct Repo {
    dir: TempDir,
    pre_commit: PathBuf,
}

impl Repo {
    /// A repository with a committed schema, a protoguard.toml and `config` as its
    /// .pre-commit-config.yaml.
    fn new(pre_commit: PathBuf, config: &Value) -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            pre_commit,
        };
        fs::create_dir_all(repo.home()).unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.write("protoguard.toml", "[module]\nroots = [\"proto\"]\n");
        repo.write(USER, USER_V1);
        // JSON is YAML: the config is written as JSON to keep the test free of a YAML writer.
        repo.write(
            ".pre-commit-config.yaml",
            &serde_json::to_string_pretty(config).unwrap(),
        );
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "Initial schema"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join(".test-home")
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A command with an isolated git and pre-commit environment and the local protoguard first
    /// on PATH.
    fn command(&self, program: &Path) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_protoguard"))
            .parent()
            .unwrap();
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_owned())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let mut command = Command::new(program);
        command
            .current_dir(self.path())
            .env("PATH", path)
            .env("HOME", self.home())
            .env("PRE_COMMIT_HOME", self.home().join("pre-commit-cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE");
        command
    }

    #[track_caller]
    fn git(&self, args: &[&str]) -> String {
        let output = self.command(Path::new("git")).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            text(&output)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn try_git(&self, args: &[&str]) -> Output {
        self.command(Path::new("git")).args(args).output().unwrap()
    }

    fn pre_commit(&self, args: &[&str]) -> Output {
        self.command(&self.pre_commit).args(args).output().unwrap()
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// .pre-commit-config.yaml with the manifest's hook as a local `language: system` hook.
fn local_config() -> Value {
    let mut hook = manifest_hook("protoguard-breaking");
    hook.insert("language".into(), json!("system"));
    json!({ "repos": [ { "repo": "local", "hooks": [hook] } ] })
}

/// .pre-commit-config.yaml with the manifest's lint hook as a local `language: system` hook.
fn local_lint_config() -> Value {
    let mut hook = manifest_hook("protoguard-lint");
    hook.insert("language".into(), json!("system"));
    json!({ "repos": [ { "repo": "local", "hooks": [hook] } ] })
}

#[test]
fn manifest_lint_hook_lints_what_the_staged_change_introduces() {
    let hook = manifest_hook("protoguard-lint");
    assert_eq!(
        hook["entry"],
        json!("protoguard lint --staged --against HEAD")
    );
    assert_eq!(hook["pass_filenames"], json!(false));
    assert_eq!(hook["files"], json!("\\.proto$"));
    assert_eq!(hook["language"], json!("rust"));
}

/// The lint hook blocks a commit that adds a lint finding and lets one through that leaves the
/// repository's old findings as they were.
#[test]
fn lint_hook_blocks_new_findings_only() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = Repo::new(pre_commit, &local_lint_config());
    // An old finding, committed before the hook was installed.
    repo.write(
        "proto/acme/user/v1/legacy.proto",
        "syntax = \"proto3\";\npackage acme.user.v1;\nmessage legacy_thing { string oldName = 1; }\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Legacy"]);
    let installed = repo.pre_commit(&["install"]);
    assert!(installed.status.success(), "{}", text(&installed));

    // A compatible, well-named change goes through despite the old findings.
    repo.write(USER, USER_CLEAN);
    repo.git(&["add", USER]);
    let commit = repo.try_git(&["commit", "-m", "Add a phone number"]);
    let out = text(&commit);
    assert!(commit.status.success(), "{out}");
    assert!(
        out.contains("protoguard lint") && out.contains("Passed"),
        "{out}"
    );

    // A new badly named field is refused, and only it is reported.
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.write(
        USER,
        &USER_CLEAN.replace(
            "  string phone = 4;\n",
            "  string phone = 4;\n  string faxNumber = 5;\n",
        ),
    );
    repo.git(&["add", USER]);
    let commit = repo.try_git(&["commit", "-m", "Add a fax number"]);
    let out = text(&commit);
    assert!(
        !commit.status.success(),
        "the commit must be blocked:\n{out}"
    );
    assert!(
        out.contains("FIELD_LOWER_SNAKE_CASE") && out.contains("faxNumber"),
        "{out}"
    );
    assert!(
        !out.contains("oldName"),
        "old findings are not reported:\n{out}"
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn manifest_hook_checks_staged_protos_against_head() {
    let hook = manifest_hook("protoguard-breaking");
    assert_eq!(
        hook["entry"],
        json!("protoguard breaking --staged --against HEAD")
    );
    assert_eq!(hook["pass_filenames"], json!(false));
    assert_eq!(hook["files"], json!("\\.proto$"));
    assert_eq!(hook["language"], json!("rust"));
}

#[test]
fn hook_blocks_a_staged_breaking_change_and_lets_a_clean_one_through() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = Repo::new(pre_commit, &local_config());
    let validate = repo.pre_commit(&["validate-config", ".pre-commit-config.yaml"]);
    assert!(validate.status.success(), "{}", text(&validate));

    // `pre-commit run` on the staged files, as the git hook would.
    repo.write(USER, USER_BREAKING);
    repo.git(&["add", USER]);
    let run = repo.pre_commit(&["run", "--hook-stage", "pre-commit"]);
    let out = text(&run);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(out.contains("protoguard breaking"), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        out.contains("FIELD_NO_DELETE"),
        "findings are printed:\n{out}"
    );

    // Installed as the git hook: the commit is refused and HEAD does not move.
    let installed = repo.pre_commit(&["install"]);
    assert!(installed.status.success(), "{}", text(&installed));
    let head = repo.git(&["rev-parse", "HEAD"]);
    let commit = repo.try_git(&["commit", "-m", "Delete the email field"]);
    let out = text(&commit);
    assert!(
        !commit.status.success(),
        "the commit must be blocked:\n{out}"
    );
    assert!(out.contains("FIELD_NO_DELETE"), "{out}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);

    // A clean change is committed.
    repo.write(USER, USER_CLEAN);
    repo.git(&["add", USER]);
    let commit = repo.try_git(&["commit", "-m", "Add a phone number"]);
    let out = text(&commit);
    assert!(commit.status.success(), "{out}");
    assert!(out.contains("Passed"), "{out}");
    assert_ne!(repo.git(&["rev-parse", "HEAD"]), head);

    // What is checked is what is staged: a breaking edit left unstaged does not block a commit
    // whose staged part is clean.
    repo.write(USER, &USER_CLEAN.replace("  string id = 1;\n", ""));
    repo.write(
        "proto/acme/user/v1/note.proto",
        "syntax = \"proto3\";\npackage acme.user.v1;\nmessage Note { string text = 1; }\n",
    );
    repo.git(&["add", "proto/acme/user/v1/note.proto"]);
    let commit = repo.try_git(&["commit", "-m", "Add notes"]);
    assert!(commit.status.success(), "{}", text(&commit));

    // A commit without .proto files skips the hook.
    repo.write(USER, USER_CLEAN);
    repo.write("README.md", "schemas\n");
    repo.git(&["add", "README.md"]);
    let commit = repo.try_git(&["commit", "-m", "Readme"]);
    let out = text(&commit);
    assert!(commit.status.success(), "{out}");
    assert!(out.contains("Skipped"), "{out}");
}

/// `pre-commit try-repo` on this checkout: pre-commit builds the hook with cargo exactly as users
/// get it. Slow (a release build), so only with PROTOGUARD_TEST_TRY_REPO=1. try-repo reads a
/// repository's commits (plus tracked changes), so the working tree's files, untracked ones
/// included, are committed to a temporary copy first.
#[test]
fn try_repo_builds_and_runs_the_published_hook() {
    if std::env::var_os("PROTOGUARD_TEST_TRY_REPO").is_none() {
        eprintln!(
            "SKIPPED: set PROTOGUARD_TEST_TRY_REPO=1 to build the hook with pre-commit try-repo"
        );
        return;
    }
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = Repo::new(pre_commit, &json!({ "repos": [] }));

    let copy = TempDir::new().unwrap();
    let files = Command::new("git")
        .current_dir(repo_root())
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .unwrap();
    assert!(files.status.success());
    for name in String::from_utf8(files.stdout).unwrap().split('\0') {
        let from = repo_root().join(name);
        if name.is_empty() || !from.is_file() {
            continue;
        }
        let to = copy.path().join(name);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&from, &to).unwrap();
    }
    let in_copy = |args: &[&str]| {
        let status = repo
            .command(Path::new("git"))
            .current_dir(copy.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    in_copy(&["init", "-q"]);
    in_copy(&["add", "-A"]);
    in_copy(&["commit", "-q", "-m", "protoguard as in the working tree"]);

    repo.write(USER, USER_BREAKING);
    repo.git(&["add", USER]);
    let run = repo.pre_commit(&[
        "try-repo",
        copy.path().to_str().unwrap(),
        "protoguard-breaking",
        "--hook-stage",
        "pre-commit",
    ]);
    let out = text(&run);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(out.contains("FIELD_NO_DELETE"), "{out}");
}

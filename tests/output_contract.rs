//! The output contract: exit code 2 means the check could not run and nothing was reported.
//! Report destinations are checked before the check runs; a write that still fails leaves no
//! report behind and never names protoguard's temporary files.

mod common;

use common::{commit_all, expect_code, git, protoguard, stderr, stdout, user_proto, write};

use tempfile::TempDir;

/// A repository whose working tree deletes a field of `main`'s user service (one finding).
fn breaking_repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(&dir.path().join(user_proto::USER), user_proto::USER_V1);
    commit_all(dir.path(), "v1");
    write(
        &dir.path().join(user_proto::USER),
        user_proto::USER_BREAKING,
    );
    dir
}

#[test]
fn an_output_destination_that_cannot_be_written_stops_the_check_before_it_reports() {
    let dir = breaking_repo();
    for (flag, value) in [
        ("--output", "sarif=/no/such/dir/x.sarif"),
        ("--summary", "/no/such/dir/summary.md"),
        ("--output", "junit=proto"),
    ] {
        let output = protoguard(
            dir.path(),
            &[
                "breaking",
                "--against",
                "main",
                "--format",
                "json",
                flag,
                value,
            ],
        );
        expect_code(&output, 2);
        assert_eq!(stdout(&output), "", "{flag} {value}: nothing on stdout");
        let err = stderr(&output);
        assert!(err.contains(value.rsplit('=').next().unwrap()), "{err}");
        assert!(!err.contains(".protoguard-write"), "{err}");
    }
}

/// One bad destination among several: nothing is written anywhere, not the good report, not
/// stdout, and no temporary file is left in the directory.
#[test]
fn no_report_is_left_behind_when_one_destination_fails() {
    let dir = breaking_repo();
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "main",
            "--output",
            "json=report.json",
            "--output",
            "sarif=taken",
        ],
    );
    let err = expect_code(&output, 2);
    assert!(err.contains("taken"), "{err}");
    assert!(!dir.path().join("report.json").exists());
    assert_eq!(stdout(&output), "");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".protoguard"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn reports_are_written_when_every_destination_is_fine() {
    let dir = breaking_repo();
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "main",
            "--format",
            "text",
            "--output",
            "json=out/report.json",
            "--summary",
            "summary.md",
        ],
    );
    // The directory of an output must exist, as for a shell redirection.
    let err = expect_code(&output, 2);
    assert!(err.contains("out"), "{err}");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let output = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "main",
            "--format",
            "text",
            "--output",
            "json=out/report.json",
            "--summary",
            "summary.md",
        ],
    );
    expect_code(&output, 1);
    assert!(stdout(&output).contains("FIELD_NO_DELETE"));
    assert!(dir.path().join("out/report.json").exists());
    assert!(dir.path().join("summary.md").exists());
}

/// `--error-format` is `--format` under buf's name, with buf's values; `text` names a severity
/// that is not error.
#[test]
fn error_format_takes_bufs_values_and_text_names_warnings() {
    let dir = breaking_repo();
    let github = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "main",
            "--error-format",
            "github-actions",
        ],
    );
    assert!(expect_code(&github, 1).contains("::error file="));
    let gitlab = protoguard(
        dir.path(),
        &[
            "breaking",
            "--against",
            "main",
            "--error-format",
            "gitlab-code-quality",
        ],
    );
    expect_code(&gitlab, 1);
    assert!(stdout(&gitlab).trim_start().starts_with('['));

    write(
        &dir.path().join("protoguard.toml"),
        "[breaking]\nseverity = { FIELD_NO_DELETE = \"warning\" }\n",
    );
    let text = protoguard(
        dir.path(),
        &["breaking", "--against", "main", "--error-format", "text"],
    );
    expect_code(&text, 0);
    assert!(
        stdout(&text).contains(".proto:5:9: warning: FIELD_NO_DELETE Previously present field"),
        "{}",
        stdout(&text)
    );
}

/// `explain` takes a category too, and lists its rules.
#[test]
fn explain_accepts_a_category() {
    let dir = TempDir::new().unwrap();
    let out = expect_code(&protoguard(dir.path(), &["explain", "wire_json"]), 0);
    assert!(out.starts_with("WIRE_JSON (breaking category, "), "{out}");
    assert!(out.contains("  FIELD_SAME_JSON_NAME "), "{out}");
    assert!(!out.contains("FILE_SAME_GO_PACKAGE"), "{out}");
    let err = expect_code(&protoguard(dir.path(), &["explain", "NOPE"]), 2);
    assert!(err.contains("unknown rule or category 'NOPE'"), "{err}");
}

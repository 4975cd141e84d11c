//! Every rule's fixtures, documentation examples and registry entry, checked together.
//!
//! A case is `testdata/breaking/<rule>/<case>/` with `previous/`, `current/`, a `protoguard.toml`
//! enabling only that rule, and `expected.txt`: the human output without colour at width 100.
//! `PROTOGUARD_BLESS=1 cargo test --test rules` rewrites the golden files and the documented
//! examples' findings blocks in `rules/breaking/`; review the diff.
//! `PROTOGUARD_CASES=field_same_type` limits the fixture tests to matching rule folders.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use protoguard::check::{self, Settings};
use protoguard::config::Config;
use protoguard::input::{GitRepo, Source};
use protoguard::registry::{self, BREAKING, BREAKING_CATEGORIES};
use protoguard::report::{self, Format, Human, Revisions};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/breaking")
}

fn run_case(dir: &Path, format: Format) -> (String, usize) {
    run_case_mode(dir, format, false)
}

fn run_case_mode(dir: &Path, format: Format, full: bool) -> (String, usize) {
    let config = Config::load(&dir.join("protoguard.toml")).expect("case config loads");
    // A case with `history/<step>/` compares `current/` with the last step of a git repository
    // built from the steps, one commit each (for rules that read the history ledger).
    let history = dir.join("history");
    let repo = history.is_dir().then(|| build_history(&history));
    let against = match &repo {
        Some(repo) => Source::GitRef {
            rev: "HEAD".to_owned(),
            merge_base: false,
            repo: Some(GitRepo {
                location: repo.path().display().to_string(),
                subdir: PathBuf::new(),
                typed: "history".to_owned(),
            }),
        },
        None => Source::Directory("previous".into()),
    };
    let mut settings = Settings::new(
        dir.to_owned(),
        Source::Directory("current".into()),
        against,
        config,
    );
    settings.full = full;
    let outcome = match check::breaking(&settings) {
        Ok(outcome) => outcome,
        Err(err) => {
            let mut out = Vec::new();
            report::render_error(
                &err,
                &Human {
                    color: false,
                    width: 100,
                },
                &mut out,
            )
            .unwrap();
            panic!(
                "{}: check failed:\n{}",
                dir.display(),
                String::from_utf8_lossy(&out)
            );
        }
    };
    let mut out = Vec::new();
    let revisions = Revisions {
        previous: &outcome.previous,
        current: &outcome.current,
    };
    report::render(
        format,
        &outcome.findings,
        &revisions,
        &Human {
            color: false,
            width: 100,
        },
        &mut out,
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), outcome.findings.len())
}

/// A git repository with one commit per step directory of `history` (in name order), each commit
/// holding exactly that step's files.
fn build_history(history: &Path) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(repo.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            // Fixed dates, so golden output that names a commit's date stays the same.
            .env("GIT_AUTHOR_DATE", "2025-03-02T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2025-03-02T12:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", repo.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    let mut steps: Vec<PathBuf> = fs::read_dir(history)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    steps.sort();
    for step in steps {
        for entry in fs::read_dir(repo.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name() != Some(".git".as_ref()) {
                if path.is_dir() {
                    fs::remove_dir_all(&path).unwrap();
                } else {
                    fs::remove_file(&path).unwrap();
                }
            }
        }
        copy_tree(&step, repo.path());
        git(&["add", "-A"]);
        git(&["commit", "-q", "--allow-empty", "-m", "step"]);
    }
    repo
}

/// All cases, or with `PROTOGUARD_CASES=<text>` only those whose path contains the text.
fn cases() -> Vec<PathBuf> {
    let filter = std::env::var("PROTOGUARD_CASES").unwrap_or_default();
    let mut cases = Vec::new();
    for rule in fs::read_dir(testdata()).unwrap() {
        let rule = rule.unwrap().path();
        if !rule.to_string_lossy().contains(&filter) {
            continue;
        }
        for case in fs::read_dir(&rule).unwrap() {
            cases.push(case.unwrap().path());
        }
    }
    cases.sort();
    cases
}

#[test]
fn every_case_matches_its_golden_output() {
    let bless = std::env::var_os("PROTOGUARD_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let (output, _) = run_case(&case, Format::Human);
        let expected_path = case.join("expected.txt");
        if bless {
            fs::write(&expected_path, &output).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != output {
            let diff = similar::TextDiff::from_lines(&expected, &output)
                .unified_diff()
                .header("expected.txt", "actual")
                .to_string();
            failures.push(format!("{}:\n{diff}", case.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (PROTOGUARD_BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}

/// Each case enables exactly the rule its folder is named after, and findings name only that rule.
#[test]
fn every_case_checks_only_its_rule() {
    for case in cases() {
        let rule = case
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_ascii_uppercase();
        let config = Config::load(&case.join("protoguard.toml")).unwrap();
        assert_eq!(
            config.breaking.use_,
            std::slice::from_ref(&rule),
            "{}",
            case.display()
        );
        let (text, _) = run_case(&case, Format::Text);
        for line in text.lines() {
            assert!(
                line.contains(&format!(": {rule} ")),
                "{}: {line}",
                case.display()
            );
        }
    }
}

/// Registry, documentation and fixtures agree both ways; every rule has a case that fires and one
/// that must not.
#[test]
fn registry_docs_and_fixtures_agree() {
    let ids: BTreeSet<&str> = BREAKING.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), BREAKING.len(), "duplicate rule IDs");
    for rule in BREAKING {
        let meta =
            registry::parse_front_matter(rule.doc).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
        assert_eq!(meta.id, rule.id);
        assert_eq!(meta.kind, "breaking", "{}", rule.id);
        // A rule in no category (buf's deprecated MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT) runs only
        // when selected by ID, and its documentation says so.
        assert!(
            !meta.categories.is_empty()
                || rule
                    .section("What it does")
                    .is_some_and(|s| s.contains("selected by ID")),
            "{} has no category and does not say that it runs only when selected by ID",
            rule.id
        );
        for category in &meta.categories {
            assert!(
                BREAKING_CATEGORIES.contains(&category.as_str()),
                "{}: unknown category {category}",
                rule.id
            );
        }
        for section in [
            "What it does",
            "Why is this breaking?",
            "Example",
            "How to evolve safely",
            "Known limitations",
        ] {
            assert!(
                rule.section(section).is_some_and(|s| !s.is_empty()),
                "{}: missing section '{section}'",
                rule.id
            );
        }
        let dir = testdata().join(rule.id.to_ascii_lowercase());
        assert!(
            dir.is_dir(),
            "{}: no fixtures at {}",
            rule.id,
            dir.display()
        );
        let (mut fires, mut quiet) = (false, false);
        for case in fs::read_dir(&dir).unwrap() {
            let case = case.unwrap().path();
            for part in ["previous", "current", "protoguard.toml", "expected.txt"] {
                let part = if part == "previous" && case.join("history").is_dir() {
                    "history"
                } else {
                    part
                };
                assert!(
                    case.join(part).exists(),
                    "{}: missing {part}",
                    case.display()
                );
            }
            let (_, count) = run_case(&case, Format::Text);
            fires |= count > 0;
            quiet |= count == 0;
        }
        assert!(fires, "{}: no case where the rule fires", rule.id);
        assert!(quiet, "{}: no case where the rule must stay quiet", rule.id);
    }
    for entry in fs::read_dir(testdata()).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .into_string()
            .unwrap()
            .to_ascii_uppercase();
        assert!(
            ids.contains(name.as_str()),
            "testdata/breaking/{} has no registered rule",
            name.to_lowercase()
        );
    }
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/breaking")).unwrap()
    {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.trim_end_matches(".md");
        assert!(
            ids.contains(id),
            "rules/breaking/{name} has no registered rule"
        );
    }
}

/// The `## Example` of every rule's documentation compiles and produces what it documents.
#[test]
fn every_documented_example_behaves_as_documented() {
    for rule in BREAKING {
        let example = rule
            .section("Example")
            .unwrap_or_else(|| panic!("{}: no example", rule.id));
        let dir = tempfile::tempdir().unwrap();
        let mut expected = None;
        let mut rest = example;
        while let Some(start) = rest.find("```") {
            let after = &rest[start + 3..];
            let info_end = after.find('\n').unwrap();
            let info = after[..info_end].trim();
            let body_end = after[info_end + 1..].find("```").unwrap();
            let body = &after[info_end + 1..info_end + 1 + body_end];
            rest = &after[info_end + 1 + body_end + 3..];
            match info.split_once(' ') {
                Some(("proto", path)) => {
                    let path = dir.path().join(path);
                    fs::create_dir_all(path.parent().unwrap()).unwrap();
                    fs::write(path, body).unwrap();
                }
                Some(("text", "findings")) => expected = Some(body.to_owned()),
                _ => panic!(
                    "{}: example block with unknown info string '{info}'",
                    rule.id
                ),
            }
        }
        for side in ["previous", "current"] {
            fs::create_dir_all(dir.path().join(side)).unwrap();
        }
        fs::write(
            dir.path().join("protoguard.toml"),
            format!("[breaking]\nuse = [\"{}\"]\n", rule.id),
        )
        .unwrap();
        let expected = expected
            .unwrap_or_else(|| panic!("{}: example has no ```text findings block", rule.id));
        let (actual, _) = run_case(dir.path(), Format::Text);
        if std::env::var_os("PROTOGUARD_BLESS").is_some() && actual != expected {
            // The data file is the rule's single source: rewrite its findings block in place.
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("rules/breaking")
                .join(format!("{}.md", rule.id));
            let text = fs::read_to_string(&path).unwrap();
            let block = format!("```text findings\n{expected}```");
            assert_eq!(text.matches(&block).count(), 1, "{}", rule.id);
            fs::write(
                &path,
                text.replace(&block, &format!("```text findings\n{actual}```")),
            )
            .unwrap();
            continue;
        }
        assert_eq!(
            actual, expected,
            "{}: documented example output differs (PROTOGUARD_BLESS=1 to accept)",
            rule.id
        );
    }
}

/// One punctuation convention across all messages: a sentence that starts with a capital letter
/// and ends with a full stop, with names in double quotes.
#[test]
fn messages_follow_one_punctuation_convention() {
    for case in cases() {
        let (text, _) = run_case(&case, Format::Text);
        for line in text.lines() {
            let message = line.split_once(": ").unwrap().1.split_once(' ').unwrap().1;
            assert!(message.ends_with('.'), "{}: {message}", case.display());
            assert!(
                message.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}: {message}",
                case.display()
            );
            assert!(
                !message.contains('\''),
                "{}: single quotes in {message}",
                case.display()
            );
        }
    }
}

/// Comparing only the files a change can affect gives exactly the findings of comparing every
/// file, on every fixture pair, with every rule enabled.
#[test]
fn change_based_and_full_comparison_agree_on_every_case() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        for side in ["previous", "current", "history"] {
            if case.join(side).is_dir() {
                copy_tree(&case.join(side), &dir.path().join(side));
            }
        }
        let all: Vec<String> = BREAKING.iter().map(|r| format!("\"{}\"", r.id)).collect();
        fs::write(
            dir.path().join("protoguard.toml"),
            format!("[breaking]\nuse = [{}]\n", all.join(", ")),
        )
        .unwrap();
        let (changed, _) = run_case_mode(dir.path(), Format::Text, false);
        let (full, _) = run_case_mode(dir.path(), Format::Text, true);
        assert_eq!(changed, full, "{}", case.display());
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Category membership matches buf's published table (testdata/buf_breaking_rules.tsv) for every
/// buf rule; protoguard's own rules are listed here.
#[test]
fn categories_match_bufs_published_table() {
    const PROTOGUARD_ONLY: &[&str] = &[
        "ENUM_DEFAULT_VALUE_SAME",
        "FIELD_NUMBER_NO_REUSE",
        "ENUM_VALUE_NUMBER_NO_REUSE",
        "FIELD_NAME_NO_REUSE",
        "ENUM_VALUE_NAME_NO_REUSE",
        "FIELD_RETIRED_RESERVED",
        "ENUM_VALUE_RETIRED_RESERVED",
    ];
    let table = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/buf_breaking_rules.tsv"),
    )
    .unwrap();
    let mut seen = BTreeSet::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (id, categories) = line.split_once('\t').unwrap();
        let rule = registry::find(id).unwrap_or_else(|| panic!("buf rule {id} is not registered"));
        let expected: Vec<&str> = if categories == "-" {
            vec![]
        } else {
            categories.split(',').collect()
        };
        assert_eq!(
            rule.meta().categories,
            expected,
            "{id}: categories differ from buf's table"
        );
        seen.insert(id);
    }
    assert_eq!(seen.len(), 65, "buf's v2 set has 65 breaking rules");
    for rule in BREAKING {
        assert!(
            seen.contains(rule.id) || PROTOGUARD_ONLY.contains(&rule.id),
            "{} is neither buf's nor listed as protoguard's own",
            rule.id
        );
    }
}

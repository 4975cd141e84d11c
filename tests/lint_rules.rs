//! Every lint rule's fixtures, documentation examples and registry entry, checked together.
//!
//! A case is `testdata/lint/<rule>/<case>/`: a tree of `.proto` files (the case folder is the
//! module root), a `protoguard.toml` enabling only that rule, and `expected.txt`: the human
//! output without colour at width 100. `PROTOGUARD_BLESS=1 cargo test --test lint_rules`
//! rewrites the golden files; review the diff. `PROTOGUARD_CASES=enum_pascal` limits the
//! fixture tests to matching rule folders.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use protoguard::check::Selection;
use protoguard::config::Config;
use protoguard::input::{LayoutFlags, Source};
use protoguard::lint::{self, LintSettings};
use protoguard::registry::{self, RuleKind, LINT, LINT_CATEGORIES};
use protoguard::report::{self, Command, Format, Human, Revisions};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lint")
}

fn run_case(dir: &Path, format: Format) -> (String, usize) {
    let config = Config::load(&dir.join("protoguard.toml")).expect("case config loads");
    // A directory input (not the working tree), so that paths are relative to the case folder.
    let settings = LintSettings {
        cwd: dir.parent().unwrap().to_owned(),
        current: Source::Directory(dir.file_name().unwrap().into()),
        against: None,
        config: None,
        against_config: None,
        discovered: config,
        layout: LayoutFlags::default(),
        selection: Selection::default(),
        full: false,
        report_unused_ignores: false,
        paths: Vec::new(),
        exclude_paths: Vec::new(),
    };
    let human = Human {
        color: false,
        width: 100,
    };
    let outcome = match lint::lint(&settings) {
        Ok(outcome) => outcome,
        Err(err) => {
            let mut out = Vec::new();
            report::render_error(&err, &human, &mut out).unwrap();
            panic!(
                "{}: lint failed:\n{}",
                dir.display(),
                String::from_utf8_lossy(&out)
            );
        }
    };
    let mut context = report::Context::new(
        Revisions {
            previous: &outcome.previous,
            current: &outcome.current,
        },
        human,
    );
    context.command = Command::Lint;
    let mut out = Vec::new();
    context.render(format, &outcome.findings, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), outcome.findings.len())
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

/// Each case enables exactly the rule its folder is named after, and findings name only that
/// rule; messages follow the punctuation convention of breaking rules.
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
            config.lint.use_,
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
            let message = line.split_once(&format!(": {rule} ")).unwrap().1;
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

/// Registry, documentation and fixtures agree both ways; every rule has a case that fires and one
/// that must not.
#[test]
fn registry_docs_and_fixtures_agree() {
    let ids: BTreeSet<&str> = LINT.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), LINT.len(), "duplicate rule IDs");
    for rule in LINT {
        assert!(
            registry::BREAKING.iter().all(|b| b.id != rule.id),
            "{} is both a breaking and a lint rule",
            rule.id
        );
        let meta =
            registry::parse_front_matter(rule.doc).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
        assert_eq!(meta.id, rule.id);
        assert_eq!(meta.kind, "lint", "{}", rule.id);
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
                LINT_CATEGORIES.contains(&category.as_str()),
                "{}: unknown category {category}",
                rule.id
            );
        }
        for section in [
            "What it does",
            "Why is this bad?",
            "Example",
            "How to fix",
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
            for part in ["protoguard.toml", "expected.txt"] {
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
            "testdata/lint/{} has no registered rule",
            name.to_lowercase()
        );
    }
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/lint")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.trim_end_matches(".md");
        assert!(ids.contains(id), "rules/lint/{name} has no registered rule");
    }
}

/// The `## Example` of every lint rule's documentation compiles and produces what it documents.
/// Its ```` ```proto path ```` blocks are the module; an optional ```` ```toml protoguard.toml ````
/// block sets options (the rule is enabled either way).
#[test]
fn every_documented_example_behaves_as_documented() {
    for rule in LINT {
        let example = rule
            .section("Example")
            .unwrap_or_else(|| panic!("{}: no example", rule.id));
        let dir = tempfile::tempdir().unwrap();
        let mut expected = None;
        let mut extra = String::new();
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
                Some(("toml", "protoguard.toml")) => extra = body.to_owned(),
                Some(("text", "findings")) => expected = Some(body.to_owned()),
                _ => panic!(
                    "{}: example block with unknown info string '{info}'",
                    rule.id
                ),
            }
        }
        fs::write(
            dir.path().join("protoguard.toml"),
            format!("[lint]\nuse = [\"{}\"]\n{extra}", rule.id),
        )
        .unwrap();
        let expected = expected
            .unwrap_or_else(|| panic!("{}: example has no ```text findings block", rule.id));
        let (actual, _) = run_case(dir.path(), Format::Text);
        assert_eq!(
            actual, expected,
            "{}: documented example output differs",
            rule.id
        );
    }
}

/// Category membership matches buf's published lint table (testdata/buf_lint_rules.tsv) for
/// every buf rule protoguard implements; protoguard's own rules are listed here. Rules of buf's
/// table that are not implemented yet are listed too, so that the list shrinks as they land.
#[test]
fn categories_match_bufs_published_table() {
    const PROTOGUARD_ONLY: &[&str] = &[
        "ENUM_ZERO_VALUE_UNSET_NAME",
        "ENUM_ZERO_VALUE_NO_ALIAS",
        "ENUM_ZERO_VALUE_NOT_ASSIGNED",
        "FIELD_CLOSED_ENUM_DEFAULT_ZERO",
    ];
    let table = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/buf_lint_rules.tsv"),
    )
    .unwrap();
    let mut seen = BTreeSet::new();
    let mut missing = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, categories, deprecated] = fields[..] else {
            panic!("bad line: {line}");
        };
        seen.insert(id);
        if deprecated == "yes" {
            assert!(
                registry::DEPRECATED.iter().any(|(d, _)| *d == id),
                "{id}: buf's deprecated rule is not accepted as a retired ID"
            );
            continue;
        }
        let Some(rule) = registry::find_in(RuleKind::Lint, id) else {
            missing.push(id);
            continue;
        };
        let expected: Vec<&str> = if categories == "-" {
            vec![]
        } else {
            categories.split(',').collect()
        };
        let own: Vec<&str> = rule
            .meta()
            .categories
            .iter()
            .map(String::as_str)
            .filter(|c| *c != "ENUM_ZERO_VALUE")
            .collect();
        assert_eq!(own, expected, "{id}: categories differ from buf's table");
    }
    assert_eq!(
        seen.len(),
        46,
        "buf's v2 lint set has 46 rules (one deprecated)"
    );
    for rule in LINT {
        assert!(
            seen.contains(rule.id) || PROTOGUARD_ONLY.contains(&rule.id),
            "{} is neither buf's nor listed as protoguard's own",
            rule.id
        );
    }
    // Every buf rule must be implemented eventually; until then the gap is written down here
    // and in the README, and this list may only shrink.
    let not_yet: BTreeSet<&str> = NOT_YET.iter().copied().collect();
    let missing: BTreeSet<&str> = missing.into_iter().collect();
    assert_eq!(
        missing, not_yet,
        "update NOT_YET: the buf lint rules protoguard does not implement yet"
    );
}

/// buf lint rules not implemented yet.
const NOT_YET: &[&str] = &[];

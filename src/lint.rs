//! The lint check, end to end: load the revision ([`crate::load`]), run the lint rules, and with
//! `--against` keep only the findings the change introduces, then filter.
//!
//! A finding is new when the previous revision had no finding of the same rule about the same
//! element (by full name, not by line: see [`Linted::element`]). A file that was renamed keeps
//! its identity: file-level findings of the new path are matched with those of the old one.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use prost_reflect::FileDescriptor;

use crate::check::{self, Outcome, Selection};
use crate::compile::Spans;
use crate::config::Config;
use crate::error::Result;
use crate::filter;
use crate::finding::Side;
use crate::input::{LayoutFlags, Source};
use crate::load;
use crate::registry::{Check, RuleKind};
use crate::rules::lint::{self, Linted};
use crate::schema::Schema;

/// Everything a lint needs, resolved from arguments. Rules, their options and the filter come
/// from the current revision's configuration, with the command line's selection laid over.
pub struct LintSettings {
    /// Where the paths the user typed are anchored and the git repository is found.
    pub cwd: PathBuf,
    pub current: Source,
    /// Report only the findings that are new since this revision.
    pub against: Option<Source>,
    /// `--config`: the current side's configuration.
    pub config: Option<Config>,
    /// `--against-config`: the previous side's configuration (its layout only).
    pub against_config: Option<Config>,
    /// The configuration for a side that has none of its own.
    pub discovered: Config,
    /// `--root`, `-I`, `--exclude`.
    pub layout: LayoutFlags,
    /// `--category`, `--rule`, `--except`.
    pub selection: Selection,
    /// With `against`: lint every file, not only those the change can affect.
    pub full: bool,
    /// Warn about inline ignores that silenced nothing.
    pub report_unused_ignores: bool,
    /// `--path`: report only findings in these files or directories. Empty: everywhere.
    pub paths: Vec<String>,
    /// `--exclude-path`: report no finding in these files or directories.
    pub exclude_paths: Vec<String>,
}

/// Lints the current revision; with `against`, reports only what the change introduces.
pub fn lint(settings: &LintSettings) -> Result<Outcome> {
    let inputs = load::Inputs {
        cwd: &settings.cwd,
        config: settings.config.as_ref(),
        against_config: settings.against_config.as_ref(),
        discovered: &settings.discovered,
        layout: &settings.layout,
    };
    let (previous, current) = match &settings.against {
        Some(against) => {
            let (previous, current) = load::load_pair(&inputs, against, &settings.current)?;
            (Some(previous), current)
        }
        None => (None, load::load_one(&inputs, &settings.current)?),
    };
    let rules = settings
        .selection
        .resolve_in(RuleKind::Lint, &current.config)?;
    let options = current.config.lint_options.clone();
    let mut filter_settings = current
        .config
        .filter_settings_for(RuleKind::Lint, &current.layout.roots)?;
    filter_settings.report_unused_ignores = settings.report_unused_ignores;
    let layout = current.layout;
    let mut notes = current.notes;
    let current = Arc::new(current.snapshot);
    let Some(previous) = previous else {
        let names = load::plan_all(&current, &layout)?;
        // Nearly every file of a whole revision gets a finding: keep the compile's spans, and
        // comments for the rules that read them (buf's COMMENTS category holds those).
        let comments = rules.iter().any(|r| {
            crate::registry::find_in(RuleKind::Lint, r.id)
                .is_some_and(|rule| rule.meta().categories.iter().any(|c| c == "COMMENTS"))
        });
        let spans = Spans::Kept { comments };
        let new = load::compile_one(&current, Side::Current, &names, spans)?;
        let previous = load::empty("(no previous revision)");
        let old = load::empty_schema(&previous);
        let findings = lint::run(&new, &rules, &options)
            .into_iter()
            .map(|l| l.finding)
            .collect();
        let mut findings = filter::apply(findings, &filter_settings, &rules, &old, &new);
        let compared = (0, new.files().len());
        // Freed here, not beside the report (load::release): a whole revision's report is
        // large (16,075 findings at 3,000 files), and built while the schema is freed on another
        // thread it takes fresh memory instead of the schema's (+28 MB of peak at 3,000 files).
        drop((old, new));
        finish(&mut findings, settings, &previous, &current)?;
        return Ok(Outcome {
            findings,
            previous,
            current,
            rules,
            compared,
            notes,
        });
    };
    notes.splice(0..0, previous.notes);
    let previous = Arc::new(previous.snapshot);
    let whole_revision = rules
        .iter()
        .any(|r| matches!(r.check, Check::Lint(c) if c.reads_whole_revision()));
    let names = load::plan_pair(&previous, &current, &layout, settings.full, whole_revision)?;
    let (old, new) = load::compile_pair(&previous, &current, &names)?;
    let before = lint::run(&old, &rules, &options);
    let after = lint::run(&new, &rules, &options);
    let findings = introduced(before, after, &renamed_files(&old, &new));
    let mut findings = filter::apply(findings, &filter_settings, &rules, &old, &new);
    // What the new findings are about, as for breaking: with `--against` they are few (what the
    // change introduced) and a reviewer asks who they reach; a lint of one revision can report
    // thousands, so it gets none (see docs/output-formats.md).
    crate::impact::attach(&mut findings, &old, &new, false);
    let compared = (old.files().len(), new.files().len());
    load::release((old, new));
    finish(&mut findings, settings, &previous, &current)?;
    Ok(Outcome {
        findings,
        previous,
        current,
        rules,
        compared,
        notes,
    })
}

/// Paths the user can open, `--path`/`--exclude-path`, and the report order, as for breaking.
fn finish(
    findings: &mut Vec<crate::finding::Finding>,
    settings: &LintSettings,
    previous: &crate::input::Snapshot,
    current: &crate::input::Snapshot,
) -> Result<()> {
    check::user_paths(findings, previous, current);
    check::restrict_paths(
        findings,
        (&settings.paths, &settings.exclude_paths),
        previous,
        current,
    )?;
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(())
}

/// The findings of `after` whose rule and element had no finding in `before`. `renamed` maps a
/// current file path to the previous path of the same file.
fn introduced(
    before: Vec<Linted>,
    after: Vec<Linted>,
    renamed: &BTreeMap<String, String>,
) -> Vec<crate::finding::Finding> {
    let known: HashSet<(&'static str, String)> = before
        .into_iter()
        .map(|l| (l.finding.rule, l.element))
        .collect();
    after
        .into_iter()
        .filter(|l| {
            let element = rename_element(&l.element, renamed);
            !known.contains(&(l.finding.rule, element))
        })
        .map(|l| l.finding)
        .collect()
}

/// The element identity with a renamed file's current path replaced by its previous path.
fn rename_element(element: &str, renamed: &BTreeMap<String, String>) -> String {
    if let Some(rest) = element.strip_prefix("file:") {
        let (path, detail) = rest
            .split_once('#')
            .map_or((rest, None), |(p, d)| (p, Some(d)));
        if let Some(old) = renamed.get(path) {
            return match detail {
                Some(detail) => format!("file:{old}#{detail}"),
                None => format!("file:{old}"),
            };
        }
    }
    element.to_owned()
}

/// Files that exist only in the current revision, paired with a file that exists only in the
/// previous one and declares the same package and the same top-level messages, enums, services
/// and extensions (a rename or a move, possibly with edits inside those declarations).
fn renamed_files(old: &Schema, new: &Schema) -> BTreeMap<String, String> {
    fn signature(file: &FileDescriptor) -> Option<(String, Vec<String>)> {
        let mut names: Vec<String> = file
            .messages()
            .map(|m| m.full_name().to_owned())
            .chain(file.enums().map(|e| e.full_name().to_owned()))
            .chain(file.services().map(|s| s.full_name().to_owned()))
            .chain(file.extensions().map(|e| e.full_name().to_owned()))
            .collect();
        if names.is_empty() {
            return None;
        }
        names.sort();
        Some((file.package_name().to_owned(), names))
    }
    let mut gone: BTreeMap<(String, Vec<String>), &str> = BTreeMap::new();
    for file in old.files() {
        if new.file(file.name()).is_none() {
            if let Some(signature) = signature(file) {
                gone.insert(signature, file.name());
            }
        }
    }
    new.files()
        .iter()
        .filter(|f| old.file(f.name()).is_none())
        .filter_map(|f| {
            let old_name = gone.get(&signature(f)?)?;
            Some((f.name().to_owned(), (*old_name).to_owned()))
        })
        .collect()
}

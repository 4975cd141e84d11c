//! The breaking check, end to end: load both revisions (each with its own configuration, see
//! [`crate::load`], shared with lint), select the rules from the current side's, plan which files
//! the change affects, compile both sides concurrently, pair and run the rules.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::filter::{self, FilterSettings};
use crate::finding::{Finding, Side};
use crate::input::{Content, Layout, LayoutFlags, Snapshot, Source};
use crate::load;
use crate::pairs;
use crate::registry::{self, Enabled, RuleKind};

/// Everything a breaking check needs, resolved from arguments: what to compare, and what the
/// command line says over the configuration each revision brings.
pub struct Settings {
    /// Where the paths the user typed are anchored and the git repository is found.
    pub cwd: PathBuf,
    pub current: Source,
    pub against: Source,
    /// `--config`: the current side's configuration, whatever the input holds.
    pub config: Option<Config>,
    /// `--against-config`: the previous side's configuration, whatever the input holds.
    pub against_config: Option<Config>,
    /// The configuration for a side that has none of its own: `--config`, else the one
    /// discovered from the working directory, else the defaults.
    pub discovered: Config,
    /// `--root`, `-I`, `--exclude`, laid over each side's configuration.
    pub layout: LayoutFlags,
    /// `--category`, `--rule` and `--except`, laid over the current side's configuration.
    pub selection: Selection,
    /// Compare every file, not only those the change can affect.
    pub full: bool,
    /// Warn about inline ignores that silenced nothing.
    pub report_unused_ignores: bool,
    /// Replaces the filter built from the current revision's configuration (for library users
    /// that build their own).
    pub filter: Option<FilterSettings>,
    /// `--path`: report only findings in these files or directories (as reported: relative to
    /// the repository root, or to the input directory). Empty: everywhere.
    pub paths: Vec<String>,
    /// `--exclude-path`: report no finding in these files or directories.
    pub exclude_paths: Vec<String>,
    /// `--impact-only`: findings that reach no RPC are warnings (also `impact_only` in the
    /// configuration's `[breaking]` section).
    pub impact_only: bool,
    /// `--all-debt`: the debt rules (FIELD_RETIRED_RESERVED, ENUM_VALUE_RETIRED_RESERVED) report
    /// every compared message and enum, not only those the change touches.
    pub all_debt: bool,
}

impl Settings {
    /// Compares `current` with `against` with the defaults: each revision's own configuration,
    /// else `discovered`; no flags.
    pub fn new(cwd: PathBuf, current: Source, against: Source, discovered: Config) -> Settings {
        Settings {
            cwd,
            current,
            against,
            config: None,
            against_config: None,
            discovered,
            layout: LayoutFlags::default(),
            selection: Selection::default(),
            full: false,
            report_unused_ignores: false,
            filter: None,
            paths: Vec::new(),
            exclude_paths: Vec::new(),
            impact_only: false,
            all_debt: false,
        }
    }
}

/// The rule selection given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Rule IDs and categories to run instead of the configured `use`; empty: the configured.
    pub uses: Vec<String>,
    /// Rule IDs and categories not to run, besides the configured `except`.
    pub except: Vec<String>,
}

impl Selection {
    /// The rules to run: the flags over `config`'s breaking section (the current revision's, as
    /// buf selects rules from the input's configuration).
    pub fn resolve(&self, config: &Config) -> Result<Vec<Enabled>> {
        self.resolve_in(RuleKind::Breaking, config)
    }

    /// Like [`Selection::resolve`], for the rules of `kind` (the `[lint]` section for lint).
    pub fn resolve_in(&self, kind: RuleKind, config: &Config) -> Result<Vec<Enabled>> {
        let name = config.name();
        let section = match kind {
            RuleKind::Breaking => &config.breaking,
            RuleKind::Lint => &config.lint,
        };
        let (uses, where_) = if self.uses.is_empty() {
            (section.use_.clone(), name.as_str())
        } else {
            (self.uses.clone(), "command line")
        };
        let mut except = section.except.clone();
        except.extend(self.except.iter().cloned());
        registry::select_in(kind, &uses, &except, &section.severity, where_)
    }
}

/// The outcome of a check: findings plus both revisions (for rendering source frames).
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub previous: Arc<Snapshot>,
    pub current: Arc<Snapshot>,
    /// The rules that ran, selected from the current revision's configuration and the flags.
    pub rules: Vec<Enabled>,
    /// How many files were compiled and compared on each side (previous, current).
    pub compared: (usize, usize),
    /// What loading the revisions took that the user should know (objects fetched into a
    /// partial clone), one sentence each, for stderr.
    pub notes: Vec<String>,
}

pub fn breaking(settings: &Settings) -> Result<Outcome> {
    compare(settings, prepare(settings)?)
}

/// Both revisions loaded, with what the current one selects: the half of a check before any
/// compilation, kept so that a fix can compare an edited current revision the same way.
#[derive(Clone)]
pub struct Loaded {
    pub previous: Arc<Snapshot>,
    pub current: Arc<Snapshot>,
    pub rules: Vec<Enabled>,
    pub filter: FilterSettings,
    pub layout: Layout,
    pub notes: Vec<String>,
    /// `--impact-only` or the current revision's `impact_only`.
    pub impact_only: bool,
}

/// Loads both revisions and resolves the rules and filters from the current one's
/// configuration.
pub fn prepare(settings: &Settings) -> Result<Loaded> {
    let inputs = load::Inputs {
        cwd: &settings.cwd,
        config: settings.config.as_ref(),
        against_config: settings.against_config.as_ref(),
        discovered: &settings.discovered,
        layout: &settings.layout,
    };
    let (previous, current) = load::load_pair(&inputs, &settings.against, &settings.current)?;
    let rules = settings.selection.resolve(&current.config)?;
    let impact_only = settings.impact_only || current.config.breaking.impact_only;
    let mut filter = match &settings.filter {
        Some(filter) => filter.clone(),
        None => current.config.filter_settings(&current.layout.roots)?,
    };
    filter.report_unused_ignores = settings.report_unused_ignores;
    Ok(Loaded {
        notes: previous.notes.into_iter().chain(current.notes).collect(),
        previous: Arc::new(previous.snapshot),
        current: Arc::new(current.snapshot),
        rules,
        filter,
        layout: current.layout,
        impact_only,
    })
}

/// Plans, compiles both revisions concurrently, pairs, runs the rules and filters: the check on
/// loaded revisions.
pub fn compare(settings: &Settings, loaded: Loaded) -> Result<Outcome> {
    let Loaded {
        previous,
        current,
        rules,
        filter: filter_settings,
        layout,
        notes,
        impact_only,
    } = loaded;
    let whole_packages = rules
        .iter()
        .any(|r| matches!(r.check, crate::registry::Check::Package(_)));
    let names = load::plan_pair(&previous, &current, &layout, settings.full, whole_packages)?;
    let (old, new) = load::compile_pair(&previous, &current, &names)?;
    let compared = (old.files().len(), new.files().len());
    let mut findings = pairs::run(&old, &new, &rules);
    let mut notes = notes;
    findings.extend(crate::history::run_rules(
        settings, &old, &new, &rules, &mut notes,
    ));
    let mut findings = filter::apply(findings, &filter_settings, &rules, &old, &new);
    crate::impact::attach(&mut findings, &old, &new, impact_only);
    load::release((old, new));
    user_paths(&mut findings, &previous, &current);
    restrict_paths(
        &mut findings,
        (&settings.paths, &settings.exclude_paths),
        &previous,
        &current,
    )?;
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(Outcome {
        findings,
        previous,
        current,
        rules,
        compared,
        notes,
    })
}

/// Rules and filters work on import names; the user gets paths they can open.
pub(crate) fn user_paths(findings: &mut [Finding], previous: &Snapshot, current: &Snapshot) {
    for finding in findings {
        let reached = finding.impact.iter_mut().flat_map(|i| &mut i.reaches);
        let locations = std::iter::once(&mut finding.location)
            .chain(finding.previous.as_mut())
            .chain(reached.filter_map(|r| r.location.as_mut()));
        for location in locations {
            let snapshot = match location.side {
                Side::Previous => previous,
                Side::Current => current,
            };
            let path = snapshot.path_of(&location.path);
            if path != location.path {
                location.path = path.to_owned();
            }
        }
    }
}

/// Keeps the findings `--path` selects and `--exclude-path` does not, as buf does: a finding is
/// in a path when either of its locations is (a deleted file is matched at its old path). A
/// `--path` that names no file of either revision is an error, as a typo would otherwise pass.
pub(crate) fn restrict_paths(
    findings: &mut Vec<Finding>,
    (paths, exclude_paths): (&[String], &[String]),
    previous: &Snapshot,
    current: &Snapshot,
) -> Result<()> {
    if paths.is_empty() && exclude_paths.is_empty() {
        return Ok(());
    }
    for wanted in paths.iter().chain(exclude_paths) {
        let exists = [previous, current]
            .iter()
            .any(|snapshot| match &snapshot.content {
                Content::Sources(sources) => sources
                    .files
                    .keys()
                    .any(|name| filter::path_matches(wanted, snapshot.path_of(name))),
                Content::Descriptors(set) => set
                    .set
                    .file
                    .iter()
                    .any(|f| filter::path_matches(wanted, f.name())),
            });
        if !exists {
            return Err(Error::with_help(
                format!(
                    "--path/--exclude-path {wanted}: no .proto file of {} or {} is at or under this path",
                    previous.label, current.label
                ),
                "paths are as protoguard reports them: relative to the repository root for the working tree and git revisions, to the input directory for a directory input",
            ));
        }
    }
    let matches = |finding: &Finding, list: &[String]| {
        std::iter::once(&finding.location)
            .chain(&finding.previous)
            .any(|l| list.iter().any(|p| filter::path_matches(p, &l.path)))
    };
    findings.retain(|f| (paths.is_empty() || matches(f, paths)) && !matches(f, exclude_paths));
    Ok(())
}

//! Filtering: what the configuration and inline comments say not to report. Applied to the
//! findings of all rules after pairing, with both revisions at hand (for packages and comments):
//! first the configured `ignore` and `ignore_only` paths and unstable packages ([`paths`]), then
//! inline `protoguard:ignore` comments ([`inline`]), which also report on themselves.

mod comment;
mod inline;
mod paths;

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Finding, Side};
use crate::registry::Enabled;
use crate::schema::Schema;

pub use comment::{parse_line, Directive, Kind};
pub use paths::{is_unstable_package, path_matches};

/// A `protoguard:ignore` comment without a reason (it silences all the same).
pub const IGNORE_WITHOUT_REASON: &str = "IGNORE_WITHOUT_REASON";
/// A `protoguard:ignore` comment that silenced nothing (with `report_unused_ignores`).
pub const UNUSED_IGNORE: &str = "UNUSED_IGNORE";
/// A `protoguard:ignore` comment naming a rule that does not exist.
pub const UNKNOWN_IGNORE_RULE: &str = "UNKNOWN_IGNORE_RULE";
/// The IDs of the warnings inline ignores report about themselves. They are not rules of the
/// registry: docs/inline-ignores.md documents them.
pub const META_RULES: &[&str] = &[IGNORE_WITHOUT_REASON, UNUSED_IGNORE, UNKNOWN_IGNORE_RULE];

/// What to leave out of the report, resolved from configuration and flags.
#[derive(Debug, Clone, Default)]
pub struct FilterSettings {
    /// Module-relative paths (files or directories) whose findings are not reported.
    pub ignore: Vec<String>,
    /// Rule ID → module-relative paths where that rule's findings are not reported (categories
    /// are expanded to their rule IDs when settings are resolved).
    pub ignore_only: BTreeMap<String, Vec<String>>,
    /// Leave out findings in packages whose last component is an unstable version
    /// (`v1alpha1`, `v1beta2`, `v1test`, …), as buf's option of the same name does.
    pub ignore_unstable_packages: bool,
    /// Report inline ignore comments that silenced nothing.
    pub report_unused_ignores: bool,
    /// Honour buf's `// buf:lint:ignore RULE_ID` comments for lint rules (buf.yaml v2's
    /// `disallow_comment_ignores: false`, v1's `allow_comment_ignores: true`). Never for
    /// breaking rules: buf honours the marker only in `buf lint`.
    pub buf_lint_ignores: bool,
}

/// Removes the findings the settings and inline comments silence, and adds the warnings about
/// inline ignores themselves. `rules` are the enabled rules (an unused ignore of a rule that is
/// not enabled says so).
pub fn apply(
    findings: Vec<Finding>,
    settings: &FilterSettings,
    rules: &[Enabled],
    old: &Schema,
    new: &Schema,
) -> Vec<Finding> {
    let paths = paths::PathFilter::new(settings);
    let mut ignores = inline::Ignores::new(old, new);
    ignores.buf_lint = settings.buf_lint_ignores;
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| !paths.excludes(f, old, new))
        .filter(|f| !ignores.silences(f))
        .collect();
    if settings.report_unused_ignores {
        for file in new.files() {
            if !paths.excludes_file(file.name(), new) {
                ignores.load(Side::Current, file.name());
            }
        }
    }
    let enabled: BTreeSet<&str> = rules.iter().map(|r| r.id).collect();
    kept.extend(
        ignores
            .report(settings.report_unused_ignores, &enabled)
            .into_iter()
            .filter(|f| !paths.excludes(f, old, new)),
    );
    kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    kept
}

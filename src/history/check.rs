//! The breaking rules that read the ledger (category HISTORY), run after the pair rules of a
//! breaking check on the same two schemas.

use super::{build, Options};

/// Runs the enabled rules that read the ledger (category HISTORY) for a breaking check: the
/// ledger is that of the previous revision when it is a git revision of a local repository
/// (its first-parent history up to it); otherwise they have nothing to read and report nothing.
/// A ledger that cannot be built is a note, not a failure of the check.
pub fn run_rules(
    settings: &crate::check::Settings,
    old: &crate::schema::Schema,
    new: &crate::schema::Schema,
    rules: &[crate::registry::Enabled],
    notes: &mut Vec<String>,
) -> Vec<crate::finding::Finding> {
    use crate::input::Source;
    use crate::registry::Check;
    let checks: Vec<_> = rules
        .iter()
        .filter_map(|r| match r.check {
            Check::History(f) => Some((r, f)),
            _ => None,
        })
        .collect();
    let Source::GitRef { rev, repo, .. } = &settings.against else {
        return Vec::new();
    };
    if checks.is_empty() || repo.as_ref().is_some_and(|r| r.is_remote()) {
        return Vec::new();
    }
    let at = match repo {
        Some(repo) if !repo.location.is_empty() => settings.cwd.join(&repo.location),
        _ => settings.cwd.clone(),
    };
    let options = Options {
        rev: rev.clone(),
        ..Options::default()
    };
    let ledger = match build(&at, &options) {
        Ok((ledger, _)) => ledger,
        Err(err) => {
            notes.push(format!(
                "the history rules did not run: the ledger of {rev} could not be built: {err}"
            ));
            return Vec::new();
        }
    };
    // A shallow clone hides what was retired before its boundary: the quiet answer would read
    // as "no reuse".
    if ledger.shallow {
        notes.push(format!(
            "the history rules read a shallow clone, so a number or name retired before it is not seen. {}",
            super::render::reach(&ledger)
        ));
    }
    let mut findings = Vec::new();
    let added = crate::rules::breaking::renames::Added::default();
    for (rule, check) in checks {
        // The history rules name no renamed types: `added` stays empty.
        let ctx = &mut crate::rules::Ctx::new(rule, old, new, &mut findings, &added);
        let read = super::Read {
            ledger: &ledger,
            all_debt: settings.all_debt,
        };
        check(ctx, &read);
    }
    findings
}

//! The breaking rules that read the ledger (category HISTORY), run after the pair rules of a
//! breaking check on the same two schemas.

use super::{build_for, Options, Wanted};
use crate::schema::Schema;

/// Runs the enabled rules that read the ledger (category HISTORY) for a breaking check: the
/// ledger is that of the previous revision when it is a git revision of a local repository
/// (its first-parent history up to it); otherwise they have nothing to read and report nothing.
/// A ledger that cannot be built is a note, not a failure of the check.
///
/// The rules judge only what the change adds or alters ([`wanted`]), so the ledger is built or
/// updated only when the change adds a member or alters a message or enum, and holds only
/// those elements: a change that touches no declaration pays nothing for it.
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
            Check::History(f, scope) => Some((r, f, scope)),
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
    let scopes: Vec<Scope> = checks.iter().map(|&(_, _, scope)| scope).collect();
    let wanted = wanted(old, new, &scopes, settings.all_debt);
    if wanted.is_empty() {
        return Vec::new();
    }
    let options = Options {
        rev: rev.clone(),
        ..Options::default()
    };
    let ledger = match build_for(&at, &options, Some(&wanted)) {
        Ok((ledger, stats)) => {
            notes.extend(stats.notes);
            ledger
        }
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
    } else if ledger.unreadable > 0 {
        notes.push(format!(
            "the history rules read a partial clone whose remote did not provide every file version, so what those versions retired is not seen. {}",
            super::render::reach(&ledger)
        ));
    }
    let mut findings = Vec::new();
    let added = crate::rules::breaking::renames::Added::default();
    for (rule, check, _) in checks {
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

/// What a history rule judges, and so which elements it asks the ledger about (a property of
/// the rule, in the registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The members the change adds (fields, values, extensions): their messages, enums and
    /// extendees. The reuse rules.
    AddedMembers,
    /// Every message and enum whose own declaration the change adds or alters (with
    /// `--all-debt`, every message and enum), and the extendees of added extensions. The debt
    /// rules.
    TouchedDeclarations,
}

/// The elements the enabled history rules (by their [`Scope`]s) look up, so the ledger holds
/// those and no other. Nothing wanted: no ledger at all.
pub fn wanted(old: &Schema, new: &Schema, scopes: &[Scope], all_debt: bool) -> Wanted {
    use crate::rules::breaking::ledger::{
        enums_touched, extensions_added, fields_added, messages_touched, values_added,
    };
    let mut out = Wanted::default();
    if scopes.contains(&Scope::TouchedDeclarations) {
        // Adding a member alters the declaration: this covers the reuse rules' elements too.
        for message in messages_touched(old, new, all_debt) {
            out.elements.insert(message.full_name().to_owned());
        }
        for enum_ in enums_touched(old, new, all_debt) {
            out.elements.insert(enum_.full_name().to_owned());
        }
    } else {
        for (message, _) in fields_added(old, new) {
            out.elements.insert(message.full_name().to_owned());
        }
        for (enum_, _) in values_added(old, new) {
            out.elements.insert(enum_.full_name().to_owned());
        }
    }
    for extension in extensions_added(old, new) {
        out.extendees
            .insert(extension.containing_message().full_name().to_owned());
    }
    out
}

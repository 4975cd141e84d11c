//! The commands that print what protoguard knows rather than check anything: `init`, `rules`
//! and `explain`.

use std::io::Write;

use super::{ignore_broken_pipe, RulesArgs};
use crate::check;
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::registry::{self, RuleKind};

pub(super) fn init(force: bool, from_buf: bool, out: &mut dyn Write) -> Result<()> {
    let cwd = std::env::current_dir()
        .map_err(|err| Error::invalid(format!("cannot read the current directory: {err}")))?;
    let outcome = config::init::run(&cwd, force, from_buf)?;
    let mut text = match &outcome.converted {
        Some(buf) => format!(
            "Wrote {} converted from {}.\n",
            outcome.path.display(),
            buf.display()
        ),
        None => format!(
            "Wrote {}; every key is commented out, with an example.\n",
            outcome.path.display()
        ),
    };
    if !outcome.conflicts.is_empty() {
        text.push_str(&format!(
            "The buf modules select rules differently ({} notes marked REVIEW in the file): protoguard applies one selection to every root.\n",
            outcome.conflicts.len()
        ));
    }
    if !outcome.deps.is_empty() {
        text.push_str(&format!(
            "The buf configuration depends on {} (Buf Schema Registry), which protoguard.toml cannot name: see the REVIEW notes in the file.\n",
            outcome.deps.join(", ")
        ));
    }
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(())
}

pub(super) fn rules(args: &RulesArgs, out: &mut dyn Write) -> Result<()> {
    let kinds: Vec<RuleKind> = [RuleKind::Breaking, RuleKind::Lint]
        .into_iter()
        .filter(|k| args.kind.as_deref().is_none_or(|name| name == k.name()))
        .collect();
    if !args.configured_only && args.format == "text" {
        return all_rules_text(&kinds, out);
    }
    // (rule, configured severity): every rule of the kinds, or those the configuration selects.
    let mut listed: Vec<(&registry::Rule, Option<Severity>)> = Vec::new();
    let mut source = None;
    if args.configured_only {
        let cwd = std::env::current_dir()
            .map_err(|err| Error::invalid(format!("cannot read the current directory: {err}")))?;
        let config = match &args.config {
            Some(value) => Config::from_flag("--config", value, &cwd)?,
            None => Config::discover(&cwd)?,
        };
        for &kind in &kinds {
            for enabled in check::Selection::default().resolve_in(kind, &config)? {
                if let Some(rule) = kind.rules().iter().find(|r| r.id == enabled.id) {
                    listed.push((rule, Some(enabled.severity)));
                }
            }
        }
        source = Some(match config.name().as_str() {
            "defaults" => "the defaults (no configuration found)".to_owned(),
            name => name.to_owned(),
        });
    } else {
        for &kind in &kinds {
            listed.extend(kind.rules().iter().map(|r| (r, None)));
        }
    }
    let text = if args.format == "json" {
        let rules: Vec<serde_json::Value> = listed
            .iter()
            .map(|(rule, severity)| {
                let meta = rule.meta();
                let mut value = serde_json::json!({
                    "id": rule.id,
                    "kind": meta.kind,
                    "categories": meta.categories,
                    "default_severity": meta.default.as_str(),
                    "summary": meta.summary,
                });
                if let Some(severity) = severity {
                    value["severity"] = severity.as_str().into();
                }
                value
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&rules)
            .map_err(|err| Error::invalid(format!("cannot render the rules: {err}")))?;
        text.push('\n');
        text
    } else {
        let width = listed.iter().map(|(r, _)| r.id.len()).max().unwrap_or(0);
        let mut text = format!(
            "{} rules selected by {}\n\n",
            listed.len(),
            source
                .as_deref()
                .unwrap_or("the defaults (no configuration found)")
        );
        for (rule, severity) in &listed {
            let meta = rule.meta();
            let severity = severity.unwrap_or(meta.default);
            text.push_str(&format!(
                "  {:width$}  {:8}  {:7}  {}\n",
                rule.id,
                meta.kind,
                severity.as_str(),
                meta.summary
            ));
        }
        text
    };
    ignore_broken_pipe(out.write_all(text.as_bytes()))
}

/// Every rule of `kinds`, grouped by kind and category, with the default selection of each kind.
fn all_rules_text(kinds: &[RuleKind], out: &mut dyn Write) -> Result<()> {
    let width = registry::all().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    let line = |text: &mut String, rule: &registry::Rule| {
        let meta = rule.meta();
        text.push_str(&format!(
            "  {:width$}  {:7}  {}\n",
            rule.id,
            meta.default.as_str(),
            meta.summary
        ));
    };
    for &kind in kinds {
        let title = match kind {
            RuleKind::Breaking => "Breaking rules (protoguard breaking)",
            RuleKind::Lint => "Lint rules (protoguard lint)",
        };
        text.push_str(&format!("{title}\n\n"));
        for category in kind.categories() {
            let members: Vec<_> = kind
                .rules()
                .iter()
                .filter(|r| r.meta().categories.iter().any(|c| c == category))
                .collect();
            text.push_str(&format!("{category} ({} rules)\n", members.len()));
            for rule in members {
                line(&mut text, rule);
            }
            text.push('\n');
        }
        let by_id: Vec<_> = kind
            .rules()
            .iter()
            .filter(|r| r.meta().categories.is_empty())
            .collect();
        if !by_id.is_empty() {
            text.push_str(&format!(
                "In no category, run only when selected by ID ({} rules)\n",
                by_id.len()
            ));
            for rule in by_id {
                line(&mut text, rule);
            }
            text.push('\n');
        }
        text.push_str(&format!(
            "{} {} rules. Default selection: {}.\n\n",
            kind.rules().len(),
            kind.name(),
            kind.default_use()
        ));
    }
    text.push_str("`protoguard explain RULE_ID` prints a rule's documentation.\n");
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(())
}

pub(super) fn explain(id: &str, out: &mut dyn Write) -> Result<()> {
    let wanted = id.to_ascii_uppercase();
    if let Some((old, replacements)) = registry::DEPRECATED.iter().find(|(d, _)| *d == wanted) {
        let text = match replacements {
            [] => format!(
                "{old} is a retired buf rule ID that checks nothing any more; protoguard accepts it in configuration and runs nothing for it.\n"
            ),
            [one] => format!(
                "{old} is a retired buf rule ID; protoguard runs {one} for it. See `protoguard explain {one}`.\n"
            ),
            many => format!(
                "{old} is a retired buf rule ID; protoguard runs {} for it.\n",
                many.join(", ")
            ),
        };
        ignore_broken_pipe(out.write_all(text.as_bytes()))?;
        return Ok(());
    }
    // A category: what it is for and the rules in it.
    let members: Vec<&registry::Rule> = registry::all()
        .filter(|r| r.meta().categories.contains(&wanted))
        .collect();
    if let Some(first) = members.first() {
        let mut text = format!(
            "{wanted} ({} category, {} rules; `--category {wanted}` runs them)\n\n",
            first.meta().kind,
            members.len()
        );
        let width = members.iter().map(|r| r.id.len()).max().unwrap_or(0);
        for rule in &members {
            text.push_str(&format!("  {:width$}  {}\n", rule.id, rule.meta().summary));
        }
        text.push_str("\n`protoguard explain RULE_ID` documents a rule.\n");
        ignore_broken_pipe(out.write_all(text.as_bytes()))?;
        return Ok(());
    }
    let Some(rule) = registry::find(&wanted) else {
        let near: Vec<&str> = registry::all()
            .map(|r| r.id)
            .filter(|r| r.contains(&wanted) || wanted.contains(r))
            .collect();
        let help = if near.is_empty() {
            "`protoguard rules` lists every rule ID".to_owned()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(Error::with_help(
            format!("unknown rule or category '{id}'"),
            help,
        ));
    };
    let meta = rule.meta();
    let text = format!(
        "{} ({} rule; categories: {}; default severity: {})\n\n{}\n",
        rule.id,
        meta.kind,
        meta.categories.join(", "),
        meta.default.as_str(),
        rule.body().trim()
    );
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(())
}

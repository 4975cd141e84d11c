//! `--summary FILE` (or `--format markdown`): a Markdown summary for `$GITHUB_STEP_SUMMARY` or a
//! pull-request comment. A verdict headline, counts per rule and per category (a rule counts in
//! each of its categories), a table of findings linked to their lines (at most [`MAX_ROWS`], then
//! a line saying how many more), and what to do next. Links go to `link_base` when the CLI knows
//! the repository's web address (on GitHub Actions), else they are relative.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{plural, rule_docs_url, sarif::uri, span, Context};
use crate::finding::{Finding, Location, Severity, Side};
use crate::registry::BREAKING_CATEGORIES;

/// The most findings listed in the table; GitHub caps a step summary at 1 MiB.
pub const MAX_ROWS: usize = 100;

pub fn render(findings: &[Finding], context: &Context, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::new();
    let previous = context.revisions.label(Side::Previous);
    let current = context.revisions.label(Side::Current);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let rules = context.reported_rules(findings);
    let counts = format!(
        "{errors} {}, {warnings} {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    );
    let compared = match context.command {
        super::Command::Lint => format!("`{}`", code(current)),
        _ => format!("`{}` compared with `{}`", code(current), code(previous)),
    };
    let (what, title, none) = match context.command {
        super::Command::Breaking => ("breaking changes", "protoguard", "no breaking changes"),
        super::Command::Lint => ("lint findings", "protoguard lint", "no lint findings"),
        super::Command::LintAgainst => (
            "new lint findings",
            "protoguard lint",
            "no new lint findings",
        ),
    };
    if errors > 0 {
        let _ = writeln!(md, "## ❌ {title}: {counts}\n");
        let _ = writeln!(
            md,
            "{compared}: {what} at error severity, so the check fails (exit code 1).\n"
        );
    } else if warnings > 0 {
        let _ = writeln!(md, "## ⚠️ {title}: {counts}\n");
        let _ = writeln!(
            md,
            "{compared}: no {what} at error severity, so the check passes; the warnings below deserve a look.\n"
        );
    } else {
        let _ = writeln!(md, "## ✅ {title}: {none}\n");
        let _ = writeln!(
            md,
            "{compared}: {} {} checked, nothing found.",
            rules.len(),
            plural(rules.len(), "rule", "rules")
        );
        return out.write_all(md.as_bytes());
    }

    // Counts per rule, in the order rules are reported.
    md.push_str("### By rule\n\n| Rule | Categories | Errors | Warnings |\n|---|---|--:|--:|\n");
    for rule in &rules {
        let of_rule = findings.iter().filter(|f| f.rule == rule.id);
        let errors = of_rule
            .clone()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let total = of_rule.count();
        if total == 0 {
            continue;
        }
        let _ = writeln!(
            md,
            "| [{id}]({url}) | {categories} | {errors} | {warnings} |",
            id = rule.id,
            url = rule_docs_url(rule.id),
            categories = rule.categories().join(", "),
            warnings = total - errors
        );
    }

    let mut by_category: BTreeMap<usize, (&str, usize)> = BTreeMap::new();
    for finding in findings {
        let categories = rules
            .iter()
            .find(|r| r.id == finding.rule)
            .map_or(&[][..], |r| r.categories());
        for category in categories {
            let rank = BREAKING_CATEGORIES
                .iter()
                .position(|c| c == category)
                .unwrap_or(BREAKING_CATEGORIES.len());
            by_category.entry(rank).or_insert((category.as_str(), 0)).1 += 1;
        }
    }
    if !by_category.is_empty() {
        md.push_str("\n### By category\n\nA rule counts in each of its categories.\n\n| Category | Findings |\n|---|--:|\n");
        for (category, count) in by_category.values() {
            let _ = writeln!(md, "| {category} | {count} |");
        }
    }

    by_service(findings, context.command, &mut md);

    md.push_str("\n### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for finding in findings.iter().take(MAX_ROWS) {
        let mut message = inline(&finding.message);
        if let Some(help) = &finding.help {
            let _ = write!(message, "<br>help: {}", inline(help));
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {message} |",
            finding.severity.as_str(),
            finding.rule,
            link(&finding.location, context.link_base.as_deref(), previous)
        );
    }
    if findings.len() > MAX_ROWS {
        let more = findings.len() - MAX_ROWS;
        let _ = writeln!(
            md,
            "\n…and {more} more {} not listed here: the job log, or `--format json`, has them all.",
            plural(more, "finding", "findings")
        );
    }

    md.push_str(
        "\n### What to do next\n\n\
         - **Read the rule.** Each rule ID links to its documentation: which consumers break and how to evolve the schema safely (`protoguard explain RULE_ID` prints the same).\n\
         - **Undo, or reserve.** If the change is not intended, restore the element. If an element is deleted on purpose, reserve its number and name so that nothing can reuse them (`reserved 3; reserved \"email\";`); each finding's help gives the exact line.\n\
         - **Accept it deliberately.** If the break is intended (nothing has shipped against it yet), say so next to the element, with a reason: `// protoguard:ignore RULE_ID reason` (see docs/inline-ignores.md), or use `ignore_only` in `protoguard.toml` for a path.\n",
    );
    out.write_all(md.as_bytes())
}

/// The table "what this change breaks, by service" (for `lint --against`: "where the new lint
/// findings are, by service"): for each service reached, the RPCs reached and how many findings
/// reach them; then the findings no RPC reaches. Left out when no impact was computed (neither
/// revision declares a service, or a lint of one revision).
fn by_service(findings: &[Finding], command: super::Command, md: &mut String) {
    let mut services: BTreeMap<&str, (BTreeSet<&str>, usize, usize)> = BTreeMap::new();
    let mut unreached = (0, 0);
    let mut any = false;
    for finding in findings {
        let Some(impact) = &finding.impact else {
            continue;
        };
        any = true;
        let error = usize::from(finding.severity == Severity::Error);
        if impact.reaches.is_empty() {
            unreached.0 += error;
            unreached.1 += 1 - error;
        }
        for service in impact.services() {
            let entry = services.entry(service).or_default();
            entry.1 += error;
            entry.2 += 1 - error;
            let rpcs = impact.reaches.iter().filter(|r| r.service() == service);
            entry
                .0
                .extend(rpcs.map(|r| r.rpc.rsplit_once('.').map_or("", |(_, m)| m)));
        }
    }
    if !any {
        return;
    }
    let title = match command {
        super::Command::Breaking => "What this change breaks",
        _ => "Where the new lint findings are",
    };
    let _ = write!(
        md,
        "\n### {title}, by service\n\nA finding counts for every service whose requests, responses or custom options hold the element it is about.\n\n| Service | RPCs reached | Errors | Warnings |\n|---|---|--:|--:|\n"
    );
    for (service, (rpcs, errors, warnings)) in &services {
        let rpcs: Vec<String> = rpcs.iter().map(|r| format!("`{r}`")).collect();
        let _ = writeln!(
            md,
            "| `{}` | {} | {errors} | {warnings} |",
            code(service),
            rpcs.join(", ")
        );
    }
    if unreached != (0, 0) {
        let _ = writeln!(
            md,
            "| reached by no RPC | — | {} | {} |",
            unreached.0, unreached.1
        );
    }
}

/// A location as a link to its line: `[path:line](base/path#Lline)`. A location in the previous
/// revision is not linked when links go to the current commit, where the file may be gone.
fn link(location: &Location, base: Option<&str>, previous: &str) -> String {
    let line = span(location).start_line;
    let text = format!("{}:{line}", inline(&location.path));
    match (location.side, base) {
        (Side::Previous, _) => format!("{text} (in {})", inline(previous)),
        (Side::Current, Some(base)) => format!("[{text}]({base}{}#L{line})", uri(&location.path)),
        (Side::Current, None) => format!("[{text}]({}#L{line})", uri(&location.path)),
    }
}

/// Text for a table cell: Markdown punctuation escaped outside code spans, `|` escaped
/// everywhere (GitHub splits cells on it even inside code spans), line breaks as `<br>`.
fn inline(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let balanced = text.matches('`').count().is_multiple_of(2);
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '#' | '!' if !in_code => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for a code span in prose: backticks would end it early.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, render};
    use crate::report::Format;

    #[test]
    fn cells_are_escaped_outside_code() {
        assert_eq!(
            inline("a_b *c* [d] | `x_y | z` <e>\nf"),
            "a\\_b \\*c\\* \\[d\\] \\| `x_y \\| z` \\<e\\><br>f"
        );
        assert_eq!(inline("odd ` tick_"), "odd \\` tick\\_");
    }

    #[test]
    fn links_to_lines() {
        let f = finding("FIELD_NO_DELETE", "acme/v1/user.proto", 4, "Gone.");
        assert_eq!(
            link(&f.location, None, "main"),
            "[acme/v1/user.proto:4](acme/v1/user.proto#L4)"
        );
        assert_eq!(
            link(
                &f.location,
                Some("https://github.com/o/r/blob/abc/"),
                "main"
            ),
            "[acme/v1/user.proto:4](https://github.com/o/r/blob/abc/acme/v1/user.proto#L4)"
        );
        let old = f.previous.unwrap();
        assert_eq!(
            link(&old, Some("https://x/"), "main"),
            "acme/v1/user.proto:6 (in main)"
        );
    }

    #[test]
    fn clean_and_failing_summaries() {
        let clean = render(Format::Markdown, &[], "");
        assert!(clean.starts_with("## ✅ protoguard: no breaking changes\n"));
        let many: Vec<_> = (0..105)
            .map(|i| finding("FIELD_NO_DELETE", "a.proto", i + 1, "Gone."))
            .collect();
        let out = render(Format::Markdown, &many, "proto/");
        assert!(out.starts_with("## ❌ protoguard: 105 errors, 0 warnings\n"));
        assert!(out.contains("| [FIELD_NO_DELETE]("));
        assert!(out.contains("| FILE | 105 |"));
        assert!(out.contains("[proto/a.proto:100](proto/a.proto#L100)"));
        assert!(!out.contains("proto/a.proto:101]"));
        assert!(out.contains("…and 5 more findings not listed here"));
        assert!(out.contains("### What to do next"));
    }
}

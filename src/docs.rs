//! Generated documentation: `docs/rules/` is rendered from the rule data files under `rules/`.
//! The files are committed; a test renders them in memory and fails when they differ
//! (`PROTOGUARD_BLESS=1 cargo test --test docs` rewrites them).

use crate::registry::{Rule, RuleKind, BREAKING, LINT};

/// `docs/rules/README.md`: every rule of each kind with its categories and summary.
pub fn rules_index() -> String {
    let mut out = String::from(
        "<!-- Generated from rules/ by `PROTOGUARD_BLESS=1 cargo test --test docs`; do not edit. -->\n\n# Rules\n\n",
    );
    out.push_str(&format!(
        "protoguard has {} breaking rules (`protoguard breaking`) and {} lint rules \
         (`protoguard lint`). Categories are not nested: each rule lists the categories it belongs \
         to. The default selections are FILE for breaking and STANDARD for lint, as in buf.\n\n",
        BREAKING.len(),
        LINT.len()
    ));
    for kind in [RuleKind::Breaking, RuleKind::Lint] {
        let title = match kind {
            RuleKind::Breaking => "## Breaking rules\n\n",
            RuleKind::Lint => "\n## Lint rules\n\n",
        };
        out.push_str(title);
        let categories = kind.categories();
        out.push_str("| Rule | ");
        out.push_str(&categories.join(" | "));
        out.push_str(" | Summary |\n|---|");
        out.push_str(&"---|".repeat(categories.len()));
        out.push_str("---|\n");
        for rule in kind.rules() {
            let meta = rule.meta();
            out.push_str(&format!("| [{id}]({id}.md) |", id = rule.id));
            for category in categories {
                let mark = if meta.categories.iter().any(|c| c == category) {
                    " ✓ |"
                } else {
                    " |"
                };
                out.push_str(mark);
            }
            out.push_str(&format!(" {} |\n", meta.summary));
        }
    }
    out
}

/// `docs/rules/<ID>.md`: the rule's documentation with its metadata as a table.
pub fn rule_page(rule: &Rule) -> String {
    let meta = rule.meta();
    let mut out = format!(
        "<!-- Generated from rules/{}/{}.md; do not edit. -->\n\n",
        rule.kind().name(),
        rule.id
    );
    let body = rule.body().trim_start();
    // Keep the title first, then the metadata table.
    let (title, rest) = body.split_once('\n').unwrap_or((body, ""));
    out.push_str(title);
    out.push_str("\n\n| kind | categories | default severity | since |\n|---|---|---|---|\n");
    out.push_str(&format!(
        "| {} | {} | {} | {} |\n\n{}\n",
        meta.kind,
        meta.categories.join(", "),
        meta.default.as_str(),
        meta.since,
        meta.summary
    ));
    out.push_str(rest.trim_end());
    out.push('\n');
    out
}

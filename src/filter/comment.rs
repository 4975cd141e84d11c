//! The syntax of inline ignore comments: one comment line, `protoguard:ignore` (or buf's
//! `buf:lint:ignore`) followed by rule IDs and a reason. Parsing only; where a directive applies
//! is [`super::inline`]'s business.

/// Which marker a directive uses, and so which rules it may silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `protoguard:ignore`: any protoguard rule.
    Protoguard,
    /// `buf:lint:ignore`: lint rules only (buf honours it only in `buf lint`).
    BufLint,
}

impl Kind {
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Protoguard => PROTOGUARD,
            Kind::BufLint => BUF_LINT,
        }
    }
}

const PROTOGUARD: &str = "protoguard:ignore";
const BUF_LINT: &str = "buf:lint:ignore";

/// One parsed ignore comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub kind: Kind,
    /// The rule IDs as written (possibly unknown or mistyped); empty when none is named.
    pub rules: Vec<String>,
    /// Why the ignore is safe; `None` when nothing follows the rule IDs.
    pub reason: Option<String>,
}

/// Parses one comment line (as `SourceCodeInfo` gives it: without `//`, and for block comments
/// without the leading `*`). The marker must start the line, after blanks.
///
/// `protoguard:ignore RULE_A, RULE_B reason…`: rule IDs are separated by commas (blanks around a
/// comma are allowed); the first blank that does not precede a comma ends the list, and what
/// follows is the reason, with a leading `:`, `-`, `–` or `—` separator dropped. Blanks alone
/// cannot separate IDs, since a reason may well start with a capitalised word. As buf does,
/// `buf:lint:ignore` takes the first rule ID only.
pub fn parse_line(line: &str) -> Option<Directive> {
    let line = line.trim_start();
    let line = line.strip_prefix('*').unwrap_or(line).trim_start();
    let (kind, rest) = [Kind::Protoguard, Kind::BufLint]
        .into_iter()
        .find_map(|kind| line.strip_prefix(kind.marker()).map(|rest| (kind, rest)))?;
    // `protoguard:ignoreFOO` and `protoguard:ignored` are prose, not directives.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut rules = Vec::new();
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        rules.push(rest[..end].to_owned());
        let after = rest[end..].trim_start();
        match after.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => {
                rest = after;
                break;
            }
        }
    }
    if kind == Kind::BufLint {
        rules.truncate(1);
    }
    let reason = rest
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—'))
        .trim_end()
        .trim_end_matches("*/")
        .trim_end();
    Some(Directive {
        kind,
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind, the rule IDs joined by commas, and the reason.
    fn parse(line: &str) -> (Kind, String, Option<String>) {
        let d = parse_line(line).unwrap_or_else(|| panic!("not a directive: {line:?}"));
        (d.kind, d.rules.join(","), d.reason)
    }

    #[test]
    fn one_rule_and_a_reason() {
        assert_eq!(
            parse(" protoguard:ignore FIELD_NO_DELETE clients never read it"),
            (
                Kind::Protoguard,
                "FIELD_NO_DELETE".to_owned(),
                Some("clients never read it".to_owned())
            )
        );
    }

    #[test]
    fn several_rules_separated_by_commas() {
        for line in [
            "protoguard:ignore A_RULE, B_RULE Reason here",
            "protoguard:ignore A_RULE,B_RULE Reason here",
            "protoguard:ignore A_RULE , B_RULE: Reason here",
            "protoguard:ignore A_RULE, B_RULE -- Reason here",
            "protoguard:ignore A_RULE, B_RULE — Reason here",
        ] {
            assert_eq!(
                parse(line),
                (
                    Kind::Protoguard,
                    "A_RULE,B_RULE".to_owned(),
                    Some("Reason here".to_owned())
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn blanks_do_not_separate_rules() {
        assert_eq!(
            parse("protoguard:ignore A_RULE API v1 is frozen"),
            (
                Kind::Protoguard,
                "A_RULE".to_owned(),
                Some("API v1 is frozen".to_owned())
            )
        );
    }

    #[test]
    fn no_reason() {
        for line in [
            "protoguard:ignore A_RULE",
            "protoguard:ignore A_RULE   ",
            "protoguard:ignore A_RULE:",
            "protoguard:ignore A_RULE, B_RULE -",
            "protoguard:ignore A_RULE */",
        ] {
            assert_eq!(parse(line).2, None, "{line}");
        }
    }

    #[test]
    fn no_rule() {
        assert_eq!(parse("protoguard:ignore").1, "");
        assert_eq!(
            parse("protoguard:ignore  - because").2.as_deref(),
            Some("because")
        );
    }

    #[test]
    fn block_comment_lines_and_blanks() {
        assert_eq!(parse(" * protoguard:ignore A_RULE why").1, "A_RULE");
        assert_eq!(parse("\tprotoguard:ignore A_RULE why").1, "A_RULE");
    }

    #[test]
    fn the_marker_must_start_the_line() {
        for line in [
            "see protoguard:ignore A_RULE why",
            "protoguard:ignoreA_RULE why",
            "protoguard:ignored A_RULE",
            "protoguard: ignore A_RULE why",
            "buf:lint:ignoreA_RULE",
        ] {
            assert_eq!(parse_line(line), None, "{line}");
        }
    }

    #[test]
    fn buf_lint_takes_the_first_rule_only() {
        assert_eq!(
            parse("buf:lint:ignore SERVICE_SUFFIX, RPC_REQUEST_STANDARD_NAME legacy"),
            (
                Kind::BufLint,
                "SERVICE_SUFFIX".to_owned(),
                Some("legacy".to_owned())
            )
        );
        assert_eq!(parse("buf:lint:ignore SERVICE_SUFFIX").2, None);
    }
}

//! Inline ignores: a `protoguard:ignore` comment on an element silences its rules for findings
//! located on that element or inside it (by span), in the revision the comment stands in. Ignores
//! are found by element, never by file path, so they follow an element that moves to another
//! file. Comments are read lazily, per file, only where a finding needs them (and, to report
//! unused ignores, in every compared file), so the cost grows with the findings.
//!
//! The ignores also report on themselves: see docs/inline-ignores.md for the three warnings.

use std::collections::{BTreeSet, HashMap};

use prost_reflect::FileDescriptor;

use crate::finding::{Finding, Kind as FindingKind, Location, Severity, Side, Span};
use crate::registry::{self, BREAKING_CATEGORIES, DEPRECATED};
use crate::schema::Schema;

use super::comment::{parse_line, Directive, Kind};
use super::{IGNORE_WITHOUT_REASON, UNKNOWN_IGNORE_RULE, UNUSED_IGNORE};

/// Field numbers in `FileDescriptorProto` of the statements that stand for the whole file: a
/// directive on `syntax`, `edition` or `package` covers every element of the file.
const FILE_PACKAGE: i32 = 2;
const FILE_SYNTAX: i32 = 12;
const FILE_EDITION: i32 = 14;

/// The inline ignores of both revisions, read file by file when needed.
pub(crate) struct Ignores<'s> {
    old: &'s Schema,
    new: &'s Schema,
    /// The directives read so far, by path, in the previous and the current revision.
    previous: HashMap<String, Vec<Placed>>,
    current: HashMap<String, Vec<Placed>>,
    /// Whether `buf:lint:ignore` comments silence lint rules.
    pub buf_lint: bool,
}

/// A directive where it stands.
struct Placed {
    directive: Directive,
    scope: Scope,
    /// The element the comment belongs to, for reports when the comment line is not found.
    element: Option<Span>,
    /// The directive as it stands in the source, from the marker on, to find its line.
    text: String,
    trailing: bool,
    /// For each of `directive.rules`, whether it silenced a finding.
    used: Vec<bool>,
}

enum Scope {
    File,
    Element(Span),
    /// The element has no recorded span: the directive cannot cover anything.
    Nowhere,
}

impl Placed {
    /// Returns `true` if a finding at `span` lies on the directive's element or inside it.
    fn covers(&self, span: Option<Span>) -> bool {
        match (&self.scope, span) {
            (Scope::File, _) => true,
            (Scope::Element(element), Some(span)) => {
                (element.start_line, element.start_column) <= (span.start_line, span.start_column)
                    && (span.end_line, span.end_column) <= (element.end_line, element.end_column)
            }
            _ => false,
        }
    }
}

impl<'s> Ignores<'s> {
    pub fn new(old: &'s Schema, new: &'s Schema) -> Self {
        Ignores {
            old,
            new,
            previous: HashMap::new(),
            current: HashMap::new(),
            buf_lint: false,
        }
    }

    /// Returns `true` if an inline ignore silences the finding, and records which did.
    pub fn silences(&mut self, finding: &Finding) -> bool {
        let mut silenced = self.silence_at(&finding.location, finding.rule);
        // A deleted element has no place in the current revision: its comments are in the previous.
        if finding.kind == FindingKind::Deleted {
            if let Some(previous) = &finding.previous {
                silenced |= self.silence_at(previous, finding.rule);
            }
        }
        silenced
    }

    fn silence_at(&mut self, location: &Location, rule: &str) -> bool {
        let mut silenced = false;
        let buf_lint = self.buf_lint
            && registry::find(rule).is_some_and(|r| r.kind() == registry::RuleKind::Lint);
        for placed in self.placed(location.side, &location.path) {
            let honoured = match placed.directive.kind {
                Kind::Protoguard => true,
                Kind::BufLint => buf_lint,
            };
            if !honoured || !placed.covers(location.span) {
                continue;
            }
            for (named, used) in placed.directive.rules.iter().zip(&mut placed.used) {
                if names(named, rule) {
                    *used = true;
                    silenced = true;
                }
            }
        }
        silenced
    }

    /// Reads the directives of a file, so that they are reported on.
    pub fn load(&mut self, side: Side, path: &str) {
        self.placed(side, path);
    }

    /// The directives of a file, read once.
    fn placed(&mut self, side: Side, path: &str) -> &mut Vec<Placed> {
        let (schema, files) = match side {
            Side::Previous => (self.old, &mut self.previous),
            Side::Current => (self.new, &mut self.current),
        };
        // Looked up before inserting: one lookup per finding, no allocation once a file is read.
        if !files.contains_key(path) {
            files.insert(path.to_owned(), read(schema, path));
        }
        files.get_mut(path).expect("just inserted")
    }

    /// The warnings about the directives read in the current revision: no reason, unknown rule
    /// IDs, and with `unused` the rule IDs that silenced nothing. (The previous revision's
    /// comments cannot be changed any more, so they are not reported on.)
    pub fn report(&self, unused: bool, enabled: &BTreeSet<&str>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (path, placed) in &self.current {
            if placed.is_empty() {
                continue;
            }
            let lines: Vec<&str> = self
                .new
                .source(path)
                .map(|t| t.split('\n').collect())
                .unwrap_or_default();
            for placed in placed
                .iter()
                .filter(|p| p.directive.kind == Kind::Protoguard)
            {
                let (span, label) = match comment_span(&lines, placed) {
                    Some(span) => (Some(span), "this comment"),
                    None => (placed.element, "the ignore comment of this element"),
                };
                let mut push = |rule: &'static str, message: String, help: String| {
                    out.push(Finding {
                        rule,
                        severity: Severity::Warning,
                        message,
                        location: Location {
                            side: Side::Current,
                            path: path.clone(),
                            span,
                        },
                        previous: None,
                        help: Some(help),
                        kind: FindingKind::Other,
                        label,
                        fix: None,
                        impact: None,
                    });
                };
                let directive = &placed.directive;
                if directive.rules.is_empty() {
                    push(
                        UNKNOWN_IGNORE_RULE,
                        "Inline ignore names no rule, so it silences nothing.".to_owned(),
                        "name the rule IDs after the marker, then say why: \
                         `// protoguard:ignore FIELD_NO_DELETE <reason>`"
                            .to_owned(),
                    );
                }
                for id in directive.rules.iter().filter(|id| !is_known(id)) {
                    push(
                        UNKNOWN_IGNORE_RULE,
                        format!("Inline ignore names \"{id}\", which is not a protoguard rule."),
                        unknown_help(id),
                    );
                }
                if directive.reason.is_none() && !directive.rules.is_empty() {
                    push(
                        IGNORE_WITHOUT_REASON,
                        format!("Inline ignore of {} gives no reason.", quoted(&directive.rules)),
                        format!(
                            "say after the rule IDs why the change is safe: `// protoguard:ignore {} <reason>`; \
                             the ignore applies all the same",
                            directive.rules.join(", ")
                        ),
                    );
                }
                if !unused {
                    continue;
                }
                for (id, _) in directive
                    .rules
                    .iter()
                    .zip(&placed.used)
                    .filter(|(id, used)| !**used && is_known(id))
                {
                    if runs(id, enabled) {
                        push(
                            UNUSED_IGNORE,
                            format!("Inline ignore of \"{id}\" silenced nothing."),
                            "remove the rule ID from the comment (the comment, if it names no other): \
                             an ignore of a breaking change is needed only in the change that breaks"
                                .to_owned(),
                        );
                    } else {
                        push(
                            UNUSED_IGNORE,
                            format!(
                                "Inline ignore of \"{id}\" silenced nothing: the rule is not enabled."
                            ),
                            "remove the rule ID from the comment, unless another configuration runs the rule"
                                .to_owned(),
                        );
                    }
                }
            }
        }
        out
    }
}

/// Every directive in the comments of a file of one revision.
fn read(schema: &Schema, path: &str) -> Vec<Placed> {
    let file: FileDescriptor = match schema.file(path) {
        Some(file) => file.clone(),
        None => match schema.pool().get_file_by_name(path) {
            Some(file) => file,
            None => return Vec::new(),
        },
    };
    // Every directive marker contains ":ignore": a file whose text has none has no directive,
    // and its source info need not be parsed (see `Schema::span_index`).
    if schema
        .source(path)
        .is_some_and(|text| !text.contains(":ignore"))
    {
        return Vec::new();
    }
    let index = schema.span_index(&file);
    let mut out = Vec::new();
    for location in index.comments() {
        let comments = location
            .leading_detached
            .iter()
            .map(|c| (*c, false))
            .chain(location.leading.map(|c| (c, false)))
            .chain(location.trailing.map(|c| (c, true)));
        let mut element = None;
        for (comment, trailing) in comments {
            if !comment.contains(":ignore") {
                continue;
            }
            for line in comment.lines() {
                let Some(directive) = parse_line(line) else {
                    continue;
                };
                let span = *element.get_or_insert_with(|| schema.span(&file, location.path));
                let scope = match (location.path.first(), location.path.len(), span) {
                    (Some(&(FILE_PACKAGE | FILE_SYNTAX | FILE_EDITION)), 1, _) => Scope::File,
                    (_, _, Some(span)) => Scope::Element(span),
                    (_, _, None) => Scope::Nowhere,
                };
                let text = line
                    .find(directive.kind.marker())
                    .map_or(line, |at| &line[at..])
                    .trim_end()
                    .to_owned();
                out.push(Placed {
                    used: vec![false; directive.rules.len()],
                    directive,
                    scope,
                    element: span,
                    text,
                    trailing,
                });
            }
        }
    }
    out
}

/// How far from its element a comment line is looked for.
const SEARCH_LINES: usize = 1000;

/// The directive's place in the source: leading comments are looked for upwards from the
/// element, trailing ones downwards from its first line (the nearest match is its own).
fn comment_span(lines: &[&str], placed: &Placed) -> Option<Span> {
    let element = placed.element?;
    let first = (element.start_line as usize).checked_sub(1)?;
    let found = |i: usize| -> Option<Span> {
        let line = lines.get(i)?;
        let at = line.find(&placed.text)?;
        let start = line[..at].chars().count() as u32 + 1;
        Some(Span {
            start_line: i as u32 + 1,
            start_column: start,
            end_line: i as u32 + 1,
            end_column: start + placed.text.chars().count() as u32,
        })
    };
    if placed.trailing {
        (first..lines.len().min(first + SEARCH_LINES)).find_map(found)
    } else {
        (first.saturating_sub(SEARCH_LINES)..first)
            .rev()
            .chain([first])
            .find_map(found)
    }
}

/// Returns `true` if the ID written in a directive names `rule`, itself or as a retired buf ID
/// that `rule` replaced.
fn names(written: &str, rule: &str) -> bool {
    written == rule
        || DEPRECATED
            .iter()
            .any(|(old, new)| *old == written && new.contains(&rule))
}

fn is_known(id: &str) -> bool {
    registry::find(id).is_some() || DEPRECATED.iter().any(|(old, _)| *old == id)
}

/// Returns `true` if the rule (or, for a retired ID, one of its replacements) is enabled.
fn runs(id: &str, enabled: &BTreeSet<&str>) -> bool {
    enabled.contains(id)
        || DEPRECATED
            .iter()
            .any(|(old, new)| *old == id && new.iter().any(|r| enabled.contains(r)))
}

fn quoted(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn unknown_help(id: &str) -> String {
    if BREAKING_CATEGORIES.contains(&id) || registry::RuleKind::Lint.is_category(id) {
        return format!(
            "{id} is a category: an inline ignore names rule IDs (`protoguard rules` lists them by category)"
        );
    }
    let upper = id.to_ascii_uppercase();
    let nearest = registry::all()
        .map(|r| (distance(&upper, r.id), r.id))
        .min()
        .filter(|(d, _)| *d <= 3);
    match nearest {
        Some((_, near)) => format!("did you mean {near}?"),
        None => "`protoguard rules` lists every rule ID".to_owned(),
    }
}

/// Levenshtein distance, for suggesting the rule a mistyped ID meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retired_ids_name_their_replacements() {
        assert!(names("FIELD_NO_DELETE", "FIELD_NO_DELETE"));
        assert!(names("FIELD_SAME_LABEL", "FIELD_SAME_CARDINALITY"));
        assert!(!names("FIELD_SAME_LABEL", "FIELD_SAME_TYPE"));
        assert!(is_known("FIELD_SAME_LABEL"));
        assert!(!is_known("FIELD_SAME_TYP"));
    }

    #[test]
    fn mistyped_ids_get_a_suggestion() {
        assert_eq!(
            unknown_help("FIELD_SAME_TYP"),
            "did you mean FIELD_SAME_TYPE?"
        );
        assert_eq!(
            unknown_help("field_no_delete"),
            "did you mean FIELD_NO_DELETE?"
        );
        assert!(unknown_help("WIRE").starts_with("WIRE is a category"));
        assert!(unknown_help("SOMETHING_ELSE_ENTIRELY").contains("protoguard rules"));
    }

    #[test]
    fn lists_of_ids_read_as_prose() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(quoted(&ids(&["A"])), "\"A\"");
        assert_eq!(quoted(&ids(&["A", "B"])), "\"A\" and \"B\"");
        assert_eq!(quoted(&ids(&["A", "B", "C"])), "\"A\", \"B\" and \"C\"");
    }
}

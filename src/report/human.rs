//! Human output: a miette code frame per finding, headed by the rule ID. The primary frame is in
//! the current revision; the element's previous location follows as a second frame labelled with
//! the previous revision's name.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::Revisions;
use crate::error::Error;
use crate::finding::{Finding, Location, Severity, Side};

/// Settings for human output.
pub struct Human {
    pub color: bool,
    pub width: usize,
}

impl Human {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            // Identifiers (paths, full names) stay whole: break lines at spaces only.
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_break_words(false)
            .with_links(false)
            .with_urls(false)
    }

    pub fn render(
        &self,
        findings: &[Finding],
        revisions: &Revisions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.render_for(super::Command::Breaking, false, findings, revisions, out)
    }

    /// Like [`Human::render`], with the closing line worded for `command`; `verbose` lists every
    /// RPC a finding reaches.
    pub fn render_for(
        &self,
        command: super::Command,
        verbose: bool,
        findings: &[Finding],
        revisions: &Revisions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let handler = self.handler();
        for (i, (finding, rules)) in one_per_event(findings).into_iter().enumerate() {
            let mut report = FindingReport::new(finding, revisions);
            report.rules = rules;
            report.impact = finding.impact.as_ref().map(|i| Note(i.describe(verbose)));
            let mut text = String::new();
            handler
                .render_report(&mut text, &report)
                .map_err(|_| io::Error::other("formatting a report failed"))?;
            // One blank line between findings; no trailing spaces (miette pads some lines).
            if i > 0 {
                out.write_all(b"\n")?;
            }
            for line in text.lines() {
                out.write_all(line.trim_end().as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings.len() - errors;
        let counts = format!(
            "{} {}, {} {}",
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
        );
        match (command, findings.is_empty()) {
            (super::Command::Lint, true) => {
                return writeln!(
                    out,
                    "No lint findings in {}.",
                    revisions.label(Side::Current)
                )
            }
            (super::Command::Lint, false) => {
                return writeln!(out, "{}: {counts}.", revisions.label(Side::Current))
            }
            (super::Command::LintAgainst, true) => {
                return writeln!(
                    out,
                    "No new lint findings: {} compared with {}.",
                    revisions.label(Side::Current),
                    revisions.label(Side::Previous)
                )
            }
            (super::Command::LintAgainst, false) => {
                return writeln!(
                    out,
                    "{} compared with {}: {counts} introduced.",
                    revisions.label(Side::Current),
                    revisions.label(Side::Previous)
                )
            }
            (super::Command::Breaking, _) => {}
        }
        if findings.is_empty() {
            writeln!(
                out,
                "No breaking changes: {} compared with {}.",
                revisions.label(Side::Current),
                revisions.label(Side::Previous)
            )
        } else {
            writeln!(
                out,
                "{} compared with {}: {} {}, {} {}.",
                revisions.label(Side::Current),
                revisions.label(Side::Previous),
                errors,
                plural(errors, "error", "errors"),
                warnings,
                plural(warnings, "warning", "warnings"),
            )
        }
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Renders an error that stopped the check.
pub fn render_error(error: &Error, human: &Human, out: &mut dyn Write) -> io::Result<()> {
    let handler = human.handler();
    let mut text = String::new();
    let mut render = |d: &dyn Diagnostic| {
        handler
            .render_report(&mut text, d)
            .map_err(|_| io::Error::other("formatting failed"))
    };
    match error {
        Error::Invalid { message, help } => render(&Plain {
            message,
            help: help.as_deref(),
        })?,
        Error::Compile {
            revision,
            diagnostics,
        } => {
            // A generated file can hold thousands of errors of one kind (protox reports each as a
            // related diagnostic): show the first few dozen and count the rest.
            let mut shown = 0;
            let mut omitted = 0;
            for diagnostic in diagnostics {
                let related = diagnostic.related().map_or(0, Iterator::count);
                let room = MAX_COMPILE_ERRORS.saturating_sub(shown);
                if room == 0 {
                    omitted += 1 + related;
                    continue;
                }
                let kept = related.min(room - 1);
                shown += 1 + kept;
                render(&InRevision {
                    revision,
                    inner: diagnostic.as_ref(),
                    kept,
                    more: (related > kept).then(|| Omitted(related - kept)),
                })?;
            }
            if omitted > 0 {
                render(&Plain {
                    message: &format!("{revision} does not compile: {}", Omitted(omitted)),
                    help: None,
                })?;
            }
        }
        Error::Multiple(errors) => {
            for error in errors {
                render_error(error, human, out)?;
            }
        }
    }
    out.write_all(text.as_bytes())
}

#[derive(Debug)]
struct Plain<'a> {
    message: &'a str,
    help: Option<&'a str>,
}

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Plain<'_> {}

impl Diagnostic for Plain<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// How many compile errors (frames) are shown for one failed check; the rest are counted.
const MAX_COMPILE_ERRORS: usize = 30;

/// A compile diagnostic, prefixed with the revision it comes from, with at most `kept` of its
/// related diagnostics and a count of the others (`more`).
struct InRevision<'a> {
    revision: &'a str,
    inner: &'a (dyn Diagnostic + Send + Sync),
    kept: usize,
    more: Option<Omitted>,
}

/// The closing line for compile errors that were not shown: their count.
#[derive(Debug)]
struct Omitted(usize);

impl fmt::Display for Omitted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} more error{s} not shown", self.0)
    }
}

impl std::error::Error for Omitted {}

impl Diagnostic for Omitted {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "fix the errors shown and run again; `protoc` or `buf build` lists every one",
        ))
    }
}

impl fmt::Debug for InRevision<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self)
    }
}

impl fmt::Display for InRevision<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} does not compile: {}", self.revision, self.inner)
    }
}

impl std::error::Error for InRevision<'_> {}

impl Diagnostic for InRevision<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help().or_else(|| {
            Some(Box::new(
                "fix the file so that it compiles (protoc would reject it too); exit code 2 means the check did not run",
            ))
        })
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        let kept = self.inner.related()?.take(self.kept);
        let more = self.more.iter().map(|m| m as &dyn Diagnostic);
        Some(Box::new(kept.chain(more)))
    }
}

/// A file's text under its path, without copying it (miette's `NamedSource` wants ownership).
struct Named<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A location resolved against its revision's text.
struct Frame<'a> {
    source: Option<Named<'a>>,
    span: Option<SourceSpan>,
    label: String,
}

impl<'a> Frame<'a> {
    fn new(location: &Location, revisions: &'a Revisions, label: String) -> Self {
        let text = revisions.text(location.side, &location.path);
        let span = match (text, location.span) {
            (Some(text), Some(span)) => {
                let start = offset(text, span.start_line, span.start_column);
                let end = offset(text, span.end_line, span.end_column).max(start);
                Some(SourceSpan::new(start.into(), end - start))
            }
            _ => None,
        };
        let name = match location.span {
            Some(_) if text.is_none() => format!(
                "{}:{}:{}",
                location.path,
                location.span.map_or(1, |s| s.start_line),
                location.span.map_or(1, |s| s.start_column)
            ),
            _ => location.path.clone(),
        };
        Frame {
            source: text.map(|text| Named { name, text }),
            span,
            label,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), span),
        )))
    }
}

/// The byte offset of a 1-based line and character column.
fn offset(text: &str, line: u32, column: u32) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let within = line_text[..line_end]
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line_end, |(i, _)| i);
    start + within
}

/// Groups findings that describe one event — the same message about the same line, as when a
/// reused number trips FIELD_SAME_NAME, FIELD_SAME_JSON_NAME and FIELD_SAME_TYPE — so a person
/// reads it once, headed by every rule ID. Machine formats keep one finding per rule.
fn one_per_event(findings: &[Finding]) -> Vec<(&Finding, String)> {
    let mut groups: Vec<(&Finding, String)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, Option<u32>, &str), usize> =
        std::collections::HashMap::new();
    for finding in findings {
        let key = (
            finding.location.path.as_str(),
            finding.location.span.map(|s| s.start_line),
            finding.message.as_str(),
        );
        match index.get(&key) {
            Some(&i) => {
                groups[i].1.push_str(", ");
                groups[i].1.push_str(finding.rule);
            }
            None => {
                index.insert(key, groups.len());
                groups.push((finding, finding.rule.to_owned()));
            }
        }
    }
    groups
}

struct FindingReport<'a> {
    finding: &'a Finding,
    /// The rule IDs shown in the heading: this finding's, and those of findings of the same event.
    rules: String,
    primary: Frame<'a>,
    /// The element's location in the previous revision (or, with no source, the location as text).
    previous: Option<PreviousFrame<'a>>,
    /// The RPCs the finding reaches (or that none does), as an advice after the frames.
    impact: Option<Note>,
    where_: String,
}

impl<'a> FindingReport<'a> {
    fn new(finding: &'a Finding, revisions: &'a Revisions) -> Self {
        let primary_label = match finding.location.side {
            Side::Current => finding.label.to_owned(),
            Side::Previous => format!("in {}", revisions.label(Side::Previous)),
        };
        let previous = finding.previous.as_ref().map(|location| PreviousFrame {
            frame: Frame::new(location, revisions, "was here".to_owned()),
            message: format!(
                "previously at {}{} in {}",
                location.path,
                location.span.map_or(String::new(), |s| format!(
                    ":{}:{}",
                    s.start_line, s.start_column
                )),
                revisions.label(location.side)
            ),
        });
        let where_ = match finding.location.span {
            Some(s) => format!(
                "{}:{}:{}",
                finding.location.path, s.start_line, s.start_column
            ),
            None => finding.location.path.clone(),
        };
        FindingReport {
            finding,
            rules: finding.rule.to_owned(),
            primary: Frame::new(&finding.location, revisions, primary_label),
            previous,
            impact: None,
            where_,
        }
    }
}

impl fmt::Debug for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.finding.message)
    }
}

impl fmt::Display for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.primary.source.is_some() {
            f.write_str(&self.finding.message)
        } else {
            // No code frame to show the place: say it in the headline.
            write!(f, "{}: {}", self.where_, self.finding.message)
        }
    }
}

impl std::error::Error for FindingReport<'_> {}

impl Diagnostic for FindingReport<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.rules))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.primary.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.primary.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        let previous = self.previous.iter().map(|p| p as &dyn Diagnostic);
        let impact = self.impact.iter().map(|i| i as &dyn Diagnostic);
        Some(Box::new(previous.chain(impact)))
    }
}

struct PreviousFrame<'a> {
    frame: Frame<'a>,
    message: String,
}

impl fmt::Debug for PreviousFrame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for PreviousFrame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PreviousFrame<'_> {}

impl Diagnostic for PreviousFrame<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.frame.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.frame.labels()
    }
}

/// A line of advice without a frame (what a finding reaches).
#[derive(Debug)]
struct Note(String);

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Note {}

impl Diagnostic for Note {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
}

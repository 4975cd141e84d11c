//! `--format github`: one GitHub Actions workflow command per finding, which the runner turns into
//! an annotation on the file and line (in the pull request's diff, and in the run's summary):
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=RULE_ID::message`.
//!
//! Escaping follows the Actions toolkit (`@actions/core`, command.ts): in the message, `%`, `\r`
//! and `\n` become `%25`, `%0D` and `%0A`; in property values `:` and `,` also become `%3A` and
//! `%2C`, since they delimit the command and its properties.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{span, Revisions};
use crate::finding::{Finding, Severity, Side};

pub fn render(findings: &[Finding], revisions: &Revisions, out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out, "{}", command(finding, revisions))?;
    }
    Ok(())
}

fn command(finding: &Finding, revisions: &Revisions) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let at = span(&finding.location);
    let mut properties = vec![
        ("file", finding.location.path.clone()),
        ("line", at.start_line.to_string()),
    ];
    // GitHub refuses columns on an annotation that spans several lines. Its end column is
    // inclusive, ours is exclusive.
    if at.start_line == at.end_line {
        properties.push(("col", at.start_column.to_string()));
        properties.push(("endLine", at.end_line.to_string()));
        properties.push((
            "endColumn",
            at.end_column
                .saturating_sub(1)
                .max(at.start_column)
                .to_string(),
        ));
    } else {
        properties.push(("endLine", at.end_line.to_string()));
    }
    properties.push(("title", finding.rule.to_owned()));

    let mut message = finding.message.clone();
    if finding.location.side == Side::Previous {
        let _ = write!(
            message,
            "\nThis location is in the previous revision ({}).",
            revisions.label(Side::Previous)
        );
    }
    if let Some(previous) = &finding.previous {
        let old = span(previous);
        let _ = write!(
            message,
            "\nPreviously at {}:{}:{} in {}.",
            previous.path,
            old.start_line,
            old.start_column,
            revisions.label(Side::Previous)
        );
    }
    if let Some(help) = &finding.help {
        let _ = write!(message, "\nhelp: {help}");
    }

    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Escapes a command's message (data).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as data, plus the property delimiters `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, render};
    use crate::report::Format;

    #[test]
    fn escapes_data_and_properties_as_the_toolkit_does() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
        // `%` first: an already-escaped sequence is escaped again, not decoded.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_finding() {
        let mut warning = finding("FIELD_SAME_NAME", "a,b:c.proto", 7, "Renamed 50% of it.");
        warning.severity = Severity::Warning;
        warning.help = None;
        let out = render(
            Format::Github,
            &[
                finding("FIELD_NO_DELETE", "acme/v1/user.proto", 4, "Gone."),
                warning,
            ],
            "proto/",
        );
        assert_eq!(
            out,
            "::error file=proto/acme/v1/user.proto,line=4,col=3,endLine=4,endColumn=7,title=FIELD_NO_DELETE::Gone.%0APreviously at proto/acme/v1/user.proto:6:3 in main (3f2a1bc).%0Ahelp: add `reserved 3;`\n\
             ::warning file=proto/a%2Cb%3Ac.proto,line=7,col=3,endLine=7,endColumn=7,title=FIELD_SAME_NAME::Renamed 50%25 of it.%0APreviously at proto/a,b:c.proto:9:3 in main (3f2a1bc).\n"
        );
    }

    #[test]
    fn multi_line_spans_have_no_columns() {
        let mut f = finding("MESSAGE_NO_DELETE", "a.proto", 4, "Gone.");
        f.location.span.as_mut().unwrap().end_line = 9;
        f.previous = None;
        f.help = None;
        assert_eq!(
            render(Format::Github, &[f], ""),
            "::error file=a.proto,line=4,endLine=9,title=MESSAGE_NO_DELETE::Gone.\n"
        );
    }
}

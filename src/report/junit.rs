//! `--format junit`: JUnit XML in the shape Jenkins, GitLab, Azure Pipelines and the GitHub test
//! reporter actions all read (the Ant/Jenkins `junit-10.xsd` shape: `testsuites` › `testsuite` ›
//! `testcase` › `failure`, no vendor attributes). One test suite; each finding is a test case
//! whose class name is `protoguard.RULE_ID` (Jenkins groups cases by class, so by rule) and whose
//! name is `path:line:column: message`. An error is a `failure` carrying the message, location,
//! previous location and help; a warning passes and says so in `system-out`, so that the failure
//! count agrees with the exit code. Each rule that ran without findings adds one passing case,
//! so the test count shows how much was checked.
//!
//! The XML is written by hand: the document is five element types and a fixed layout, and the
//! only subtle part is escaping, done in [`escape`] (a dependency such as quick-xml would not
//! save code here).

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{span, Context};
use crate::finding::{Finding, Severity, Side};

pub fn render(findings: &[Finding], context: &Context, out: &mut dyn Write) -> io::Result<()> {
    let rules = context.reported_rules(findings);
    let idle: Vec<_> = rules
        .iter()
        .filter(|r| !findings.iter().any(|f| f.rule == r.id))
        .collect();
    let tests = findings.len() + idle.len();
    let failures = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let previous = context.revisions.label(Side::Previous);
    let current = context.revisions.label(Side::Current);

    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"protoguard\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        escape(&format!("protoguard breaking: {current} against {previous}"), true)
    );
    let _ = writeln!(xml, "    <properties>");
    for (name, value) in [
        ("previous_revision", previous),
        ("current_revision", current),
    ] {
        let _ = writeln!(
            xml,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape(value, true)
        );
    }
    let _ = writeln!(xml, "    </properties>");
    for finding in findings {
        let here = span(&finding.location);
        let place = format!(
            "{}:{}:{}",
            finding.location.path, here.start_line, here.start_column
        );
        let _ = write!(
            xml,
            "    <testcase classname=\"protoguard.{}\" name=\"{}\"",
            escape(finding.rule, true),
            escape(&format!("{place}: {}", finding.message), true)
        );
        let mut details = format!("{place}: {} {}", finding.rule, finding.message);
        if finding.location.side == Side::Previous {
            let _ = write!(details, "\n(in the previous revision, {previous})");
        }
        if let Some(old) = &finding.previous {
            let at = span(old);
            let _ = write!(
                details,
                "\nprevious location ({previous}): {}:{}:{}",
                old.path, at.start_line, at.start_column
            );
        }
        if let Some(help) = &finding.help {
            let _ = write!(details, "\nhelp: {help}");
        }
        match finding.severity {
            Severity::Error => {
                let _ = writeln!(
                    xml,
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(finding.rule, true),
                    escape(&finding.message, true),
                    escape(&details, false)
                );
            }
            Severity::Warning => {
                let _ = writeln!(
                    xml,
                    ">\n      <system-out>warning: {}</system-out>\n    </testcase>",
                    escape(&details, false)
                );
            }
        }
    }
    for rule in idle {
        let _ = writeln!(
            xml,
            "    <testcase classname=\"protoguard.{id}\" name=\"{id}: no findings\"/>",
            id = escape(rule.id, true)
        );
    }
    let _ = writeln!(xml, "  </testsuite>\n</testsuites>");
    out.write_all(xml.as_bytes())
}

/// Escapes text for XML 1.0 content, or for a double-quoted attribute value when `attribute`.
/// Characters XML 1.0 cannot represent at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD;
/// in attributes, tabs and line breaks are written as character references, since a parser
/// would otherwise normalise them to spaces.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, render};
    use crate::report::Format;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            escape("a<b>&\"c\" 'd'\n\te\r\u{1}", true),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#10;&#9;e&#13;\u{FFFD}"
        );
        assert_eq!(
            escape("a<b>&\"c\" 'd'\n\te\r\u{1b}", false),
            "a&lt;b&gt;&amp;\"c\" 'd'\n\te&#13;\u{FFFD}"
        );
        assert_eq!(escape("]]>", false), "]]&gt;");
    }

    #[test]
    fn errors_fail_and_warnings_pass() {
        let mut warning = finding("FIELD_SAME_NAME", "a.proto", 7, "Renamed <x> & \"y\".");
        warning.severity = Severity::Warning;
        let out = render(
            Format::Junit,
            &[finding("FIELD_NO_DELETE", "a.proto", 4, "Gone."), warning],
            "",
        );
        assert!(out
            .contains("<testsuites name=\"protoguard\" tests=\"2\" failures=\"1\" errors=\"0\">"));
        assert!(out.contains(
            "<testcase classname=\"protoguard.FIELD_NO_DELETE\" name=\"a.proto:4:3: Gone.\">"
        ));
        assert!(out.contains("<failure type=\"FIELD_NO_DELETE\" message=\"Gone.\">a.proto:4:3: FIELD_NO_DELETE Gone.\nprevious location (main (3f2a1bc)): a.proto:6:3\nhelp: add `reserved 3;`</failure>"));
        assert!(out.contains("name=\"a.proto:7:3: Renamed &lt;x&gt; &amp; &quot;y&quot;.\""));
        assert!(out.contains(
            "<system-out>warning: a.proto:7:3: FIELD_SAME_NAME Renamed &lt;x&gt; &amp; \"y\"."
        ));
    }
}

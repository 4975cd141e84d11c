//! `--format msvs`: the Visual Studio / MSBuild message format, which Visual Studio, MSBuild
//! loggers and Azure Pipelines turn into clickable errors and warnings. Spaced around the colons
//! exactly as `buf breaking --error-format msvs` prints it, so that scripts written for buf keep
//! working: `path(line,column) : error RULE_ID : message`.

use std::io::{self, Write};

use super::span;
use crate::finding::{Finding, Severity};

pub fn render(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        let span = span(&finding.location);
        let category = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // A message is one line by construction; keep it so if that ever changes.
        let message = finding.message.replace(['\r', '\n'], " ");
        writeln!(
            out,
            "{}({},{}) : {category} {} : {message}",
            finding.location.path, span.start_line, span.start_column, finding.rule
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::report::tests::{finding, render};
    use crate::report::Format;

    #[test]
    fn one_line_per_finding() {
        let mut warning = finding("FIELD_SAME_NAME", "a.proto", 7, "Renamed\nacross lines.");
        warning.severity = Severity::Warning;
        warning.location.span = None;
        assert_eq!(
            render(
                Format::Msvs,
                &[finding("FIELD_NO_DELETE", "a.proto", 4, "Gone."), warning],
                ""
            ),
            "a.proto(4,3) : error FIELD_NO_DELETE : Gone.\n\
             a.proto(1,1) : warning FIELD_SAME_NAME : Renamed across lines.\n"
        );
    }
}

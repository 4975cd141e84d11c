//! One line per finding, the shape compilers and editors understand.

use std::io::{self, Write};

use crate::finding::{Finding, Severity};

pub fn render(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out, "{}", line(finding))?;
    }
    Ok(())
}

/// `path:line:column: RULE_ID message`; a finding that is not an error says its severity as
/// compilers do: `path:line:column: warning: RULE_ID message`.
pub fn line(finding: &Finding) -> String {
    let (line, column) = finding
        .location
        .span
        .map_or((1, 1), |s| (s.start_line, s.start_column));
    let severity = match finding.severity {
        Severity::Error => String::new(),
        other => format!("{}: ", other.as_str()),
    };
    format!(
        "{}:{}:{}: {severity}{} {}",
        finding.location.path, line, column, finding.rule, finding.message
    )
}

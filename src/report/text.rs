//! One line per finding, the shape compilers and editors understand.

use std::io::{self, Write};

use crate::finding::Finding;

pub fn render(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out, "{}", line(finding))?;
    }
    Ok(())
}

/// `path:line:column: RULE_ID message`.
pub fn line(finding: &Finding) -> String {
    let (line, column) = finding
        .location
        .span
        .map_or((1, 1), |s| (s.start_line, s.start_column));
    format!(
        "{}:{}:{}: {} {}",
        finding.location.path, line, column, finding.rule, finding.message
    )
}

//! `--format gitlab`: a GitLab code quality report, the JSON array of issues GitLab reads from an
//! `artifacts:reports:codequality` file and shows in the merge request. GitLab requires
//! `description`, `check_name`, `fingerprint`, `severity` and `location.path` with
//! `location.lines.begin`; its severities are info, minor, major, critical and blocker: an error
//! is `major`, a warning `minor`. `type` and `categories` come from the Code Climate spec GitLab's
//! format derives from ("Compatibility" is the category for breaking changes), so other Code
//! Climate consumers read the report too. Paths must be relative to the repository root: pass
//! `--path-prefix` when the module root is not the repository root.

use std::io::{self, Write};

use serde::Serialize;

use super::fingerprint::fingerprints;
use super::span;
use crate::finding::{Finding, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    categories: [&'static str; 1],
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

pub fn render(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue> = findings
        .iter()
        .zip(fingerprints(findings))
        .map(|(finding, fingerprint)| {
            let span = span(&finding.location);
            Issue {
                description: &finding.message,
                check_name: finding.rule,
                fingerprint,
                severity: match finding.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: IssueLocation {
                    path: &finding.location.path,
                    lines: Lines {
                        begin: span.start_line,
                        end: span.end_line,
                    },
                },
                kind: "issue",
                categories: ["Compatibility"],
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::report::tests::{finding, render};
    use crate::report::Format;

    #[test]
    fn issues_have_every_field_gitlab_requires() {
        let mut warning = finding("FIELD_SAME_NAME", "a.proto", 7, "Renamed.");
        warning.severity = Severity::Warning;
        let out = render(
            Format::Gitlab,
            &[finding("FIELD_NO_DELETE", "a.proto", 4, "Gone."), warning],
            "proto/",
        );
        let issues: serde_json::Value = serde_json::from_str(&out).unwrap();
        let first = &issues[0];
        assert_eq!(first["description"], "Gone.");
        assert_eq!(first["check_name"], "FIELD_NO_DELETE");
        assert_eq!(first["severity"], "major");
        assert_eq!(first["location"]["path"], "proto/a.proto");
        assert_eq!(first["location"]["lines"]["begin"], 4);
        assert_eq!(first["fingerprint"].as_str().unwrap().len(), 32);
        assert_eq!(issues[1]["severity"], "minor");
        assert_ne!(first["fingerprint"], issues[1]["fingerprint"]);
    }

    #[test]
    fn no_findings_is_an_empty_array() {
        assert_eq!(render(Format::Gitlab, &[], ""), "[]\n");
    }
}

//! `--format json`: one document, schema version 1, documented in docs/json-output.md.

use std::io::{self, Write};

use serde::Serialize;

use super::Revisions;
use crate::finding::{Finding, Location, Side};
use crate::impact::{Direction, Impact};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    previous_revision: &'a str,
    current_revision: &'a str,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    #[serde(flatten)]
    location: JsonLocation<'a>,
    previous: Option<JsonLocation<'a>>,
    help: Option<&'a str>,
    /// Absent when impact was not computed (no service in either revision).
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<JsonImpact<'a>>,
}

#[derive(Serialize)]
struct JsonImpact<'a> {
    /// The services reached, sorted; empty: no RPC reaches the element.
    services: Vec<&'a str>,
    reaches: Vec<JsonReach<'a>>,
}

#[derive(Serialize)]
struct JsonReach<'a> {
    rpc: &'a str,
    service: &'a str,
    direction: Direction,
    /// The option's extension, for `option` and `service_option`.
    #[serde(skip_serializing_if = "Option::is_none")]
    option: Option<&'a str>,
    via: &'a [String],
    /// Where the RPC is declared.
    location: Option<JsonLocation<'a>>,
}

fn impact(impact: &Impact) -> JsonImpact<'_> {
    JsonImpact {
        services: impact.services().into_iter().collect(),
        reaches: impact
            .reaches
            .iter()
            .map(|r| JsonReach {
                rpc: &r.rpc,
                service: r.service(),
                direction: r.direction,
                option: r.option.as_deref(),
                via: &r.via,
                location: r.location.as_ref().map(location),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    revision: &'a str,
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn location(location: &Location) -> JsonLocation<'_> {
    let span = location.span.unwrap_or(crate::finding::Span {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
    });
    JsonLocation {
        path: &location.path,
        revision: match location.side {
            Side::Previous => "previous",
            Side::Current => "current",
        },
        start_line: span.start_line,
        start_column: span.start_column,
        end_line: span.end_line,
        end_column: span.end_column,
    }
}

pub fn render(findings: &[Finding], revisions: &Revisions, out: &mut dyn Write) -> io::Result<()> {
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::finding::Severity::Error)
        .count();
    let document = Document {
        version: SCHEMA_VERSION,
        previous_revision: revisions.label(Side::Previous),
        current_revision: revisions.label(Side::Current),
        summary: Summary {
            errors,
            warnings: findings.len() - errors,
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule,
                severity: f.severity.as_str(),
                message: &f.message,
                location: location(&f.location),
                previous: f.previous.as_ref().map(|p| location(p)),
                help: f.help.as_deref(),
                impact: f.impact.as_ref().map(impact),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

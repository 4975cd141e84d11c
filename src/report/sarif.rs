//! `--format sarif`: one SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF
//! viewers. `tool.driver.rules` describes every rule that ran, from its documentation (summary,
//! *What it does*, *How to evolve safely*, categories as tags); each result points at the current
//! location and, as a related location, at the element's place in the previous revision.
//! Columns count Unicode code points (`columnKind`), as protoguard's do, and `endColumn` is
//! exclusive in both. Validated against the OASIS schema in tests/formats.rs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::fingerprint::fingerprints;
use super::{rule_docs_url, span, Command, Context, RuleRun, HOMEPAGE};
use crate::finding::{Finding, Location, Severity, Side};

/// The schema's address as published by OASIS (SARIF 2.1.0 with errata 01).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The `partialFingerprints` key: versioned, so that a change of inputs can use a new key.
pub const FINGERPRINT_KEY: &str = "protoguard/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

/// Which kind of check a run is (`protoguard/breaking/`, `protoguard/lint/`): code scanning
/// treats the part before the last slash as the run's category, so breaking and lint results of
/// one upload (two runs in one file, as the GitHub Action writes) do not replace each other.
#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Multiformat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Multiformat>,
    help_uri: String,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Multiformat {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [SarifLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

/// What a result reaches (see docs/output-formats.md): a property bag, which SARIF leaves to
/// the tool.
#[derive(Serialize)]
struct ResultProperties {
    /// The services reached, sorted; empty: no RPC reaches the changed element.
    #[serde(rename = "protoguard/services")]
    services: Vec<String>,
    /// Every RPC reached: `acme.v1.UserService.GetUser (response, via acme.v1.Page.users)`.
    #[serde(rename = "protoguard/reaches")]
    reaches: Vec<String>,
}

/// How many reached RPCs a result also points at as related locations; the property bag lists
/// them all.
const RELATED_REACHES: usize = 20;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

pub fn render(findings: &[Finding], context: &Context, out: &mut dyn Write) -> io::Result<()> {
    let rules = context.reported_rules(findings);
    let prints = fingerprints(findings);
    let previous_label = context.revisions.label(Side::Previous);
    let results = findings
        .iter()
        .zip(prints)
        .map(|(finding, print)| {
            let mut text = finding.message.clone();
            if finding.location.side == Side::Previous {
                text.push_str(&format!(
                    " (The location is in the previous revision, {previous_label}.)"
                ));
            }
            if let Some(help) = &finding.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            if let Some(impact) = &finding.impact {
                text.push('\n');
                text.push_str(&impact.describe(false));
            }
            let reached = finding.impact.iter().flat_map(|i| &i.reaches);
            SarifResult {
                rule_id: finding.rule,
                rule_index: rules
                    .iter()
                    .position(|r| r.id == finding.rule)
                    .expect("every finding's rule is described"),
                level: level(finding.severity),
                message: Text { text },
                locations: [location(&finding.location, None, None)],
                related_locations: finding
                    .previous
                    .iter()
                    .map(|previous| {
                        location(
                            previous,
                            Some(1),
                            Some(format!("Previous location, in {previous_label}.")),
                        )
                    })
                    .chain(
                        reached
                            .clone()
                            .filter_map(|r| Some((r, r.location.as_ref()?)))
                            .take(RELATED_REACHES)
                            .zip(2..)
                            .map(|((reach, at), id)| {
                                let place = match at.side {
                                    Side::Previous => format!(" (in {previous_label})"),
                                    Side::Current => String::new(),
                                };
                                let text = format!("Reaches {}{place}.", reach.describe());
                                location(at, Some(id), Some(text))
                            }),
                    )
                    .collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print)]),
                properties: finding.impact.as_ref().map(|impact| ResultProperties {
                    services: impact.services().into_iter().map(str::to_owned).collect(),
                    reaches: reached.map(|r| r.describe()).collect(),
                }),
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "protoguard",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: HOMEPAGE,
                    rules: rules.iter().map(|r| descriptor(*r)).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: match context.command {
                    Command::Breaking => "protoguard/breaking/",
                    Command::Lint | Command::LintAgainst => "protoguard/lint/",
                },
            },
            invocations: [Invocation {
                execution_successful: true,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location(location: &Location, id: Option<u32>, message: Option<String>) -> SarifLocation {
    let span = span(location);
    SarifLocation {
        id,
        physical_location: Physical {
            artifact_location: Artifact {
                uri: uri(&location.path),
            },
            region: Region {
                start_line: span.start_line,
                start_column: span.start_column,
                end_line: span.end_line,
                end_column: span.end_column.max(span.start_column + 1),
            },
        },
        message: message.map(|text| Text { text }),
    }
}

fn descriptor(rule: RuleRun) -> Descriptor {
    let doc = rule.rule();
    let section = |heading: &str| doc.and_then(|d| d.section(heading));
    let help_uri = rule_docs_url(rule.id);
    Descriptor {
        id: rule.id,
        name: pascal_case(rule.id),
        short_description: Text {
            text: rule.summary().to_owned(),
        },
        full_description: section("What it does").map(|s| Multiformat {
            text: unwrap(s),
            markdown: s.to_owned(),
        }),
        help: section("How to evolve safely").map(|s| Multiformat {
            text: format!("{}\n\nDocumentation: {help_uri}", unwrap(s)),
            markdown: format!("{s}\n\n[Documentation of {}]({help_uri})", rule.id),
        }),
        help_uri,
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: Properties {
            tags: rule.categories().iter().map(String::as_str).collect(),
        },
    }
}

/// `FIELD_NO_DELETE` → `FieldNoDelete`: SARIF's `name` is a readable identifier.
fn pascal_case(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect()
}

/// Markdown with hard-wrapped paragraphs as plain text: each paragraph on one line, list items
/// on their own lines.
fn unwrap(markdown: &str) -> String {
    markdown
        .split("\n\n")
        .map(|paragraph| {
            let mut text = String::new();
            for line in paragraph.lines().map(str::trim) {
                let item = line.starts_with("- ")
                    || line.starts_with("* ")
                    || line
                        .split_once(". ")
                        .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
                if !text.is_empty() {
                    text.push(if item { '\n' } else { ' ' });
                }
                text.push_str(line);
            }
            text
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A relative path as a URI reference: `/`-separated segments, everything but unreserved
/// characters percent-encoded (RFC 3986).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
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
    fn uris_are_percent_encoded() {
        assert_eq!(uri("acme/v1/user.proto"), "acme/v1/user.proto");
        assert_eq!(uri("my dir/ü#1.proto"), "my%20dir/%C3%BC%231.proto");
    }

    #[test]
    fn names_and_text() {
        assert_eq!(pascal_case("FIELD_NO_DELETE"), "FieldNoDelete");
        assert_eq!(
            unwrap("One\ntwo.\n\n- a\n  b\n- c\n\n1. x\n2. y"),
            "One two.\n\n- a b\n- c\n\n1. x\n2. y"
        );
    }

    #[test]
    fn results_point_at_both_revisions() {
        let out = render(
            Format::Sarif,
            &[finding("FIELD_NO_DELETE", "acme/v1/user.proto", 4, "Gone.")],
            "",
        );
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let run = &log["runs"][0];
        let rule = &run["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "FIELD_NO_DELETE");
        assert_eq!(rule["helpUri"], rule_docs_url("FIELD_NO_DELETE"));
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("reserved"));
        let result = &run["results"][0];
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            4
        );
        let related = &result["relatedLocations"][0];
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 6);
        assert!(related["message"]["text"]
            .as_str()
            .unwrap()
            .contains("main (3f2a1bc)"));
        assert_eq!(
            result["partialFingerprints"][FINGERPRINT_KEY]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
}

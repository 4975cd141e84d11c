//! Reporting: every format renders the same sorted [`Finding`] list, one module per format. Human
//! output is miette code frames; machine formats follow documented schemas (docs/json-output.md,
//! docs/output-formats.md). A [`Context`] carries what a format needs beyond the findings: both
//! revisions, the rules that ran, the repository-relative path prefix and the link base for the
//! Markdown summary. The library never reads the environment: the CLI passes those in as data.

mod fingerprint;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;
mod msvs;
mod sarif;
mod text;

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::finding::{Finding, Location, Severity, Side, Span};
use crate::input::{Content, Snapshot};
use crate::registry::{self, Enabled};

pub use human::{render_error, Human};

/// Where protoguard's repository lives. An assumption about the project's home, kept in this one
/// place: SARIF's `informationUri` and every rule's `helpUri` derive from it.
pub const HOMEPAGE: &str = "https://github.com/protoguard/protoguard";

/// The URL of a rule's generated documentation page (docs/rules/<ID>.md at the default branch).
pub fn rule_docs_url(id: &str) -> String {
    if crate::filter::META_RULES.contains(&id) {
        return format!("{HOMEPAGE}/blob/main/docs/inline-ignores.md");
    }
    format!("{HOMEPAGE}/blob/main/docs/rules/{id}.md")
}

/// Output formats (`--format`, `--output FORMAT=PATH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with the rule ID, message, both revisions' locations and help.
    Human,
    /// One line per finding: `path:line:column: RULE_ID message`.
    Text,
    /// One JSON document (schema: docs/json-output.md).
    Json,
    /// GitHub Actions workflow commands (`::error file=…::message`): annotations on the PR.
    #[value(alias = "github-actions")]
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one test case per finding, and a passing one per rule without findings.
    Junit,
    /// GitLab code quality report (a JSON array of issues).
    #[value(alias = "gitlab-code-quality")]
    Gitlab,
    /// Visual Studio / MSBuild: `path(line,column) : error RULE_ID : message`.
    Msvs,
    /// A Markdown summary for a CI step summary or a PR comment (what `--summary` writes).
    Markdown,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Text => "text",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Gitlab => "gitlab",
            Format::Msvs => "msvs",
            Format::Markdown => "markdown",
        }
    }
}

/// The two revisions being compared, for source text and names.
#[derive(Clone, Copy)]
pub struct Revisions<'a> {
    pub previous: &'a Snapshot,
    pub current: &'a Snapshot,
}

impl Revisions<'_> {
    pub fn snapshot(&self, side: Side) -> &Snapshot {
        match side {
            Side::Previous => self.previous,
            Side::Current => self.current,
        }
    }

    pub fn label(&self, side: Side) -> &str {
        &self.snapshot(side).label
    }

    /// The text of the file at `path` (the path a finding reports, see
    /// [`crate::input::Sources::paths`]) in one revision.
    pub fn text(&self, side: Side, path: &str) -> Option<&str> {
        match &self.snapshot(side).content {
            Content::Sources(sources) => {
                crate::compile::source_text(sources, sources.name_of(path))
            }
            Content::Descriptors(_) => None,
        }
    }
}

/// Which command produced the findings, for the wording of summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `protoguard breaking`: the current revision compared with a previous one.
    Breaking,
    /// `protoguard lint`: one revision judged on its own.
    Lint,
    /// `protoguard lint --against`: only the findings the change introduces.
    LintAgainst,
}

/// Everything a reporter may need beyond the findings.
pub struct Context<'a> {
    pub revisions: Revisions<'a>,
    /// What produced the findings (default: breaking).
    pub command: Command,
    /// The rules that ran, in registry order: SARIF describes them and JUnit counts a passing
    /// test case for each one without findings. `None`: the rules that have findings.
    pub rules: Option<&'a [Enabled]>,
    pub human: Human,
    /// Prepended to every path by all formats but human (`--path-prefix`): the module root
    /// relative to the repository root, so that CI systems can find the files. Normalised by
    /// [`parse_path_prefix`]: empty, or ending in `/`.
    pub path_prefix: String,
    /// Where the Markdown summary links files: a URL ending in `/` to which a repository-relative
    /// path and `#Lline` are appended (`https://github.com/o/r/blob/<sha>/`). `None`: relative
    /// links.
    pub link_base: Option<String>,
    /// Human output lists every RPC a finding reaches, not only the first few.
    pub verbose: bool,
}

impl<'a> Context<'a> {
    /// A context with no path prefix, no link base, and the rules taken from the findings.
    pub fn new(revisions: Revisions<'a>, human: Human) -> Self {
        Context {
            revisions,
            command: Command::Breaking,
            rules: None,
            human,
            path_prefix: String::new(),
            link_base: None,
            verbose: false,
        }
    }

    /// Renders `findings` in `format`.
    pub fn render(
        &self,
        format: Format,
        findings: &[Finding],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // Machine formats show paths from the repository top; code frames look files up by their
        // path in each revision, so human output takes no prefix.
        let prefixed = || with_prefix(findings, &self.path_prefix);
        match format {
            Format::Human => {
                self.human
                    .render_for(self.command, self.verbose, findings, &self.revisions, out)
            }
            Format::Text => text::render(&prefixed(), out),
            Format::Json => json::render(&prefixed(), &self.revisions, out),
            Format::Github => github::render(&prefixed(), &self.revisions, out),
            Format::Sarif => sarif::render(&prefixed(), self, out),
            Format::Junit => junit::render(&prefixed(), self, out),
            Format::Gitlab => gitlab::render(&prefixed(), out),
            Format::Msvs => msvs::render(&prefixed(), out),
            Format::Markdown => markdown::render(&prefixed(), self, out),
        }
    }

    /// The rules to describe: those that ran, then any other rule with findings (the warnings
    /// inline ignores report about themselves), by ID.
    fn reported_rules(&self, findings: &[Finding]) -> Vec<RuleRun> {
        let mut rules: Vec<RuleRun> = self
            .rules
            .unwrap_or_default()
            .iter()
            .map(|r| RuleRun {
                id: r.id,
                severity: r.severity,
            })
            .collect();
        let mut extra: Vec<RuleRun> = Vec::new();
        for finding in findings {
            if !rules.iter().chain(&extra).any(|r| r.id == finding.rule) {
                extra.push(RuleRun {
                    id: finding.rule,
                    severity: finding.severity,
                });
            }
        }
        extra.sort_by_key(|r| r.id);
        rules.extend(extra);
        rules
    }
}

/// A rule as reported: its ID and the severity it ran at.
#[derive(Debug, Clone, Copy)]
struct RuleRun {
    id: &'static str,
    severity: Severity,
}

impl RuleRun {
    fn rule(self) -> Option<&'static registry::Rule> {
        registry::find(self.id)
    }

    fn summary(self) -> &'static str {
        match self.id {
            crate::filter::IGNORE_WITHOUT_REASON => "A protoguard:ignore comment gives no reason.",
            crate::filter::UNUSED_IGNORE => "A protoguard:ignore comment silenced nothing.",
            crate::filter::UNKNOWN_IGNORE_RULE => {
                "A protoguard:ignore comment names a rule that does not exist."
            }
            _ => self.rule().map_or("", |r| r.meta().summary.as_str()),
        }
    }

    fn categories(self) -> &'static [String] {
        self.rule().map_or(&[], |r| r.meta().categories.as_slice())
    }
}

/// Renders with a default [`Context`] (no path prefix, no links, rules from the findings).
pub fn render(
    format: Format,
    findings: &[Finding],
    revisions: &Revisions,
    human: &Human,
    out: &mut dyn Write,
) -> io::Result<()> {
    let context = Context::new(
        *revisions,
        Human {
            color: human.color,
            width: human.width,
        },
    );
    context.render(format, findings, out)
}

/// The findings with `prefix` in front of every path; borrowed when there is no prefix.
fn with_prefix<'f>(findings: &'f [Finding], prefix: &str) -> Cow<'f, [Finding]> {
    if prefix.is_empty() {
        return Cow::Borrowed(findings);
    }
    let prefixed = |location: &Location| Location {
        path: format!("{prefix}{}", location.path),
        ..location.clone()
    };
    Cow::Owned(
        findings
            .iter()
            .map(|f| {
                let mut impact = f.impact.clone();
                let reached = impact.iter_mut().flat_map(|i| &mut i.reaches);
                for location in reached.filter_map(|r| r.location.as_mut()) {
                    *location = prefixed(location);
                }
                Finding {
                    location: prefixed(&f.location),
                    previous: f.previous.as_ref().map(prefixed),
                    impact,
                    ..f.clone()
                }
            })
            .collect(),
    )
}

/// A location's span, or the first character of the file when it has none (descriptor sets
/// without source info): every format that needs a position gets the same one.
fn span(location: &Location) -> Span {
    location.span.unwrap_or(Span {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
    })
}

/// Parses `--path-prefix`: a relative directory, normalised to `dir/` (or empty for `.`).
pub fn parse_path_prefix(value: &str) -> Result<String, String> {
    let value = value.replace('\\', "/");
    if value.starts_with('/') || value.as_bytes().get(1) == Some(&b':') {
        return Err("must be relative to the repository root".to_owned());
    }
    let parts: Vec<&str> = value
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(
            "must not contain `..`: it is the module root's place inside the repository".to_owned(),
        );
    }
    Ok(parts.iter().map(|p| format!("{p}/")).collect())
}

/// Parses `--output FORMAT=PATH`.
pub fn parse_output(value: &str) -> Result<(Format, PathBuf), String> {
    use clap::ValueEnum;
    let (name, path) = value.split_once('=').ok_or_else(|| {
        format!("expected FORMAT=PATH, e.g. sarif=protoguard.sarif; got `{value}`")
    })?;
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
        format!("unknown format `{name}`; formats are {}", names.join(", "))
    })?;
    if path.is_empty() {
        return Err(format!("no path after `{name}=`"));
    }
    Ok((format, PathBuf::from(path)))
}

/// Writes a report file atomically (see [`crate::atomic`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::atomic::write(path, bytes, true)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::{Finding, Location, Severity, Side, Span};
    use crate::input::{Content, Snapshot, Sources};

    pub fn snapshot(label: &str) -> Snapshot {
        Snapshot {
            label: label.to_owned(),
            content: Content::Sources(Sources::default()),
        }
    }

    pub fn finding(rule: &'static str, path: &str, line: u32, message: &str) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            message: message.to_owned(),
            location: Location {
                side: Side::Current,
                path: path.to_owned(),
                span: Some(Span {
                    start_line: line,
                    start_column: 3,
                    end_line: line,
                    end_column: 8,
                }),
            },
            previous: Some(Location {
                side: Side::Previous,
                path: path.to_owned(),
                span: Some(Span {
                    start_line: line + 2,
                    start_column: 3,
                    end_line: line + 2,
                    end_column: 20,
                }),
            }),
            help: Some("add `reserved 3;`".to_owned()),
            kind: crate::finding::Kind::Other,
            label: "here",
            fix: None,
            impact: None,
        }
    }

    pub fn render(format: Format, findings: &[Finding], prefix: &str) -> String {
        let (previous, current) = (snapshot("main (3f2a1bc)"), snapshot("working tree"));
        let mut context = Context::new(
            Revisions {
                previous: &previous,
                current: &current,
            },
            Human {
                color: false,
                width: 100,
            },
        );
        context.path_prefix = prefix.to_owned();
        let mut out = Vec::new();
        context.render(format, findings, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn path_prefix_is_normalised() {
        assert_eq!(parse_path_prefix("proto").unwrap(), "proto/");
        assert_eq!(parse_path_prefix("./a//b/").unwrap(), "a/b/");
        assert_eq!(parse_path_prefix(".").unwrap(), "");
        assert_eq!(parse_path_prefix("").unwrap(), "");
        assert_eq!(parse_path_prefix("a\\b").unwrap(), "a/b/");
        assert!(parse_path_prefix("/abs").is_err());
        assert!(parse_path_prefix("C:/x").is_err());
        assert!(parse_path_prefix("a/../b").is_err());
    }

    #[test]
    fn outputs_parse() {
        assert_eq!(
            parse_output("sarif=out/x.sarif").unwrap(),
            (Format::Sarif, PathBuf::from("out/x.sarif"))
        );
        assert_eq!(
            parse_output("JSON=a=b").unwrap(),
            (Format::Json, PathBuf::from("a=b"))
        );
        assert!(parse_output("sarif").unwrap_err().contains("FORMAT=PATH"));
        assert!(parse_output("xml=a").unwrap_err().contains("junit"));
        assert!(parse_output("sarif=").is_err());
    }

    #[test]
    fn every_machine_format_applies_the_prefix() {
        let findings = [finding("FIELD_NO_DELETE", "acme/v1/user.proto", 4, "Gone.")];
        for format in Format::value_variants_for_tests() {
            if *format == Format::Human {
                continue;
            }
            let out = render(*format, &findings, "proto/");
            assert!(
                out.contains("proto/acme/v1/user.proto") || out.contains("proto%2Facme"),
                "{format:?} does not apply the prefix:\n{out}"
            );
        }
    }

    #[test]
    fn writes_atomically_and_readably() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    impl Format {
        fn value_variants_for_tests() -> &'static [Format] {
            <Format as clap::ValueEnum>::value_variants()
        }
    }
}

//! Reporting: every format renders the same sorted [`Finding`] list. Human output is miette code
//! frames; machine formats follow a documented schema.

mod human;
mod json;
mod text;

use std::io::{self, Write};

use crate::finding::{Finding, Side};
use crate::input::{Content, Snapshot};

pub use human::{render_error, Human};

/// Output formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with the rule ID, message, both revisions' locations and help.
    Human,
    /// One line per finding: `path:line:column: RULE_ID message`.
    Text,
    /// One JSON document (schema: docs/json-output.md).
    Json,
}

/// The two revisions being compared, for source text and names.
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

    pub fn text(&self, side: Side, path: &str) -> Option<&str> {
        match &self.snapshot(side).content {
            Content::Sources(sources) => crate::compile::source_text(sources, path),
            Content::Descriptors(_) => None,
        }
    }
}

pub fn render(
    format: Format,
    findings: &[Finding],
    revisions: &Revisions,
    human: &Human,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human.render(findings, revisions, out),
        Format::Text => text::render(findings, out),
        Format::Json => json::render(findings, revisions, out),
    }
}

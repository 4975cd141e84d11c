//! What a rule reports: a [`Finding`] with its location in the current revision and, when the
//! element existed before, its location in the previous one.

use serde::Serialize;

use crate::impact::Impact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which revision a location is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Previous,
    Current,
}

/// A 1-based line/column range. `end_column` is exclusive: the column just past the last
/// character, so a one-character span has `end_column == start_column + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// A place in one revision: a path relative to the module root and, when known, a span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub side: Side,
    pub path: String,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An element that exists in both revisions changed.
    Changed,
    /// An element of the previous revision is gone.
    Deleted,
    /// Anything else (a deleted file at its old path, a note about an ignore comment).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Where the finding is shown: in the current revision, or for a deleted file in the previous.
    pub location: Location,
    /// The element's location in the previous revision, when it is not already `location`.
    pub previous: Option<Location>,
    /// What to do about it.
    pub help: Option<String>,
    /// What kind of event this is: deletions are anchored at a surviving parent, so their
    /// element is only found in the previous revision.
    pub kind: Kind,
    /// The label on the primary code frame ("changed here", "deleted from here").
    pub label: &'static str,
    /// What `--fix` adds to the current revision so that this finding's deletion cannot be
    /// reused: set by the rules that report a deletion without a reservation.
    pub fix: Option<crate::fix::Reserve>,
    /// The RPCs whose requests or responses hold the changed element (breaking findings, when
    /// either revision declares a service; see [`crate::impact`]). `None`: not computed.
    pub impact: Option<Impact>,
}

impl Finding {
    /// The order findings are reported in: by path, position, then rule.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.location.path,
            self.location.span,
            self.rule,
            &self.message,
        )
    }
}

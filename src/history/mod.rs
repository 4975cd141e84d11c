//! The history ledger (DESIGN.md §6): every field number and enum value a message or enum ever
//! had on the first-parent history of a branch, with the name and type that held it and when it
//! was first and last seen. A two-revision check cannot see a number deleted in one change and
//! reused months later; the ledger can. Built by [`walk`] (parse only, each distinct blob once,
//! cached under the git directory and updated incrementally), shown by `protoguard history`.

mod base;
mod check;
mod delta;
mod layout;
pub mod parse;
mod render;
pub mod reuse;
mod state;
mod store;
mod strings;
mod view;
pub mod walk;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use check::{run_rules, Scope};
pub use render::{render_json, render_text};
pub use state::Wanted;
pub use walk::{build, build_for, Options};

/// The version of the ledger's JSON form (`protoguard history --format json`).
pub const JSON_VERSION: u32 = 1;

/// What a breaking rule that reads the history gets.
pub struct Read<'a> {
    /// The ledger of the previous revision.
    pub ledger: &'a Ledger,
    /// `--all-debt`: the debt rules speak about every compared message and enum, not only those
    /// the change touches.
    pub all_debt: bool,
}

/// What the history of one branch says about every message and enum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The newest commit walked (the branch's tip).
    pub head: Option<CommitRef>,
    /// The oldest commit walked: how far back the ledger reaches.
    pub oldest: Option<CommitRef>,
    /// First-parent commits walked.
    pub commits: usize,
    /// The walk stopped at a shallow clone's boundary, not at the first commit.
    pub shallow: bool,
    /// Blobs that did not parse (they contribute nothing).
    pub unparsable: usize,
    /// File versions that could not be read (promised by a partial clone's remote and not
    /// fetched): their changes are not counted, so what they added shows up later and what
    /// they deleted stays in use until a readable version of the file; nothing looks retired
    /// or reused because of them. The first one, for messages.
    #[serde(default)]
    pub unreadable: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_unreadable: Option<Seen>,
    /// By full name, as the element is called at the head (or when last seen).
    pub elements: BTreeMap<String, Element>,
    /// Extension numbers by extendee (the full name of the message extended): each member is
    /// an extension, named by its full name.
    #[serde(default)]
    pub extensions: BTreeMap<String, Element>,
}

/// A commit: full id and commit time (seconds since the Unix epoch, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRef {
    pub id: String,
    pub time: i64,
}

impl CommitRef {
    /// The abbreviated id, as git shows it.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// The commit date, `YYYY-MM-DD` (UTC).
    pub fn date(&self) -> String {
        date(self.time)
    }
}

/// Where and when a member was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub commit: CommitRef,
    pub path: String,
    pub line: u32,
}

/// One message or enum across history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    pub is_enum: bool,
    /// Earlier full names it had (a package rename followed), oldest first.
    pub former_names: Vec<String>,
    /// Declared at the head.
    pub present: bool,
    /// Every (number, name) it ever had, by number then first appearance.
    pub members: Vec<Member>,
    /// What it reserves at the head (or when last seen): inclusive ranges and names.
    pub reserved_ranges: Vec<(i32, i32)>,
    pub reserved_names: Vec<String>,
}

/// A field or enum value: one number under one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub number: i32,
    pub name: String,
    /// The type as written when last seen (`string`, `repeated acme.v1.Tag`); empty for enum
    /// values.
    pub type_name: String,
    pub first: Seen,
    pub last: Seen,
    /// Declared at the head.
    pub present: bool,
    /// The field's `json_name` option as last seen, when it set one; otherwise its JSON name
    /// is the default protoc derives from the name ([`reuse::default_json_name`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_name: Option<String>,
}

impl Member {
    /// The key JSON data uses for this field: its explicit `json_name`, or the default.
    pub fn json_key(&self) -> String {
        self.json_name
            .clone()
            .unwrap_or_else(|| reuse::default_json_name(&self.name))
    }
}

impl Element {
    /// Returns `true` if the head reserves `number`.
    pub fn reserves_number(&self, number: i32) -> bool {
        self.reserved_ranges
            .iter()
            .any(|&(a, b)| a <= number && number <= b)
    }

    /// Returns `true` if the head reserves `name`.
    pub fn reserves_name(&self, name: &str) -> bool {
        self.reserved_names.iter().any(|n| n == name)
    }

    /// Members that had `member`'s number under another name and no longer exist: the owners a
    /// reused number had before.
    pub fn past_owners<'a>(&'a self, member: &'a Member) -> impl Iterator<Item = &'a Member> + 'a {
        self.members
            .iter()
            .filter(move |m| m.number == member.number && m.name != member.name && !m.present)
    }

    /// Numbers no member has at the head: retired.
    pub fn retired(&self) -> Vec<&Member> {
        let present: std::collections::BTreeSet<i32> = self
            .members
            .iter()
            .filter(|m| m.present)
            .map(|m| m.number)
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        self.members
            .iter()
            .rev()
            .filter(|m| !present.contains(&m.number) && seen.insert(m.number))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect()
    }
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the civil-from-days algorithm (H. Hinnant).
pub fn date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `protoguard history`: builds the ledger of the repository around `cwd` and writes it to
/// `stdout` (the summary, or with `json` the whole ledger); what the build took goes to
/// `stderr`. Exit code 0.
pub fn command(
    cwd: &std::path::Path,
    options: &Options,
    json: bool,
    stdout: &mut dyn std::io::Write,
    stderr: &mut dyn std::io::Write,
) -> crate::error::Result<u8> {
    // The ledger is written as the walk's state yields it, one element at a time, through a
    // buffer (standard output is line-buffered: a write per line of a large ledger).
    let (written, stats) = walk::visit(cwd, options, |head, elements| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut *stdout);
        if json {
            render_json(head, elements, &mut out)?;
        } else {
            render_text(head, elements, &mut out)?;
        }
        std::io::Write::flush(&mut out)
    })?;
    // A note that cannot be written does not change the result.
    for note in &stats.notes {
        let _ = writeln!(stderr, "protoguard: {note}");
    }
    let _ = writeln!(
        stderr,
        "protoguard: {} {} commit{}, parsed {} file version{}",
        if stats.incremental {
            "ledger continued over"
        } else {
            "ledger built from"
        },
        stats.walked,
        if stats.walked == 1 { "" } else { "s" },
        stats.parsed,
        if stats.parsed == 1 { "" } else { "s" },
    );
    match written {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(
            crate::error::Error::invalid(format!("cannot write the history: {err}")),
        ),
        _ => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_740_873_600), "2025-03-02");
        assert_eq!(super::date(951_782_400), "2000-02-29");
    }
}

//! Rules, one file each, grouped by kind (`breaking`, `lint`). A breaking rule is a small
//! `check` function over one kind of pair; it reports through [`Ctx`], which knows the rule's ID,
//! severity and help, and both revisions for locating elements.

pub mod breaking;
pub mod lint;

use crate::finding::{Finding, Kind, Location, Severity};
use crate::schema::Schema;

/// What a breaking rule sees besides its pair: both revisions and where its findings go.
pub struct Ctx<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub(crate) rule: &'static str,
    pub(crate) severity: Severity,
    pub(crate) help: Option<&'static str>,
    pub(crate) findings: &'a mut Vec<Finding>,
    /// See [`crate::registry::Enabled::generated_code`].
    pub(crate) generated_code: bool,
    /// The types the current revision added, for naming renames (found once per check).
    pub(crate) added: &'a breaking::renames::Added,
}

impl<'a> Ctx<'a> {
    /// The context in which `rule` judges the pair of revisions `old` → `new`; findings are
    /// appended to `findings`.
    pub(crate) fn new(
        rule: &crate::registry::Enabled,
        old: &'a Schema,
        new: &'a Schema,
        findings: &'a mut Vec<Finding>,
        added: &'a breaking::renames::Added,
    ) -> Self {
        Ctx {
            old,
            new,
            rule: rule.id,
            severity: rule.severity,
            help: rule.help,
            findings,
            generated_code: rule.generated_code,
            added,
        }
    }

    /// Reports a change to an element that still exists: shown at its current location, with its
    /// previous location alongside. Returns the finding so a rule can give more specific help.
    pub fn changed(
        &mut self,
        message: String,
        current: Location,
        previous: Location,
    ) -> &mut Finding {
        self.push(
            message,
            current,
            Some(previous),
            Kind::Changed,
            "changed here",
        )
    }

    /// Reports an element that is gone: shown at its surviving parent, with where it was.
    pub fn deleted(
        &mut self,
        message: String,
        parent: Location,
        previous: Location,
    ) -> &mut Finding {
        self.push(
            message,
            parent,
            Some(previous),
            Kind::Deleted,
            "deleted from here",
        )
    }

    /// Reports at a single location (e.g. a deleted file at its old path).
    pub fn report(&mut self, message: String, at: Location) -> &mut Finding {
        self.push(message, at, None, Kind::Other, "here")
    }

    fn push(
        &mut self,
        message: String,
        location: Location,
        previous: Option<Location>,
        kind: Kind,
        label: &'static str,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.severity,
            message,
            location,
            previous,
            help: self.help.map(str::to_owned),
            kind,
            label,
            fix: None,
            impact: None,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

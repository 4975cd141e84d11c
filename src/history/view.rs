//! Turning interned walk state into the public [`Ledger`]: shared by the walk (which has the
//! whole state in memory) and by the cache reader that answers a check straight from the cache
//! file, decoding only the elements the check asks about.

use git2::Oid;

use super::parse::Kind;
use super::state::{At, ElementState, UNSET};
use super::{CommitRef, Element, Ledger, Member, Seen};

/// Interned strings by id.
pub(super) trait Names {
    /// The string with `id`; empty for an unknown id.
    fn name(&self, id: u32) -> &str;
}

impl Names for [&str] {
    fn name(&self, id: u32) -> &str {
        self.get(id as usize).copied().unwrap_or("")
    }
}

/// The tables an element's indices refer to.
pub(super) struct Tables<'a, N: Names + ?Sized> {
    names: &'a N,
    /// Commits walked, oldest first, as the ledger shows them (each formatted once: a ledger
    /// refers to a few commits from millions of places).
    commits: Vec<CommitRef>,
}

impl<'a, N: Names + ?Sized> Tables<'a, N> {
    /// `commits`: (id, commit time), oldest first.
    pub fn new(names: &'a N, commits: &[(Oid, i64)]) -> Self {
        let commits = commits
            .iter()
            .map(|&(id, time)| CommitRef {
                id: id.to_string(),
                time,
            })
            .collect();
        Tables { names, commits }
    }

    fn commit(&self, i: u32) -> CommitRef {
        self.commits.get(i as usize).cloned().unwrap_or(CommitRef {
            id: String::new(),
            time: 0,
        })
    }

    fn seen(&self, at: At) -> Seen {
        Seen {
            commit: self.commit(at.commit),
            path: self.names.name(at.path).to_owned(),
            line: at.line,
        }
    }

    /// A ledger with no elements yet: how far the walk reaches and what it could not read.
    pub fn ledger(
        &self,
        shallow: bool,
        unparsable: u64,
        unreadable: u64,
        first_unreadable: Option<(u32, u32)>,
    ) -> Ledger {
        let n = self.commits.len() as u32;
        Ledger {
            head: n.checked_sub(1).map(|i| self.commit(i)),
            oldest: (n > 0).then(|| self.commit(0)),
            commits: self.commits.len(),
            shallow,
            unparsable: unparsable as usize,
            unreadable: unreadable as usize,
            first_unreadable: first_unreadable.map(|(path, at)| Seen {
                commit: self.commit(at),
                path: self.names.name(path).to_owned(),
                line: 0,
            }),
            ..Ledger::default()
        }
    }

    /// Adds `e` to `ledger` (under `extensions` for an extendee), unless it is merged away or
    /// has neither members nor a declaration at the tip.
    pub fn add(&self, ledger: &mut Ledger, e: &ElementState) {
        let Some(element) = self.element(e) else {
            return;
        };
        let map = if e.kind == Kind::Extensions {
            &mut ledger.extensions
        } else {
            &mut ledger.elements
        };
        map.insert(self.names.name(e.name).to_owned(), element);
    }

    /// `e` in the public form; `None` if it is merged away or has neither members nor a
    /// declaration at the tip (it is then left out of the ledger).
    pub fn element(&self, e: &ElementState) -> Option<Element> {
        if e.dead {
            return None;
        }
        let tip = (self.commits.len() as u32).saturating_sub(1);
        let mut members: Vec<Member> = e
            .members
            .iter()
            .filter(|m| m.first.commit != UNSET)
            .map(|m| {
                let mut last = m.last;
                // A member declared at the tip was last seen there.
                if m.live > 0 {
                    last.commit = tip;
                }
                Member {
                    number: m.number,
                    name: self.names.name(m.name).to_owned(),
                    type_name: self.names.name(m.ty).to_owned(),
                    first: self.seen(m.first),
                    last: self.seen(last),
                    present: m.live > 0,
                    json_name: (m.json != UNSET).then(|| self.names.name(m.json).to_owned()),
                }
            })
            .collect();
        if members.is_empty() && e.live == 0 {
            return None;
        }
        members.sort_by_key(|m| (m.number, m.first.commit.time));
        Some(Element {
            is_enum: e.kind == Kind::Enum,
            former_names: e
                .former
                .iter()
                .map(|&n| self.names.name(n).to_owned())
                .collect(),
            present: e.live > 0,
            members,
            reserved_ranges: e.reserved_ranges.clone(),
            reserved_names: e
                .reserved_names
                .iter()
                .map(|&n| self.names.name(n).to_owned())
                .collect(),
        })
    }
}

//! The walk's state: every element and member the history had, with names, types and paths
//! interned (a `u32` per string) and commits kept once in a table, so that the accounting pass
//! over a commit costs integer hashing per changed member and nothing per unchanged one. Live
//! counts (how many files at the tip declare an element or member) are part of the state, so a
//! continued walk touches only what the new commits change. [`State::ledger`] turns the state
//! into the public [`Ledger`], for every element or only for those a check asks about.

use std::collections::{BTreeMap, BTreeSet};

use git2::Oid;

use super::base::{Base, Head};
use super::parse::{FileSummary, Kind};
pub(super) use super::strings::Strings;
use super::view::{Names, Tables};
use super::{Element, Ledger};

mod account;

/// "None" for the `u32` indices below.
pub(super) const UNSET: u32 = u32::MAX;

/// Maps and sets hashed with rustc's Fx hash: the keys here are small integers and interned
/// names from the repository, hashed millions of times on a first walk, where the standard
/// SipHash was the largest cost of the whole build.
pub(super) use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};

/// Where a member was seen: indices into the commit and string tables, and the 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct At {
    pub commit: u32,
    pub path: u32,
    pub line: u32,
}

impl At {
    pub const NONE: At = At {
        commit: UNSET,
        path: UNSET,
        line: 0,
    };
}

/// What one file version declares, interned.
#[derive(Debug, Default)]
pub(super) struct Blob {
    pub elements: Vec<BlobElement>,
    pub unparsable: bool,
}

#[derive(Debug)]
pub(super) struct BlobElement {
    pub name: u32,
    pub relative: u32,
    pub kind: Kind,
    pub members: Vec<BlobMember>,
    pub reserved_ranges: Vec<(i32, i32)>,
    pub reserved_names: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct BlobMember {
    pub number: i32,
    pub name: u32,
    pub ty: u32,
    pub line: u32,
    /// The explicit `json_name`, [`UNSET`] for none.
    pub json: u32,
}

/// One message, enum or extendee across history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ElementState {
    pub name: u32,
    pub relative: u32,
    pub kind: Kind,
    /// Files at the tip that declare it.
    pub live: u32,
    pub former: Vec<u32>,
    pub reserved_ranges: Vec<(i32, i32)>,
    pub reserved_names: Vec<u32>,
    pub members: Vec<MemberState>,
    /// Merged into another element by a rename: skipped everywhere.
    pub dead: bool,
    /// Transient: its members are in [`State::index`]; its entry in this commit's touches.
    pub indexed: bool,
    pub touch: u32,
    /// The cached record it was loaded from (see [`Base`]), [`UNSET`] for one new in this run:
    /// the record is replaced by this state when the cache is written.
    pub origin: u32,
}

impl ElementState {
    /// The placeholder of an element merged away (by a rename) that was cached as record
    /// `origin` ([`UNSET`]: not cached): the record is dropped when the cache is written.
    pub fn dead(origin: u32) -> ElementState {
        ElementState {
            name: UNSET,
            relative: UNSET,
            kind: Kind::Message,
            live: 0,
            former: Vec::new(),
            reserved_ranges: Vec::new(),
            reserved_names: Vec::new(),
            members: Vec::new(),
            dead: true,
            indexed: false,
            touch: UNSET,
            origin,
        }
    }
}

/// One (number, name) of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MemberState {
    pub number: i32,
    pub name: u32,
    pub ty: u32,
    /// `first.commit` is [`UNSET`] until the member has started.
    pub first: At,
    /// While the member is declared at the tip, `last.commit` is not kept up to date (the
    /// tip is its last commit) but path and line are those of its latest declaration.
    pub last: At,
    /// Files at the tip that declare it.
    pub live: u32,
    /// The explicit `json_name` as last seen, [`UNSET`] for none.
    pub json: u32,
    /// Transient: its entry in this commit's touches.
    pub touch: u32,
}

/// The walk's state at its tip. A continued walk holds the cached state as the cache file's
/// bytes ([`Base`]) and decodes only the elements its new commits touch (and those it is asked
/// about): the others are written back as they were read.
#[derive(Debug, Default)]
pub(super) struct State<'a> {
    /// What the walk was asked for: a cache for another walk is not continued.
    pub key: String,
    pub strings: Strings<'a>,
    /// Commits walked: id and commit time, oldest first.
    pub commits: Vec<(Oid, i64)>,
    /// The file version counted for each `.proto` path at the tip (path id -> blob).
    pub files: BTreeMap<u32, Oid>,
    pub elements: Vec<ElementState>,
    pub shallow: bool,
    pub unparsable: u64,
    /// File versions that could not be read (a partial clone's promised blob that could not be
    /// fetched): their changes are not counted. The first one's path and commit.
    pub unreadable: u64,
    pub first_unreadable: Option<(u32, u32)>,
    /// The cached state continued, if any: its element records not in `elements` are unchanged.
    pub base: Option<Base<'a>>,
    /// (name, extension?) -> element, for the elements in `elements` (with a base, every
    /// element the walk touches is loaded first, so a name missing here is new).
    by_key: FxMap<(u32, bool), u32>,
    /// (element, number, name) -> member, for the elements with `indexed` set.
    index: FxMap<(u32, i32, u32), u32>,
}

impl State<'static> {
    pub fn new(key: String) -> State<'static> {
        State {
            key,
            ..State::default()
        }
    }
}

impl<'a> State<'a> {
    /// Continues the cached state `base`: its head, strings and files; elements are loaded on
    /// demand ([`State::load`]).
    pub fn continuing(mut base: Base<'a>) -> State<'a> {
        let head = base.take_head();
        let mut state = State {
            strings: Strings::from_base(base.source, base.layout.clone()),
            files: std::mem::take(&mut base.files),
            base: Some(base),
            ..State::default()
        };
        state.adopt(head);
        state
    }

    /// Takes the key, commits and totals of a cached head (a base's or a delta's).
    fn adopt(&mut self, head: Head) {
        self.key = head.key;
        self.commits = head.commits;
        self.shallow = head.shallow;
        self.unparsable = head.unparsable;
        self.unreadable = head.unreadable;
        self.first_unreadable = head.first_unreadable;
    }

    /// Continues a delta over the cached base this state continues ([`super::delta`]): its
    /// head, strings (after the base's), files, and elements (each with the base record it
    /// replaces as its origin); the base records it `replaced` are not read again, and those it
    /// `dropped` (merged away) are dropped again when the cache is written.
    pub fn continue_delta(
        &mut self,
        head: Head,
        strings: Vec<&str>,
        files: BTreeMap<u32, Oid>,
        elements: Vec<ElementState>,
        replaced: &[u32],
        dropped: &[u32],
    ) {
        self.adopt(head);
        for s in strings {
            self.strings.push_added(s);
        }
        self.files = files;
        for element in elements {
            let key = (element.name, element.kind == Kind::Extensions);
            self.by_key.insert(key, self.elements.len() as u32);
            self.elements.push(element);
        }
        for &origin in dropped {
            self.elements.push(ElementState::dead(origin));
        }
        if let Some(base) = &mut self.base {
            base.replaced = replaced.iter().copied().collect();
        }
    }

    /// Decodes the cached elements with one of `keys` ((name, extension?) as in
    /// [`Base::key`]: each found by name through the base's index), or with `None` all of them,
    /// that are not loaded yet. `false` if a record is malformed (the cache is then not to be
    /// trusted).
    pub fn load(&mut self, keys: Option<&FxMap<(u32, bool), ()>>) -> bool {
        let Some(base) = &self.base else {
            return true;
        };
        let strings = &self.strings;
        let name = |id: u32| strings.text(id);
        let records: Vec<u32> = match keys {
            None => (0..base.len() as u32).collect(),
            Some(keys) => {
                let mut found = Vec::new();
                for &(id, extension) in keys.keys() {
                    let Some(text) = strings.text(id) else {
                        return false;
                    };
                    match base.find((extension, text), &name) {
                        Some(Some(r)) => found.push(r),
                        Some(None) => {}
                        None => return false,
                    }
                }
                found
            }
        };
        for r in records {
            let Some(key) = base.key(r as usize) else {
                return false;
            };
            if self.by_key.contains_key(&key) || base.replaced.contains(&r) {
                continue;
            }
            if keys.is_some_and(|k| !k.contains_key(&key)) {
                // Found by its name's text under another id: the tables disagree.
                return false;
            }
            let Some(element) = base.element(r as usize) else {
                return false;
            };
            self.by_key.insert(key, self.elements.len() as u32);
            self.elements.push(element);
        }
        true
    }

    /// Reads every cached string, and returns `true` if the cached state's indices are in
    /// order, every string reads and every record decodes (checked before a reader that cannot stop halfway goes through them all).
    pub fn check_base(&mut self) -> bool {
        if self.base.is_none() || !self.strings.read_all() {
            return self.base.is_none();
        }
        let Some(base) = &self.base else {
            return true;
        };
        let name = |id: u32| self.strings.text(id);
        base.validate(&name) && base.check()
    }

    /// The (name, extension?) keys `wanted` names that this state's strings have.
    pub fn keys_of(&mut self, wanted: &Wanted) -> FxMap<(u32, bool), ()> {
        let mut out = FxMap::default();
        for (name, extension) in wanted.keys() {
            if let Some(id) = self.strings.find(name) {
                out.insert((id, extension), ());
            }
        }
        out
    }

    /// Interns a parsed summary.
    pub fn intern(&mut self, summary: &FileSummary) -> Blob {
        let strings = &mut self.strings;
        Blob {
            unparsable: summary.unparsable,
            elements: summary
                .elements
                .iter()
                .map(|e| BlobElement {
                    name: strings.id(&e.full_name),
                    relative: strings.id(&e.relative_name),
                    kind: e.kind,
                    members: e
                        .members
                        .iter()
                        .map(|m| BlobMember {
                            number: m.number,
                            name: strings.id(&m.name),
                            ty: strings.id(&m.type_name),
                            line: m.line,
                            json: m.json_name.as_deref().map_or(UNSET, |j| strings.id(j)),
                        })
                        .collect(),
                    reserved_ranges: e.reserved_ranges.clone(),
                    reserved_names: e.reserved_names.iter().map(|n| strings.id(n)).collect(),
                })
                .collect(),
        }
    }

    fn element(&mut self, name: u32, kind: Kind) -> u32 {
        let key = (name, kind == Kind::Extensions);
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        let i = self.elements.len() as u32;
        self.elements.push(ElementState {
            name,
            relative: name,
            kind,
            live: 0,
            former: Vec::new(),
            reserved_ranges: Vec::new(),
            reserved_names: Vec::new(),
            members: Vec::new(),
            dead: false,
            indexed: true,
            touch: UNSET,
            origin: UNSET,
        });
        self.by_key.insert(key, i);
        i
    }

    fn member(&mut self, element: u32, number: i32, name: u32) -> u32 {
        let e = &mut self.elements[element as usize];
        if !e.indexed {
            for (i, m) in e.members.iter().enumerate() {
                self.index.insert((element, m.number, m.name), i as u32);
            }
            e.indexed = true;
        }
        *self
            .index
            .entry((element, number, name))
            .or_insert_with(|| {
                e.members.push(MemberState {
                    number,
                    name,
                    ty: UNSET,
                    first: At::NONE,
                    last: At::NONE,
                    live: 0,
                    json: UNSET,
                    touch: UNSET,
                });
                e.members.len() as u32 - 1
            })
    }

    /// The public ledger: every element, or with `wanted` only those named there (messages and
    /// enums by full name, extendees by the full name of the message they extend). A continued
    /// state answers for the elements it loaded: the walk loads what it is asked about first.
    pub fn ledger(&mut self, wanted: Option<&Wanted>) -> Ledger {
        let chosen: Vec<u32> = match wanted {
            None => (0..self.elements.len() as u32).collect(),
            Some(wanted) => self
                .keys_of(wanted)
                .keys()
                .filter_map(|key| self.by_key.get(key).copied())
                .collect(),
        };
        let mut ledger = self.head();
        let tables = self.tables();
        for i in chosen {
            tables.add(&mut ledger, &self.elements[i as usize]);
        }
        ledger
    }
}

impl State<'_> {
    /// The ledger's head: how far the walk reaches, no elements.
    pub fn head(&self) -> Ledger {
        self.tables().ledger(
            self.shallow,
            self.unparsable,
            self.unreadable,
            self.first_unreadable,
        )
    }

    fn tables(&self) -> Tables<'_, Strings<'_>> {
        Tables::new(&self.strings, &self.commits)
    }

    /// Every element in its public form, (extension?, full name, element), in the order of the
    /// ledger's maps (elements by name, then extendees by name), each decoded and converted
    /// only when its turn comes: `history` writes a ledger of any size holding one element at a
    /// time. A cached record that does not decode is left out, so the walk checks them first
    /// ([`Base::check`]).
    pub fn each_element(&self) -> impl Iterator<Item = (bool, String, Element)> + '_ {
        #[derive(Clone, Copy)]
        enum Source {
            Loaded(usize),
            Record(usize),
        }
        let mut order: Vec<(bool, &str, Source)> = Vec::new();
        for (i, e) in self.elements.iter().enumerate().filter(|(_, e)| !e.dead) {
            let name = self.strings.name(e.name);
            order.push((e.kind == Kind::Extensions, name, Source::Loaded(i)));
        }
        if let Some(base) = &self.base {
            let loaded: FxSet<u32> = self.elements.iter().map(|e| e.origin).collect();
            for r in (0..base.len()).filter(|&r| !loaded.contains(&(r as u32))) {
                if let Some((name, extension)) = base.key(r) {
                    order.push((extension, self.strings.name(name), Source::Record(r)));
                }
            }
        }
        order.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let tables = self.tables();
        order
            .into_iter()
            .filter_map(move |(extension, name, source)| {
                let element = match source {
                    Source::Loaded(i) => tables.element(&self.elements[i])?,
                    Source::Record(r) => tables.element(&self.base.as_ref()?.element(r)?)?,
                };
                Some((extension, name.to_owned(), element))
            })
    }
}

/// The elements a check asks the ledger about.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Messages and enums, by full name.
    pub elements: BTreeSet<String>,
    /// Extendees (the messages extensions extend), by full name.
    pub extendees: BTreeSet<String>,
}

impl Wanted {
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty() && self.extendees.is_empty()
    }

    /// Every name with whether it is an extendee.
    pub(super) fn keys(&self) -> impl Iterator<Item = (&str, bool)> {
        let elements = self.elements.iter().map(|n| (n.as_str(), false));
        elements.chain(self.extendees.iter().map(|n| (n.as_str(), true)))
    }
}

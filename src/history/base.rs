//! Reading the ledger's cached payload (see [`super::store`] for the format): its head, the
//! bounds every index is checked against, and [`Base`], a payload read in place whose element
//! records are decoded only when asked for.

use std::collections::BTreeMap;
use std::ops::Range;

use git2::Oid;

use super::layout::{order, Layout};
use super::parse::Kind;
use super::state::{At, ElementState, FxSet, MemberState, UNSET};
use crate::cache::{Decoder, Mapped, Payload};

/// What precedes the strings: the walk's key and totals, and the commit table.
pub(super) struct Head {
    pub key: String,
    pub shallow: bool,
    pub unparsable: u64,
    pub unreadable: u64,
    pub first_unreadable: Option<(u32, u32)>,
    pub commits: Vec<(Oid, i64)>,
}

/// The head, with `first_unreadable` as read (checked against the tables later).
pub(super) fn head(d: &mut Decoder) -> Option<(Head, (u32, u32))> {
    let key = d.str()?.to_owned();
    let shallow = d.u32()? != 0;
    let (unparsable, unreadable) = (d.u64()?, d.u64()?);
    let first_unreadable = (d.u32()?, d.u32()?);
    let n = count(d, 28)?;
    let mut commits = Vec::with_capacity(n);
    for _ in 0..n {
        let id = Oid::from_bytes(d.take(20)?).ok()?;
        commits.push((id, d.u64()? as i64));
    }
    let head = Head {
        key,
        shallow,
        unparsable,
        unreadable,
        first_unreadable: None,
        commits,
    };
    Some((head, first_unreadable))
}

/// Indices are checked against the sizes of the string and commit tables.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub strings: u32,
    pub commits: u32,
}

impl Limits {
    fn string(self, i: u32) -> Option<u32> {
        (i < self.strings).then_some(i)
    }

    fn string_or_unset(self, i: u32) -> Option<u32> {
        (i == UNSET || i < self.strings).then_some(i)
    }

    fn commit_or_unset(self, i: u32) -> Option<u32> {
        (i == UNSET || i < self.commits).then_some(i)
    }

    fn at(self, d: &mut Decoder) -> Option<At> {
        Some(At {
            commit: self.commit_or_unset(d.u32()?)?,
            path: self.string_or_unset(d.u32()?)?,
            line: d.u32()?,
        })
    }

    pub fn first_unreadable(self, (path, commit): (u32, u32)) -> Option<Option<(u32, u32)>> {
        if path == UNSET {
            return Some(None);
        }
        Some(Some((self.string(path)?, self.commit_or_unset(commit)?)))
    }
}

/// Where a payload is read from: bytes in memory (already checked, or built here), or a mapped
/// cache file whose blocks are checked as they are first read.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source<'a> {
    Bytes(&'a [u8]),
    Mapped(&'a Mapped),
}

impl<'a> Source<'a> {
    /// The bytes in `range`; `None` past the end or if a block they lie in is damaged.
    pub fn bytes(self, range: Range<usize>) -> Option<&'a [u8]> {
        match self {
            Source::Bytes(b) => b.get(range),
            Source::Mapped(m) => m.get(range),
        }
    }
}

impl Payload for Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Bytes(b) => b.len(),
            Source::Mapped(m) => m.len(),
        }
    }

    fn get(&self, range: Range<usize>) -> Option<&[u8]> {
        self.bytes(range)
    }
}

/// A cached payload read in place: the head and the files are read when it is opened, a string
/// when it is asked for; an element record is read only when asked for ([`Base::element`],
/// found by name through the index: [`Base::find`]), so a walk continued over one commit reads
/// just the records it touches, and from a mapped file checks just the blocks they lie in.
#[derive(Debug)]
pub(super) struct Base<'a> {
    pub source: Source<'a>,
    pub layout: Layout,
    head: Option<Head>,
    /// The payload's own strings, read by [`Base::parse_over`] (a delta's: small); empty for
    /// a base opened in place ([`Base::open`]), whose strings are read by id when asked for
    /// ([`super::strings::Strings`]).
    pub strings: Vec<&'a str>,
    pub files: BTreeMap<u32, Oid>,
    limits: Limits,
    /// The identity of the cache file this was read from ([`crate::cache::Mapped::identity`]):
    /// a delta written over it records it.
    pub identity: u64,
    /// Records a delta over this base replaces or drops ([`super::delta`]): not to be read.
    pub replaced: FxSet<u32>,
}

impl std::fmt::Debug for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Head")
            .field("key", &self.key)
            .field("commits", &self.commits.len())
            .finish()
    }
}

impl<'a> Base<'a> {
    /// Reads the payload's tables, [`Base::open`], its strings too, and checks its indices
    /// ([`Base::validate`]). `None` if anything is malformed.
    #[cfg(test)]
    pub fn parse(payload: &'a [u8]) -> Option<Base<'a>> {
        Base::parse_over(payload, 0, &|_| None)
    }

    /// [`Base::parse`] of a payload whose string ids continue `before` strings (a delta's
    /// strings follow its base's; `name_before` reads those): its records may name them too.
    pub fn parse_over<'n>(
        payload: &'a [u8],
        before: u32,
        name_before: &dyn Fn(u32) -> Option<&'n str>,
    ) -> Option<Base<'a>>
    where
        'a: 'n,
    {
        let mut base = Base::open_over(Source::Bytes(payload), before)?;
        base.layout.check_strings(payload).then_some(())?;
        base.strings = (0..base.layout.strings)
            .map(|id| base.layout.string(payload, id))
            .collect::<Option<Vec<&str>>>()?;
        let strings = &base.strings;
        let name = |id: u32| match id.checked_sub(before) {
            Some(own) => strings.get(own as usize).copied(),
            None => name_before(id),
        };
        base.validate(&name).then_some(())?;
        Some(base)
    }

    /// Reads the payload's head and files, checking every count and index in them; the
    /// strings and records are read when asked for. `None` if anything read is malformed.
    pub fn open(source: Source<'a>) -> Option<Base<'a>> {
        Base::open_over(source, 0)
    }

    fn open_over(source: Source<'a>, before: u32) -> Option<Base<'a>> {
        let layout = Layout::of(&source)?;
        let mut d = Decoder::new(source.bytes(layout.head.clone())?);
        let (mut head, first_unreadable) = head(&mut d)?;
        d.is_done().then_some(())?;
        let limits = Limits {
            strings: before.checked_add(layout.strings)?,
            commits: head.commits.len() as u32,
        };
        head.first_unreadable = limits.first_unreadable(first_unreadable)?;
        let mut d = Decoder::new(source.bytes(layout.files.clone())?);
        let mut files = BTreeMap::new();
        for _ in 0..count(&mut d, 24)? {
            let path = limits.string(d.u32()?)?;
            files.insert(path, Oid::from_bytes(d.take(20)?).ok()?);
        }
        d.is_done().then_some(())?;
        Some(Base {
            source,
            layout,
            head: Some(head),
            strings: Vec::new(),
            files,
            limits,
            identity: 0,
            replaced: FxSet::default(),
        })
    }

    /// Returns `true` if the index lists the records in strictly ascending order of their keys
    /// (so every record once: the lookups' binary search and the merge in `encode` rely on it),
    /// every key naming a string `name` has. Reads the key of every record.
    pub fn validate<'n>(&self, name: &dyn Fn(u32) -> Option<&'n str>) -> bool {
        let mut previous: Option<(bool, &str)> = None;
        for j in 0..self.layout.records {
            let key = self
                .layout
                .indexed(&self.source, j)
                .and_then(|r| self.key(r as usize))
                .and_then(|(id, extension)| Some((extension, name(id)?)));
            let Some(key) = key else {
                return false;
            };
            if previous.is_some_and(|p| !order(p, key).is_lt()) {
                return false;
            }
            previous = Some(key);
        }
        true
    }

    /// The record of (extendee?, name) by binary search in the index (`names` resolves string
    /// ids): `Some(None)` if there is none, `None` if what the search read is malformed.
    pub fn find<'n>(
        &self,
        key: (bool, &str),
        name: &dyn Fn(u32) -> Option<&'n str>,
    ) -> Option<Option<u32>> {
        let (mut low, mut high) = (0, self.layout.records);
        while low < high {
            let middle = low + (high - low) / 2;
            let r = self.layout.indexed(&self.source, middle)?;
            let (id, extension) = self.key(r as usize)?;
            match order((extension, name(id)?), key) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(Some(r)),
            }
        }
        Some(None)
    }

    /// The record numbers in index order (those that read).
    pub fn index(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.layout.records).filter_map(|j| self.layout.indexed(&self.source, j))
    }

    /// The head (once: the state that continues this takes it).
    pub fn take_head(&mut self) -> Head {
        self.head.take().expect("the head is taken once")
    }

    /// Element records.
    pub fn len(&self) -> usize {
        self.layout.records as usize
    }

    /// Bytes in the payload.
    pub fn payload_len(&self) -> usize {
        self.source.len()
    }

    /// Record `i`'s (name, extension?); `None` if it does not read.
    pub fn key(&self, i: usize) -> Option<(u32, bool)> {
        let range = self.layout.record_range(&self.source, i as u32)?;
        let mut d = Decoder::new(self.source.bytes(range)?);
        let (name, _, kind) = element_key(&mut d, self.limits)?;
        Some((name, kind == Kind::Extensions))
    }

    /// Where record `i` starts in the payload (the end of the records for `i == len`).
    pub fn start(&self, i: usize) -> Option<usize> {
        if i == self.len() {
            return Some(self.layout.record_bytes.end);
        }
        Some(self.layout.record_range(&self.source, i as u32)?.start)
    }

    /// The bytes of records `from..to` (the record offset table makes them contiguous).
    pub fn span(&self, from: usize, to: usize) -> Option<&'a [u8]> {
        self.source.bytes(self.start(from)?..self.start(to)?)
    }

    /// Returns `true` if every record decodes (checked before a reader that cannot stop halfway
    /// goes through them all).
    pub fn check(&self) -> bool {
        (0..self.len()).all(|i| self.element(i).is_some())
    }

    /// Record `i` decoded; `None` if it is malformed.
    pub fn element(&self, i: usize) -> Option<ElementState> {
        let range = self.layout.record_range(&self.source, i as u32)?;
        let mut d = Decoder::new(self.source.bytes(range)?);
        let mut element = element(&mut d, self.limits)?;
        element.origin = i as u32;
        d.is_done().then_some(element)
    }
}

/// An element record's first three fields: name, relative name and kind.
pub(super) fn element_key(d: &mut Decoder, limits: Limits) -> Option<(u32, u32, Kind)> {
    let name = limits.string(d.u32()?)?;
    let relative = limits.string(d.u32()?)?;
    let kind = match d.u32()? {
        0 => Kind::Message,
        1 => Kind::Enum,
        2 => Kind::Extensions,
        _ => return None,
    };
    Some((name, relative, kind))
}

/// One element record.
pub(super) fn element(d: &mut Decoder, limits: Limits) -> Option<ElementState> {
    let (name, relative, kind) = element_key(d, limits)?;
    let live = d.u32()?;
    let former = (0..count(d, 4)?)
        .map(|_| limits.string(d.u32()?))
        .collect::<Option<Vec<u32>>>()?;
    let reserved_ranges = (0..count(d, 8)?)
        .map(|_| Some((d.u32()? as i32, d.u32()? as i32)))
        .collect::<Option<Vec<_>>>()?;
    let reserved_names = (0..count(d, 4)?)
        .map(|_| limits.string(d.u32()?))
        .collect::<Option<Vec<u32>>>()?;
    let n = count(d, MEMBER_BYTES)?;
    let mut members = Vec::with_capacity(n);
    for _ in 0..n {
        members.push(MemberState {
            number: d.u32()? as i32,
            name: limits.string(d.u32()?)?,
            ty: limits.string_or_unset(d.u32()?)?,
            first: limits.at(d)?,
            last: limits.at(d)?,
            live: d.u32()?,
            json: limits.string_or_unset(d.u32()?)?,
            touch: UNSET,
        });
    }
    Some(ElementState {
        name,
        relative,
        kind,
        live,
        former,
        reserved_ranges,
        reserved_names,
        members,
        dead: false,
        indexed: false,
        touch: UNSET,
        origin: UNSET,
    })
}

/// Bytes per encoded member.
const MEMBER_BYTES: usize = 44;

/// A count of items at least `size` bytes each: `None` when that many cannot fit in what is
/// left (so a corrupted count never reserves gigabytes).
fn count(d: &mut Decoder, size: usize) -> Option<usize> {
    let n = d.u32()? as usize;
    (n.checked_mul(size)? <= d.remaining()).then_some(n)
}

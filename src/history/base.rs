//! Reading the ledger's cached payload (see [`super::store`] for the format): its head, the
//! bounds every index is checked against, and [`Base`], a payload read in place whose element
//! records are decoded only when asked for.

use std::collections::BTreeMap;

use git2::Oid;

use super::layout::{order, Layout};
use super::parse::Kind;
use super::state::{At, ElementState, FxSet, MemberState, UNSET};
use crate::cache::Decoder;

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

/// Where one cached element is: its key and its record's first byte (it ends where the next
/// begins).
#[derive(Debug, Clone, Copy)]
struct Record {
    name: u32,
    kind: Kind,
    start: u32,
}

/// A cached payload read in place: the head, the strings (borrowed), the files, and where each
/// element's record is; a record is decoded only when asked for ([`Base::element`]), so a walk
/// continued over one commit reads just the records it touches (the tables it reads whole).
#[derive(Debug)]
pub(super) struct Base<'a> {
    pub payload: &'a [u8],
    pub layout: Layout,
    head: Option<Head>,
    pub strings: Vec<&'a str>,
    pub files: BTreeMap<u32, Oid>,
    records: Vec<Record>,
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
    /// Reads the payload's tables and locates its element records, checking every count, index
    /// and kind outside the records' member lists (those are checked when a record is decoded),
    /// and that the index lists every record once, in order. `None` if anything is malformed.
    pub fn parse(payload: &'a [u8]) -> Option<Base<'a>> {
        Base::parse_over(payload, &[])
    }

    /// [`Base::parse`] of a payload whose string ids continue `before` (a delta's strings
    /// follow its base's): its records may name those strings too.
    pub fn parse_over(payload: &'a [u8], before: &[&'a str]) -> Option<Base<'a>> {
        let layout = Layout::of(payload)?;
        let mut d = Decoder::new(&payload[layout.head.clone()]);
        let (mut head, first_unreadable) = head(&mut d)?;
        d.is_done().then_some(())?;
        let strings = (0..layout.strings)
            .map(|id| layout.string(payload, id))
            .collect::<Option<Vec<&str>>>()?;
        let limits = Limits {
            strings: (before.len() as u32).checked_add(layout.strings)?,
            commits: head.commits.len() as u32,
        };
        head.first_unreadable = limits.first_unreadable(first_unreadable)?;
        let mut d = Decoder::new(&payload[layout.files.clone()]);
        let mut files = BTreeMap::new();
        for _ in 0..count(&mut d, 24)? {
            let path = limits.string(d.u32()?)?;
            files.insert(path, Oid::from_bytes(d.take(20)?).ok()?);
        }
        d.is_done().then_some(())?;
        let mut records = Vec::with_capacity(layout.records as usize);
        let mut end = layout.record_bytes.start;
        for i in 0..layout.records {
            let range = layout.record_range(payload, i)?;
            // Records are contiguous: each starts where the one before ends.
            if range.start != end {
                return None;
            }
            end = range.end;
            let mut d = Decoder::new(&payload[range.clone()]);
            let (name, _, kind) = element_key(&mut d, limits)?;
            skip_element(&mut d)?;
            d.is_done().then_some(())?;
            records.push(Record {
                name,
                kind,
                start: range.start as u32,
            });
        }
        if end != layout.record_bytes.end {
            return None;
        }
        let base = Base {
            payload,
            layout,
            head: Some(head),
            strings,
            files,
            records,
            limits,
            identity: 0,
            replaced: FxSet::default(),
        };
        // Strictly ascending keys: every record once (the lookups' binary search and the
        // merge in `encode` rely on it).
        let mut previous: Option<(bool, &str)> = None;
        for j in 0..base.layout.records {
            let r = base.layout.indexed(payload, j)?;
            let (name, extension) = base.key(r as usize);
            let name = name as usize;
            let name = match name.checked_sub(before.len()) {
                Some(own) => base.strings[own],
                None => before[name],
            };
            let key = (extension, name);
            if previous.is_some_and(|p| !order(p, key).is_lt()) {
                return None;
            }
            previous = Some(key);
        }
        Some(base)
    }

    /// The record numbers in index order.
    pub fn index(&self) -> impl Iterator<Item = u32> + '_ {
        // Every entry was checked by `parse`.
        (0..self.layout.records).filter_map(|j| self.layout.indexed(self.payload, j))
    }

    /// The head (once: the state that continues this takes it).
    pub fn take_head(&mut self) -> Head {
        self.head.take().expect("the head is taken once")
    }

    /// Element records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Record `i`'s (name, extension?).
    pub fn key(&self, i: usize) -> (u32, bool) {
        let r = self.records[i];
        (r.name, r.kind == Kind::Extensions)
    }

    /// Where record `i` starts in the payload (the end of the records for `i == len`).
    pub fn start(&self, i: usize) -> usize {
        self.records
            .get(i)
            .map_or(self.layout.record_bytes.end, |r| r.start as usize)
    }

    /// The bytes of records `from..to`.
    pub fn span(&self, from: usize, to: usize) -> &'a [u8] {
        &self.payload[self.start(from)..self.start(to)]
    }

    /// Returns `true` if every record decodes (checked before a reader that cannot stop halfway
    /// goes through them all).
    pub fn check(&self) -> bool {
        (0..self.len()).all(|i| self.element(i).is_some())
    }

    /// Record `i` decoded; `None` if it is malformed.
    pub fn element(&self, i: usize) -> Option<ElementState> {
        let mut d = Decoder::new(self.span(i, i + 1));
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

/// The rest of an element record after its key, skipped by its counts.
fn skip_element(d: &mut Decoder) -> Option<()> {
    d.u32()?;
    for size in [4, 8, 4, MEMBER_BYTES] {
        let n = count(d, size)?;
        d.take(n * size)?;
    }
    Some(())
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

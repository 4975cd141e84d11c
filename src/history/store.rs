//! The ledger's cache: the walk's state at its tip, one memory-mapped [`CacheFile`] (`ledger`)
//! under the repository's git directory, so linked worktrees share it. The cache file checks
//! kind, version and length when it is mapped and each block's checksum when the block is first
//! read, and is only ever replaced by rename, so a damaged, foreign or half-written file reads
//! as absent and the ledger is rebuilt, and two runs at once each leave a whole file. It holds
//! only what the repository can recompute.
//!
//! The payload is binary (see [`crate::cache::Encoder`]; all integers little-endian), the state
//! as it is in memory, laid out for random access: a check whose ledger is cached at its
//! revision finds the few elements it asks about by binary search in the index and reads only
//! their records and the strings they name ([`super::layout::ledger_of`]), so its cost does not
//! grow with the history. A walk continued over new commits reads the tables and copies the
//! records it does not touch ([`Base`], [`encode`]).
//!
//! ```text
//! directory  4 × u32: where the strings, files, records and index sections start
//! head       key str (what the walk was asked for: --since), shallow u32 (1: the walk stopped
//!            at a shallow boundary), unparsable u64, unreadable u64, first unreadable: path
//!            u32, commit u32 (u32::MAX: none), commits u32 n + n × (id 20 bytes, time u64),
//!            oldest first; the last is the tip
//! strings    u32 n, (n + 1) × u32 offsets into the bytes that follow (string i is
//!            offsets[i]..offsets[i + 1]), then the UTF-8 bytes: names, types, paths
//! files      u32 n, n × (path u32, blob 20 bytes): the version counted per path at the tip
//! records    u32 n, (n + 1) × u32 offsets into the bytes that follow, then n element records
//! index      n × u32: the record numbers sorted by (extendee?, name bytes)
//! element    name u32, relative u32, kind u32 (0 message, 1 enum, 2 extendee), live u32,
//!            former names u32 n + n × u32, reserved ranges u32 n + n × (u32, u32),
//!            reserved names u32 n + n × u32, members u32 n + n × member
//! member     number u32, name u32, type u32, first (commit, path, line) 3 × u32,
//!            last 3 × u32, live u32, json_name u32 (u32::MAX: none, the default)
//! ```
//!
//! Strings and records are referred to by number (string ids index the string table).

use std::borrow::Cow;
use std::collections::BTreeMap;

use git2::{Oid, Repository};

use super::layout::{order, Layout, DIRECTORY};
use super::parse::Kind;
use super::state::{At, ElementState, MemberState, State, UNSET};
use super::view::Names;
use crate::cache::{CacheFile, Decoder, Encoder, Mapped};

/// The payload's format: bumped when [`State`] or what the parser records changes.
/// 2: binary, interned, with live counts and extensions (1 was JSON). 3: the same layout,
/// written by patching (a continued walk copies the records it did not touch). 4: a member's
/// explicit `json_name`. 5: laid out for random access (offset tables, an index by name), in a
/// memory-mapped file checked block by block.
const VERSION: u32 = 5;

/// Largest payload read or written, in bytes: past it the ledger is rebuilt every run.
const MAX_BYTES: u64 = 1 << 30;

pub(super) struct Store {
    file: CacheFile,
}

impl Store {
    pub fn of(repo: &Repository) -> Store {
        Store {
            file: CacheFile::new(
                &CacheFile::dir_of(repo),
                "ledger",
                concat!("history-ledger-", env!("CARGO_PKG_VERSION")),
                VERSION,
                MAX_BYTES,
            ),
        }
    }

    /// The cache file mapped, if it is ours (its blocks are checked as they are read; see
    /// [`super::layout::peek`], [`Base::parse`], [`super::layout::ledger_of`]).
    pub fn map(&self) -> Option<Mapped> {
        self.file.map()
    }

    /// Writes `state`: what it continued from the cache is copied, not re-encoded.
    pub fn write(&self, state: &State) -> std::io::Result<()> {
        let parts = encode(state);
        let parts: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
        // By rename, never in place: other runs (and this one) may have the old file mapped.
        self.file.write_mapped(&parts)
    }
}

fn kind_code(kind: Kind) -> u32 {
    match kind {
        Kind::Message => 0,
        Kind::Enum => 1,
        Kind::Extensions => 2,
    }
}

/// A section being written: encoded pieces and slices of the cached payload, in order.
#[derive(Default)]
struct Parts<'s> {
    done: Vec<Cow<'s, [u8]>>,
    done_len: usize,
    current: Encoder,
}

impl<'s> Parts<'s> {
    fn copy(&mut self, bytes: &'s [u8]) {
        if bytes.is_empty() {
            return;
        }
        self.flush();
        self.done_len += bytes.len();
        self.done.push(Cow::Borrowed(bytes));
    }

    fn flush(&mut self) {
        let current = std::mem::take(&mut self.current);
        if !current.is_empty() {
            self.done_len += current.len();
            self.done.push(Cow::Owned(current.finish()));
        }
    }

    fn len(&self) -> usize {
        self.done_len + self.current.len()
    }

    fn finish(mut self) -> Vec<Cow<'s, [u8]>> {
        self.flush();
        self.done
    }
}

/// The payload of `state`, in pieces: a continued state's string table, untouched element
/// records and the index entries of those are slices of (or merged from) the cached payload.
/// Offsets are u32: a payload past [`MAX_BYTES`] (1 GiB) is not written.
pub(super) fn encode<'s>(state: &'s State) -> Vec<Cow<'s, [u8]>> {
    let base = state.base.as_ref();
    let mut head = Encoder::new();
    head.str(&state.key)
        .u32(u32::from(state.shallow))
        .u64(state.unparsable)
        .u64(state.unreadable);
    let (path, commit) = state.first_unreadable.unwrap_or((UNSET, UNSET));
    head.u32(path).u32(commit);
    head.u32(state.commits.len() as u32);
    for (id, time) in &state.commits {
        head.raw(id.as_bytes()).u64(*time as u64);
    }

    // Strings: the cached ones' offsets and bytes as they were, then those added since.
    let mut strings = Parts::default();
    let added = state.strings.added();
    strings.current.u32(state.strings.len() as u32);
    let mut end = 0u32;
    if let Some(base) = base {
        strings.copy(&base.payload[base.layout.string_starts(base.layout.strings)]);
        end = base.layout.string_bytes.len() as u32;
    }
    for s in added {
        strings.current.u32(end);
        end = end.wrapping_add(s.len() as u32);
    }
    strings.current.u32(end);
    if let Some(base) = base {
        strings.copy(&base.payload[base.layout.string_bytes.clone()]);
    }
    for s in added {
        strings.current.raw(s.as_bytes());
    }

    let mut files = Encoder::new();
    files.u32(state.files.len() as u32);
    for (path, id) in &state.files {
        files.u32(*path).raw(id.as_bytes());
    }

    // Records: the cached ones in their order, each replaced by its loaded state (or dropped
    // when that was merged away); then the new elements, in the order they appeared.
    let mut loaded: Vec<(u32, &ElementState)> = state
        .elements
        .iter()
        .filter(|e| e.origin != UNSET)
        .map(|e| (e.origin, e))
        .collect();
    loaded.sort_unstable_by_key(|&(origin, _)| origin);
    let cached = base.map_or(0, |b| b.len());
    let mut bytes = Parts::default();
    let mut starts: Vec<u32> = Vec::new();
    // The new number of each cached record copied as it was (UNSET: re-encoded or dropped),
    // and the keys and numbers of the records encoded here, for the index.
    let mut renumber: Vec<u32> = vec![UNSET; cached];
    let mut encoded: Vec<(bool, &str, u32)> = Vec::new();
    let mut copy = |from: usize, to: usize, bytes: &mut Parts<'s>, starts: &mut Vec<u32>| {
        let Some(base) = base else { return };
        let origin = base.start(from);
        for (i, number) in renumber.iter_mut().enumerate().take(to).skip(from) {
            *number = starts.len() as u32;
            starts.push((bytes.len() + base.start(i) - origin) as u32);
        }
        bytes.copy(base.span(from, to));
    };
    let mut encode = |element: &ElementState, bytes: &mut Parts<'s>, starts: &mut Vec<u32>| {
        let name = state.strings.name(element.name);
        encoded.push((element.kind == Kind::Extensions, name, starts.len() as u32));
        starts.push(bytes.len() as u32);
        encode_element(&mut bytes.current, element);
    };
    let mut next = 0;
    for (origin, element) in loaded {
        copy(next, origin as usize, &mut bytes, &mut starts);
        next = origin as usize + 1;
        if !element.dead {
            encode(element, &mut bytes, &mut starts);
        }
    }
    copy(next, cached, &mut bytes, &mut starts);
    let fresh = state
        .elements
        .iter()
        .filter(|e| e.origin == UNSET && !e.dead);
    for element in fresh {
        encode(element, &mut bytes, &mut starts);
    }
    let mut records = Encoder::new();
    records.u32(starts.len() as u32);
    for &start in &starts {
        records.u32(start);
    }
    records.u32(bytes.len() as u32);

    // The index: the cached one's entries for the records copied, merged with those encoded.
    encoded.sort_unstable_by(|a, b| order((a.0, a.1), (b.0, b.1)));
    let mut index = Encoder::new();
    let mut encoded = encoded.into_iter().peekable();
    if let Some(base) = base {
        for r in base.index() {
            let number = renumber[r as usize];
            if number == UNSET {
                continue;
            }
            let (name, extension) = base.key(r as usize);
            let key = (extension, state.strings.name(name));
            while let Some(&(e, n, at)) = encoded.peek() {
                if order((e, n), key).is_gt() {
                    break;
                }
                index.u32(at);
                encoded.next();
            }
            index.u32(number);
        }
    }
    for (_, _, at) in encoded {
        index.u32(at);
    }

    let mut directory = Encoder::new();
    let strings_at = DIRECTORY + head.len();
    let files_at = strings_at + strings.len();
    let records_at = files_at + files.len();
    let index_at = records_at + records.len() + bytes.len();
    for at in [strings_at, files_at, records_at, index_at] {
        directory.u32(at as u32);
    }
    let mut out = vec![Cow::Owned(directory.finish()), Cow::Owned(head.finish())];
    out.extend(strings.finish());
    out.push(Cow::Owned(files.finish()));
    out.push(Cow::Owned(records.finish()));
    out.extend(bytes.finish());
    out.push(Cow::Owned(index.finish()));
    out
}

fn encode_element(e: &mut Encoder, element: &ElementState) {
    e.u32(element.name)
        .u32(element.relative)
        .u32(kind_code(element.kind))
        .u32(element.live);
    e.u32(element.former.len() as u32);
    for &n in &element.former {
        e.u32(n);
    }
    e.u32(element.reserved_ranges.len() as u32);
    for &(a, b) in &element.reserved_ranges {
        e.u32(a as u32).u32(b as u32);
    }
    e.u32(element.reserved_names.len() as u32);
    for &n in &element.reserved_names {
        e.u32(n);
    }
    e.u32(element.members.len() as u32);
    for m in &element.members {
        e.u32(m.number as u32).u32(m.name).u32(m.ty);
        for at in [m.first, m.last] {
            e.u32(at.commit).u32(at.path).u32(at.line);
        }
        e.u32(m.live).u32(m.json);
    }
}

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
    payload: &'a [u8],
    layout: Layout,
    head: Option<Head>,
    pub strings: Vec<&'a str>,
    pub files: BTreeMap<u32, Oid>,
    records: Vec<Record>,
    limits: Limits,
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
        let layout = Layout::of(payload)?;
        let mut d = Decoder::new(&payload[layout.head.clone()]);
        let (mut head, first_unreadable) = head(&mut d)?;
        d.is_done().then_some(())?;
        let strings = (0..layout.strings)
            .map(|id| layout.string(payload, id))
            .collect::<Option<Vec<&str>>>()?;
        let limits = Limits {
            strings: layout.strings,
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
        };
        // Strictly ascending keys: every record once (the lookups' binary search and the
        // merge in `encode` rely on it).
        let mut previous: Option<(bool, &str)> = None;
        for j in 0..base.layout.records {
            let r = base.layout.indexed(payload, j)?;
            let (name, extension) = base.key(r as usize);
            let key = (extension, base.strings[name as usize]);
            if previous.is_some_and(|p| !order(p, key).is_lt()) {
                return None;
            }
            previous = Some(key);
        }
        Some(base)
    }

    /// The record numbers in index order.
    fn index(&self) -> impl Iterator<Item = u32> + '_ {
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
    fn start(&self, i: usize) -> usize {
        self.records
            .get(i)
            .map_or(self.layout.record_bytes.end, |r| r.start as usize)
    }

    /// The bytes of records `from..to`.
    fn span(&self, from: usize, to: usize) -> &'a [u8] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::layout::{ledger_of, peek};
    use crate::history::parse::summarise;
    use crate::history::state::{FxMap, Wanted};

    /// The whole state in `bytes` (every record loaded), as a walk that reads it all has it.
    fn decode(bytes: &[u8]) -> Option<State<'_>> {
        let mut state = State::continuing(Base::parse(bytes)?);
        state.load(None).then_some(state)
    }

    fn payload(state: &State) -> Vec<u8> {
        encode(state).concat()
    }

    /// A file a commit changes: path, and its new text (`None`: deleted).
    type Change<'t> = (&'t str, Option<&'t [u8]>);

    /// Accounts a commit changing `files` (path, new text or deleted) of `tree` (the texts at the
    /// tip), as the walk does: the new versions and those they replace are interned, the
    /// elements they declare loaded.
    fn commit<'t>(
        state: &mut State,
        tree: &mut BTreeMap<&'t str, &'t [u8]>,
        at: i64,
        files: &[(&'t str, Option<&'t [u8]>)],
    ) {
        let mut blobs: FxMap<Oid, _> = FxMap::default();
        let mut changes = Vec::new();
        for &(path, text) in files {
            let mut intern = |t: &[u8]| {
                let id = Oid::hash_object(git2::ObjectType::Blob, t).unwrap();
                blobs.insert(id, state.intern(&summarise(path, t)));
                id
            };
            if let Some(old) = tree.get(path) {
                intern(old);
            }
            let id = text.map(&mut intern);
            match text {
                Some(t) => tree.insert(path, t),
                None => tree.remove(path),
            };
            changes.push((state.strings.id(path), id));
        }
        let keys = blobs
            .values()
            .flat_map(|b| b.elements.iter())
            .map(|e| ((e.name, e.kind == Kind::Extensions), ()))
            .collect();
        assert!(state.load(Some(&keys)));
        let mut id = [0u8; 20];
        id[..8].copy_from_slice(&at.to_le_bytes());
        state.commit((Oid::from_bytes(&id).unwrap(), at), &changes, &blobs);
    }

    #[test]
    fn a_state_round_trips_and_every_cut_is_rejected() {
        let mut state = State::new("first-parent;since=;max=".into());
        let text = b"syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved 3 to 4;\n  reserved \"x\";\n}\nenum E { E_UNSPECIFIED = 0; }\nextend google.protobuf.FieldOptions { string tag = 50001; }\n";
        let blob = state.intern(&summarise("a.proto", text));
        let id = Oid::hash_object(git2::ObjectType::Blob, text).unwrap();
        let blobs: FxMap<Oid, _> = [(id, blob)].into_iter().collect();
        let path = state.strings.id("a.proto");
        state.commit((Oid::zero(), 1_700_000_000), &[(path, Some(id))], &blobs);
        let bytes = payload(&state);
        let mut back = decode(&bytes).unwrap();
        assert_eq!(payload(&back), bytes);
        assert_eq!(back.ledger(None), state.ledger(None));
        let ledger = state.ledger(None);
        assert_eq!(ledger.extensions.len(), 1);
        assert_eq!(ledger.elements["p.M"].reserved_ranges, [(3, 4)]);
        assert_eq!(ledger.elements["p.M"].reserved_names, ["x"]);
        // Asked for two elements, the cache answers with exactly those, as the walk would.
        let wanted = Wanted {
            elements: ["p.M".to_owned(), "p.Other".to_owned()].into(),
            extendees: ["google.protobuf.FieldOptions".to_owned()].into(),
        };
        let partial = ledger_of(&bytes[..], &wanted).unwrap();
        assert_eq!(partial, state.ledger(Some(&wanted)));
        assert_eq!(partial.elements.keys().collect::<Vec<_>>(), ["p.M"]);
        assert_eq!(partial.extensions.len(), 1);
        assert_eq!(peek(&bytes[..]).unwrap().1, Some(Oid::zero()));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
            assert!(ledger_of(&bytes[..cut], &wanted).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn a_continued_state_writes_what_a_whole_walk_would() {
        let a1: &[u8] =
            b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  int32 y = 2;\n}\n";
        let a2: &[u8] =
            b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  bool z = 2;\n}\n";
        let b1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage B {\n  string id = 1;\n}\nenum E { E_UNSPECIFIED = 0; E_ONE = 1; }\n";
        let c1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage C { string c = 1; }\n";
        let moved: &[u8] =
            b"syntax = \"proto3\";\npackage q;\nmessage C { string c = 1; int64 d = 2; }\n";
        let history: [&[Change]; 4] = [
            &[
                ("a.proto", Some(a1)),
                ("b.proto", Some(b1)),
                ("c.proto", Some(c1)),
            ],
            &[("a.proto", Some(a2))],
            // A package rename (p.C -> q.C) and a deletion.
            &[("c.proto", Some(moved)), ("b.proto", None)],
            // A re-add.
            &[("b.proto", Some(b1))],
        ];
        let mut whole = State::new("k".into());
        let mut tree = BTreeMap::new();
        for (i, files) in history.iter().enumerate() {
            commit(&mut whole, &mut tree, 100 + i as i64, files);
        }
        let expected = whole.ledger(None);
        assert_eq!(expected.elements["q.C"].former_names, ["p.C"]);
        // Continued from the cache after each commit: only the touched records are loaded.
        let mut tree = BTreeMap::new();
        let mut bytes = {
            let mut first = State::new("k".into());
            commit(&mut first, &mut tree, 100, history[0]);
            payload(&first)
        };
        for (i, files) in history.iter().enumerate().skip(1) {
            let mut state = State::continuing(Base::parse(&bytes).unwrap());
            commit(&mut state, &mut tree, 100 + i as i64, files);
            let loaded = state.elements.iter().filter(|e| e.origin != UNSET).count();
            assert!(loaded < state.base.as_ref().unwrap().len(), "commit {i}");
            bytes = payload(&state);
        }
        assert_eq!(decode(&bytes).unwrap().ledger(None), expected);
        // Every element is found by the index the continued writes merged (and a name the
        // ledger does not have is not).
        let wanted = Wanted {
            elements: expected
                .elements
                .keys()
                .cloned()
                .chain(["p.C".to_owned(), "p.Z".to_owned()])
                .collect(),
            extendees: Default::default(),
        };
        assert_eq!(ledger_of(&bytes[..], &wanted).unwrap(), expected);
    }

    #[test]
    fn the_index_finds_every_element_of_a_large_state() {
        // Names whose order differs from the order they are declared in, messages and enums of
        // the same relative names in two packages, and an extendee that is also a message.
        let mut text = String::from("syntax = \"proto3\";\npackage p;\n");
        for i in 0..60 {
            let n = (i * 37) % 60;
            text.push_str(&format!("message M{n} {{ string f{n} = {}; }}\n", n + 1));
            text.push_str(&format!("enum E{n} {{ E{n}_UNSPECIFIED = 0; }}\n"));
        }
        text.push_str("message Opts {}\nextend Opts { string tag = 5; }\n");
        let other = text.replace("package p;", "package a.b;");
        let mut state = State::new("k".into());
        let mut tree = BTreeMap::new();
        let files: [Change; 2] = [
            ("p.proto", Some(text.as_bytes())),
            ("q.proto", Some(other.as_bytes())),
        ];
        commit(&mut state, &mut tree, 1, &files);
        let bytes = payload(&state);
        let all = state.ledger(None);
        assert_eq!(all.elements.len(), 242);
        for (name, extension) in all
            .elements
            .keys()
            .map(|n| (n, false))
            .chain(all.extensions.keys().map(|n| (n, true)))
        {
            let mut wanted = Wanted::default();
            let set = if extension {
                &mut wanted.extendees
            } else {
                &mut wanted.elements
            };
            set.insert(name.clone());
            let found = ledger_of(&bytes[..], &wanted).unwrap();
            assert_eq!(found, state.ledger(Some(&wanted)), "{name}");
            assert_eq!(found.elements.len() + found.extensions.len(), 1, "{name}");
        }
        let none = Wanted {
            elements: ["p.M60".to_owned(), "p".to_owned(), "z".to_owned()].into(),
            extendees: ["p.M1".to_owned()].into(),
        };
        let found = ledger_of(&bytes[..], &none).unwrap();
        assert!(found.elements.is_empty() && found.extensions.is_empty());
    }
}

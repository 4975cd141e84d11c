//! The ledger's cache: the walk's state at its tip, one [`CacheFile`] (`ledger`) under the
//! repository's git directory, so linked worktrees share it. The shared cache file checks kind,
//! version, length and checksum, and writes by rename, so a damaged, foreign or half-written
//! file reads as absent and the ledger is rebuilt, and two runs at once each leave a whole file.
//! It holds only what the repository can recompute.
//!
//! The payload is binary (see [`crate::cache::Encoder`]; all integers little-endian), the state
//! as it is in memory, so reading it is a copy of integer tables, not a parse; and a check whose
//! ledger is cached at its revision reads only the elements it asks about ([`ledger_of`]),
//! skipping the others by their counts:
//!
//! ```text
//! key        str          what the walk was asked for (--since)
//! shallow    u32          1 if the walk stopped at a shallow boundary
//! unparsable u64, unreadable u64, first unreadable: path u32, commit u32 (u32::MAX: none)
//! commits    u32 n, n × (id 20 bytes, time u64)  oldest first; the last is the tip
//! strings    u32 n, n × str                      names, types, paths (referred to by index)
//! files      u32 n, n × (path u32, blob 20 bytes) the version counted per path at the tip
//! elements   u32 n, n × element
//! element    name u32, relative u32, kind u32 (0 message, 1 enum, 2 extendee), live u32,
//!            former names u32 n + n × u32, reserved ranges u32 n + n × (u32, u32),
//!            reserved names u32 n + n × u32, members u32 n + n × member
//! member     number u32, name u32, type u32, first (commit, path, line) 3 × u32,
//!            last 3 × u32, live u32, json_name u32 (u32::MAX: none, the default)
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;

use git2::{Oid, Repository};

use super::parse::Kind;
use super::state::{At, ElementState, FxMap, MemberState, State, Wanted, UNSET};
use super::view::Tables;
use super::Ledger;
use crate::cache::{CacheFile, Decoder, Encoder};

/// The payload's format: bumped when [`State`] or what the parser records changes.
/// 2: binary, interned, with live counts and extensions (1 was JSON). 3: the same layout,
/// written by patching (a continued walk copies the records it did not touch). 4: a member's
/// explicit `json_name`.
const VERSION: u32 = 4;

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

    /// The cached payload, if the file is whole and ours (see [`peek`], [`Base::parse`],
    /// [`ledger_of`]).
    pub fn read(&self) -> Option<Vec<u8>> {
        self.file.read()
    }

    /// Writes `state`: what it continued from the cache is copied, not re-encoded.
    pub fn write(&self, state: &State) -> std::io::Result<()> {
        let parts = encode(state);
        let parts: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
        self.file.write_parts(&parts)
    }
}

fn kind_code(kind: Kind) -> u32 {
    match kind {
        Kind::Message => 0,
        Kind::Enum => 1,
        Kind::Extensions => 2,
    }
}

/// A payload being written: encoded pieces and slices of the cached payload, in order.
#[derive(Default)]
struct Parts<'s> {
    done: Vec<Cow<'s, [u8]>>,
    current: Encoder,
}

impl<'s> Parts<'s> {
    fn copy(&mut self, bytes: &'s [u8]) {
        if bytes.is_empty() {
            return;
        }
        let current = std::mem::take(&mut self.current);
        if !current.is_empty() {
            self.done.push(Cow::Owned(current.finish()));
        }
        self.done.push(Cow::Borrowed(bytes));
    }

    fn finish(mut self) -> Vec<Cow<'s, [u8]>> {
        if !self.current.is_empty() {
            self.done.push(Cow::Owned(self.current.finish()));
        }
        self.done
    }
}

/// The payload of `state`, in pieces: a continued state's untouched element records and string
/// table are slices of the cached payload.
pub(super) fn encode<'s>(state: &'s State) -> Vec<Cow<'s, [u8]>> {
    let mut parts = Parts::default();
    let e = &mut parts.current;
    e.str(&state.key)
        .u32(u32::from(state.shallow))
        .u64(state.unparsable)
        .u64(state.unreadable);
    let (path, commit) = state.first_unreadable.unwrap_or((UNSET, UNSET));
    e.u32(path).u32(commit);
    e.u32(state.commits.len() as u32);
    for (id, time) in &state.commits {
        e.raw(id.as_bytes()).u64(*time as u64);
    }
    e.u32(state.strings.len() as u32);
    if let Some(base) = &state.base {
        parts.copy(&base.payload[base.strings_span.clone()]);
    }
    for s in state.strings.added() {
        parts.current.str(s);
    }
    let e = &mut parts.current;
    e.u32(state.files.len() as u32);
    for (path, id) in &state.files {
        e.u32(*path).raw(id.as_bytes());
    }
    // The cached records in their order, each replaced by its loaded state (or dropped when that
    // was merged away); then the new elements, in the order they appeared.
    let mut loaded: Vec<(u32, &ElementState)> = state
        .elements
        .iter()
        .filter(|e| e.origin != UNSET)
        .map(|e| (e.origin, e))
        .collect();
    loaded.sort_unstable_by_key(|&(origin, _)| origin);
    let records = state.base.as_ref().map_or(0, |b| b.len());
    let fresh = state
        .elements
        .iter()
        .filter(|e| e.origin == UNSET && !e.dead);
    let kept = loaded.iter().filter(|(_, e)| !e.dead).count();
    parts
        .current
        .u32((records - loaded.len() + kept + fresh.clone().count()) as u32);
    let mut next = 0;
    for (origin, element) in loaded {
        if let Some(base) = &state.base {
            parts.copy(base.span(next, origin as usize));
        }
        next = origin as usize + 1;
        if !element.dead {
            encode_element(&mut parts.current, element);
        }
    }
    if let Some(base) = &state.base {
        parts.copy(base.span(next, records));
    }
    for element in fresh {
        encode_element(&mut parts.current, element);
    }
    parts.finish()
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
fn head(d: &mut Decoder) -> Option<(Head, (u32, u32))> {
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

/// The walk key and the tip of the cached state in `bytes`, without reading the rest.
pub(super) fn peek(bytes: &[u8]) -> Option<(String, Option<Oid>)> {
    let (head, _) = head(&mut Decoder::new(bytes))?;
    Some((head.key, head.commits.last().map(|c| c.0)))
}

/// Indices are checked against the sizes of the string and commit tables.
#[derive(Debug, Clone, Copy)]
struct Limits {
    strings: u32,
    commits: u32,
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

    fn first_unreadable(self, (path, commit): (u32, u32)) -> Option<Option<(u32, u32)>> {
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
/// continued over one commit or a check that asks about a few elements reads just those.
#[derive(Debug)]
pub(super) struct Base<'a> {
    payload: &'a [u8],
    head: Option<Head>,
    pub strings: Vec<&'a str>,
    /// The string table's entries (after its count), copied as they are when writing.
    strings_span: std::ops::Range<usize>,
    pub files: BTreeMap<u32, Oid>,
    records: Vec<Record>,
    /// Where the last record ends (the end of the payload).
    end: usize,
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
    /// and kind outside the records' member lists (those are checked when a record is
    /// decoded). `None` if anything is malformed.
    pub fn parse(payload: &'a [u8]) -> Option<Base<'a>> {
        let mut d = Decoder::new(payload);
        let (mut head, first_unreadable) = head(&mut d)?;
        let n = count(&mut d, 4)?;
        let start = d.position();
        let mut strings = Vec::with_capacity(n);
        for _ in 0..n {
            strings.push(d.str()?);
        }
        let strings_span = start..d.position();
        let limits = Limits {
            strings: strings.len() as u32,
            commits: head.commits.len() as u32,
        };
        head.first_unreadable = limits.first_unreadable(first_unreadable)?;
        let mut files = BTreeMap::new();
        for _ in 0..count(&mut d, 24)? {
            let path = limits.string(d.u32()?)?;
            files.insert(path, Oid::from_bytes(d.take(20)?).ok()?);
        }
        let n = count(&mut d, 20)?;
        let mut records = Vec::with_capacity(n);
        for _ in 0..n {
            let start = d.position() as u32;
            let (name, _, kind) = element_key(&mut d, limits)?;
            skip_element(&mut d)?;
            records.push(Record { name, kind, start });
        }
        d.is_done().then_some(Base {
            payload,
            head: Some(head),
            strings,
            strings_span,
            files,
            records,
            end: payload.len(),
            limits,
        })
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

    /// The bytes of records `from..to`.
    fn span(&self, from: usize, to: usize) -> &'a [u8] {
        let at = |i: usize| self.records.get(i).map_or(self.end, |r| r.start as usize);
        &self.payload[at(from)..at(to)]
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
fn element_key(d: &mut Decoder, limits: Limits) -> Option<(u32, u32, Kind)> {
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
fn element(d: &mut Decoder, limits: Limits) -> Option<ElementState> {
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

/// The ledger of the cached state in `bytes` holding only the elements `wanted` names, read
/// without decoding the rest: strings are borrowed, other elements' records skipped.
pub(super) fn ledger_of(bytes: &[u8], wanted: &Wanted) -> Option<Ledger> {
    let mut base = Base::parse(bytes)?;
    let head = base.take_head();
    let mut ids: FxMap<(u32, bool), ()> = FxMap::default();
    for (i, s) in base.strings.iter().enumerate() {
        for (set, extension) in [(&wanted.elements, false), (&wanted.extendees, true)] {
            if set.contains(*s) {
                ids.insert((i as u32, extension), ());
            }
        }
    }
    let tables = Tables::new(&base.strings[..], &head.commits);
    let mut ledger = tables.ledger(
        head.shallow,
        head.unparsable,
        head.unreadable,
        head.first_unreadable,
    );
    for i in 0..base.len() {
        if ids.contains_key(&base.key(i)) {
            tables.add(&mut ledger, &base.element(i)?);
        }
    }
    Some(ledger)
}

/// A count of items at least `size` bytes each: `None` when that many cannot fit in what is
/// left (so a corrupted count never reserves gigabytes).
fn count(d: &mut Decoder, size: usize) -> Option<usize> {
    let n = d.u32()? as usize;
    (n.checked_mul(size)? <= d.remaining()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::parse::summarise;

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
        let partial = ledger_of(&bytes, &wanted).unwrap();
        assert_eq!(partial, state.ledger(Some(&wanted)));
        assert_eq!(partial.elements.keys().collect::<Vec<_>>(), ["p.M"]);
        assert_eq!(partial.extensions.len(), 1);
        assert_eq!(peek(&bytes).unwrap().1, Some(Oid::zero()));
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
        let wanted = Wanted {
            elements: ["p.A".to_owned(), "q.C".to_owned()].into(),
            extendees: Default::default(),
        };
        assert_eq!(
            ledger_of(&bytes, &wanted).unwrap(),
            whole.ledger(Some(&wanted))
        );
    }
}

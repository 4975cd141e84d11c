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
//!            last 3 × u32, live u32
//! ```

use git2::{Oid, Repository};

use super::parse::Kind;
use super::state::{At, ElementState, FxMap, MemberState, State, Strings, Wanted, UNSET};
use super::view::Tables;
use super::Ledger;
use crate::cache::{CacheFile, Decoder, Encoder};

/// The payload's format: bumped when [`State`] or what the parser records changes.
/// 2: binary, interned, with live counts and extensions (1 was JSON).
const VERSION: u32 = 2;

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

    /// The cached payload, if the file is whole and ours (see [`peek`], [`decode`],
    /// [`ledger_of`]).
    pub fn read(&self) -> Option<Vec<u8>> {
        self.file.read()
    }

    pub fn write(&self, state: &State) -> std::io::Result<()> {
        self.file.write(&encode(state))
    }
}

fn kind_code(kind: Kind) -> u32 {
    match kind {
        Kind::Message => 0,
        Kind::Enum => 1,
        Kind::Extensions => 2,
    }
}

pub(super) fn encode(state: &State) -> Vec<u8> {
    let mut e = Encoder::new();
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
    let strings = state.strings.list();
    e.u32(strings.len() as u32);
    for s in strings {
        e.str(s);
    }
    e.u32(state.files.len() as u32);
    for (path, id) in &state.files {
        e.u32(*path).raw(id.as_bytes());
    }
    let live: Vec<&ElementState> = state.elements.iter().filter(|e| !e.dead).collect();
    e.u32(live.len() as u32);
    for element in live {
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
            e.u32(m.live);
        }
    }
    e.finish()
}

/// What precedes the strings: the walk's key and totals, and the commit table.
struct Head {
    key: String,
    shallow: bool,
    unparsable: u64,
    unreadable: u64,
    first_unreadable: (u32, u32),
    commits: Vec<(Oid, i64)>,
}

fn head(d: &mut Decoder) -> Option<Head> {
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
    Some(Head {
        key,
        shallow,
        unparsable,
        unreadable,
        first_unreadable,
        commits,
    })
}

/// The walk key and the tip of the cached state in `bytes`, without reading the rest.
pub(super) fn peek(bytes: &[u8]) -> Option<(String, Option<Oid>)> {
    let head = head(&mut Decoder::new(bytes))?;
    Some((head.key, head.commits.last().map(|c| c.0)))
}

/// Indices are checked against the sizes of the string and commit tables.
#[derive(Clone, Copy)]
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

/// The string table: each string borrowed from `bytes`.
fn strings<'a>(d: &mut Decoder<'a>) -> Option<Vec<&'a str>> {
    let n = count(d, 4)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(d.str()?);
    }
    Some(out)
}

/// One element; its members are decoded only when `members` says so for its (name, kind) (they
/// are skipped otherwise, and the element comes back without them).
fn element(
    d: &mut Decoder,
    limits: Limits,
    members: impl Fn(u32, Kind) -> bool,
) -> Option<ElementState> {
    let name = limits.string(d.u32()?)?;
    let relative = limits.string(d.u32()?)?;
    let kind = match d.u32()? {
        0 => Kind::Message,
        1 => Kind::Enum,
        2 => Kind::Extensions,
        _ => return None,
    };
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
    let mut list = Vec::new();
    if members(name, kind) {
        list.reserve(n);
        for _ in 0..n {
            list.push(MemberState {
                number: d.u32()? as i32,
                name: limits.string(d.u32()?)?,
                ty: limits.string_or_unset(d.u32()?)?,
                first: limits.at(d)?,
                last: limits.at(d)?,
                live: d.u32()?,
                touch: UNSET,
            });
        }
    } else {
        d.take(n * MEMBER_BYTES)?;
    }
    Some(ElementState {
        name,
        relative,
        kind,
        live,
        former,
        reserved_ranges,
        reserved_names,
        members: list,
        dead: false,
        indexed: false,
        touch: UNSET,
    })
}

/// Bytes per encoded member.
const MEMBER_BYTES: usize = 40;

/// The state in `bytes`; `None` if anything is malformed (a count past the end, an index out
/// of its table, an unknown kind).
pub(super) fn decode(bytes: &[u8]) -> Option<State> {
    let mut d = Decoder::new(bytes);
    let head = head(&mut d)?;
    let mut state = State::new(head.key);
    state.shallow = head.shallow;
    state.unparsable = head.unparsable;
    state.unreadable = head.unreadable;
    state.commits = head.commits;
    let list: Vec<Box<str>> = strings(&mut d)?.into_iter().map(Box::from).collect();
    let limits = Limits {
        strings: list.len() as u32,
        commits: state.commits.len() as u32,
    };
    state.strings = Strings::from_list(list);
    state.first_unreadable = limits.first_unreadable(head.first_unreadable)?;
    for _ in 0..count(&mut d, 24)? {
        let path = limits.string(d.u32()?)?;
        state.files.insert(path, Oid::from_bytes(d.take(20)?).ok()?);
    }
    let n = count(&mut d, 20)?;
    state.elements.reserve(n);
    for _ in 0..n {
        state.elements.push(element(&mut d, limits, |_, _| true)?);
    }
    if !d.is_done() {
        return None;
    }
    state.reindex();
    Some(state)
}

/// The ledger of the cached state in `bytes` holding only the elements `wanted` names, read
/// without decoding the rest: strings are borrowed, other elements' members skipped.
pub(super) fn ledger_of(bytes: &[u8], wanted: &Wanted) -> Option<Ledger> {
    let mut d = Decoder::new(bytes);
    let head = head(&mut d)?;
    let strings = strings(&mut d)?;
    let limits = Limits {
        strings: strings.len() as u32,
        commits: head.commits.len() as u32,
    };
    let mut ids: FxMap<(u32, bool), ()> = FxMap::default();
    for (i, s) in strings.iter().enumerate() {
        for (set, extension) in [(&wanted.elements, false), (&wanted.extendees, true)] {
            if set.contains(*s) {
                ids.insert((i as u32, extension), ());
            }
        }
    }
    let files = count(&mut d, 24)?;
    d.take(files * 24)?;
    let tables = Tables {
        names: &strings[..],
        commits: &head.commits,
    };
    let mut ledger = tables.ledger(
        head.shallow,
        head.unparsable,
        head.unreadable,
        limits.first_unreadable(head.first_unreadable)?,
    );
    for _ in 0..count(&mut d, 20)? {
        let wanted = |name, kind| ids.contains_key(&(name, kind == Kind::Extensions));
        let e = element(&mut d, limits, wanted)?;
        if wanted(e.name, e.kind) {
            tables.add(&mut ledger, &e);
        }
    }
    d.is_done().then_some(ledger)
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

    #[test]
    fn a_state_round_trips_and_every_cut_is_rejected() {
        let mut state = State::new("first-parent;since=;max=".into());
        let text = b"syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved 3 to 4;\n  reserved \"x\";\n}\nenum E { E_UNSPECIFIED = 0; }\nextend google.protobuf.FieldOptions { string tag = 50001; }\n";
        let blob = state.intern(&summarise("a.proto", text));
        let id = Oid::hash_object(git2::ObjectType::Blob, text).unwrap();
        let blobs: FxMap<Oid, _> = [(id, blob)].into_iter().collect();
        let path = state.strings.id("a.proto");
        state.commit((Oid::zero(), 1_700_000_000), &[(path, Some(id))], &blobs);
        let bytes = encode(&state);
        let mut back = decode(&bytes).unwrap();
        assert_eq!(encode(&back), bytes);
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
}

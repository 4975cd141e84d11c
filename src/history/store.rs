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
//! their records and the strings they name ([`super::layout::ledger_over`]), so its cost does not
//! grow with the history. A walk continued over a few new commits writes only what they
//! changed, to a delta file beside the ledger ([`super::delta`]); once the delta outgrows an
//! eighth of the ledger, the whole ledger is written again, copying the records it does not
//! touch ([`Base`], [`encode`]).
//!
//! ```text
//! directory  5 × u32: where the strings, string index, files, records and index sections start
//! head       key str (what the walk was asked for: --since), shallow u32 (1: the walk stopped
//!            at a shallow boundary), unparsable u64, unreadable u64, first unreadable: path
//!            u32, commit u32 (u32::MAX: none), commits u32 n + n × (id 20 bytes, time u64),
//!            oldest first; the last is the tip
//! strings    u32 n, (n + 1) × u32 offsets into the bytes that follow (string i is
//!            offsets[i]..offsets[i + 1]), then the UTF-8 bytes: names, types, paths, each once
//! names      n × (hash u32, id u32), sorted: every string's 32-bit FNV-1a hash of its bytes
//!            (a text is found by binary search for its hash, then comparing those strings)
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
use std::path::Path;

use git2::{Oid, Repository};

use super::base::{Base, Source};
use super::layout::{order, Layout, DIRECTORY};
use super::parse::Kind;
use super::state::{ElementState, State, Wanted, UNSET};
use super::view::Names;
use super::Ledger;
use crate::cache::{CacheFile, Encoder, Mapped};

/// The payload's format: bumped when [`State`] or what the parser records changes.
/// 2: binary, interned, with live counts and extensions (1 was JSON). 3: the same layout,
/// written by patching (a continued walk copies the records it did not touch). 4: a member's
/// explicit `json_name`. 5: laid out for random access (offset tables, an index by name), in a
/// memory-mapped file checked block by block. 6: a string index (a continued walk reads only
/// the strings it needs).
const VERSION: u32 = 6;

/// Largest payload read or written, in bytes: past it the ledger is rebuilt every run.
const MAX_BYTES: u64 = 1 << 30;

pub(super) struct Store {
    file: CacheFile,
    /// `ledger.delta`: see [`super::delta`].
    delta: CacheFile,
}

impl Store {
    pub fn of(repo: &Repository) -> Store {
        Store::at(&CacheFile::dir_of(repo))
    }

    /// The cache files in directory `dir`.
    pub fn at(dir: &Path) -> Store {
        Store {
            file: CacheFile::new(
                dir,
                "ledger",
                concat!("history-ledger-", env!("CARGO_PKG_VERSION")),
                VERSION,
                MAX_BYTES,
            ),
            delta: CacheFile::new(
                dir,
                "ledger.delta",
                concat!("history-ledger-delta-", env!("CARGO_PKG_VERSION")),
                VERSION,
                MAX_BYTES,
            ),
        }
    }

    /// The cache files mapped, if the ledger is ours (its blocks are checked as they are read),
    /// with the delta over it if there is one written over this very file. The delta is checked
    /// whole here (every block, its header and its sections' bounds: it is small), so that one
    /// over another base (stale), damaged, cut short or not ours is ignored, and the base alone
    /// is continued (the delta is then written again).
    pub fn open(&self) -> Option<Cached> {
        let base = self.file.map()?;
        let layout = Layout::of(&base)?;
        let delta = self.delta.map().filter(|delta| {
            delta.all().is_some() && super::delta::open(delta, base.identity(), &layout).is_some()
        });
        Some(Cached { base, delta })
    }

    /// Writes `state`. A state continued from the cache writes a delta over its base while the
    /// delta stays under an eighth of the base; otherwise the whole ledger (what it continued is
    /// copied, not re-encoded), and the delta over the old base goes.
    pub fn write(&self, state: &State) -> std::io::Result<()> {
        // By rename, never in place: other runs (and this one) may have the old files mapped.
        if let Some(base) = &state.base {
            let parts = super::delta::encode(state, base);
            let len: usize = parts.iter().map(|p| p.len()).sum();
            if state.strings.damaged() {
                return Err(std::io::Error::other("a cached string does not read"));
            }
            if len.saturating_mul(8) <= base.payload_len() {
                let parts: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
                return self.delta.write_mapped(&parts);
            }
        }
        let Some(parts) = encode(state).filter(|_| !state.strings.damaged()) else {
            // The ledger continued has a damaged block or a malformed index (found only now that
            // every record is read): the next run rebuilds it.
            self.remove(&self.file)?;
            self.remove(&self.delta)?;
            return Err(std::io::Error::other("the cached ledger is damaged"));
        };
        let parts: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
        self.file.write_mapped(&parts)?;
        // Stale now (it names the old base's identity), so no reader would combine it; removed
        // so that it is not mapped for nothing.
        self.remove(&self.delta)
    }

    fn remove(&self, file: &CacheFile) -> std::io::Result<()> {
        match std::fs::remove_file(file.path()) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
}

/// The cached ledger: the base file and the delta over it, mapped.
pub(super) struct Cached {
    base: Mapped,
    delta: Option<Mapped>,
}

impl Cached {
    /// The walk key and the tip of the cached state (the delta's, if there is one).
    pub fn peek(&self) -> Option<(String, Option<Oid>)> {
        match &self.delta {
            Some(delta) => {
                let layout = Layout::of(&self.base)?;
                let (header, _) = super::delta::open(delta, self.base.identity(), &layout)?;
                super::layout::peek(&header.inner(delta))
            }
            None => super::layout::peek(&self.base),
        }
    }

    /// Whether a delta over the base is in use (see [`Store::open`]).
    #[cfg(test)]
    pub fn has_delta(&self) -> bool {
        self.delta.is_some()
    }

    /// The ledger of the elements `wanted` names, read from the cache alone (see
    /// [`super::layout::ledger_over`]).
    pub fn ledger_of(&self, wanted: &Wanted) -> Option<Ledger> {
        let delta = self.delta.as_ref().map(|d| (d, self.base.identity()));
        super::layout::ledger_over(&self.base, delta, wanted)
    }

    /// The cached state, to continue: the base's head, strings and files read (their blocks
    /// checked; its records are read when the walk asks for them) and the delta's records
    /// loaded. `None` if anything read is malformed.
    pub fn state(&self) -> Option<State<'_>> {
        let mut base = Base::open(Source::Mapped(&self.base))?;
        base.identity = self.base.identity();
        let mut state = State::continuing(base);
        match &self.delta {
            Some(delta) => super::delta::overlay(&mut state, delta.all()?).then_some(state),
            None => Some(state),
        }
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
pub(super) struct Parts<'s> {
    done: Vec<Cow<'s, [u8]>>,
    done_len: usize,
    pub current: Encoder,
}

impl<'s> Parts<'s> {
    pub fn copy(&mut self, bytes: &'s [u8]) {
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

    pub fn len(&self) -> usize {
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
pub(super) fn encode<'s>(state: &'s State) -> Option<Vec<Cow<'s, [u8]>>> {
    let base = state.base.as_ref();
    // Every record is read (and its index entry merged): the cached index must be in order.
    if let Some(base) = base {
        let name = |id: u32| state.strings.text(id);
        (state.strings.check_base() && base.validate(&name)).then_some(())?;
    }
    let head = encode_head(state);

    // Strings: the cached ones' offsets and bytes as they were, then those added since.
    let mut strings = Parts::default();
    let added = state.strings.added();
    strings.current.u32(state.strings.len() as u32);
    let mut end = 0u32;
    if let Some(base) = base {
        strings.copy(
            base.source
                .bytes(base.layout.string_starts(base.layout.strings))?,
        );
        end = base.layout.string_bytes.len() as u32;
    }
    for s in added {
        strings.current.u32(end);
        end = end.wrapping_add(s.len() as u32);
    }
    strings.current.u32(end);
    if let Some(base) = base {
        strings.copy(base.source.bytes(base.layout.string_bytes.clone())?);
    }
    for s in added {
        strings.current.raw(s.as_bytes());
    }

    let names = state.strings.encode_index()?;
    let files = encode_files(state);

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
        let Some(base) = base else {
            return Some(());
        };
        let origin = base.start(from)?;
        for (i, number) in renumber.iter_mut().enumerate().take(to).skip(from) {
            *number = starts.len() as u32;
            starts.push((bytes.len() + base.start(i)? - origin) as u32);
        }
        bytes.copy(base.span(from, to)?);
        Some(())
    };
    let mut encode = |element: &ElementState, bytes: &mut Parts<'s>, starts: &mut Vec<u32>| {
        let name = state.strings.name(element.name);
        encoded.push((element.kind == Kind::Extensions, name, starts.len() as u32));
        starts.push(bytes.len() as u32);
        encode_element(&mut bytes.current, element);
    };
    let mut next = 0;
    for (origin, element) in loaded {
        copy(next, origin as usize, &mut bytes, &mut starts)?;
        next = origin as usize + 1;
        if !element.dead {
            encode(element, &mut bytes, &mut starts);
        }
    }
    copy(next, cached, &mut bytes, &mut starts)?;
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
            let (name, extension) = base.key(r as usize)?;
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

    Some(assemble(head, strings, names, files, records, bytes, index))
}

/// The head section of `state`'s payload.
pub(super) fn encode_head(state: &State) -> Encoder {
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
    head
}

/// The files section of `state`'s payload.
pub(super) fn encode_files(state: &State) -> Encoder {
    let mut files = Encoder::new();
    files.u32(state.files.len() as u32);
    for (path, id) in &state.files {
        files.u32(*path).raw(id.as_bytes());
    }
    files
}

/// A payload from its sections (`names` is the string index, `records` is the records section's count and offset table,
/// `bytes` the records), with the directory in front.
pub(super) fn assemble<'s>(
    head: Encoder,
    strings: Parts<'s>,
    names: Parts<'s>,
    files: Encoder,
    records: Encoder,
    bytes: Parts<'s>,
    index: Encoder,
) -> Vec<Cow<'s, [u8]>> {
    let mut directory = Encoder::new();
    let strings_at = DIRECTORY + head.len();
    let names_at = strings_at + strings.len();
    let files_at = names_at + names.len();
    let records_at = files_at + files.len();
    let index_at = records_at + records.len() + bytes.len();
    for at in [strings_at, names_at, files_at, records_at, index_at] {
        directory.u32(at as u32);
    }
    let mut out = vec![Cow::Owned(directory.finish()), Cow::Owned(head.finish())];
    out.extend(strings.finish());
    out.extend(names.finish());
    out.push(Cow::Owned(files.finish()));
    out.push(Cow::Owned(records.finish()));
    out.extend(bytes.finish());
    out.push(Cow::Owned(index.finish()));
    out
}

pub(super) fn encode_element(e: &mut Encoder, element: &ElementState) {
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

#[cfg(test)]
pub(super) mod tests;

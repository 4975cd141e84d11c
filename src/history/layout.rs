//! Where things are in the ledger's cached payload (see [`super::store`] for the format), and
//! the lookups that read only what they need: a check whose ledger is cached at its revision
//! finds each element it asks about by binary search in the payload's index, decodes those
//! records and the strings they name, and reads nothing else — with the cache file
//! memory-mapped ([`crate::cache::Mapped`]), the pages it touches are the whole cost, whatever
//! the size of the history.

use std::cmp::Ordering;
use std::ops::Range;

use git2::Oid;

use super::base::{element, element_key, head, Head, Limits};
use super::parse::Kind;
use super::state::{ElementState, FxMap, Wanted, UNSET};
use super::view::{Names, Tables};
use super::Ledger;
use crate::cache::{Decoder, Payload};

/// Bytes of the directory at the payload's start: where the strings, string index, files,
/// records and index sections start (u32 each).
pub(super) const DIRECTORY: usize = 20;

/// The sections of a payload, their bounds checked against each other and the payload's
/// length (their contents are checked as they are read).
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub head: Range<usize>,
    pub strings: u32,
    /// The string offset table: `strings + 1` u32 offsets into `string_bytes`.
    string_offsets: usize,
    pub string_bytes: Range<usize>,
    /// `strings` entries (hash u32, string id u32), sorted: a text is found by binary search
    /// for its hash ([`Layout::find_string`]) without reading the other strings.
    pub names: Range<usize>,
    pub files: Range<usize>,
    pub records: u32,
    /// The record offset table: `records + 1` u32 offsets into `record_bytes`.
    record_offsets: usize,
    pub record_bytes: Range<usize>,
    /// `records` u32 record numbers, sorted by (extendee?, name).
    pub index: Range<usize>,
}

fn u32_at<P: Payload + ?Sized>(p: &P, at: usize) -> Option<u32> {
    let bytes = p.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

/// Where a table of `n + 1` u32 offsets that starts at `at` ends.
fn after_offsets(at: usize, n: u32) -> Option<usize> {
    (n as usize).checked_add(1)?.checked_mul(4)?.checked_add(at)
}

impl Layout {
    /// The layout of `p`; `None` if the directory or a section's count does not fit.
    pub fn of<P: Payload + ?Sized>(p: &P) -> Option<Layout> {
        let at = |i: usize| u32_at(p, 4 * i).map(|v| v as usize);
        let (strings, names, files, records, index) = (at(0)?, at(1)?, at(2)?, at(3)?, at(4)?);
        let ordered = DIRECTORY <= strings
            && strings.checked_add(4)? <= names
            && names <= files
            && files <= records
            && records.checked_add(4)? <= index
            && index <= p.len();
        if !ordered {
            return None;
        }
        let n_strings = u32_at(p, strings)?;
        let string_bytes = after_offsets(strings + 4, n_strings)?..names;
        let n_records = u32_at(p, records)?;
        let record_bytes = after_offsets(records + 4, n_records)?..index;
        let whole = string_bytes.start <= string_bytes.end
            && record_bytes.start <= record_bytes.end
            && (files - names) as u64 == 8 * u64::from(n_strings)
            && (p.len() - index) as u64 == 4 * u64::from(n_records);
        whole.then_some(Layout {
            head: DIRECTORY..strings,
            strings: n_strings,
            string_offsets: strings + 4,
            string_bytes,
            names: names..files,
            files: files..records,
            records: n_records,
            record_offsets: records + 4,
            record_bytes,
            index: index..p.len(),
        })
    }

    /// Entry `i` of the offset table at `table`, as a range in `within`.
    fn entry<P: Payload + ?Sized>(
        p: &P,
        table: usize,
        i: u32,
        within: &Range<usize>,
    ) -> Option<Range<usize>> {
        let at = table + 4 * i as usize;
        let bytes = p.get(at..at + 8)?;
        let from = u32::from_le_bytes(bytes[..4].try_into().ok()?) as usize;
        let to = u32::from_le_bytes(bytes[4..].try_into().ok()?) as usize;
        let range = within.start.checked_add(from)?..within.start.checked_add(to)?;
        (from <= to && range.end <= within.end).then_some(range)
    }

    /// Where string `id` is in the payload.
    pub fn string_range<P: Payload + ?Sized>(&self, p: &P, id: u32) -> Option<Range<usize>> {
        (id < self.strings).then_some(())?;
        Self::entry(p, self.string_offsets, id, &self.string_bytes)
    }

    /// String `id`; `None` if it is out of range, not UTF-8 or its bytes fail their check.
    pub fn string<'p, P: Payload + ?Sized>(&self, p: &'p P, id: u32) -> Option<&'p str> {
        std::str::from_utf8(p.get(self.string_range(p, id)?)?).ok()
    }

    /// Entry `j` of the string index: (hash, string id).
    pub fn named<P: Payload + ?Sized>(&self, p: &P, j: u32) -> Option<(u32, u32)> {
        let at = self.names.start + 8 * j as usize;
        let hash = u32_at(p, at)?;
        let id = u32_at(p, at + 4)?;
        (id < self.strings).then_some((hash, id))
    }

    /// The first position of the string index whose entry is not below (hash, id) (reads the
    /// index alone); `None` if an entry it reads is malformed.
    pub fn string_position<P: Payload + ?Sized>(&self, p: &P, key: (u32, u32)) -> Option<u32> {
        let (mut low, mut high) = (0, self.strings);
        while low < high {
            let middle = low + (high - low) / 2;
            if self.named(p, middle)? < key {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        Some(low)
    }

    /// The id of the string `text`: a binary search in the string index for its hash, then the
    /// strings of that hash compared (usually one, none for a text that is absent).
    /// `Some(None)` if there is none, `None` if what the search read is malformed (an id out
    /// of range, a damaged block, a string compared that is not UTF-8).
    pub fn find_string<P: Payload + ?Sized>(&self, p: &P, text: &str) -> Option<Option<u32>> {
        let hash = string_hash(text.as_bytes());
        let mut j = self.string_position(p, (hash, 0))?;
        while j < self.strings {
            let (h, id) = self.named(p, j)?;
            if h != hash {
                break;
            }
            if self.string(p, id)? == text {
                return Some(Some(id));
            }
            j += 1;
        }
        Some(None)
    }

    /// Returns `true` if the string index lists every string once, in strictly ascending order
    /// of (hash, id), each with its string's hash, every string is UTF-8 and no two are the
    /// same text. Reads every string.
    pub fn check_strings<P: Payload + ?Sized>(&self, p: &P) -> bool {
        self.check_strings_with(p, &|id| self.string(p, id))
    }

    /// [`Layout::check_strings`] with the strings read by `text` (a table already read).
    pub fn check_strings_with<'t, P: Payload + ?Sized>(
        &self,
        p: &P,
        text: &dyn Fn(u32) -> Option<&'t str>,
    ) -> bool {
        let mut previous: Option<(u32, u32)> = None;
        // The texts of the run of entries with the current hash.
        let mut run: Vec<&str> = Vec::new();
        for j in 0..self.strings {
            let Some((hash, id)) = self.named(p, j) else {
                return false;
            };
            let Some(text) = text(id) else {
                return false;
            };
            if string_hash(text.as_bytes()) != hash || previous.is_some_and(|e| e >= (hash, id)) {
                return false;
            }
            if previous.is_none_or(|(h, _)| h != hash) {
                run.clear();
            }
            if run.contains(&text) {
                return false;
            }
            run.push(text);
            previous = Some((hash, id));
        }
        true
    }

    /// Where record `i` is in the payload.
    pub fn record_range<P: Payload + ?Sized>(&self, p: &P, i: u32) -> Option<Range<usize>> {
        (i < self.records).then_some(())?;
        Self::entry(p, self.record_offsets, i, &self.record_bytes)
    }

    /// The record number at position `j` of the index.
    pub fn indexed<P: Payload + ?Sized>(&self, p: &P, j: u32) -> Option<u32> {
        let r = u32_at(p, self.index.start + 4 * j as usize)?;
        (r < self.records).then_some(r)
    }

    /// The offset table of the strings before `n` (their starts), as bytes.
    pub fn string_starts(&self, n: u32) -> Range<usize> {
        self.string_offsets..self.string_offsets + 4 * n as usize
    }
}

/// The string index's hash of a string's bytes: 32-bit FNV-1a (part of the format: stable).
pub(super) fn string_hash(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Orders (extendee?, name) keys as the index does (and as the ledger lists elements).
pub(super) fn order(a: (bool, &str), b: (bool, &str)) -> Ordering {
    a.0.cmp(&b.0)
        .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
}

/// The head of the payload `p` and its layout.
fn read_head<P: Payload + ?Sized>(p: &P) -> Option<(Layout, Head, (u32, u32))> {
    let layout = Layout::of(p)?;
    let mut d = Decoder::new(p.get(layout.head.clone())?);
    let (head, first_unreadable) = head(&mut d)?;
    d.is_done().then_some((layout, head, first_unreadable))
}

/// The walk key and the tip of the cached state in `p`, reading nothing else.
pub(super) fn peek<P: Payload + ?Sized>(p: &P) -> Option<(String, Option<Oid>)> {
    let (_, head, _) = read_head(p)?;
    Some((head.key, head.commits.last().map(|c| c.0)))
}

/// The record of (extendee?, name) in `p`, by binary search in its index: `Some(None)` if there
/// is none, `None` if what the search read is malformed. `name` resolves a string id.
fn find<'n, P: Payload + ?Sized>(
    p: &P,
    layout: &Layout,
    limits: Limits,
    key: (bool, &str),
    name: &dyn Fn(u32) -> Option<&'n str>,
) -> Option<Option<u32>> {
    let (mut low, mut high) = (0, layout.records);
    while low < high {
        let middle = low + (high - low) / 2;
        let r = layout.indexed(p, middle)?;
        let mut d = Decoder::new(p.get(layout.record_range(p, r)?)?);
        let (id, _, kind) = element_key(&mut d, limits)?;
        match order((kind == Kind::Extensions, name(id)?), key) {
            Ordering::Less => low = middle + 1,
            Ordering::Greater => high = middle,
            Ordering::Equal => return Some(Some(r)),
        }
    }
    Some(None)
}

/// Record `r` of `p` decoded.
fn decode<P: Payload + ?Sized>(
    p: &P,
    layout: &Layout,
    limits: Limits,
    r: u32,
) -> Option<ElementState> {
    let mut d = Decoder::new(p.get(layout.record_range(p, r)?)?);
    let element = element(&mut d, limits)?;
    d.is_done().then_some(element)
}

/// Strings fetched by id: the few a lookup's elements name.
impl Names for FxMap<u32, &str> {
    fn name(&self, id: u32) -> &str {
        self.get(&id).copied().unwrap_or("")
    }
}

/// The ledger of the cached state in `p` holding only the elements `wanted` names: each found
/// by binary search in the index, decoded with the strings it refers to; nothing else is read.
/// `None` if anything read is malformed (the caller then rebuilds).
#[cfg(test)]
pub(super) fn ledger_of<P: Payload + ?Sized>(p: &P, wanted: &Wanted) -> Option<Ledger> {
    ledger_over(p, None, wanted)
}

/// [`ledger_of`] of a base payload and, with `delta` (its payload and the base's identity), the
/// delta over it ([`super::delta`]): an element is looked up in the delta first, then in the
/// base unless the delta replaced or dropped its record.
pub(super) fn ledger_over<P: Payload + ?Sized>(
    base: &P,
    delta: Option<(&P, u64)>,
    wanted: &Wanted,
) -> Option<Ledger> {
    let base_layout = Layout::of(base)?;
    let delta = match delta {
        Some((d, identity)) => {
            let (header, layout) = super::delta::open(d, identity, &base_layout)?;
            Some((header.inner(d), header, layout, d))
        }
        None => None,
    };
    let (head, first_unreadable) = match &delta {
        Some((inner, ..)) => read_head(inner),
        None => read_head(base),
    }
    .map(|(_, head, first)| (head, first))?;
    let delta_strings = delta.as_ref().map_or(0, |(_, _, layout, _)| layout.strings);
    let limits = Limits {
        strings: base_layout.strings.checked_add(delta_strings)?,
        commits: head.commits.len() as u32,
    };
    let string = |id: u32| -> Option<&str> {
        match id.checked_sub(base_layout.strings) {
            None => base_layout.string(base, id),
            Some(own) => {
                let (inner, _, layout, _) = delta.as_ref()?;
                layout.string(inner, own)
            }
        }
    };
    let first_unreadable = limits.first_unreadable(first_unreadable)?;
    let mut elements = Vec::new();
    for key in wanted.keys().map(|(name, extension)| (extension, name)) {
        if let Some((inner, header, layout, whole)) = &delta {
            if let Some(i) = find(inner, layout, limits, key, &string)? {
                elements.push(decode(inner, layout, limits, i)?);
                continue;
            }
            if let Some(r) = find(base, &base_layout, limits, key, &string)? {
                if !header.replaces(*whole, r)? {
                    elements.push(decode(base, &base_layout, limits, r)?);
                }
            }
        } else if let Some(r) = find(base, &base_layout, limits, key, &string)? {
            elements.push(decode(base, &base_layout, limits, r)?);
        }
    }
    // Every string the ledger shows is fetched (and checked) now, so that none reads as empty.
    let mut names: FxMap<u32, &str> = FxMap::default();
    let ids = elements.iter().flat_map(|e| {
        let members = e
            .members
            .iter()
            .flat_map(|m| [m.name, m.ty, m.json, m.first.path, m.last.path]);
        [e.name]
            .into_iter()
            .chain(e.former.iter().copied())
            .chain(e.reserved_names.iter().copied())
            .chain(members)
    });
    for id in ids.chain(first_unreadable.map(|(path, _)| path)) {
        if id != UNSET && !names.contains_key(&id) {
            names.insert(id, string(id)?);
        }
    }
    let tables = Tables::new(&names, &head.commits);
    let mut ledger = tables.ledger(
        head.shallow,
        head.unparsable,
        head.unreadable,
        first_unreadable,
    );
    for element in &elements {
        tables.add(&mut ledger, element);
    }
    Some(ledger)
}

//! Interned strings of the walk's state: a `u32` per name, type or path.

use std::sync::atomic::{AtomicBool, Ordering};

use super::base::Source;
use super::layout::{string_hash, Layout};
use super::state::{FxMap, UNSET};
use super::store::Parts;
use super::view::Names;

/// Interned strings: element and member names, types, paths. A continued walk starts from the
/// cached table (ids `0..base_len`), read in place from the cache file's payload: a string is
/// read by id when asked for, and a text is found by binary search for its hash in the
/// payload's string index, so a walk over a few files reads a few hundred strings, not the whole table. Strings
/// interned since follow it.
///
/// A cached string that does not read (a damaged block, not UTF-8, a malformed index) reads as
/// empty and marks the table [`Strings::damaged`]: the walk then stops and rebuilds the ledger
/// instead of answering from it.
#[derive(Debug, Default)]
pub(super) struct Strings<'a> {
    base: Option<(Source<'a>, Layout)>,
    /// Every cached string, once [`Strings::read_all`] has read them (for a reader that goes
    /// through the whole ledger, which names each string many times).
    all: Vec<&'a str>,
    /// Texts looked up in the cached table: their id there, or [`UNSET`] if absent.
    resolved: FxMap<Box<str>, u32>,
    added: Vec<Box<str>>,
    added_map: FxMap<Box<str>, u32>,
    damaged: AtomicBool,
}

impl<'a> Strings<'a> {
    /// The cached table of the payload in `source` laid out as `layout`.
    pub fn from_base(source: Source<'a>, layout: Layout) -> Strings<'a> {
        Strings {
            base: Some((source, layout)),
            ..Strings::default()
        }
    }

    /// Strings in the cached table (ids `0..base_len`).
    pub fn base_len(&self) -> u32 {
        self.base.as_ref().map_or(0, |(_, layout)| layout.strings)
    }

    /// String `id`; `None` if there is none or a cached string does not read.
    pub fn text(&self, id: u32) -> Option<&str> {
        match id.checked_sub(self.base_len()) {
            None if !self.all.is_empty() => self.all.get(id as usize).copied(),
            None => {
                let (source, layout) = self.base.as_ref()?;
                layout.string(source, id)
            }
            Some(own) => self.added.get(own as usize).map(|s| &s[..]),
        }
    }

    /// Returns `true` if a cached string did not read: what was computed from this table is
    /// not to be trusted.
    pub fn damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }

    fn mark_damaged(&self) {
        self.damaged.store(true, Ordering::Relaxed);
    }

    /// Appends `text` as the next id, whether or not it is already interned (a delta's strings,
    /// which continue the ids of its base's).
    pub fn push_added(&mut self, text: &str) {
        let id = self.len() as u32;
        self.added.push(text.into());
        self.added_map.insert(text.into(), id);
    }

    /// Strings interned after the cached table, in id order.
    pub fn added(&self) -> &[Box<str>] {
        &self.added
    }

    pub fn len(&self) -> usize {
        self.base_len() as usize + self.added.len()
    }

    /// The id of `text`, interned if new.
    pub fn id(&mut self, text: &str) -> u32 {
        if let Some(id) = self.find(text) {
            return id;
        }
        let id = self.len() as u32;
        self.added.push(text.into());
        self.added_map.insert(text.into(), id);
        id
    }

    /// The id of `text` if it is interned. A search of the cached table that reads something
    /// malformed marks the table damaged (and finds nothing there).
    pub fn find(&mut self, text: &str) -> Option<u32> {
        if let Some((source, layout)) = &self.base {
            let id = match self.resolved.get(text) {
                Some(&id) => id,
                None => {
                    let found = layout.find_string(source, text);
                    if found.is_none() {
                        self.mark_damaged();
                    }
                    let id = found.flatten().unwrap_or(UNSET);
                    self.resolved.insert(text.into(), id);
                    id
                }
            };
            if id != UNSET {
                return Some(id);
            }
        }
        self.added_map.get(text).copied()
    }

    /// The added strings' string index entries (hash, id), sorted; their ids counted from
    /// `first`.
    fn added_entries(&self, first: u32) -> Vec<(u32, u32)> {
        let mut entries: Vec<(u32, u32)> = (self.added.iter().zip(first..))
            .map(|(text, id)| (string_hash(text.as_bytes()), id))
            .collect();
        entries.sort_unstable();
        entries
    }

    /// The string index section of a whole payload of these strings: the cached index's
    /// entries (copied in runs) merged with the added strings'. Reads the cached index alone;
    /// `None` if what it reads is malformed.
    pub fn encode_index(&self) -> Option<Parts<'a>> {
        let mut parts = Parts::default();
        let mut next = 0;
        for (hash, id) in self.added_entries(self.base_len()) {
            if let Some((source, layout)) = &self.base {
                let at = layout.string_position(source, (hash, id))?;
                let from = layout.names.start + 8 * next as usize;
                parts.copy(source.bytes(from..layout.names.start + 8 * at as usize)?);
                next = at;
            }
            parts.current.u32(hash).u32(id);
        }
        if let Some((source, layout)) = &self.base {
            parts.copy(source.bytes(layout.names.start + 8 * next as usize..layout.names.end)?);
        }
        Some(parts)
    }

    /// The string index section of a payload holding only the added strings (a delta's),
    /// their ids counted from 0.
    pub fn encode_added_index(&self) -> Parts<'a> {
        let mut parts = Parts::default();
        for (hash, id) in self.added_entries(0) {
            parts.current.u32(hash).u32(id);
        }
        parts
    }

    /// Reads every cached string, each checked once, and checks the string index
    /// ([`Strings::check_base`]); `false` if anything is malformed.
    pub fn read_all(&mut self) -> bool {
        let Some((source, layout)) = &self.base else {
            return true;
        };
        if !self.all.is_empty() {
            return true;
        }
        let all = (0..layout.strings).map(|id| {
            let bytes = source.bytes(layout.string_range(source, id)?)?;
            std::str::from_utf8(bytes).ok()
        });
        let Some(all) = all.collect::<Option<Vec<&'a str>>>() else {
            return false;
        };
        if !layout.check_strings_with(source, &|id| all.get(id as usize).copied()) {
            return false;
        }
        self.all = all;
        true
    }

    /// Returns `true` if the cached table's index is in order, every string once, and every
    /// string is UTF-8 (checked where every string is read anyway). Reads every string.
    pub fn check_base(&self) -> bool {
        !self.all.is_empty()
            || self
                .base
                .as_ref()
                .is_none_or(|(source, layout)| layout.check_strings(source))
    }
}

impl Names for Strings<'_> {
    fn name(&self, id: u32) -> &str {
        // An id past the table (UNSET: no type) is empty; a cached one that does not read is
        // damage.
        self.text(id).unwrap_or_else(|| {
            if id < self.base_len() {
                self.mark_damaged();
            }
            ""
        })
    }
}

#[cfg(test)]
mod tests;

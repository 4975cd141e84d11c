//! Interned strings of the walk's state: a `u32` per name, type or path.

use super::state::{FxMap, UNSET};
use super::view::Names;

/// Interned strings: element and member names, types, paths. A continued walk starts from the
/// cached table, borrowed from the cache file's bytes (ids `0..base.len()`); strings interned
/// since follow it.
#[derive(Debug, Default)]
pub(super) struct Strings<'a> {
    base: Vec<&'a str>,
    /// Built on first lookup not [`Strings::resolve`]d: a cached state that only answers a few
    /// lookups needs no table of every string.
    base_map: Option<FxMap<&'a str, u32>>,
    /// Texts looked up in `base` in one pass: their id there, or [`UNSET`] if absent.
    resolved: FxMap<Box<str>, u32>,
    added: Vec<Box<str>>,
    added_map: FxMap<Box<str>, u32>,
}

impl<'a> Strings<'a> {
    pub fn from_base(base: Vec<&'a str>) -> Strings<'a> {
        Strings {
            base,
            ..Strings::default()
        }
    }

    /// The cached table (ids `0..len`).
    pub fn base(&self) -> &[&'a str] {
        &self.base
    }

    /// Cached string `id` (below the cached table's length), borrowed from the cache.
    pub fn name_of_base(&self, id: u32) -> &'a str {
        self.base.get(id as usize).copied().unwrap_or("")
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
        self.base.len() + self.added.len()
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

    /// Looks `texts` up in the cached table in one pass over it: a walk continued over a few
    /// files hashes each cached string once and keeps the few it needs, instead of building a
    /// table of half a million strings for a few hundred lookups.
    pub fn resolve<'t>(&mut self, texts: impl IntoIterator<Item = &'t str>) {
        if self.base.is_empty() || self.base_map.is_some() {
            return;
        }
        let mut pending: FxMap<&str, u32> = texts
            .into_iter()
            .filter(|t| !self.resolved.contains_key(*t))
            .map(|t| (t, UNSET))
            .collect();
        if pending.is_empty() {
            return;
        }
        for (i, s) in self.base.iter().enumerate() {
            if let Some(id) = pending.get_mut(s) {
                *id = i as u32;
            }
        }
        self.resolved
            .extend(pending.into_iter().map(|(t, id)| (Box::from(t), id)));
    }

    pub fn find(&mut self, text: &str) -> Option<u32> {
        if let Some(&id) = self.resolved.get(text) {
            if id != UNSET {
                return Some(id);
            }
        } else if !self.base.is_empty() {
            let base = &self.base;
            let map = self.base_map.get_or_insert_with(|| {
                base.iter()
                    .enumerate()
                    .map(|(i, &s)| (s, i as u32))
                    .collect()
            });
            if let Some(&id) = map.get(text) {
                return Some(id);
            }
        }
        self.added_map.get(text).copied()
    }
}

impl Names for Strings<'_> {
    fn name(&self, id: u32) -> &str {
        let id = id as usize;
        match self.base.get(id) {
            Some(s) => s,
            None => id
                .checked_sub(self.base.len())
                .and_then(|i| self.added.get(i))
                .map_or("", |s| s),
        }
    }
}

//! The ledger's delta file (`ledger.delta`, beside `ledger`): what a walk continued over a few
//! commits changed, written instead of the whole ledger, so that a check one commit behind pays
//! for what the commit touched, not for rewriting a file of every element in the history. It is
//! tied to the base file it continues by the base's identity ([`crate::cache::Mapped::identity`]):
//! a delta whose base is gone or was replaced (a compaction, a rebuild, another run's write) is
//! stale and ignored, so a delta and a base are never combined unless one was written over the
//! other. Once the delta grows past an eighth of the base, the next write folds it in: the whole
//! ledger is written and the delta removed.
//!
//! The payload (integers little-endian):
//!
//! ```text
//! base      identity u64, strings u32, records u32: the base file it continues
//! replaced  u32 m, m × u32: the base's records it replaces or drops, ascending
//! origins   u32 n, n × u32: for each record below, the base record it replaces (u32::MAX: new)
//! ledger    a ledger payload (see super::store) with the head at the delta's tip, the strings
//!           added after the base's (their ids continue the base's), the files at the tip, and
//!           the delta's n records with their index
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use super::base::Base;
use super::layout::{order, Layout};
use super::parse::Kind;
use super::state::{ElementState, FxSet, State, UNSET};
use super::store::{assemble, encode_element, encode_files, encode_head, Parts};
use super::view::Names;
use crate::cache::{Encoder, Payload, Slice};

/// The delta of `state`, continued from `base` (the base file, identity included): every element
/// the state holds (touched by the walk, asked about, or carried from an earlier delta), the
/// strings added since the base, the files and head at the tip.
pub(super) fn encode<'s>(state: &'s State, base: &Base) -> Vec<Cow<'s, [u8]>> {
    let base_strings = state.strings.base_len();
    let mut replaced: Vec<u32> = state
        .elements
        .iter()
        .map(|e| e.origin)
        .filter(|&o| o != UNSET)
        .collect();
    replaced.sort_unstable();
    replaced.dedup();
    let kept: Vec<&ElementState> = state.elements.iter().filter(|e| !e.dead).collect();
    let mut prefix = Encoder::new();
    prefix
        .u64(base.identity)
        .u32(base_strings)
        .u32(base.len() as u32);
    prefix.u32(replaced.len() as u32);
    for &r in &replaced {
        prefix.u32(r);
    }
    prefix.u32(kept.len() as u32);
    for e in &kept {
        prefix.u32(e.origin);
    }

    let mut strings = Parts::default();
    let added = state.strings.added();
    strings.current.u32(added.len() as u32);
    let mut end = 0u32;
    for s in added {
        strings.current.u32(end);
        end = end.wrapping_add(s.len() as u32);
    }
    strings.current.u32(end);
    for s in added {
        strings.current.raw(s.as_bytes());
    }

    let mut bytes = Parts::default();
    let mut records = Encoder::new();
    records.u32(kept.len() as u32);
    for e in &kept {
        records.u32(bytes.len() as u32);
        encode_element(&mut bytes.current, e);
    }
    records.u32(bytes.len() as u32);
    let mut sorted: Vec<(bool, &str, u32)> = kept
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let name = state.strings.name(e.name);
            (e.kind == Kind::Extensions, name, i as u32)
        })
        .collect();
    sorted.sort_unstable_by(|a, b| order((a.0, a.1), (b.0, b.1)));
    let mut index = Encoder::new();
    for (_, _, i) in sorted {
        index.u32(i);
    }
    let inner = assemble(
        encode_head(state),
        strings,
        state.strings.encode_added_index(),
        encode_files(state),
        records,
        bytes,
        index,
    );
    let mut out = vec![Cow::Owned(prefix.finish())];
    out.extend(inner);
    out
}

/// Where a delta's parts are, its prefix checked against the base's sizes.
pub(super) struct Header {
    replaced: Range<usize>,
    origins: Range<usize>,
    /// The ledger payload holding the delta's records.
    pub inner: Range<usize>,
}

fn u32_at<P: Payload + ?Sized>(p: &P, at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        p.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

impl Header {
    /// The header of delta `p` over a base of `strings` strings and `records` records with
    /// `identity`; `None` if it is over another base or malformed.
    pub fn read<P: Payload + ?Sized>(
        p: &P,
        identity: u64,
        strings: u32,
        records: u32,
    ) -> Option<Header> {
        let id = p.get(0..8)?;
        if u64::from_le_bytes(id.try_into().ok()?) != identity
            || u32_at(p, 8)? != strings
            || u32_at(p, 12)? != records
        {
            return None;
        }
        let m = u32_at(p, 16)? as usize;
        let replaced = 20..20usize.checked_add(m.checked_mul(4)?)?;
        let n = u32_at(p, replaced.end)? as usize;
        let origins = replaced.end + 4..(replaced.end + 4).checked_add(n.checked_mul(4)?)?;
        (origins.end <= p.len()).then_some(Header {
            replaced,
            inner: origins.end..p.len(),
            origins,
        })
    }

    /// The delta's ledger payload, as a payload of its own.
    pub fn inner<'p, P: Payload + ?Sized>(&self, p: &'p P) -> Slice<'p, P> {
        Slice {
            inner: p,
            start: self.inner.start,
            len: self.inner.len(),
        }
    }

    /// Returns `Some(true)` if the delta replaces or drops base record `r` (binary search).
    pub fn replaces<P: Payload + ?Sized>(&self, p: &P, r: u32) -> Option<bool> {
        let (mut low, mut high) = (0, self.replaced.len() / 4);
        while low < high {
            let middle = low + (high - low) / 2;
            let at = u32_at(p, self.replaced.start + 4 * middle)?;
            match at.cmp(&r) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => return Some(true),
            }
        }
        Some(false)
    }

    fn list(bytes: &[u8], range: &Range<usize>) -> Vec<u32> {
        bytes[range.clone()]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("four bytes")))
            .collect()
    }
}

/// Continues `state` (just made from its base) with the delta `bytes` over that base: the
/// delta's head, strings and files replace the base's, its records are loaded (each with the
/// base record it replaces as its origin), and the base records it drops are marked so.
/// `false` if the delta is malformed (the caller then rebuilds).
pub(super) fn overlay<'a>(state: &mut State<'a>, bytes: &'a [u8]) -> bool {
    overlay_inner(state, bytes).is_some()
}

fn overlay_inner<'a>(state: &mut State<'a>, bytes: &'a [u8]) -> Option<()> {
    let base = state.base.as_ref()?;
    let records = base.len() as u32;
    let header = Header::read(bytes, base.identity, state.strings.len() as u32, records)?;
    let replaced = Header::list(bytes, &header.replaced);
    let origins = Header::list(bytes, &header.origins);
    let ascending = replaced.windows(2).all(|w| w[0] < w[1]);
    if !ascending || replaced.last().is_some_and(|&r| r >= records) {
        return None;
    }
    let base_strings = state.strings.len() as u32;
    let strings = &state.strings;
    let name_before = |id: u32| strings.text(id);
    let mut delta = Base::parse_over(&bytes[header.inner.clone()], base_strings, &name_before)?;
    // Each replaced record is replaced once (by the element that continues it) or dropped.
    let mut continued: FxSet<u32> = FxSet::default();
    let well_formed = delta.len() == origins.len()
        && origins
            .iter()
            .all(|&o| o == UNSET || (replaced.binary_search(&o).is_ok() && continued.insert(o)));
    if !well_formed {
        return None;
    }
    let head = delta.take_head();
    let mut elements = Vec::with_capacity(delta.len());
    for (i, &origin) in origins.iter().enumerate() {
        let mut element = delta.element(i)?;
        element.origin = origin;
        // The base's record of the same name, if any, is one the delta replaces: a name is
        // never in both.
        let name = match element.name.checked_sub(base_strings) {
            Some(own) => delta.strings[own as usize],
            None => state.strings.text(element.name)?,
        };
        let names = |id: u32| state.strings.text(id);
        if let Some(r) = base.find((element.kind == Kind::Extensions, name), &names)? {
            if replaced.binary_search(&r).is_err() {
                return None;
            }
        }
        elements.push(element);
    }
    let dropped: Vec<u32> = replaced
        .iter()
        .copied()
        .filter(|r| !continued.contains(r))
        .collect();
    state.continue_delta(
        head,
        std::mem::take(&mut delta.strings),
        std::mem::take(&mut delta.files),
        elements,
        &replaced,
        &dropped,
    );
    Some(())
}

/// The layout of a delta's inner payload and its header, for lookups.
pub(super) fn open<P: Payload + ?Sized>(
    delta: &P,
    identity: u64,
    base: &Layout,
) -> Option<(Header, Layout)> {
    let header = Header::read(delta, identity, base.strings, base.records)?;
    let layout = Layout::of(&header.inner(delta))?;
    Some((header, layout))
}

#[cfg(test)]
mod tests;

//! A cache payload of entries keyed by git object ID that is read in place: the IDs come sorted,
//! in a table of fixed-size rows, so one lookup is a binary search over the payload as read from
//! disk — no entry is decoded, copied or hashed until it is asked for. A run that looks up ten
//! thousand of a cache's entries then costs ten thousand searches, not the decoding of every
//! entry the cache holds (which grows with the repository's history).
//!
//! The layout (integers little-endian):
//!
//! ```text
//! count  u32
//! rows   count × (id: 20 bytes, end: u32)   IDs strictly increasing; `end` non-decreasing
//! data   the entries, one after the other: entry i is data[end(i-1)..end(i)], end(-1) = 0
//! ```
//!
//! What an entry holds is up to the cache that uses the table.

use std::io;

use super::{CacheFile, Decoder};

/// Bytes of a git object ID (SHA-1).
pub const ID_LEN: usize = 20;
const ROW: usize = ID_LEN + 4;

/// A checked view of a table payload.
#[derive(Debug, Clone, Copy)]
pub struct IdTable<'a> {
    rows: &'a [u8],
    data: &'a [u8],
}

impl<'a> IdTable<'a> {
    /// The table in `payload`, if it is one: sizes, order and entry bounds are all checked (one
    /// pass over the rows). `None` for anything else.
    pub fn parse(payload: &'a [u8]) -> Option<Self> {
        let table = IdTable::split(payload)?;
        let mut end = 0;
        for i in 0..table.len() {
            let next = table.end(i);
            if next < end || (i > 0 && table.id(i - 1) >= table.id(i)) {
                return None;
            }
            end = next;
        }
        (end == table.data.len()).then_some(table)
    }

    /// The table in a payload [`IdTable::parse`] accepted before, without checking it again
    /// (constant time). On any other payload lookups may miss and entries read as empty, but
    /// nothing panics.
    pub fn split(payload: &'a [u8]) -> Option<Self> {
        let mut d = Decoder::new(payload);
        let count = d.u32()? as usize;
        let rows = d.take(count.checked_mul(ROW)?)?;
        let data = d.take(d.remaining())?;
        Some(IdTable { rows, data })
    }

    /// An empty table.
    pub fn empty() -> Self {
        IdTable {
            rows: &[],
            data: &[],
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len() / ROW
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The ID of entry `i` (`i < len`).
    pub fn id(&self, i: usize) -> &'a [u8] {
        &self.rows[i * ROW..i * ROW + ID_LEN]
    }

    fn end(&self, i: usize) -> usize {
        let at = i * ROW + ID_LEN;
        u32::from_le_bytes(self.rows[at..at + 4].try_into().expect("four bytes")) as usize
    }

    /// The bytes of entry `i` (`i < len`); empty if the table's bounds do not hold (a payload
    /// that was not checked, see [`IdTable::split`]).
    pub fn entry(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        self.data.get(start..self.end(i)).unwrap_or_default()
    }

    /// The index of the entry with ID `id`, if there is one.
    pub fn find(&self, id: &[u8]) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// Rewrites `file` with the entries of this run, `fresh` (ID, entry bytes), and those of the
/// table it held, `old` (a payload [`IdTable::parse`] accepted, or empty) that are well-formed
/// (an entry that is not was replaced by a fresh one). When the whole would hold more than
/// `max_entries`, only the old entries marked in `used` (by row) are kept: the cache keeps what
/// the latest run needed. Old entries are written as they are: no decode, no copy.
pub fn update<'a>(
    file: &CacheFile,
    old: &'a [u8],
    used: &[bool],
    mut fresh: Vec<(&'a [u8], &'a [u8])>,
    max_entries: usize,
    well_formed: impl Fn(&[u8]) -> bool,
) -> io::Result<()> {
    let table = IdTable::split(old).unwrap_or_else(IdTable::empty);
    let trim = table.len() + fresh.len() > max_entries;
    fresh.extend(
        (0..table.len())
            .filter(|&i| !trim || used.get(i).copied().unwrap_or(false))
            .filter(|&i| well_formed(table.entry(i)))
            .map(|i| (table.id(i), table.entry(i))),
    );
    write(file, fresh)
}

/// Writes `entries` (ID, entry bytes) to `file` as a table, sorted by ID; of two entries with one
/// ID the first is kept. The entries are written from where they are (most are slices of the
/// payload just read), not copied into one buffer.
pub fn write(file: &CacheFile, mut entries: Vec<(&[u8], &[u8])>) -> io::Result<()> {
    // Stable: the first of two equal IDs stays first, and dedup keeps it.
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.dedup_by(|later, first| later.0 == first.0);
    if entries.iter().any(|(id, _)| id.len() != ID_LEN) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an object ID of the wrong length",
        ));
    }
    let data: usize = entries.iter().map(|(_, entry)| entry.len()).sum();
    if data > u32::MAX as usize || entries.len() > u32::MAX as usize {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a table over 4 GiB",
        ));
    }
    let mut rows = Vec::with_capacity(4 + entries.len() * ROW);
    rows.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    let mut end = 0u32;
    for (id, entry) in &entries {
        end += entry.len() as u32;
        rows.extend_from_slice(id);
        rows.extend_from_slice(&end.to_le_bytes());
    }
    let mut parts: Vec<&[u8]> = Vec::with_capacity(entries.len() + 1);
    parts.push(&rows);
    parts.extend(entries.iter().map(|(_, entry)| *entry));
    file.write_parts(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(byte: u8) -> [u8; ID_LEN] {
        [byte; ID_LEN]
    }

    #[test]
    fn entries_are_found_by_id_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = CacheFile::new(dir.path(), "t.bin", "table-test", 1, 1 << 20);
        let (a, b, c, d) = (id(9), id(1), id(5), id(7));
        // Unsorted, an empty entry, a duplicate ID (the first wins).
        write(
            &file,
            vec![
                (&a, b"nine"),
                (&b, b"one"),
                (&c, b""),
                (&a, b"again"),
                (&d, b"seven"),
            ],
        )
        .unwrap();
        let payload = file.read().unwrap();
        let table = IdTable::parse(&payload).unwrap();
        assert_eq!(table.len(), 4);
        let got = |key: &[u8]| table.find(key).map(|i| table.entry(i));
        assert_eq!(got(&a), Some(&b"nine"[..]));
        assert_eq!(got(&b), Some(&b"one"[..]));
        assert_eq!(got(&c), Some(&b""[..]));
        assert_eq!(got(&d), Some(&b"seven"[..]));
        assert_eq!(got(&id(0)), None);
        assert_eq!(got(&id(6)), None);
        assert_eq!(got(&id(200)), None);
        assert!(IdTable::empty().find(&a).is_none());

        // Anything else is no table: cut short, rows out of order, bounds that do not add up.
        for cut in 0..payload.len() {
            assert!(IdTable::parse(&payload[..cut]).is_none(), "cut at {cut}");
        }
        assert!(IdTable::parse(&[payload.as_slice(), b"x"].concat()).is_none());
        let mut swapped = payload.clone();
        swapped[4..4 + ROW].copy_from_slice(&payload[4 + ROW..4 + 2 * ROW]);
        swapped[4 + ROW..4 + 2 * ROW].copy_from_slice(&payload[4..4 + ROW]);
        assert!(IdTable::parse(&swapped).is_none());
        let mut bad_end = payload.clone();
        bad_end[4 + ID_LEN] = 200;
        assert!(IdTable::parse(&bad_end).is_none());
        assert!(IdTable::parse(&u32::MAX.to_le_bytes()).is_none());
    }

    #[test]
    fn an_update_keeps_old_entries_until_the_limit_then_only_the_used_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = CacheFile::new(dir.path(), "t.bin", "table-test", 1, 1 << 20);
        let ids: Vec<[u8; ID_LEN]> = (0..5).map(id).collect();
        write(
            &file,
            vec![(&ids[0], b"zero"), (&ids[1], b"bad"), (&ids[2], b"two")],
        )
        .unwrap();
        let old = file.read().unwrap();
        let well_formed = |entry: &[u8]| entry != b"bad";
        // Under the limit: every well-formed old entry stays, the fresh ones join.
        update(
            &file,
            &old,
            &[false; 3],
            vec![(&ids[3], b"three")],
            10,
            well_formed,
        )
        .unwrap();
        let payload = file.read().unwrap();
        let table = IdTable::parse(&payload).unwrap();
        let rows: Vec<&[u8]> = (0..table.len()).map(|i| table.entry(i)).collect();
        assert_eq!(rows, [&b"zero"[..], b"two", b"three"]);
        // Past it: only what this run used, and the fresh ones.
        let used = [false, true, true];
        update(&file, &old, &used, vec![(&ids[4], b"four")], 3, well_formed).unwrap();
        let payload = file.read().unwrap();
        let table = IdTable::parse(&payload).unwrap();
        let rows: Vec<&[u8]> = (0..table.len()).map(|i| table.entry(i)).collect();
        assert_eq!(rows, [&b"two"[..], b"four"]);
    }
}

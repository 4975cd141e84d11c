//! Cache files that are memory-mapped and checked block by block, for caches too large to read
//! whole on every run (the history ledger: tens of megabytes, of which a check needs a few
//! records). The payload is cut into blocks of [`BLOCK`] bytes, each with its own checksum in
//! the header; a reader checks the header and its checksum table when it maps the file, and a
//! block the first time one of its bytes is asked for. So a run pays for the pages it reads,
//! and every byte it uses has been checked: a damaged block reads as absent, like a damaged
//! [`CacheFile::read`] file, and the caller rebuilds.
//!
//! The layout (integers little-endian):
//!
//! ```text
//! magic     8 bytes  "PGCACHM\0"
//! kind      1 byte length + that many bytes
//! version   u32      the payload format's version
//! length    u64      payload length in bytes
//! block     u32      block size in bytes (BLOCK)
//! sums      ceil(length / block) × u64: the checksum of each block
//! checksum  u64      of everything above
//! payload   length bytes
//! ```

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use super::{CacheFile, Checksum, Decoder};

const MAGIC: &[u8; 8] = b"PGCACHM\0";

/// Bytes per checksummed block: small enough that a lookup touching a few scattered records
/// checks little more than it reads, large enough that the checksum table of a 1 GiB payload
/// (512 KiB) stays small next to it.
pub const BLOCK: usize = 16 << 10;

/// A payload whose bytes are checked as they are read: a memory-mapped cache ([`Mapped`]), or
/// plain bytes (already checked, or built in memory).
pub trait Payload {
    /// Payload length in bytes.
    fn len(&self) -> usize;

    /// The bytes in `range`; `None` past the end or if a block they lie in fails its checksum.
    fn get(&self, range: Range<usize>) -> Option<&[u8]>;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bytes `start..start + len` of a payload, as a payload of their own.
pub struct Slice<'p, P: Payload + ?Sized> {
    pub inner: &'p P,
    pub start: usize,
    pub len: usize,
}

impl<P: Payload + ?Sized> Payload for Slice<'_, P> {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, range: Range<usize>) -> Option<&[u8]> {
        if range.start > range.end || range.end > self.len {
            return None;
        }
        self.inner
            .get(self.start + range.start..self.start + range.end)
    }
}

impl Payload for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn get(&self, range: Range<usize>) -> Option<&[u8]> {
        <[u8]>::get(self, range)
    }
}

/// A mapped cache file (see the module documentation). Blocks are checked on first use, on
/// this thread (the checked marks are not shared).
pub struct Mapped {
    map: memmap2::Mmap,
    /// Where the payload starts in the file.
    start: usize,
    len: usize,
    sums: Vec<u64>,
    /// Per block: 0 not checked yet, 1 good, 2 damaged.
    checked: Vec<Cell<u8>>,
    /// The header's checksum (see [`Mapped::identity`]).
    identity: u64,
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapped").field("len", &self.len).finish()
    }
}

impl Payload for Mapped {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, range: Range<usize>) -> Option<&[u8]> {
        if range.start > range.end || range.end > self.len {
            return None;
        }
        if range.start < range.end {
            for block in range.start / BLOCK..=(range.end - 1) / BLOCK {
                if !self.check(block) {
                    return None;
                }
            }
        }
        Some(&self.map[self.start + range.start..self.start + range.end])
    }
}

impl Mapped {
    /// The whole payload, every block checked (for a reader that goes through all of it).
    pub fn all(&self) -> Option<&[u8]> {
        self.get(0..self.len)
    }

    /// What identifies this file's contents: the checksum of its header, which holds the
    /// checksum of every block (a file derived from this one records it, and is not combined
    /// with any other).
    pub fn identity(&self) -> u64 {
        self.identity
    }

    fn check(&self, block: usize) -> bool {
        let state = &self.checked[block];
        if state.get() == 0 {
            let from = block * BLOCK;
            let to = (from + BLOCK).min(self.len);
            let bytes = &self.map[self.start + from..self.start + to];
            let good = block_sum(block, bytes) == self.sums[block];
            state.set(if good { 1 } else { 2 });
        }
        state.get() == 1
    }
}

/// The checksum of payload block `index`: its position is part of it, so blocks that trade
/// places do not pass.
fn block_sum(index: usize, bytes: &[u8]) -> u64 {
    let mut sum = block_checksum(index, bytes.len());
    sum.update(bytes);
    sum.finish()
}

/// A checksum for block `index` of `len` bytes, before its bytes.
fn block_checksum(index: usize, len: usize) -> Checksum {
    let mut sum = Checksum::new(len);
    sum.mix(index as u64);
    sum
}

fn blocks(len: usize) -> usize {
    len.div_ceil(BLOCK)
}

impl CacheFile {
    fn mapped_header_len(&self, len: usize) -> usize {
        MAGIC.len() + 1 + self.kind.len() + 4 + 8 + 4 + 8 * blocks(len) + 8
    }

    /// The file mapped, if it is a mapped cache ([`CacheFile::write_mapped`]) of this kind and
    /// version whose length and header checksum hold; its payload's blocks are checked as they
    /// are read ([`Payload::get`]). `None` otherwise (the caller rebuilds).
    pub fn map(&self) -> Option<Mapped> {
        let file = File::open(&self.path).ok()?;
        let size = file.metadata().ok()?.len();
        let fixed = self.mapped_header_len(0) as u64;
        if size < fixed
            || size > self.max_bytes + fixed + 8 * blocks(self.max_bytes as usize) as u64
        {
            return None;
        }
        // SAFETY: a mapping is undefined behaviour only if the file changes underneath it.
        // protoguard never changes a cache file in place: `write_mapped` writes a new file and
        // renames it over the old one, which leaves the old file (and this mapping of it) as it
        // was. A file truncated in place by another program would make reading the lost pages
        // raise SIGBUS, as for every program that maps files (git maps its pack files too).
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let mut d = Decoder::new(&map);
        self.read_header_start(&mut d, MAGIC)?;
        let len = d.u64()?;
        if len > self.max_bytes || d.u32()? as usize != BLOCK {
            return None;
        }
        let len = len as usize;
        let start = self.mapped_header_len(len);
        if map.len() != start.checked_add(len)? {
            return None;
        }
        let sums: Vec<u64> = (0..blocks(len)).map(|_| d.u64()).collect::<Option<_>>()?;
        let header = &map[..d.position()];
        let identity = d.u64()?;
        if identity != super::checksum_of(header) {
            return None;
        }
        Some(Mapped {
            identity,
            start,
            len,
            checked: (0..sums.len()).map(|_| Cell::new(0)).collect(),
            sums,
            map,
        })
    }

    /// Replaces the file with a mapped cache of the concatenation of `parts` (see
    /// [`CacheFile::map`]): written under a temporary name in the same directory and renamed into
    /// place, never rewritten in place (a run may have the old file mapped). A payload over the
    /// limit is not written and the old file is removed.
    pub fn write_mapped(&self, parts: &[&[u8]]) -> io::Result<()> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.check_size(len)?;
        // Each block's checksum starts from its length and position (see `block_sum`).
        let start =
            |block: usize| block_checksum(block, len.saturating_sub(block * BLOCK).min(BLOCK));
        let mut sums = Vec::with_capacity(blocks(len));
        let mut current = start(0);
        let mut filled = 0;
        for &part in parts {
            let mut part = part;
            while !part.is_empty() {
                let n = (BLOCK - filled).min(part.len());
                current.update(&part[..n]);
                filled += n;
                part = &part[n..];
                if filled == BLOCK {
                    let next = start(sums.len() + 1);
                    sums.push(std::mem::replace(&mut current, next).finish());
                    filled = 0;
                }
            }
        }
        if filled > 0 {
            sums.push(current.finish());
        }
        let mut header = self.header_start(MAGIC, self.mapped_header_len(len));
        header.extend_from_slice(&(len as u64).to_le_bytes());
        header.extend_from_slice(&(BLOCK as u32).to_le_bytes());
        for s in &sums {
            header.extend_from_slice(&s.to_le_bytes());
        }
        let checksum = super::checksum_of(&header);
        header.extend_from_slice(&checksum.to_le_bytes());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        persist(dir, &self.path, &header, parts)
    }
}

/// Writes `header` then `parts` to a temporary file in `dir` and renames it to `path`.
pub(super) fn persist(dir: &Path, path: &Path, header: &[u8], parts: &[&[u8]]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // No fsync: a file cut short by a crash fails its checksum and is rebuilt, which costs
    // less than syncing on every run.
    let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    {
        let mut out = io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        out.write_all(header)?;
        for part in parts {
            out.write_all(part)?;
        }
        out.flush()?;
    }
    temp.persist(path).map(drop).map_err(|err| err.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, version: u32) -> CacheFile {
        CacheFile::new(dir, "test.bin", "test", version, 1 << 22)
    }

    /// A payload of three and a half blocks, written in uneven parts.
    fn payload() -> Vec<u8> {
        (0..BLOCK * 7 / 2).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn a_mapped_file_round_trips_and_its_blocks_are_checked_as_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = file(dir.path(), 1);
        assert!(cache.map().is_none(), "no file yet");
        let payload = payload();
        let parts: Vec<&[u8]> = vec![&payload[..5], &payload[5..BLOCK + 3], &payload[BLOCK + 3..]];
        cache.write_mapped(&parts).unwrap();
        let mapped = cache.map().unwrap();
        assert_eq!(mapped.len(), payload.len());
        assert_eq!(mapped.all().unwrap(), &payload[..]);
        assert_eq!(
            mapped.get(BLOCK - 2..BLOCK + 2).unwrap(),
            &payload[BLOCK - 2..BLOCK + 2]
        );
        assert_eq!(mapped.get(0..0).unwrap(), b"");
        assert!(mapped.get(0..payload.len() + 1).is_none());
        // Written whole, the same file.
        let whole = std::fs::read(cache.path()).unwrap();
        cache.write_mapped(&[&payload]).unwrap();
        assert_eq!(std::fs::read(cache.path()).unwrap(), whole);
        // Another version or kind, or a file written by `write`, is not this cache.
        assert!(file(dir.path(), 2).map().is_none());
        assert!(CacheFile::new(dir.path(), "test.bin", "other", 1, 1 << 22)
            .map()
            .is_none());
        let start = whole.len() - payload.len();

        // A flipped byte in the header or its checksum table: the file is not mapped at all.
        for i in (0..start).step_by(3) {
            let mut bad = whole.clone();
            bad[i] ^= 0x5a;
            std::fs::write(cache.path(), &bad).unwrap();
            assert!(cache.map().is_none(), "header byte {i} flipped");
        }
        // In the payload: its block reads as absent, the others as they were.
        for i in [0, BLOCK - 1, BLOCK, 2 * BLOCK + 17, payload.len() - 1] {
            let mut bad = whole.clone();
            bad[start + i] ^= 0x5a;
            std::fs::write(cache.path(), &bad).unwrap();
            let mapped = cache.map().unwrap();
            let block = i / BLOCK * BLOCK;
            assert!(mapped.get(i..i + 1).is_none(), "payload byte {i} flipped");
            assert!(mapped.get(block..block + 1).is_none());
            assert!(mapped.all().is_none());
            let other = if block == 0 { BLOCK } else { 0 };
            assert_eq!(
                mapped.get(other..other + 8).unwrap(),
                &payload[other..other + 8]
            );
        }
        // Two blocks that trade places do not pass.
        let mut swapped = whole.clone();
        swapped[start..start + BLOCK].copy_from_slice(&whole[start + BLOCK..start + 2 * BLOCK]);
        swapped[start + BLOCK..start + 2 * BLOCK].copy_from_slice(&whole[start..start + BLOCK]);
        std::fs::write(cache.path(), &swapped).unwrap();
        assert!(cache.map().unwrap().get(0..1).is_none());
        // Cut short anywhere, or longer: not mapped.
        for cut in [0, 1, 8, start - 1, start, start + 1, whole.len() - 1] {
            std::fs::write(cache.path(), &whole[..cut]).unwrap();
            assert!(cache.map().is_none(), "cut at {cut}");
        }
        std::fs::write(cache.path(), [&whole[..], b"x"].concat()).unwrap();
        assert!(cache.map().is_none(), "trailing byte");
        // A whole-checksum cache file of the same kind is not a mapped one, nor the reverse.
        cache.write(&payload).unwrap();
        assert!(cache.map().is_none());
        cache.write_mapped(&[&payload]).unwrap();
        assert!(cache.read().is_none());
    }

    #[test]
    fn payloads_of_every_size_near_a_block_boundary_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = file(dir.path(), 1);
        let payload = payload();
        for len in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK] {
            let bytes = &payload[..len];
            let (a, b) = bytes.split_at(len / 3);
            cache.write_mapped(&[a, b]).unwrap();
            let mapped = cache.map().unwrap();
            assert_eq!(mapped.all().unwrap(), bytes, "{len} bytes");
        }
    }

    #[test]
    fn a_mapping_outlives_the_file_being_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let cache = file(dir.path(), 1);
        cache.write_mapped(&[b"old payload"]).unwrap();
        let old = cache.map().unwrap();
        cache.write_mapped(&[b"a new, longer payload"]).unwrap();
        assert_eq!(old.all().unwrap(), b"old payload");
        assert_eq!(
            cache.map().unwrap().all().unwrap(),
            b"a new, longer payload"
        );
        // Over the limit: not written, and the old file goes.
        let small = CacheFile::new(dir.path(), "test.bin", "test", 1, 4);
        assert!(small.write_mapped(&[b"12345"]).is_err());
        assert!(cache.map().is_none());
    }
}

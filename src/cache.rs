//! Versioned cache files: small files protoguard keeps under a repository's git directory
//! (`.git/protoguard/`) so that work done for one run (the header scan of a blob, the history
//! ledger) is not redone by the next. A cache is never trusted: a file written by another
//! version or for another purpose, cut short, corrupted or too large reads as absent, and the
//! caller rebuilds it. Writing goes to a temporary file in the same directory that is renamed
//! into place, so a reader sees a whole old file or a whole new one; two runs that write at once
//! both write complete, correct files and the last rename wins. A cache may only hold what can be
//! recomputed from the repository, so losing a write never yields a wrong answer.
//!
//! The file layout (all integers little-endian):
//!
//! ```text
//! magic     8 bytes  "PGCACHE\0"
//! kind      1 byte length + that many bytes (e.g. "headers"): what the payload is
//! version   u32      the payload format's version
//! length    u64      payload length in bytes
//! checksum  u64      of the payload (see `checksum`)
//! payload   length bytes
//! ```
//!
//! A cache too large to read whole on every run is written with [`CacheFile::write_mapped`] and
//! read with [`CacheFile::map`] instead: memory-mapped, with a checksum per 16 KiB block checked
//! when the block is first read (see [`mapped`]), so a run pays for the pages it uses.
//!
//! [`Encoder`] and [`Decoder`] write and read payloads of integers, byte strings and strings;
//! decoding never panics on bad input (every read is bounds-checked).

use std::io;
use std::path::{Path, PathBuf};

pub mod mapped;
pub mod table;

pub use mapped::{Mapped, Payload, Slice};

const MAGIC: &[u8; 8] = b"PGCACHE\0";

/// One cache file: where it lives, what it holds, and the largest payload accepted.
#[derive(Debug, Clone)]
pub struct CacheFile {
    path: PathBuf,
    kind: &'static str,
    version: u32,
    max_bytes: u64,
}

impl CacheFile {
    /// The cache file `name` in `dir`, holding payloads of `kind` (at most 255 bytes) in format
    /// `version`; files larger than `max_bytes` (payload) are neither read nor written.
    pub fn new(dir: &Path, name: &str, kind: &'static str, version: u32, max_bytes: u64) -> Self {
        debug_assert!(kind.len() <= 255);
        CacheFile {
            path: dir.join(name),
            kind,
            version,
            max_bytes,
        }
    }

    /// The cache directory of a git repository: `protoguard/` in its common git directory, so
    /// that linked worktrees share one cache.
    pub fn dir_of(repo: &git2::Repository) -> PathBuf {
        repo.commondir().join("protoguard")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The largest payload this file accepts, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The payload, if the file exists and is a whole, intact cache of this kind and version;
    /// `None` otherwise (the caller rebuilds). Never fails: an unreadable cache is no cache.
    pub fn read(&self) -> Option<Vec<u8>> {
        let size = std::fs::metadata(&self.path).ok()?.len();
        if size > self.max_bytes + self.header_len() as u64 {
            return None;
        }
        let mut bytes = std::fs::read(&self.path).ok()?;
        let range = self.payload_of(&bytes)?;
        // In place: a second copy of a large payload (the history ledger's) doubled peak memory.
        bytes.truncate(range.end);
        bytes.drain(..range.start);
        Some(bytes)
    }

    /// Where the payload is in `bytes`, if the header matches and the checksum holds.
    fn payload_of(&self, bytes: &[u8]) -> Option<std::ops::Range<usize>> {
        let mut d = Decoder::new(bytes);
        self.read_header_start(&mut d, MAGIC)?;
        let length = d.u64()?;
        let checksum = d.u64()?;
        if length > self.max_bytes || d.remaining() as u64 != length {
            return None;
        }
        let start = d.position();
        let payload = &bytes[start..];
        (checksum_of(payload) == checksum).then_some(start..bytes.len())
    }

    /// A header's first fields: `magic`, kind, version.
    fn header_start(&self, magic: &[u8; 8], capacity: usize) -> Vec<u8> {
        let mut header = Vec::with_capacity(capacity);
        header.extend_from_slice(magic);
        header.push(self.kind.len() as u8);
        header.extend_from_slice(self.kind.as_bytes());
        header.extend_from_slice(&self.version.to_le_bytes());
        header
    }

    /// Reads [`CacheFile::header_start`]'s fields; `None` unless they are `magic`, this kind
    /// and this version.
    fn read_header_start(&self, d: &mut Decoder, magic: &[u8; 8]) -> Option<()> {
        let ours = d.take(magic.len())? == magic && {
            let kind_len = usize::from(d.take(1)?[0]);
            d.take(kind_len)? == self.kind.as_bytes() && d.u32()? == self.version
        };
        ours.then_some(())
    }

    fn header_len(&self) -> usize {
        MAGIC.len() + 1 + self.kind.len() + 4 + 8 + 8
    }

    /// Replaces the file with `payload`, creating the directory if needed: written under a
    /// temporary name in the same directory and renamed into place. A payload over the limit is
    /// not written (the old file, if any, is removed so that it is not read stale).
    pub fn write(&self, payload: &[u8]) -> io::Result<()> {
        self.write_parts(&[payload])
    }

    /// [`CacheFile::write`] of the concatenation of `parts`, without concatenating them: a
    /// payload patched from an earlier one (the history ledger's, continued over a commit) is
    /// mostly slices of the file just read, and copying them into one buffer would hold it twice.
    pub fn write_parts(&self, parts: &[&[u8]]) -> io::Result<()> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.check_size(len)?;
        let mut checksum = Checksum::new(len);
        for part in parts {
            checksum.update(part);
        }
        let mut header = self.header_start(MAGIC, self.header_len());
        header.extend_from_slice(&(len as u64).to_le_bytes());
        header.extend_from_slice(&checksum.finish().to_le_bytes());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        mapped::persist(dir, &self.path, &header, parts)
    }

    /// An error for a payload of `len` bytes over the limit, after removing the old file so
    /// that it is not read stale.
    fn check_size(&self, len: usize) -> io::Result<()> {
        if len as u64 <= self.max_bytes {
            return Ok(());
        }
        match std::fs::remove_file(&self.path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: {} bytes is over the cache's limit of {} bytes",
                self.path.display(),
                len,
                self.max_bytes
            ),
        ))
    }
}

/// A 64-bit checksum of `bytes`, eight bytes at a time (multiply-xorshift mixing): it detects
/// truncation and corruption, not tampering — a cache holds nothing a tampered file could turn
/// into a wrong answer that a recomputation would not also give.
fn checksum_of(bytes: &[u8]) -> u64 {
    let mut checksum = Checksum::new(bytes.len());
    checksum.update(bytes);
    checksum.finish()
}

/// [`checksum_of`] over bytes that come in pieces (of a total length known up front): a word
/// split between two pieces is carried over.
struct Checksum {
    h: u64,
    carry: [u8; 8],
    carried: usize,
}

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn new(len: usize) -> Checksum {
        Checksum {
            h: 0x5150_4741_5244_u64 ^ (len as u64).wrapping_mul(Self::K),
            carry: [0; 8],
            carried: 0,
        }
    }

    fn mix(&mut self, word: u64) {
        self.h = (self.h ^ word).wrapping_mul(Self::K);
        self.h ^= self.h >> 29;
    }

    fn update(&mut self, mut bytes: &[u8]) {
        if self.carried > 0 {
            let n = (8 - self.carried).min(bytes.len());
            self.carry[self.carried..self.carried + n].copy_from_slice(&bytes[..n]);
            self.carried += n;
            bytes = &bytes[n..];
            if self.carried < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.carry));
            self.carried = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(
                chunk.try_into().expect("chunks of eight"),
            ));
        }
        let rest = chunks.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.carried = rest.len();
    }

    fn finish(self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.carried].copy_from_slice(&self.carry[..self.carried]);
        let h = (self.h ^ u64::from_le_bytes(last)).wrapping_mul(Self::K);
        h ^ (h >> 32)
    }
}

/// Builds a payload.
#[derive(Debug, Default)]
pub struct Encoder {
    bytes: Vec<u8>,
}

impl Encoder {
    pub fn new() -> Self {
        Encoder::default()
    }

    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// Raw bytes of a length both sides know (an object ID).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// A byte string, length-prefixed (u32).
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.u32(bytes.len() as u32);
        self.raw(bytes)
    }

    pub fn str(&mut self, text: &str) -> &mut Self {
        self.bytes(text.as_bytes())
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads a payload; every read returns `None` past the end or on a malformed value.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Decoder { bytes, pos: 0 }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length-prefixed byte string (see [`Encoder::bytes`]).
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// A length-prefixed string; `None` if it is not UTF-8.
    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// Returns `true` if every byte was read.
    pub fn is_done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, version: u32) -> CacheFile {
        CacheFile::new(dir, "test.bin", "test", version, 1 << 20)
    }

    #[test]
    fn round_trips_and_rejects_what_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let cache = file(dir.path(), 1);
        assert_eq!(cache.read(), None, "no file yet");
        let mut e = Encoder::new();
        e.u32(7)
            .str("acme/v1/a.proto")
            .bytes(&[1, 2, 3])
            .u64(u64::MAX);
        let payload = e.finish();
        cache.write(&payload).unwrap();
        let read = cache.read().unwrap();
        assert_eq!(read, payload);
        let mut d = Decoder::new(&read);
        assert_eq!(d.u32(), Some(7));
        assert_eq!(d.str(), Some("acme/v1/a.proto"));
        assert_eq!(d.bytes(), Some(&[1u8, 2, 3][..]));
        assert_eq!(d.u64(), Some(u64::MAX));
        assert!(d.is_done());
        assert_eq!(d.u32(), None, "past the end");

        // Another version or another kind of cache under the same name is not trusted.
        assert_eq!(file(dir.path(), 2).read(), None);
        assert_eq!(
            CacheFile::new(dir.path(), "test.bin", "other", 1, 1 << 20).read(),
            None
        );
        // Nor is a cache larger than the reader accepts.
        assert_eq!(
            CacheFile::new(dir.path(), "test.bin", "test", 1, 4).read(),
            None
        );

        // Every single-byte corruption and every truncation reads as absent.
        let whole = std::fs::read(cache.path()).unwrap();
        for i in 0..whole.len() {
            let mut bad = whole.clone();
            bad[i] ^= 0x5a;
            std::fs::write(cache.path(), &bad).unwrap();
            assert_eq!(cache.read(), None, "byte {i} flipped");
            std::fs::write(cache.path(), &whole[..i]).unwrap();
            assert_eq!(cache.read(), None, "cut at {i}");
        }
        std::fs::write(cache.path(), [&whole[..], b"x"].concat()).unwrap();
        assert_eq!(cache.read(), None, "trailing byte");
        std::fs::write(cache.path(), b"not a cache at all").unwrap();
        assert_eq!(cache.read(), None);
        // And it is rebuilt by writing.
        cache.write(&payload).unwrap();
        assert_eq!(cache.read().unwrap(), payload);
    }

    #[test]
    fn a_payload_written_in_parts_is_the_payload_written_whole() {
        let payload: Vec<u8> = (0..203u32).map(|i| (i * 37 % 251) as u8).collect();
        for cuts in [
            vec![],
            vec![0],
            vec![1, 2, 3],
            vec![7, 8, 9, 17],
            vec![5, 100, 202],
        ] {
            let mut parts = Vec::new();
            let mut at = 0;
            for cut in cuts {
                parts.push(&payload[at..cut]);
                at = cut;
            }
            parts.push(&payload[at..]);
            let mut checksum = Checksum::new(payload.len());
            for part in &parts {
                checksum.update(part);
            }
            assert_eq!(checksum.finish(), checksum_of(&payload), "{parts:?}");
            let dir = tempfile::tempdir().unwrap();
            let cache = file(dir.path(), 1);
            cache.write_parts(&parts).unwrap();
            assert_eq!(cache.read().unwrap(), payload);
        }
    }

    #[test]
    fn an_oversized_payload_is_not_written_and_the_stale_file_goes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path(), "c.bin", "test", 1, 8);
        cache.write(b"12345678").unwrap();
        assert!(cache.read().is_some());
        assert!(cache.write(b"123456789").is_err());
        assert_eq!(cache.read(), None);
    }

    #[test]
    fn concurrent_writers_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = file(dir.path(), 1);
        let payloads: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 50_000 + usize::from(i)]).collect();
        let all = &payloads;
        std::thread::scope(|s| {
            for payload in all {
                let cache = cache.clone();
                s.spawn(move || {
                    for _ in 0..20 {
                        cache.write(payload).unwrap();
                        // A reader between writes sees one writer's whole payload, or nothing.
                        if let Some(read) = cache.read() {
                            assert!(all.contains(&read));
                        }
                    }
                });
            }
        });
        assert!(payloads.contains(&cache.read().unwrap()));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "test.bin")
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    #[test]
    fn the_cache_of_a_repository_is_in_its_common_git_directory() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        assert_eq!(
            CacheFile::dir_of(&repo).canonicalize().ok(),
            None,
            "not created by asking"
        );
        assert!(CacheFile::dir_of(&repo).starts_with(repo.commondir()));
        assert!(CacheFile::dir_of(&repo).ends_with("protoguard"));
    }
}

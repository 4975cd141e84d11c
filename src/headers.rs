//! The header scan of every file ([`crate::scan`]: imports, package, edition), looked up by git
//! blob ID. A blob's header never changes, so the scans of a repository's blobs are kept in a
//! cache file under its git directory (`.git/protoguard/headers.bin`, see [`crate::cache`]):
//! planning a check then reads and scans only blobs no earlier run has seen, instead of every
//! file of both revisions. Files without a blob ID (directory inputs) are scanned every time.
//! The cache holds at most [`MAX_ENTRIES`] blobs; when a run would grow it past that, only the
//! blobs that run used are kept.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use crate::cache::table::{self, IdTable};
use crate::cache::{CacheFile, Decoder, Encoder};
use crate::error::Result;
use crate::input::{Oid, SourceFile, Sources};
use crate::scan::{self, Header};

/// The format of the cache's payload; bump it when [`Header`] or the encoding changes.
const VERSION: u32 = 2;
/// The most blobs the cache keeps (googleapis' whole history has about 60,000 `.proto` blobs).
pub const MAX_ENTRIES: usize = 200_000;
/// The largest cache file read or written, in bytes.
const MAX_BYTES: u64 = 64 << 20;

/// Hashes a blob ID by its first eight bytes. The ID is a cryptographic hash already, so the
/// default SipHash over it is work for nothing, and planning looks up every file of a revision.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    /// The length an array is hashed with first: the same for every ID.
    fn write_usize(&mut self, _: usize) {}
}

type ById = BuildHasherDefault<IdHasher>;

/// Header scans by blob ID: those of the cache file, read in place (see
/// [`crate::cache::table`]), plus those made in this run.
pub struct Headers {
    /// The cache file's payload: a table of encoded headers by blob ID (empty without one).
    payload: Vec<u8>,
    /// Entries of the table looked up in this run (kept first when the cache is trimmed).
    used: Vec<bool>,
    /// Scans made in this run of blobs the file does not hold (or holds malformed).
    fresh: HashMap<Oid, Header, ById>,
    /// Scans of files without a blob ID, in the order asked.
    unnamed: Vec<Header>,
    file: Option<CacheFile>,
}

/// One file whose header is wanted: the revision it is in, its name there and the file.
pub type Wanted<'a> = (&'a Sources, &'a str, &'a SourceFile);

/// A header as the plan reads it: borrowed from the cache file's bytes or from a scan.
#[derive(Debug, Clone)]
pub enum HeaderRef<'a> {
    Cached(Entry<'a>),
    Scanned(&'a Header),
}

/// A cached header, checked when it was looked up; its imports are read as they are iterated.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    package: Option<&'a str>,
    imports: Decoder<'a>,
    count: u32,
}

impl<'a> HeaderRef<'a> {
    /// The `package` name, if declared.
    pub fn package(&self) -> Option<&'a str> {
        match self {
            HeaderRef::Cached(entry) => entry.package,
            HeaderRef::Scanned(header) => header.package.as_deref(),
        }
    }

    /// The imported file names, in order.
    pub fn imports(&self) -> Imports<'a> {
        match self {
            HeaderRef::Cached(entry) => Imports::Cached(entry.imports.clone(), entry.count),
            HeaderRef::Scanned(header) => Imports::Scanned(header.imports.iter()),
        }
    }
}

/// See [`HeaderRef::imports`].
pub enum Imports<'a> {
    Cached(Decoder<'a>, u32),
    Scanned(std::slice::Iter<'a, String>),
}

impl<'a> Iterator for Imports<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Imports::Cached(d, left) => {
                *left = left.checked_sub(1)?;
                // Checked when the entry was looked up: this cannot fail.
                d.str()
            }
            Imports::Scanned(iter) => iter.next().map(String::as_str),
        }
    }
}

impl Headers {
    /// No cache: every file is scanned.
    pub fn uncached() -> Self {
        Headers {
            payload: Vec::new(),
            used: Vec::new(),
            fresh: HashMap::default(),
            unnamed: Vec::new(),
            file: None,
        }
    }

    /// The cache in `dir` (a repository's cache directory); a missing, foreign or damaged cache
    /// file starts empty and is rewritten by [`Headers::save`].
    pub fn open(dir: &Path) -> Self {
        let file = CacheFile::new(dir, "headers.bin", "headers", VERSION, MAX_BYTES);
        let payload = file.read().unwrap_or_default();
        let Some(rows) = IdTable::parse(&payload).map(|table| table.len()) else {
            return Headers {
                file: Some(file),
                ..Headers::uncached()
            };
        };
        Headers {
            used: vec![false; rows],
            payload,
            file: Some(file),
            ..Headers::uncached()
        }
    }

    /// The cache of whichever revision has one (both come from one repository when both do).
    pub fn for_pair(old: &Sources, new: &Sources) -> Self {
        match new.cache_dir.as_ref().or(old.cache_dir.as_ref()) {
            Some(dir) => Headers::open(dir),
            None => Headers::uncached(),
        }
    }

    /// The table of a payload checked by [`Headers::open`] (an empty payload has none).
    fn table(payload: &[u8]) -> IdTable<'_> {
        IdTable::split(payload).unwrap_or_else(IdTable::empty)
    }

    /// The headers of `wanted`, in order: from the cache by blob ID, else scanned (reading the
    /// file). The headers borrow from `self` until the plan is made.
    pub fn of_all<'s, 'w>(
        &'s mut self,
        wanted: impl ExactSizeIterator<Item = Wanted<'w>>,
    ) -> Result<Vec<HeaderRef<'s>>> {
        enum Slot<'p> {
            Cached(Entry<'p>),
            Fresh(Oid),
            Unnamed(usize),
        }
        let Headers {
            payload,
            used,
            fresh,
            unnamed,
            ..
        } = self;
        let table = Headers::table(payload);
        let mut slots = Vec::with_capacity(wanted.len());
        for (sources, name, file) in wanted {
            let Some(id) = file.id() else {
                unnamed.push(scan::scan(sources.bytes(name, file)?));
                slots.push(Slot::Unnamed(unnamed.len() - 1));
                continue;
            };
            if let Some(i) = table.find(id.as_bytes()) {
                used[i] = true;
                if let Some(entry) = entry_of(table.entry(i)) {
                    slots.push(Slot::Cached(entry));
                    continue;
                }
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = fresh.entry(id) {
                slot.insert(scan::scan(sources.bytes(name, file)?));
            }
            slots.push(Slot::Fresh(id));
        }
        let (fresh, unnamed) = (&*fresh, &*unnamed);
        Ok(slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Cached(entry) => HeaderRef::Cached(entry),
                Slot::Fresh(id) => HeaderRef::Scanned(&fresh[&id]),
                Slot::Unnamed(k) => HeaderRef::Scanned(&unnamed[k]),
            })
            .collect())
    }

    /// Writes the scans made in this run to the cache file, if there were any. A cache that
    /// cannot be written is no error: the next run scans again.
    pub fn save(self) {
        let Some(file) = &self.file else {
            return;
        };
        if self.fresh.is_empty() {
            return;
        }
        let fresh: Vec<(&Oid, Vec<u8>)> = self
            .fresh
            .iter()
            .map(|(id, header)| (id, encode(header)))
            .collect();
        let fresh = fresh
            .iter()
            .map(|(id, bytes)| (id.as_bytes(), bytes.as_slice()))
            .collect();
        let _ = table::update(
            file,
            &self.payload,
            &self.used,
            fresh,
            MAX_ENTRIES,
            |entry| entry_of(entry).is_some(),
        );
    }
}

/// One header as a table entry.
fn encode(header: &Header) -> Vec<u8> {
    let mut e = Encoder::new();
    match &header.package {
        Some(package) => e.u32(1).str(package),
        None => e.u32(0),
    };
    match &header.edition {
        Some((edition, line, column)) => e.u32(1).str(edition).u32(*line).u32(*column),
        None => e.u32(0),
    };
    e.u32(header.imports.len() as u32);
    for import in &header.imports {
        e.str(import);
    }
    e.finish()
}

/// A table entry checked whole (every field in bounds and UTF-8, nothing left over), without
/// copying anything; `None` if it is malformed in any way (then the blob is scanned again).
fn entry_of(bytes: &[u8]) -> Option<Entry<'_>> {
    let mut d = Decoder::new(bytes);
    let package = match d.u32()? {
        0 => None,
        1 => Some(d.str()?),
        _ => return None,
    };
    match d.u32()? {
        0 => {}
        1 => {
            d.str()?;
            d.u32()?;
            d.u32()?;
        }
        _ => return None,
    }
    let count = d.u32()?;
    let imports = d.clone();
    for _ in 0..count {
        d.str()?;
    }
    d.is_done().then_some(Entry {
        package,
        imports,
        count,
    })
}

/// The whole header of a checked entry (tests, and the edition when a caller needs it).
#[cfg(test)]
fn decode(bytes: &[u8]) -> Option<Header> {
    let entry = entry_of(bytes)?;
    let mut d = Decoder::new(bytes);
    d.u32()?;
    if entry.package.is_some() {
        d.str()?;
    }
    let edition = match d.u32()? {
        1 => Some((d.str()?.to_owned(), d.u32()?, d.u32()?)),
        _ => None,
    };
    let header = HeaderRef::Cached(entry);
    Some(Header {
        imports: header.imports().map(str::to_owned).collect(),
        edition,
        package: header.package().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(header: &HeaderRef<'_>) -> (Option<String>, Vec<String>) {
        (
            header.package().map(str::to_owned),
            header.imports().map(str::to_owned).collect(),
        )
    }

    #[test]
    fn scans_are_cached_by_blob_and_a_damaged_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            b"edition = \"2023\";\npackage acme.v1;\nimport \"b.proto\";\nimport \"c.proto\";\n"
                .to_vec();
        let id = Oid::hash_object(git2::ObjectType::Blob, &text).unwrap();
        let plain = b"syntax = \"proto3\";\n".to_vec();
        let plain_id = Oid::hash_object(git2::ObjectType::Blob, &plain).unwrap();
        let mut sources = Sources::default();
        sources
            .files
            .insert("a.proto".into(), SourceFile::with_id(text.clone(), id));
        sources.files.insert(
            "p.proto".into(),
            SourceFile::with_id(plain.clone(), plain_id),
        );
        // A file without a blob ID (a directory input) is scanned, never cached.
        sources.insert("d.proto", b"import \"a.proto\";".to_vec());
        fn wanted(s: &Sources) -> Vec<Wanted<'_>> {
            ["a.proto", "p.proto", "d.proto", "a.proto"]
                .into_iter()
                .map(|n| (s, n, s.file(n).unwrap()))
                .collect()
        }

        let mut headers = Headers::open(dir.path());
        let scanned: Vec<_> = headers
            .of_all(wanted(&sources).into_iter())
            .unwrap()
            .iter()
            .map(owned)
            .collect();
        let a = (
            Some("acme.v1".to_owned()),
            vec!["b.proto".to_owned(), "c.proto".to_owned()],
        );
        assert_eq!(scanned[0], a);
        assert_eq!(scanned[1], (None, vec![]));
        assert_eq!(scanned[2], (None, vec!["a.proto".to_owned()]));
        assert_eq!(scanned[3], a);
        assert_eq!(headers.fresh.len(), 2, "each blob scanned once");
        headers.save();

        // A second run finds them without the bytes: files listed with the same IDs but other
        // bytes prove the scans came from the cache.
        let mut other = Sources::default();
        for (name, id) in [("a.proto", id), ("p.proto", plain_id)] {
            other
                .files
                .insert(name.into(), SourceFile::with_id(b"package x;".to_vec(), id));
        }
        other.insert("d.proto", Vec::new());
        let mut headers = Headers::open(dir.path());
        let cached: Vec<_> = headers
            .of_all(wanted(&other).into_iter())
            .unwrap()
            .iter()
            .map(owned)
            .collect();
        assert_eq!(cached[0], a);
        assert_eq!(cached[1], (None, vec![]));
        assert_eq!(cached[2], (None, vec![]), "no ID: scanned again");
        assert!(headers.fresh.is_empty());
        let table = IdTable::parse(&headers.payload).unwrap();
        let header = decode(table.entry(table.find(id.as_bytes()).unwrap())).unwrap();
        assert_eq!(header.edition, Some(("2023".to_owned(), 1, 1)));

        // A damaged file is not trusted: the scans are made again from the bytes.
        let path = dir.path().join("headers.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let mut headers = Headers::open(dir.path());
        assert!(headers.payload.is_empty());
        let rescanned: Vec<_> = headers
            .of_all(wanted(&other).into_iter())
            .unwrap()
            .iter()
            .map(owned)
            .collect();
        assert_eq!(
            rescanned[0],
            (Some("x".to_owned()), vec![]),
            "from the bytes"
        );
        // And the file is rebuilt from them.
        headers.save();
        let headers = Headers::open(dir.path());
        assert_eq!(IdTable::parse(&headers.payload).unwrap().len(), 2);
    }

    #[test]
    fn malformed_entries_are_rescanned_and_dropped() {
        let header = Header {
            imports: vec!["x.proto".into(), "y.proto".into()],
            edition: Some(("2023".into(), 2, 1)),
            package: Some("p".into()),
        };
        let entry = encode(&header);
        assert_eq!(decode(&entry).unwrap(), header);
        for cut in 0..entry.len() {
            assert!(entry_of(&entry[..cut]).is_none(), "cut at {cut}");
        }
        assert!(entry_of(&[entry.as_slice(), &[0]].concat()).is_none());
        assert!(entry_of(&u32::MAX.to_le_bytes()).is_none());

        // A table whose entry for a blob is malformed (it passed the file's checksum, so it was
        // written that way): the blob is scanned again and the entry replaced.
        let dir = tempfile::tempdir().unwrap();
        let text = b"package good;".to_vec();
        let id = Oid::hash_object(git2::ObjectType::Blob, &text).unwrap();
        let file = CacheFile::new(dir.path(), "headers.bin", "headers", VERSION, MAX_BYTES);
        table::write(&file, vec![(id.as_bytes(), &entry[..entry.len() - 1])]).unwrap();
        let mut sources = Sources::default();
        sources
            .files
            .insert("a.proto".into(), SourceFile::with_id(text, id));
        let mut headers = Headers::open(dir.path());
        let got: Vec<_> = headers
            .of_all([(&sources, "a.proto", sources.file("a.proto").unwrap())].into_iter())
            .unwrap()
            .iter()
            .map(owned)
            .collect();
        assert_eq!(got, [(Some("good".to_owned()), vec![])]);
        headers.save();
        let headers = Headers::open(dir.path());
        let table = IdTable::parse(&headers.payload).unwrap();
        assert_eq!(table.len(), 1);
        assert_eq!(
            decode(table.entry(0)).unwrap().package.as_deref(),
            Some("good")
        );
    }
}

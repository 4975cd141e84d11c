//! The header scan of every file ([`crate::scan`]: imports, package, edition), looked up by git
//! blob ID. A blob's header never changes, so the scans of a repository's blobs are kept in a
//! cache file under its git directory (`.git/protoguard/headers.bin`, see [`crate::cache`]):
//! planning a check then reads and scans only blobs no earlier run has seen, instead of every
//! file of both revisions. Files without a blob ID (directory inputs) are scanned every time.
//! The cache holds at most [`MAX_ENTRIES`] blobs; when a run would grow it past that, only the
//! blobs that run used are kept.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::rc::Rc;

use crate::cache::{CacheFile, Decoder, Encoder};
use crate::error::Result;
use crate::input::{Oid, SourceFile, Sources};
use crate::scan::{self, Header};

/// The format of the cache's payload; bump it when [`Header`] or the encoding changes.
const VERSION: u32 = 1;
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

/// Header scans by blob ID: those of the cache file, plus those made in this run.
pub struct Headers {
    known: HashMap<Oid, Rc<Header>, ById>,
    /// Blobs looked up in this run (kept first when the cache is trimmed).
    used: HashSet<Oid, ById>,
    /// Scans made in this run that the file does not hold yet.
    added: usize,
    file: Option<CacheFile>,
}

impl Headers {
    /// No cache: every file is scanned.
    pub fn uncached() -> Self {
        Headers {
            known: HashMap::default(),
            used: HashSet::default(),
            added: 0,
            file: None,
        }
    }

    /// The cache in `dir` (a repository's cache directory); a missing, foreign or damaged cache
    /// file starts empty and is rewritten by [`Headers::save`].
    pub fn open(dir: &Path) -> Self {
        let file = CacheFile::new(dir, "headers.bin", "headers", VERSION, MAX_BYTES);
        let known = file
            .read()
            .and_then(|payload| decode(&payload))
            .unwrap_or_default();
        Headers {
            known,
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

    /// The header of `file` (named `name` in `sources`): from the cache by blob ID, else scanned.
    pub fn of(&mut self, sources: &Sources, name: &str, file: &SourceFile) -> Result<Rc<Header>> {
        let Some(id) = file.id() else {
            return Ok(Rc::new(scan::scan(sources.bytes(name, file)?)));
        };
        self.used.insert(id);
        if let Some(header) = self.known.get(&id) {
            return Ok(header.clone());
        }
        let header = Rc::new(scan::scan(sources.bytes(name, file)?));
        self.known.insert(id, header.clone());
        self.added += 1;
        Ok(header)
    }

    /// Writes the scans made in this run to the cache file, if there were any. A cache that
    /// cannot be written is no error: the next run scans again.
    pub fn save(self) {
        let Some(file) = &self.file else {
            return;
        };
        if self.added == 0 {
            return;
        }
        let keep: Vec<(&Oid, &Rc<Header>)> = if self.known.len() > MAX_ENTRIES {
            self.known
                .iter()
                .filter(|(id, _)| self.used.contains(id))
                .collect()
        } else {
            self.known.iter().collect()
        };
        let _ = file.write(&encode(&keep));
    }
}

fn encode(entries: &[(&Oid, &Rc<Header>)]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.u32(entries.len() as u32);
    for (id, header) in entries {
        e.raw(id.as_bytes());
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
    }
    e.finish()
}

/// The entries of a payload; `None` if it is malformed in any way (then the cache is rebuilt).
fn decode(payload: &[u8]) -> Option<HashMap<Oid, Rc<Header>, ById>> {
    let mut d = Decoder::new(payload);
    let count = d.u32()? as usize;
    // Each entry takes at least 32 bytes: a count that cannot fit is a damaged file.
    if count > payload.len() / 32 {
        return None;
    }
    let mut known = HashMap::with_capacity_and_hasher(count, ById::default());
    for _ in 0..count {
        let id = Oid::from_bytes(d.take(20)?).ok()?;
        let package = match d.u32()? {
            0 => None,
            1 => Some(d.str()?.to_owned()),
            _ => return None,
        };
        let edition = match d.u32()? {
            0 => None,
            1 => Some((d.str()?.to_owned(), d.u32()?, d.u32()?)),
            _ => return None,
        };
        let imports = (0..d.u32()?)
            .map(|_| d.str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        known.insert(
            id,
            Rc::new(Header {
                imports,
                edition,
                package,
            }),
        );
    }
    d.is_done().then_some(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_cached_by_blob_and_a_damaged_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"edition = \"2023\";\npackage acme.v1;\nimport \"b.proto\";\n".to_vec();
        let id = Oid::hash_object(git2::ObjectType::Blob, &text).unwrap();
        let mut sources = Sources::default();
        sources
            .files
            .insert("a.proto".into(), SourceFile::with_id(text.clone(), id));
        let file = sources.file("a.proto").unwrap();

        let mut headers = Headers::open(dir.path());
        let scanned = headers.of(&sources, "a.proto", file).unwrap();
        assert_eq!(scanned.imports, ["b.proto"]);
        headers.save();

        // A second run finds it without the bytes: a file listed with the same ID but other
        // bytes proves the scan came from the cache.
        let mut other = Sources::default();
        other
            .files
            .insert("a.proto".into(), SourceFile::with_id(b"".to_vec(), id));
        let mut headers = Headers::open(dir.path());
        let cached = headers
            .of(&other, "a.proto", other.file("a.proto").unwrap())
            .unwrap();
        assert_eq!(*cached, *scanned);
        assert_eq!(cached.package.as_deref(), Some("acme.v1"));
        assert_eq!(cached.edition, Some(("2023".to_owned(), 1, 1)));

        // A damaged file is not trusted: the scan is made again from the bytes.
        let path = dir.path().join("headers.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let mut headers = Headers::open(dir.path());
        assert!(headers.known.is_empty());
        let rescanned = headers
            .of(&other, "a.proto", other.file("a.proto").unwrap())
            .unwrap();
        assert!(rescanned.imports.is_empty(), "scanned from the bytes");
    }

    #[test]
    fn malformed_payloads_decode_to_nothing() {
        let header = Rc::new(Header {
            imports: vec!["x.proto".into()],
            edition: None,
            package: Some("p".into()),
        });
        let id = Oid::from_bytes(&[7; 20]).unwrap();
        let payload = encode(&[(&id, &header)]);
        assert_eq!(decode(&payload).unwrap()[&id], header);
        for cut in 0..payload.len() {
            assert!(decode(&payload[..cut]).is_none(), "cut at {cut}");
        }
        assert!(decode(&[payload.as_slice(), &[0]].concat()).is_none());
        assert!(decode(&u32::MAX.to_le_bytes()).is_none());
    }
}

//! The untracked cache: what each directory of the working tree held when it was last listed, so
//! that a directory whose stat has not changed since is not listed again (git's untracked cache,
//! Documentation/technical/index-format.txt "Untracked cache"). Creating, deleting or renaming an
//! entry changes its directory's modification and change times; changing a file inside does not,
//! and does not need to: tracked files are compared with the index by their own stats, untracked
//! `.proto` files are read on every run.
//!
//! The cache holds the listings as they are on disk, before any ignore rule: which names git
//! ignores is asked again on every run (only for untracked `.proto` files and for directories
//! without tracked files, see [`super::untracked`]), so editing a `.gitignore`,
//! `.git/info/exclude` or `core.excludesFile` — which changes no directory's stat — cannot make
//! the cache wrong, and needs no key. Which files are tracked is likewise taken from the index of
//! the run, not from the cache (`git rm --cached` changes no directory).
//!
//! Racy directories are handled as git handles racily clean files: a directory modified at or
//! after the time the cache was written (the cache file's own modification time) may have
//! changed within the timestamp's granularity after it was listed, so it is listed again.
//! The file is `untracked.bin` in the `protoguard/` directory of the work tree's own git
//! directory (linked worktrees have their own), keyed by the work tree's path; a file of another
//! version, cut short, corrupted or of another work tree is not trusted (see
//! [`crate::cache::CacheFile`]). `core.untrackedCache = false` turns it off, as it does git's.

use std::borrow::Cow;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::untracked::Listing;
use crate::cache::{CacheFile, Decoder, Encoder};

/// The payload format's version.
const VERSION: u32 = 1;

/// A directory's stat, as the cache compares it (what git compares for an index entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DirStat {
    mtime: (i64, u32),
    ctime: (i64, u32),
    ino: u64,
    dev: u64,
    size: u64,
    uid: u32,
    gid: u32,
}

impl DirStat {
    /// The stat of the directory `at` (not following a symlink); `None` if it is no directory,
    /// or the platform gives no such data (then nothing is cached).
    #[cfg(unix)]
    pub(super) fn of(at: &Path) -> Option<DirStat> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(at).ok()?;
        meta.is_dir().then(|| DirStat {
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            ino: meta.ino(),
            dev: meta.dev(),
            size: meta.size(),
            uid: meta.uid(),
            gid: meta.gid(),
        })
    }

    #[cfg(not(unix))]
    pub(super) fn of(_: &Path) -> Option<DirStat> {
        None
    }

    fn encode(&self, e: &mut Encoder) {
        e.u64(self.mtime.0 as u64)
            .u32(self.mtime.1)
            .u64(self.ctime.0 as u64)
            .u32(self.ctime.1)
            .u64(self.ino)
            .u64(self.dev)
            .u64(self.size)
            .u32(self.uid)
            .u32(self.gid);
    }

    fn decode(d: &mut Decoder<'_>) -> Option<DirStat> {
        Some(DirStat {
            mtime: (d.u64()? as i64, d.u32()?),
            ctime: (d.u64()? as i64, d.u32()?),
            ino: d.u64()?,
            dev: d.u64()?,
            size: d.u64()?,
            uid: d.u32()?,
            gid: d.u32()?,
        })
    }

    /// Returns `true` if the directory may have changed after the cache written at `written`
    /// listed it, within the timestamp's granularity: modified at or after that time.
    fn racy(&self, written: (i64, u32)) -> bool {
        self.mtime >= written
    }
}

/// The cache as read: each directory's stat and listing, by its `/`-terminated path relative to
/// the work tree, borrowed from the payload.
pub(super) struct Known<'c> {
    dirs: FxHashMap<&'c str, (DirStat, &'c [u8])>,
    /// When the cache file was written (its modification time); `None`: no cache.
    written: Option<(i64, u32)>,
}

impl<'c> Known<'c> {
    /// No cache: every directory is listed.
    pub(super) fn none() -> Self {
        Known {
            dirs: FxHashMap::default(),
            written: None,
        }
    }

    /// Decodes `payload` (see [`Untracked::read`]); an undecodable payload, or one of another
    /// work tree, is no cache.
    fn decode(payload: &'c [u8], workdir: &str, written: (i64, u32)) -> Option<Self> {
        let mut d = Decoder::new(payload);
        if d.str()? != workdir {
            return None;
        }
        let count = d.u32()? as usize;
        let mut dirs = FxHashMap::default();
        dirs.reserve(count.min(payload.len()));
        for _ in 0..count {
            let path = d.str()?;
            let stat = DirStat::decode(&mut d)?;
            let start = d.position();
            for _ in 0..3 {
                for _ in 0..d.u32()? {
                    d.str()?;
                }
            }
            dirs.insert(path, (stat, &payload[start..d.position()]));
        }
        d.is_done().then_some(Known {
            dirs,
            written: Some(written),
        })
    }

    /// The listing of the directory `path` if the cache holds one for the stat `stat` and the
    /// directory is not racy.
    pub(super) fn listing(&self, path: &str, stat: &DirStat) -> Option<Listing<'c>> {
        let (known, lists) = self.dirs.get(path)?;
        if known != stat || stat.racy(self.written?) {
            return None;
        }
        let mut d = Decoder::new(lists);
        let mut list = || -> Option<Vec<Cow<'c, str>>> {
            let n = d.u32()?;
            (0..n).map(|_| d.str().map(Cow::Borrowed)).collect()
        };
        Some(Listing {
            dirs: list()?,
            protos: list()?,
            links: list()?,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.dirs.len()
    }
}

/// The listings of one run, encoded as the walk goes, to replace the cache when they differ.
#[derive(Default)]
pub(super) struct Seen {
    records: Encoder,
    count: u32,
    /// Some directory was listed rather than taken from the cache.
    pub(super) listed: bool,
}

impl Seen {
    /// Records the listing of the directory `path` (as [`Known`] keys it), taken at `stat`.
    pub(super) fn record(&mut self, path: &str, stat: &DirStat, listing: &Listing<'_>) {
        self.records.str(path);
        stat.encode(&mut self.records);
        for list in [&listing.dirs, &listing.protos, &listing.links] {
            self.records.u32(list.len() as u32);
            for name in list {
                self.records.str(name);
            }
        }
        self.count += 1;
    }
}

/// The untracked cache of one work tree.
pub(super) struct Untracked {
    file: CacheFile,
    workdir: String,
}

impl Untracked {
    /// The cache of `repo`'s work tree, found at `workdir`; `None` when `core.untrackedCache` is
    /// false.
    pub(super) fn of(repo: &git2::Repository, workdir: &Path) -> Option<Untracked> {
        let off = repo
            .config()
            .ok()
            .and_then(|c| c.get_bool("core.untrackedCache").ok())
            == Some(false);
        (!off).then(|| Untracked {
            file: CacheFile::new(
                &repo.path().join("protoguard"),
                "untracked.bin",
                "untracked",
                VERSION,
                64 << 20,
            ),
            workdir: workdir.to_string_lossy().into_owned(),
        })
    }

    /// The payload and when it was written, if there is a cache file (see [`Known`]).
    pub(super) fn read(&self) -> Option<(Vec<u8>, (i64, u32))> {
        // The time first: a cache rewritten between the two reads then looks older than it is,
        // which only makes more directories racy.
        let written = written(self.file.path())?;
        Some((self.file.read()?, written))
    }

    /// The cache in `payload` (see [`Untracked::read`]).
    pub(super) fn known<'c>(&self, read: &'c Option<(Vec<u8>, (i64, u32))>) -> Known<'c> {
        read.as_ref()
            .and_then(|(payload, written)| Known::decode(payload, &self.workdir, *written))
            .unwrap_or_else(Known::none)
    }

    /// Replaces the cache with what this run saw, if it differs from what was known. A cache
    /// that cannot be written is no error: the next run lists again.
    pub(super) fn save(&self, known: &Known<'_>, seen: Seen) {
        if !seen.listed && seen.count as usize == known.len() {
            return;
        }
        let mut head = Encoder::new();
        head.str(&self.workdir).u32(seen.count);
        let records = seen.records.finish();
        let _ = self.file.write_parts(&[&head.finish(), &records]);
    }
}

/// The modification time of the file at `path`.
#[cfg(unix)]
fn written(path: &Path) -> Option<(i64, u32)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.mtime(), meta.mtime_nsec() as u32))
}

#[cfg(not(unix))]
fn written(_: &Path) -> Option<(i64, u32)> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::input::untracked::{Tracked, Walk};
    use std::time::{Duration, SystemTime};

    /// The names of the untracked files the walk finds under `root` with `cache`, and the
    /// listings it saw.
    fn walk(root: &Path, cache: &Untracked) -> Vec<String> {
        let read = cache.read();
        let known = cache.known(&read);
        let tracked = Tracked::new(std::iter::empty());
        let mut seen = Seen::default();
        let walk = Walk {
            root,
            dir: Path::new(""),
            prefix: "",
            excludes: &[],
            tracked: &tracked,
            ignored: &|_| false,
            known: &known,
        };
        let mut names: Vec<String> = walk
            .run(&mut seen)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        names.sort();
        cache.save(&known, seen);
        names
    }

    fn set_mtime(path: &Path, time: SystemTime) {
        std::fs::File::open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    /// A directory whose stat matches the cache although an entry was added — what a file created
    /// in the timestamp tick of the listing leaves — is trusted only when the directory is older
    /// than the cache file. The state is made directly: a cache whose listing of `a/` lacks the
    /// new file but carries `a/`'s stat after it was added.
    #[test]
    fn a_racy_directory_is_listed_again() {
        let work = tempfile::tempdir().unwrap();
        let root = work.path().join("tree");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/one.proto"), "").unwrap();
        let cache = Untracked {
            file: CacheFile::new(work.path(), "untracked.bin", "untracked", VERSION, 1 << 20),
            workdir: "tree".to_owned(),
        };
        assert_eq!(walk(&root, &cache), ["a/one.proto"], "cold");
        assert_eq!(walk(&root, &cache), ["a/one.proto"], "warm");

        std::fs::write(root.join("a/two.proto"), "").unwrap();
        let a = DirStat::of(&root.join("a")).unwrap();
        let mut stale = Seen::default();
        let top = DirStat::of(&root).unwrap();
        stale.record(
            "",
            &top,
            &Listing {
                dirs: vec!["a".into()],
                ..Listing::default()
            },
        );
        stale.record(
            "a/",
            &a,
            &Listing {
                protos: vec!["one.proto".into()],
                ..Listing::default()
            },
        );
        cache.save(&Known::none(), stale);
        let modified = std::fs::metadata(root.join("a"))
            .unwrap()
            .modified()
            .unwrap();
        let snapshot = std::fs::read(cache.file.path()).unwrap();

        // Not racy (the cache was written after the directory's last change): trusted, so the
        // stale listing is what the walk sees (this is what the cache is for).
        set_mtime(cache.file.path(), modified + Duration::from_secs(10));
        assert_eq!(walk(&root, &cache), ["a/one.proto"]);

        // Racy (the directory changed in the tick the cache was written, or after): listed.
        std::fs::write(cache.file.path(), &snapshot).unwrap();
        set_mtime(cache.file.path(), modified);
        assert_eq!(walk(&root, &cache), ["a/one.proto", "a/two.proto"]);
        // ... and the cache now holds the listing with both.
        set_mtime(cache.file.path(), modified + Duration::from_secs(10));
        assert_eq!(walk(&root, &cache), ["a/one.proto", "a/two.proto"]);
    }

    #[test]
    fn racy_compares_seconds_then_nanoseconds() {
        let stat = |mtime| DirStat {
            mtime,
            ctime: mtime,
            ino: 1,
            dev: 1,
            size: 4096,
            uid: 0,
            gid: 0,
        };
        assert!(!stat((100, 5)).racy((100, 6)));
        assert!(stat((100, 6)).racy((100, 6)));
        assert!(stat((100, 7)).racy((100, 6)));
        assert!(!stat((99, 999_999_999)).racy((100, 0)));
        assert!(stat((101, 0)).racy((100, 999_999_999)));
    }
}

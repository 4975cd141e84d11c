//! The working tree of a git repository, read through its index as git does: a tracked file whose
//! stat (size, modification and change times, inode, owner) matches its index entry holds the
//! entry's blob, so it is neither read nor hashed until a check needs its text; a file whose stat
//! differs, and an untracked `.proto` file, is read and hashed. An entry that is racily clean (its
//! modification time is not older than the index file's, so a write in the same clock tick after
//! `git add` would leave the stat unchanged) is content-checked, as git does ("racy git",
//! Documentation/technical/racy-git.txt). Untracked files are found by a walk of the directories
//! ([`super::untracked`]), which asks the ignore rules once per directory that holds no tracked
//! file (to prune itself) and once per untracked `.proto` file, never for tracked files: a tracked
//! file is part of the revision whatever `.gitignore` says. Sparse checkouts: skip-worktree
//! entries that are not on disk are read from the index.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use git2::{IndexEntry, Oid, Repository};

use super::dir::prefix_string;
use super::git::git_error;
use super::promised::Promised;
use super::untracked::{read_hashed, Tracked, Walk};
use super::untracked_cache::{Known, Seen, Untracked};
use super::{import_name, is_excluded, Content, Layout, Objects, Snapshot, SourceFile, Sources};
use crate::error::{Error, Result};

/// One `.proto` entry of the index.
struct Entry {
    path: String,
    id: Oid,
    stat: Option<Stat>,
    skip_worktree: bool,
    conflicted: bool,
}

/// The stat data an index entry records, as git compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    size: u32,
    mtime: (u32, u32),
    ctime: (u32, u32),
    ino: u32,
    uid: u32,
    gid: u32,
}

/// Reads the working tree at `top` (a directory inside a git work tree) through the index.
/// `None` when there is no such repository, or a module root is itself ignored by git (a
/// directory of generated files the user pointed at): then it is read as a plain directory.
pub(super) fn read(top: &Path, layout: &Layout) -> Result<Option<(Snapshot, Vec<String>)>> {
    let Ok(repo) = Repository::discover(top) else {
        return Ok(None);
    };
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Ok(None);
    };
    let Some(place) = top
        .canonicalize()
        .ok()
        .and_then(|t| t.strip_prefix(&workdir).ok().map(Path::to_owned))
    else {
        return Ok(None);
    };
    let base = prefix_string(&place);
    let excludes = layout
        .excludes
        .iter()
        .map(|e| import_name(e))
        .collect::<Result<Vec<_>>>()?;
    let dirs: Vec<(&Path, bool)> = layout
        .module_roots()
        .into_iter()
        .map(|r| (r, true))
        .chain(layout.includes.iter().map(|i| (i.as_path(), false)))
        .collect();
    for (dir, _) in &dirs {
        let at = format!("{base}{}", prefix_string(dir));
        if !at.is_empty()
            && repo
                .is_path_ignored(at.trim_end_matches('/'))
                .unwrap_or(false)
        {
            return Ok(None);
        }
    }
    let index = repo.index().map_err(|err| git_error(&repo, err))?;
    let index_time = index_mtime(&repo);
    let entries: Vec<Entry> = index
        .iter()
        .filter(|e| e.path.ends_with(b".proto"))
        .filter_map(entry)
        .collect();
    drop(index);
    let tracked = Tracked::new(entries.iter().map(|e| e.path.as_str()));
    let roots: Vec<Root> = dirs
        .iter()
        .map(|&(dir, is_module)| Root {
            dir,
            is_module,
            prefix: format!("{base}{}", prefix_string(dir)),
            on_disk: top.join(dir).into(),
        })
        .collect();
    // Every (root, entry) pair to stat, in root order then index order.
    let jobs: Vec<(usize, &Entry)> = roots
        .iter()
        .enumerate()
        .flat_map(|(k, root)| {
            entries
                .iter()
                .filter(move |e| e.path.starts_with(&root.prefix))
                .map(move |e| (k, e))
        })
        .collect();
    let stats = Stats {
        jobs: &jobs,
        roots: &roots,
        next: AtomicUsize::new(0),
        excludes: &excludes,
        index_time,
    };
    // Two cores: a second thread walks the directories for untracked files (with its own
    // repository handle for ignore rules, opened only if a question comes up) and then helps
    // with the stats of tracked files, which this thread takes meanwhile.
    let git_dir = repo.path();
    let cache = Untracked::of(&repo, &workdir);
    let (walked, helped) = std::thread::scope(|s| {
        let walker = s.spawn(|| {
            let own: OnceCell<Option<Repository>> = OnceCell::new();
            let ignored = |path: &str| {
                own.get_or_init(|| Repository::open(git_dir).ok())
                    .as_ref()
                    .is_some_and(|r| r.is_path_ignored(path).unwrap_or(false))
            };
            let read = cache.as_ref().and_then(Untracked::read);
            let known = match &cache {
                Some(cache) => cache.known(&read),
                None => Known::none(),
            };
            let mut seen = Seen::default();
            let walked = roots
                .iter()
                .map(|root| root.walk(&excludes, &tracked, &ignored, &known, &mut seen))
                .collect::<Vec<_>>();
            if let Some(cache) = &cache {
                if walked.iter().flatten().all(|w| w.is_ok()) {
                    cache.save(&known, seen);
                }
            }
            (walked, stats.take())
        });
        let mine = stats.take();
        let (walked, theirs) = join(walker);
        (walked, [mine, theirs])
    });
    let mut stated: Vec<Chunk> = helped.into_iter().flatten().collect();
    stated.sort_by_key(|chunk| chunk.start);
    let mut sparse: Vec<(String, Oid)> = Vec::new();
    let mut results = Vec::with_capacity(jobs.len());
    for chunk in stated {
        sparse.extend(chunk.sparse);
        results.extend(chunk.files);
    }
    let mut results = jobs.iter().zip(results).peekable();

    let mut sources = Sources::default();
    let mut module: Vec<(String, SourceFile)> = Vec::new();
    // Which root each import name came from, for the duplicate-name error (one root has none).
    let several_roots = roots.iter().filter(|r| r.is_module).count() > 1;
    let mut origin: BTreeMap<String, &Path> = BTreeMap::new();
    // Include paths' files, in order, once the module's names are known.
    let mut included: Vec<(String, SourceFile, &Path)> = Vec::new();
    for ((k, root), walked) in roots.iter().enumerate().zip(walked) {
        let (dir, is_module) = (root.dir, root.is_module);
        let mut files: Vec<(String, SourceFile)> = Vec::new();
        while let Some(((_, entry), file)) = results.next_if(|((j, _), _)| *j == k) {
            if let Some(file) = file? {
                files.push((entry.path[root.prefix.len()..].to_owned(), file));
            }
        }
        if let Some(walked) = walked {
            files.extend(walked?);
        } else if files.is_empty() {
            let what = if is_module {
                "the module root"
            } else {
                "the include path"
            };
            let flag = if is_module {
                "check --root or the configured roots"
            } else {
                "check -I or the configured includes"
            };
            return Err(Error::with_help(
                format!(
                    "working tree: {what} {} does not exist in it",
                    dir.display()
                ),
                format!("{flag}; they are relative to each input"),
            ));
        }
        // By name; a tracked file (listed first) wins over the same name found through a
        // symlink by the walk.
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|later, earlier| later.0 == earlier.0);
        for (name, file) in files {
            if is_module {
                if several_roots {
                    if let Some(first) = origin.insert(name.clone(), dir) {
                        return Err(super::duplicate_name(
                            "working tree",
                            &name,
                            &first.join(&name).display().to_string(),
                            &dir.join(&name).display().to_string(),
                        ));
                    }
                }
                sources.record_path(&name, &base, dir);
                module.push((name, file));
            } else {
                included.push((name, file, dir));
            }
        }
    }
    // Built whole from sorted names, not by ten thousand inserts.
    module.sort_by(|a, b| a.0.cmp(&b.0));
    sources.files = module.into_iter().collect();
    for (name, file, dir) in included {
        if !sources.includes.contains_key(&name) {
            if !sources.files.contains_key(&name) {
                sources.record_path(&name, &base, dir);
            }
            sources.includes.insert(name, file);
        }
    }
    let mut notes = Vec::new();
    if !sparse.is_empty() {
        let promised = Promised::new(&repo, "the index");
        promised.ensure(&sparse)?;
        notes = promised.notes();
    }
    sources.cache_dir = Some(crate::cache::CacheFile::dir_of(&repo));
    sources.objects = Some(Objects::new(repo, None));
    sources.add_external(layout)?;
    Ok(Some((
        Snapshot {
            label: "working tree".to_owned(),
            content: Content::Sources(sources),
        },
        notes,
    )))
}

/// The entry, if its path is UTF-8 (other paths cannot be imported by name).
fn entry(e: IndexEntry) -> Option<Entry> {
    let flags = git2::IndexEntryExtendedFlag::from_bits_truncate(e.flags_extended);
    Some(Entry {
        path: String::from_utf8(e.path).ok()?,
        id: e.id,
        stat: Some(Stat {
            size: e.file_size,
            mtime: (e.mtime.seconds() as u32, e.mtime.nanoseconds()),
            ctime: (e.ctime.seconds() as u32, e.ctime.nanoseconds()),
            ino: e.ino,
            uid: e.uid,
            gid: e.gid,
        }),
        skip_worktree: flags.contains(git2::IndexEntryExtendedFlag::SKIP_WORKTREE),
        conflicted: (e.flags >> 12) & 0x3 != 0,
    })
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The index file's modification time: entries modified at or after it are racily clean.
fn index_mtime(repo: &Repository) -> Option<(u32, u32)> {
    let meta = std::fs::metadata(repo.path().join("index")).ok()?;
    stat_time(&meta, false)
}

#[cfg(unix)]
fn stat_time(meta: &std::fs::Metadata, change: bool) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    Some(if change {
        (meta.ctime() as u32, meta.ctime_nsec() as u32)
    } else {
        (meta.mtime() as u32, meta.mtime_nsec() as u32)
    })
}

#[cfg(not(unix))]
fn stat_time(_: &std::fs::Metadata, _: bool) -> Option<(u32, u32)> {
    None
}

/// The stat data of a file on disk, as an index entry records it (`None` where the platform does
/// not give it: every file is then read).
#[cfg(unix)]
fn stat_of(meta: &std::fs::Metadata) -> Option<Stat> {
    use std::os::unix::fs::MetadataExt;
    Some(Stat {
        size: meta.size() as u32,
        mtime: stat_time(meta, false)?,
        ctime: stat_time(meta, true)?,
        ino: meta.ino() as u32,
        uid: meta.uid(),
        gid: meta.gid(),
    })
}

#[cfg(not(unix))]
fn stat_of(_: &std::fs::Metadata) -> Option<Stat> {
    None
}

/// Two times agree as git compares them: the nanoseconds only when the index recorded them (a
/// git built without nanosecond support records 0).
fn same_time(recorded: (u32, u32), actual: (u32, u32)) -> bool {
    recorded.0 == actual.0 && (recorded.1 == 0 || recorded.1 == actual.1)
}

/// Returns `true` if a file whose stat is `actual` still holds the blob its index entry names:
/// the stat data agree and the entry is not racily clean.
fn trusted(recorded: &Stat, actual: &Stat, index_time: Option<(u32, u32)>) -> bool {
    let agree = recorded.size == actual.size
        && same_time(recorded.mtime, actual.mtime)
        && same_time(recorded.ctime, actual.ctime)
        && recorded.ino == actual.ino
        && recorded.uid == actual.uid
        && recorded.gid == actual.gid;
    let Some(index) = index_time else {
        return false;
    };
    // Racy git: the file may have been written again in the tick the index was written in.
    let racy = if recorded.mtime.1 == 0 {
        index.0 <= recorded.mtime.0
    } else {
        index <= recorded.mtime
    };
    agree && !racy
}

/// One module root or include path.
struct Root<'a> {
    /// As the layout names it (relative to the input's top).
    dir: &'a Path,
    is_module: bool,
    /// `/`-terminated path relative to the work tree (empty for its top).
    prefix: String,
    on_disk: Arc<Path>,
}

impl Root<'_> {
    /// The untracked `.proto` files under the root (see [`Walk`]); `None` if the root is no
    /// directory on disk.
    fn walk(
        &self,
        excludes: &[String],
        tracked: &Tracked<'_>,
        ignored: &dyn Fn(&str) -> bool,
        known: &Known<'_>,
        seen: &mut Seen,
    ) -> Option<Result<Vec<(String, SourceFile)>>> {
        if !self.on_disk.is_dir() {
            return None;
        }
        let walk = Walk {
            root: &self.on_disk,
            dir: self.dir,
            prefix: &self.prefix,
            excludes,
            tracked,
            ignored,
            known,
        };
        Some(walk.run(seen).map(|found| {
            found
                .into_iter()
                .map(|(name, file)| (name, file.in_dir(self.on_disk.clone())))
                .collect()
        }))
    }
}

/// The stats of tracked files, taken in chunks by whichever thread is free.
struct Stats<'a> {
    jobs: &'a [(usize, &'a Entry)],
    roots: &'a [Root<'a>],
    /// The first job no thread has taken yet.
    next: AtomicUsize,
    excludes: &'a [String],
    index_time: Option<(u32, u32)>,
}

/// The files of the jobs `start..start + files.len()`.
struct Chunk {
    start: usize,
    files: Vec<Result<Option<SourceFile>>>,
    /// Skip-worktree entries read from the object database (to fetch at once in a partial clone).
    sparse: Vec<(String, Oid)>,
}

impl Stats<'_> {
    /// Jobs per chunk: small enough to share the work evenly, large enough that taking one costs
    /// nothing next to its stats.
    const CHUNK: usize = 256;

    /// Takes chunks of jobs until none is left.
    fn take(&self) -> Vec<Chunk> {
        let mut done = Vec::new();
        loop {
            let start = self.next.fetch_add(Self::CHUNK, Ordering::Relaxed);
            if start >= self.jobs.len() {
                return done;
            }
            let end = (start + Self::CHUNK).min(self.jobs.len());
            let mut chunk = Chunk {
                start,
                files: Vec::with_capacity(end - start),
                sparse: Vec::new(),
            };
            for &(k, entry) in &self.jobs[start..end] {
                let file = self.tracked(&self.roots[k], entry, &mut chunk.sparse);
                chunk.files.push(file);
            }
            done.push(chunk);
        }
    }

    /// The file of a tracked entry under `root`.
    fn tracked(
        &self,
        root: &Root<'_>,
        entry: &Entry,
        sparse: &mut Vec<(String, Oid)>,
    ) -> Result<Option<SourceFile>> {
        let name = &entry.path[root.prefix.len()..];
        if !self.excludes.is_empty()
            && import_name(&root.dir.join(name)).is_ok_and(|n| is_excluded(&n, self.excludes))
        {
            return Ok(None);
        }
        let path = &root.on_disk.join(name);
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(err) if entry.skip_worktree && err.kind() == std::io::ErrorKind::NotFound => {
                // Outside the sparse cone: part of the revision, read from the index.
                if entry.conflicted {
                    return Ok(None);
                }
                sparse.push((entry.path.clone(), entry.id));
                return Ok(Some(SourceFile::object(entry.id)));
            }
            // Deleted in the working tree, or a parent is no longer a directory.
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(None)
            }
            Err(err) => return Err(super::dir::io_error(path, err)),
        };
        if !meta.is_file() {
            // A symlink or directory where the file was: found (or not) by the walk.
            return Ok(None);
        }
        let clean = !entry.conflicted
            && !entry.skip_worktree
            && matches!((&entry.stat, stat_of(&meta)), (Some(recorded), Some(actual)) if trusted(recorded, &actual, self.index_time));
        if clean {
            return Ok(Some(SourceFile::on_disk(root.on_disk.clone(), entry.id)));
        }
        Ok(Some(read_hashed(path)?.in_dir(root.on_disk.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime: (u32, u32)) -> Stat {
        Stat {
            size: 10,
            mtime,
            ctime: mtime,
            ino: 7,
            uid: 1,
            gid: 1,
        }
    }

    #[test]
    fn a_matching_stat_is_trusted_unless_racily_clean() {
        let recorded = stat((100, 500));
        assert!(trusted(&recorded, &recorded, Some((101, 0))));
        assert!(trusted(&recorded, &recorded, Some((100, 501))));
        // Written in the same tick as the index, or after it: the content must be checked.
        assert!(!trusted(&recorded, &recorded, Some((100, 500))));
        assert!(!trusted(&recorded, &recorded, Some((99, 0))));
        assert!(!trusted(&recorded, &recorded, None));
        let mut other = recorded;
        other.size = 11;
        assert!(!trusted(&recorded, &other, Some((200, 0))));
        other = recorded;
        other.mtime.1 = 501;
        assert!(!trusted(&recorded, &other, Some((200, 0))));
        other = recorded;
        other.ino = 8;
        assert!(!trusted(&recorded, &other, Some((200, 0))));
        // A git that records no nanoseconds compares seconds, and is racy for the whole second.
        let coarse = stat((100, 0));
        assert!(trusted(&coarse, &stat((100, 999)), Some((101, 0))));
        assert!(!trusted(&coarse, &stat((100, 999)), Some((100, 900))));
    }
}

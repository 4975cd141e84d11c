//! The working tree of a git repository, read through its index as git does: a tracked file whose
//! stat (size, modification and change times, inode, owner) matches its index entry holds the
//! entry's blob, so it is neither read nor hashed until a check needs its text; a file whose stat
//! differs, and an untracked `.proto` file, is read and hashed. An entry that is racily clean (its
//! modification time is not older than the index file's, so a write in the same clock tick after
//! `git add` would leave the stat unchanged) is content-checked, as git does ("racy git",
//! Documentation/technical/racy-git.txt). Ignore rules are asked once per directory that holds no
//! tracked file (to prune the walk for untracked files) and once per untracked `.proto` file, never
//! for tracked files: a tracked file is part of the revision whatever `.gitignore` says. Sparse
//! checkouts: skip-worktree entries that are not on disk are read from the index.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{IndexEntry, Oid, Repository};

use super::dir::prefix_string;
use super::git::git_error;
use super::promised::Promised;
use super::{
    import_name, is_excluded, is_proto, Content, Layout, Objects, Snapshot, SourceFile, Sources,
};
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
        .filter_map(|e| {
            let path = std::str::from_utf8(&e.path).ok()?;
            is_proto(path).then(|| entry(path.to_owned(), &e))
        })
        .collect();
    drop(index);
    // Directories (`a/b/`) that hold a tracked `.proto` file somewhere below them.
    let mut tracked_dirs: HashSet<&str> = HashSet::new();
    for entry in &entries {
        for (i, _) in entry.path.match_indices('/') {
            tracked_dirs.insert(&entry.path[..=i]);
        }
    }
    let tracked: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let ignored = |path: &str| repo.is_path_ignored(path).unwrap_or(false);

    let mut reader = Reader {
        top,
        excludes: &excludes,
        index_time,
        sparse: Vec::new(),
    };
    let mut sources = Sources::default();
    let mut origin: BTreeMap<String, &Path> = BTreeMap::new();
    for &(dir, module) in &dirs {
        let prefix = format!("{base}{}", prefix_string(dir));
        let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
        for entry in entries.iter().filter(|e| e.path.starts_with(&prefix)) {
            let name = &entry.path[prefix.len()..];
            if let Some(file) = reader.tracked(dir, name, entry)? {
                files.insert(name.to_owned(), file);
            }
        }
        let on_disk = top.join(dir);
        if on_disk.is_dir() {
            let walk = Walk {
                root: &on_disk,
                canonical_root: on_disk
                    .canonicalize()
                    .map_err(|err| super::dir::io_error(&on_disk, err))?,
                prefix: &prefix,
                tracked: &tracked,
                tracked_dirs: &tracked_dirs,
                ignored: &ignored,
            };
            walk.untracked(&mut reader, dir, &on_disk, "", false, &mut files)?;
        } else if files.is_empty() {
            let what = if module {
                "the module root"
            } else {
                "the include path"
            };
            let flag = if module {
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
        for (name, file) in files {
            if module {
                if let Some(first) = origin.insert(name.clone(), dir) {
                    return Err(super::duplicate_name(
                        "working tree",
                        &name,
                        &first.join(&name).display().to_string(),
                        &dir.join(&name).display().to_string(),
                    ));
                }
                sources.record_path(&name, &base, dir);
                if !matches!(file.origin, super::Origin::Object) {
                    sources.disk.insert(name.clone(), top.join(dir).join(&name));
                }
                sources.files.insert(name, file);
            } else if !sources.includes.contains_key(&name) {
                if !sources.files.contains_key(&name) {
                    sources.record_path(&name, &base, dir);
                }
                sources.includes.insert(name, file);
            }
        }
    }
    let mut notes = Vec::new();
    if !reader.sparse.is_empty() {
        let promised = Promised::new(&repo, "the index");
        promised.ensure(&reader.sparse)?;
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

fn entry(path: String, e: &IndexEntry) -> Entry {
    let flags = git2::IndexEntryExtendedFlag::from_bits_truncate(e.flags_extended);
    Entry {
        path,
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

/// Turns index entries and untracked files into [`SourceFile`]s.
struct Reader<'a> {
    top: &'a Path,
    excludes: &'a [String],
    index_time: Option<(u32, u32)>,
    /// Skip-worktree entries read from the object database (to fetch at once in a partial clone).
    sparse: Vec<(String, Oid)>,
}

impl Reader<'_> {
    fn excluded(&self, dir: &Path, name: &str) -> bool {
        !self.excludes.is_empty()
            && import_name(&dir.join(name)).is_ok_and(|n| is_excluded(&n, self.excludes))
    }

    /// The file of a tracked entry under `dir` (relative to the top), named `name` below it.
    fn tracked(&mut self, dir: &Path, name: &str, entry: &Entry) -> Result<Option<SourceFile>> {
        if self.excluded(dir, name) {
            return Ok(None);
        }
        let path = self.top.join(dir).join(name);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(err) if entry.skip_worktree && err.kind() == std::io::ErrorKind::NotFound => {
                // Outside the sparse cone: part of the revision, read from the index.
                if entry.conflicted {
                    return Ok(None);
                }
                self.sparse.push((entry.path.clone(), entry.id));
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
            Err(err) => return Err(super::dir::io_error(&path, err)),
        };
        if !meta.is_file() {
            // A symlink or directory where the file was: found (or not) by the walk.
            return Ok(None);
        }
        let clean = !entry.conflicted
            && !entry.skip_worktree
            && matches!((&entry.stat, stat_of(&meta)), (Some(recorded), Some(actual)) if trusted(recorded, &actual, self.index_time));
        if clean {
            return Ok(Some(SourceFile::on_disk(path, entry.id)));
        }
        read_hashed(&path).map(Some)
    }
}

/// Reads a file and names its blob.
fn read_hashed(path: &Path) -> Result<SourceFile> {
    let bytes = std::fs::read(path).map_err(|err| super::dir::io_error(path, err))?;
    let id = Oid::hash_object(git2::ObjectType::Blob, &bytes)
        .map_err(|err| Error::invalid(format!("{}: {}", path.display(), err.message())))?;
    Ok(SourceFile::with_id(bytes, id))
}

/// The walk for untracked `.proto` files under one root.
struct Walk<'a> {
    root: &'a Path,
    canonical_root: PathBuf,
    /// The root as a `/`-terminated path relative to the work tree.
    prefix: &'a str,
    tracked: &'a HashSet<&'a str>,
    tracked_dirs: &'a HashSet<&'a str>,
    ignored: &'a dyn Fn(&str) -> bool,
}

impl Walk<'_> {
    /// Walks `at` (`relative` below the root, `/`-terminated or empty); `linked`: reached through
    /// a symlink, so files must be checked to stay inside the root.
    fn untracked(
        &self,
        reader: &mut Reader<'_>,
        dir: &Path,
        at: &Path,
        relative: &str,
        linked: bool,
        files: &mut BTreeMap<String, SourceFile>,
    ) -> Result<()> {
        let entries = match std::fs::read_dir(at) {
            Ok(entries) => entries,
            Err(err) if at != self.root => {
                // A directory that vanished or cannot be listed holds nothing to check.
                let _ = err;
                return Ok(());
            }
            Err(err) => return Err(super::dir::io_error(at, err)),
        };
        let listed = entries.filter_map(|e| {
            let e = e.ok()?;
            Some((e.file_name().into_string().ok()?, e.file_type().ok()?))
        });
        for (name, kind) in listed {
            if name == ".git" {
                continue;
            }
            let below = format!("{relative}{name}");
            if reader.excluded(dir, &below) {
                continue;
            }
            let path = at.join(&name);
            let (is_dir, is_file, via_link) = if kind.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(meta) => (meta.is_dir(), meta.is_file(), true),
                    Err(_) => continue,
                }
            } else {
                (kind.is_dir(), kind.is_file(), false)
            };
            let in_tree = format!("{}{below}", self.prefix);
            if is_dir {
                let with_slash = format!("{in_tree}/");
                if via_link {
                    // Followed only while it stays inside the root (which also ends loops).
                    match path.canonicalize() {
                        Ok(target)
                            if target.starts_with(&self.canonical_root)
                                && !at
                                    .canonicalize()
                                    .is_ok_and(|here| here.starts_with(&target)) => {}
                        _ => continue,
                    }
                } else if !self.tracked_dirs.contains(with_slash.as_str())
                    && (self.ignored)(&in_tree)
                {
                    continue;
                }
                self.untracked(
                    reader,
                    dir,
                    &path,
                    &format!("{below}/"),
                    linked || via_link,
                    files,
                )?;
            } else if is_file && is_proto(&name) {
                if !linked && !via_link && self.tracked.contains(in_tree.as_str()) {
                    continue;
                }
                if linked || via_link {
                    match path.canonicalize() {
                        Ok(target) if target.starts_with(&self.canonical_root) => {}
                        _ => continue,
                    }
                } else if (self.ignored)(&in_tree) {
                    continue;
                }
                if let std::collections::btree_map::Entry::Vacant(slot) = files.entry(below) {
                    slot.insert(read_hashed(&path)?);
                }
            }
        }
        Ok(())
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

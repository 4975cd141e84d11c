//! The walk for untracked `.proto` files of the working tree: every directory under a module root
//! or include path is listed, except directories that hold no tracked `.proto` file and that git
//! ignores; an untracked `.proto` file is read unless git ignores it. Tracked files are not the
//! walk's business (they are read through the index, see [`super::worktree`]). Symlinks are
//! followed only while they stay inside the root.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use super::untracked_cache::{DirStat, Known, Seen};
use super::{import_name, is_excluded, is_proto, SourceFile};
use crate::error::Result;

/// The tracked `.proto` files of the index, as paths relative to the work tree, and the
/// directories (`a/b/`) that hold one somewhere below them.
pub(super) struct Tracked<'a> {
    files: FxHashSet<&'a str>,
    dirs: FxHashSet<&'a str>,
}

impl<'a> Tracked<'a> {
    pub(super) fn new(paths: impl Iterator<Item = &'a str>) -> Self {
        let mut files = FxHashSet::default();
        let mut dirs = FxHashSet::default();
        for path in paths {
            files.insert(path);
            // Directories are added from the deepest up; a parent already present was added
            // with all of its own parents.
            for (i, _) in path.rmatch_indices('/') {
                if !dirs.insert(&path[..=i]) {
                    break;
                }
            }
        }
        Tracked { files, dirs }
    }
}

/// The names in one directory that the walk looks at: subdirectories, regular `.proto` files, and
/// symlinks (which may lead to either). Everything else cannot be part of a module. Names are
/// borrowed when the listing comes from the untracked cache.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Listing<'c> {
    pub(super) dirs: Vec<Cow<'c, str>>,
    pub(super) protos: Vec<Cow<'c, str>>,
    pub(super) links: Vec<Cow<'c, str>>,
}

impl Listing<'_> {
    /// Lists `at`. Names that are not UTF-8 cannot be imported and are left out, as is `.git`.
    pub(super) fn read(at: &Path) -> std::io::Result<Listing<'static>> {
        let mut listing = Listing::default();
        for entry in std::fs::read_dir(at)? {
            let Ok(entry) = entry else { continue };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if kind.is_symlink() {
                listing.links.push(Cow::Owned(name));
            } else if kind.is_dir() {
                if name != ".git" {
                    listing.dirs.push(Cow::Owned(name));
                }
            } else if kind.is_file() && is_proto(&name) {
                listing.protos.push(Cow::Owned(name));
            }
        }
        Ok(listing)
    }
}

/// The walk under one root (a module root or include path).
pub(super) struct Walk<'a, 'c> {
    /// The root on disk.
    pub(super) root: &'a Path,
    /// The root as given in the layout (relative to the input's top), for `excludes`.
    pub(super) dir: &'a Path,
    /// The root as a `/`-terminated path relative to the work tree.
    pub(super) prefix: &'a str,
    pub(super) excludes: &'a [String],
    pub(super) tracked: &'a Tracked<'a>,
    pub(super) ignored: &'a dyn Fn(&str) -> bool,
    /// The untracked cache as read (empty when there is none).
    pub(super) known: &'a Known<'c>,
}

impl<'c> Walk<'_, 'c> {
    /// The untracked, unignored `.proto` files under the root, by name relative to it (read and
    /// hashed), in no particular order. The listings of the directories walked are recorded in
    /// `seen`.
    pub(super) fn run(&self, seen: &mut Seen) -> Result<Vec<(String, SourceFile)>> {
        let canonical_root = self
            .root
            .canonicalize()
            .map_err(|err| super::dir::io_error(self.root, err))?;
        let mut found = Vec::new();
        let mut state = State {
            at: self.root.to_owned(),
            relative: String::new(),
            in_tree: self.prefix.to_owned(),
            canonical_root,
            found: &mut found,
            seen,
        };
        let listing = self
            .list(&mut state, false)
            .map_err(|err| super::dir::io_error(self.root, err))?;
        self.visit(&mut state, &listing, false)?;
        Ok(found)
    }

    /// The listing of the directory `state.at`: from the cache when its stat is the one the
    /// cache holds and it is not racy, else read. Directories reached through a symlink are
    /// neither looked up nor recorded (the link's target can change without the directory).
    fn list(&self, state: &mut State<'_>, linked: bool) -> std::io::Result<Listing<'c>> {
        if linked {
            return Listing::read(&state.at);
        }
        // Stat before listing: a change between the two is then seen by the next run.
        let stat = DirStat::of(&state.at);
        if let Some(stat) = &stat {
            if let Some(listing) = self.known.listing(&state.in_tree, stat) {
                state.seen.record(&state.in_tree, stat, &listing);
                return Ok(listing);
            }
        }
        let listing = Listing::read(&state.at)?;
        state.seen.listed = true;
        if let Some(stat) = &stat {
            state.seen.record(&state.in_tree, stat, &listing);
        }
        Ok(listing)
    }

    fn excluded(&self, relative: &str) -> bool {
        !self.excludes.is_empty()
            && import_name(&self.dir.join(relative)).is_ok_and(|n| is_excluded(&n, self.excludes))
    }

    /// Visits the directory `state.at` whose entries are `listing`; `linked`: reached through a
    /// symlink, so files must be checked to stay inside the root.
    fn visit(&self, state: &mut State<'_>, listing: &Listing<'_>, linked: bool) -> Result<()> {
        for name in &listing.protos {
            state.enter(name);
            let skip = self.excluded(&state.relative)
                || if linked {
                    !state.inside_root()
                } else {
                    self.tracked.files.contains(state.in_tree.as_str())
                        || (self.ignored)(&state.in_tree)
                };
            if !skip {
                state
                    .found
                    .push((state.relative.clone(), read_hashed(&state.at)?));
            }
            state.leave(name);
        }
        for name in &listing.dirs {
            state.enter(name);
            state.in_tree.push('/');
            let walk = !self.excluded(&state.relative)
                && (self.tracked.dirs.contains(state.in_tree.as_str())
                    || !(self.ignored)(&state.in_tree[..state.in_tree.len() - 1]));
            state.in_tree.pop();
            if walk {
                self.descend(state, linked)?;
            }
            state.leave(name);
        }
        for name in &listing.links {
            state.enter(name);
            if !self.excluded(&state.relative) {
                match std::fs::metadata(&state.at) {
                    Ok(meta) if meta.is_dir() => {
                        // Followed only while it stays inside the root (which also ends loops).
                        let parent = state.at.parent().and_then(|p| p.canonicalize().ok());
                        if let Ok(target) = state.at.canonicalize() {
                            if target.starts_with(&state.canonical_root)
                                && !parent.is_some_and(|here| here.starts_with(&target))
                            {
                                self.descend(state, true)?;
                            }
                        }
                    }
                    Ok(meta) if meta.is_file() && is_proto(name) && state.inside_root() => {
                        state
                            .found
                            .push((state.relative.clone(), read_hashed(&state.at)?));
                    }
                    _ => {}
                }
            }
            state.leave(name);
        }
        Ok(())
    }

    /// Lists the directory `state.at` and visits it; one that vanished or cannot be listed holds
    /// nothing to check.
    fn descend(&self, state: &mut State<'_>, linked: bool) -> Result<()> {
        state.relative.push('/');
        state.in_tree.push('/');
        let visited = match self.list(state, linked) {
            Ok(listing) => self.visit(state, &listing, linked),
            Err(_) => Ok(()),
        };
        state.relative.pop();
        state.in_tree.pop();
        visited
    }
}

/// Where the walk is: one path on disk and its two names, extended and cut back as the walk goes
/// down and up (no path is built per entry).
struct State<'f> {
    at: PathBuf,
    /// Relative to the root.
    relative: String,
    /// Relative to the work tree.
    in_tree: String,
    canonical_root: PathBuf,
    found: &'f mut Vec<(String, SourceFile)>,
    seen: &'f mut Seen,
}

impl State<'_> {
    fn enter(&mut self, name: &str) {
        self.at.push(name);
        self.relative.push_str(name);
        self.in_tree.push_str(name);
    }

    fn leave(&mut self, name: &str) {
        self.at.pop();
        self.relative.truncate(self.relative.len() - name.len());
        self.in_tree.truncate(self.in_tree.len() - name.len());
    }

    /// Returns `true` if the file at `at` resolves to a place inside the root.
    fn inside_root(&self) -> bool {
        self.at
            .canonicalize()
            .is_ok_and(|target| target.starts_with(&self.canonical_root))
    }
}

/// Reads a file and names its blob.
pub(super) fn read_hashed(path: &Path) -> Result<SourceFile> {
    let bytes = std::fs::read(path).map_err(|err| super::dir::io_error(path, err))?;
    let id = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).map_err(|err| {
        crate::error::Error::invalid(format!("{}: {}", path.display(), err.message()))
    })?;
    Ok(SourceFile::with_id(bytes, id))
}

//! Directory inputs (including the working tree): walk the module roots and include paths with
//! walkdir, skipping `.git`, excluded paths and, inside a git work tree, ignored paths. Symlinks
//! are followed only when they stay inside the directory being read.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use walkdir::WalkDir;

use super::{import_name, is_proto, Content, Layout, Snapshot, SourceFile, Sources};
use crate::error::{Error, Result};

/// What reported paths are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Display {
    /// The repository root when the directory is in a git work tree (the working tree input),
    /// else the directory itself.
    Repository,
    /// The directory itself (a directory input).
    Input,
}

pub(super) fn read(
    top: &Path,
    shown: &Path,
    layout: &Layout,
    display: Display,
) -> Result<(Snapshot, Vec<String>)> {
    if !top.exists() {
        return Err(Error::with_help(
            format!("{}: no such directory", shown.display()),
            "pass an existing directory, a descriptor set file, or a git revision",
        ));
    }
    if !top.is_dir() {
        return Err(Error::invalid(format!(
            "{}: not a directory",
            shown.display()
        )));
    }
    let repo = git2::Repository::discover(top).ok();
    let base = match (display, repo.as_ref().and_then(|r| r.workdir())) {
        (Display::Repository, Some(workdir)) => place_in(workdir, top),
        _ => String::new(),
    };
    let excludes = layout
        .excludes
        .iter()
        .map(|e| import_name(e))
        .collect::<Result<Vec<_>>>()?;
    let label = if shown == Path::new(".") {
        "working tree".to_owned()
    } else {
        shown.display().to_string()
    };
    let mut notes = Vec::new();
    // In a sparse checkout, files outside the sparse cone are in the index (skip-worktree) but not
    // on disk: they are part of the working tree's revision all the same, not deleted files.
    let sparse_repo = match display {
        Display::Repository => repo.as_ref().filter(|r| r.workdir().is_some()),
        Display::Input => None,
    };
    let mut from_index = |dir: &Path| -> Result<BTreeMap<String, Vec<u8>>> {
        let Some(repo) = sparse_repo else {
            return Ok(BTreeMap::new());
        };
        let place = format!("{base}{}", prefix_string(dir));
        let (files, fetched) = super::git::sparse_entries(repo, &place)?;
        notes.extend(fetched);
        Ok(files
            .into_iter()
            .filter(|(name, _)| {
                excludes.is_empty()
                    || !import_name(&dir.join(name))
                        .is_ok_and(|n| super::is_excluded(&n, &excludes))
            })
            .filter(|(name, _)| !top.join(dir).join(name).exists())
            .collect())
    };
    let mut sources = Sources::default();
    // Which root each import name came from, for the duplicate-name error.
    let mut origin: BTreeMap<String, &Path> = BTreeMap::new();
    for root in layout.module_roots() {
        let dir = top.join(root);
        let sparse = from_index(root)?;
        if !dir.is_dir() && !sparse.is_empty() {
            for (name, bytes) in sparse {
                origin.insert(name.clone(), root);
                sources.record_path(&name, &base, root);
                sources.files.insert(name, SourceFile::new(bytes));
            }
            continue;
        }
        if !dir.is_dir() {
            return Err(Error::with_help(
                format!(
                    "{}: the module root {} does not exist in it",
                    shown.display(),
                    root.display()
                ),
                "check --root or the configured roots; they are relative to each input",
            ));
        }
        let on_disk: Arc<Path> = dir.as_path().into();
        let mut files: BTreeMap<String, SourceFile> =
            collect(&dir, root, &excludes, repo.as_ref())?
                .into_iter()
                .map(|(name, bytes)| (name, SourceFile::new(bytes).in_dir(on_disk.clone())))
                .collect();
        files.extend(
            sparse
                .into_iter()
                .map(|(name, bytes)| (name, SourceFile::new(bytes))),
        );
        for (name, file) in files {
            if let Some(first) = origin.insert(name.clone(), root) {
                return Err(super::duplicate_name(
                    &label,
                    &name,
                    &first.join(&name).display().to_string(),
                    &root.join(&name).display().to_string(),
                ));
            }
            sources.record_path(&name, &base, root);
            sources.files.insert(name, file);
        }
    }
    for include in &layout.includes {
        let dir = top.join(include);
        let sparse = from_index(include)?;
        if !dir.is_dir() && !sparse.is_empty() {
            for (name, bytes) in sparse {
                if !sources.includes.contains_key(&name) {
                    if !sources.files.contains_key(&name) {
                        sources.record_path(&name, &base, include);
                    }
                    sources.includes.insert(name, SourceFile::new(bytes));
                }
            }
            continue;
        }
        if !dir.is_dir() {
            return Err(Error::with_help(
                format!(
                    "{}: the include path {} does not exist in it",
                    shown.display(),
                    include.display()
                ),
                "check -I or the configured includes; they are relative to each input",
            ));
        }
        let mut files = collect(&dir, include, &excludes, repo.as_ref())?;
        files.extend(sparse);
        for (name, bytes) in files {
            if !sources.includes.contains_key(&name) {
                if !sources.files.contains_key(&name) {
                    sources.record_path(&name, &base, include);
                }
                sources.includes.insert(name, SourceFile::new(bytes));
            }
        }
    }
    sources.add_external(layout)?;
    Ok((
        Snapshot {
            label,
            content: Content::Sources(sources),
        },
        notes,
    ))
}

/// The `.proto` files under `root` (on disk), keyed by path relative to it. `base` is `root`
/// relative to the input's top, against which `excludes` (`/`-separated) are matched.
fn collect(
    root: &Path,
    base: &Path,
    excludes: &[String],
    repo: Option<&git2::Repository>,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let canonical_root = root.canonicalize().map_err(|err| io_error(root, err))?;
    // Paths relative to the work tree, for asking git whether they are ignored. A directory the
    // user named that git itself ignores (a build output, a scratch copy) is read whole: the
    // ignore rules are for what a work tree holds besides the schema, not for explicit inputs.
    let ignore_base = repo
        .and_then(|r| r.workdir())
        .and_then(|w| w.canonicalize().ok())
        .and_then(|w| canonical_root.strip_prefix(w).ok().map(Path::to_owned))
        .filter(|base| {
            base.as_os_str().is_empty()
                || !repo.is_some_and(|r| r.is_path_ignored(base).unwrap_or(false))
        });
    let ignored = |relative: &Path| match (repo, &ignore_base) {
        (Some(repo), Some(base)) => repo.is_path_ignored(base.join(relative)).unwrap_or(false),
        _ => false,
    };
    let excluded = |relative: &Path| {
        !excludes.is_empty()
            && import_name(&base.join(relative))
                .is_ok_and(|name| super::is_excluded(&name, excludes))
    };
    let mut files = BTreeMap::new();
    // Directories reached through a symlink: files under them are checked to stay inside root.
    let mut linked_dirs: Vec<std::path::PathBuf> = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || entry.file_name() != ".git"
                    && !(entry.file_type().is_dir() && {
                        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                        excluded(relative) || ignored(relative)
                    })
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            // A dangling symlink or a loop is not a reason to stop reading the rest.
            Err(err) if err.io_error().is_none() || err.loop_ancestor().is_some() => continue,
            Err(err) if err.io_error().map(|e| e.kind()) == Some(std::io::ErrorKind::NotFound) => {
                continue
            }
            Err(err) => {
                let path = err.path().unwrap_or(root).to_owned();
                return Err(io_error(&path, err.into()));
            }
        };
        if entry.file_type().is_dir() && entry.path_is_symlink() {
            linked_dirs.push(entry.path().to_owned());
        }
        if !entry.file_type().is_file() || !entry.file_name().to_str().is_some_and(is_proto) {
            continue;
        }
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .expect("walkdir yields paths under its root");
        if excluded(relative) || ignored(relative) {
            continue;
        }
        if entry.path_is_symlink() || linked_dirs.iter().any(|d| path.starts_with(d)) {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {}
                _ => continue,
            }
        }
        let bytes = std::fs::read(path).map_err(|err| io_error(path, err))?;
        files.insert(import_name(relative)?, bytes);
    }
    Ok(files)
}

/// The `.proto` files under a directory outside every revision (a buf dependency in buf's cache),
/// keyed by path relative to it.
pub(super) fn collect_external(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    collect(dir, Path::new(""), &[], None)
}

/// `dir`'s place inside the work tree `workdir` as a `/`-terminated prefix (empty at the top or
/// when it is not inside).
fn place_in(workdir: &Path, dir: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    match canonical(dir).strip_prefix(canonical(workdir)) {
        Ok(relative) => prefix_string(relative),
        Err(_) => String::new(),
    }
}

/// A relative directory as a `/`-terminated path prefix (empty for the top).
pub(super) fn prefix_string(dir: &Path) -> String {
    let mut name = import_name(dir).unwrap_or_default();
    if !name.is_empty() {
        name.push('/');
    }
    name
}

pub(super) fn io_error(path: &Path, err: std::io::Error) -> Error {
    Error::invalid(format!("{}: cannot read: {err}", path.display()))
}

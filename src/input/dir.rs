//! Directory inputs (including the working tree): walk the module root and include paths with
//! walkdir, skipping `.git` and, inside a git work tree, ignored paths. Symlinks are followed only
//! when they stay inside the directory being read.

use std::collections::BTreeMap;
use std::path::Path;

use walkdir::WalkDir;

use super::{import_name, is_proto, Content, Layout, Snapshot, Sources};
use crate::error::{Error, Result};

pub(super) fn read(top: &Path, shown: &Path, layout: &Layout) -> Result<Snapshot> {
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
    let root = top.join(&layout.root);
    if !root.is_dir() {
        return Err(Error::with_help(
            format!(
                "{}: the module root {} does not exist in it",
                shown.display(),
                layout.root.display()
            ),
            "check --root; it is relative to each input",
        ));
    }
    let mut sources = Sources {
        files: collect(&root, repo.as_ref())?,
        includes: BTreeMap::new(),
    };
    for include in &layout.includes {
        let dir = top.join(include);
        if !dir.is_dir() {
            return Err(Error::with_help(
                format!(
                    "{}: the include path {} does not exist in it",
                    shown.display(),
                    include.display()
                ),
                "check -I; it is relative to each input",
            ));
        }
        for (name, bytes) in collect(&dir, repo.as_ref())? {
            sources.includes.entry(name).or_insert(bytes);
        }
    }
    let label = if shown == Path::new(".") {
        "working tree".to_owned()
    } else {
        shown.display().to_string()
    };
    Ok(Snapshot {
        label,
        content: Content::Sources(sources),
    })
}

fn collect(root: &Path, repo: Option<&git2::Repository>) -> Result<BTreeMap<String, Vec<u8>>> {
    let canonical_root = root.canonicalize().map_err(|err| io_error(root, err))?;
    // Paths relative to the work tree, for asking git whether they are ignored.
    let ignore_base = repo
        .and_then(|r| r.workdir())
        .and_then(|w| w.canonicalize().ok())
        .and_then(|w| canonical_root.strip_prefix(w).ok().map(Path::to_owned));
    let ignored = |relative: &Path| match (repo, &ignore_base) {
        (Some(repo), Some(base)) => repo.is_path_ignored(base.join(relative)).unwrap_or(false),
        _ => false,
    };
    let mut files = BTreeMap::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || entry.file_name() != ".git"
                    && !(entry.file_type().is_dir()
                        && ignored(entry.path().strip_prefix(root).unwrap_or(entry.path())))
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
        if !entry.file_type().is_file() || !entry.file_name().to_str().is_some_and(is_proto) {
            continue;
        }
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .expect("walkdir yields paths under its root");
        if ignored(relative) {
            continue;
        }
        if entry.path_is_symlink() || path_has_symlink(root, path) {
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

/// Returns `true` if a component between `root` and `path` is a symlink.
fn path_has_symlink(root: &Path, path: &Path) -> bool {
    let mut current = path.parent();
    while let Some(dir) = current {
        if dir == root {
            return false;
        }
        if dir.is_symlink() {
            return true;
        }
        current = dir.parent();
    }
    false
}

fn io_error(path: &Path, err: std::io::Error) -> Error {
    Error::invalid(format!("{}: cannot read: {err}", path.display()))
}

//! Git inputs, read with git2 straight from the object database: a revision's tree, or the staged
//! index. No checkout and no `git` binary. Paths are taken relative to where the current directory
//! sits in the repository, so `--root proto` means the same thing for every input kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, Tree, TreeWalkMode, TreeWalkResult};

use super::{is_proto, Content, Layout, Snapshot, Sources};
use crate::error::{Error, Result};

/// Reads the `.proto` files of a git revision (or of the merge base of `HEAD` and it).
pub(super) fn read_rev(
    cwd: &Path,
    rev: &str,
    merge_base: bool,
    layout: &Layout,
) -> Result<Snapshot> {
    let (repo, prefix) = open(cwd, rev)?;
    let object = repo
        .revparse_single(rev)
        .map_err(|err| unknown_rev(&repo, rev, &err))?;
    let mut commit = object.peel_to_commit().map_err(|_| {
        Error::invalid(format!(
            "git revision '{rev}' names a {}, not a commit",
            object.kind().map_or("object", |k| k.str())
        ))
    })?;
    if merge_base {
        let head = repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|err| {
                Error::invalid(format!(
                    "cannot resolve HEAD for --merge-base: {}",
                    err.message()
                ))
            })?;
        let base = repo.merge_base(head.id(), commit.id()).map_err(|_| {
            Error::with_help(
                format!("HEAD and '{rev}' have no common ancestor, so there is no merge base"),
                "fetch more history (in CI: fetch-depth: 0), or drop --merge-base",
            )
        })?;
        commit = repo
            .find_commit(base)
            .map_err(|err| git_error(&repo, err))?;
    }
    let tree = commit.tree().map_err(|err| git_error(&repo, err))?;
    let short = commit.as_object().short_id().ok();
    let short = short.as_ref().and_then(|s| s.as_str()).unwrap_or("");
    let label = if merge_base {
        format!("merge base of HEAD and {rev} ({short})")
    } else if rev.starts_with(short) {
        rev.to_owned()
    } else {
        format!("{rev} ({short})")
    };
    let mut sources = Sources {
        files: tree_files(&repo, &tree, &prefix.join(&layout.root))?,
        includes: BTreeMap::new(),
    };
    for include in &layout.includes {
        for (name, bytes) in tree_files(&repo, &tree, &prefix.join(include))? {
            sources.includes.entry(name).or_insert(bytes);
        }
    }
    Ok(Snapshot {
        label,
        content: Content::Sources(sources),
    })
}

/// Reads the `.proto` files as staged in the index (what a pre-commit hook sees).
pub(super) fn read_index(cwd: &Path, layout: &Layout) -> Result<Snapshot> {
    let (repo, prefix) = open(cwd, "--staged")?;
    let index = repo.index().map_err(|err| git_error(&repo, err))?;
    let module = dir_prefix(&prefix.join(&layout.root))?;
    let includes = layout
        .includes
        .iter()
        .map(|i| dir_prefix(&prefix.join(i)))
        .collect::<Result<Vec<_>>>()?;
    let mut sources = Sources::default();
    let mut include_files: Vec<BTreeMap<String, Vec<u8>>> = vec![BTreeMap::new(); includes.len()];
    for entry in index.iter() {
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            continue;
        };
        if !is_proto(path) {
            continue;
        }
        let stage = (entry.flags >> 12) & 0x3;
        let wanted = path
            .strip_prefix(module.as_str())
            .map(|n| (None, n))
            .or_else(|| {
                includes
                    .iter()
                    .position(|i| path.starts_with(i.as_str()))
                    .map(|k| (Some(k), &path[includes[k].len()..]))
            });
        let Some((slot, name)) = wanted else {
            continue;
        };
        if stage != 0 {
            return Err(Error::with_help(
                format!("{path}: the index holds an unresolved merge conflict for this file"),
                "resolve the conflict and stage the result (git add) before checking",
            ));
        }
        let blob = repo
            .find_blob(entry.id)
            .map_err(|err| git_error(&repo, err))?;
        let bytes = blob.content().to_vec();
        match slot {
            None => sources.files.insert(name.to_owned(), bytes),
            Some(k) => include_files[k].insert(name.to_owned(), bytes),
        };
    }
    for files in include_files {
        for (name, bytes) in files {
            sources.includes.entry(name).or_insert(bytes);
        }
    }
    Ok(Snapshot {
        label: "staged changes".to_owned(),
        content: Content::Sources(sources),
    })
}

/// Opens the repository around `cwd` and returns it with `cwd`'s place inside its work tree.
fn open(cwd: &Path, what: &str) -> Result<(Repository, PathBuf)> {
    let repo = Repository::discover(cwd).map_err(|_| {
        Error::with_help(
            format!(
                "'{what}' is not an existing file or directory, and {} is not inside a git repository, so it cannot be a git revision either",
                cwd.display()
            ),
            "run inside the repository, or pass an existing directory or descriptor set file",
        )
    })?;
    let prefix = match repo.workdir() {
        Some(workdir) => {
            let workdir = workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_owned());
            let here = cwd.canonicalize().unwrap_or_else(|_| cwd.to_owned());
            here.strip_prefix(&workdir)
                .map(Path::to_owned)
                .unwrap_or_default()
        }
        None => PathBuf::new(),
    };
    Ok((repo, prefix))
}

/// The `.proto` blobs under `dir` in `tree`, keyed by path relative to `dir`. A directory that
/// does not exist in this revision has no files (the module may be younger than the revision).
fn tree_files(repo: &Repository, tree: &Tree<'_>, dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let subtree;
    let tree = if dir.as_os_str().is_empty() {
        tree
    } else {
        let entry = match tree.get_path(dir) {
            Ok(entry) => entry,
            Err(_) => return Ok(BTreeMap::new()),
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(BTreeMap::new());
        }
        subtree = repo
            .find_tree(entry.id())
            .map_err(|err| git_error(repo, err))?;
        &subtree
    };
    let mut blobs = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        // Symlinks (0o120000) and submodules are not files of this revision.
        if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != 0o120000 {
            if let Some(name) = entry.name().filter(|n| is_proto(n)) {
                blobs.push((format!("{parent}{name}"), entry.id()));
            }
        }
        TreeWalkResult::Ok
    })
    .map_err(|err| git_error(repo, err))?;
    let mut files = BTreeMap::new();
    for (name, id) in blobs {
        let blob = repo.find_blob(id).map_err(|err| git_error(repo, err))?;
        files.insert(name, blob.content().to_vec());
    }
    Ok(files)
}

/// A directory as a `/`-terminated index path prefix (empty for the top).
fn dir_prefix(dir: &Path) -> Result<String> {
    let mut name = super::import_name(dir)?;
    if !name.is_empty() {
        name.push('/');
    }
    Ok(name)
}

fn unknown_rev(repo: &Repository, rev: &str, err: &git2::Error) -> Error {
    let place = repo
        .workdir()
        .unwrap_or_else(|| repo.path())
        .display()
        .to_string();
    let unborn = matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch);
    if unborn || repo.is_empty().unwrap_or(false) {
        return Error::with_help(
            format!("the git repository at {place} has no commits yet, so there is no revision '{rev}' to compare against"),
            "commit a first version of the schema, or compare against a directory",
        );
    }
    let _ = err;
    Error::with_help(
        format!("unknown git revision '{rev}' in the repository at {place} (it is not an existing path either)"),
        "check the name (git branch -a, git tag); in CI, fetch it first (actions/checkout with fetch-depth: 0)",
    )
}

fn git_error(repo: &Repository, err: git2::Error) -> Error {
    let place = repo
        .workdir()
        .unwrap_or_else(|| repo.path())
        .display()
        .to_string();
    Error::invalid(format!(
        "reading the git repository at {place} failed: {}",
        err.message()
    ))
}

//! Git inputs, read with git2 straight from the object database: a revision's tree, or the staged
//! index. No checkout and no `git` binary. Each revision is read with its own configuration,
//! found in its tree by walking up from the current directory's place in the repository (as on
//! disk), so that a branch that moved its module roots is read with the roots it had. Layout
//! paths are taken relative to where that configuration sits in the repository (else where the
//! working directory's configuration, or the current directory, sits), so `--root proto` means
//! the same thing for every input kind. Reported paths are relative to the repository root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, Tree};

use super::git_open::{choose, open, open_input, IndexFiles, Place, TreeFiles};
use super::promised::Promised;
use super::trees::Trees;
use super::{
    is_proto, ConfigChoice, Content, GitRepo, Layout, LayoutFlags, Objects, Revision, Snapshot,
    SourceFile, Sources,
};
use crate::cache::CacheFile;
use crate::error::{Error, Result};

/// Reads the `.proto` files of a git revision (or of the merge base of `HEAD` and it), with the
/// configuration of that revision.
pub(super) fn read_rev(
    cwd: &Path,
    rev: &str,
    merge_base: bool,
    named: Option<&GitRepo>,
    choice: ConfigChoice<'_>,
    flags: &LayoutFlags,
) -> Result<Revision> {
    if merge_base && named.is_some_and(|n| !n.location.is_empty()) {
        return Err(Error::with_help(
            "--merge-base works with revisions of the current repository, not with a repository named in buf's syntax",
            "fetch the branch into this repository and use --against <branch> --merge-base",
        ));
    }
    let mut notes = Vec::new();
    let (repo, clone, at) = open_input(cwd, rev, named, &mut notes)?;
    // Before the first commit, HEAD names an empty revision: the first commit breaks nothing
    // (what a pre-commit hook comparing the index with HEAD needs).
    if has_no_commits(&repo) && rev == "HEAD" && !merge_base {
        let config = choice.forced.unwrap_or(choice.fallback).clone();
        let layout = flags.apply(&config)?;
        return Ok(Revision {
            snapshot: Snapshot {
                label: "HEAD (no commits yet)".to_owned(),
                content: Content::Sources(Sources::default()),
            },
            config,
            layout,
            notes,
        });
    }
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
    let label = if let Some(named) = named {
        format!("{} ({short})", named.typed)
    } else if merge_base {
        format!("merge base of HEAD and {rev} ({short})")
    } else if rev.starts_with(short) {
        rev.to_owned()
    } else {
        format!("{rev} ({short})")
    };
    let shown_rev = if merge_base {
        short.to_owned()
    } else {
        rev.to_owned()
    };
    let promised = Promised::new(&repo, &shown_rev);
    let files = TreeFiles {
        repo: &repo,
        tree: &tree,
        rev: shown_rev.clone(),
        promised: &promised,
    };
    let (config, prefix) = choose(&repo, cwd, &files, choice, &at)?;
    let layout = flags.apply(&config)?;
    let base = super::dir::prefix_string(&prefix);
    let excludes = excludes(&prefix, &layout)?;
    // Every blob the layout reaches, listed first so that a partial clone fetches them at once.
    let roots = layout.module_roots();
    // A repository cloned for this input is gone after the run: no cache for it.
    let cache_dir = clone.is_none().then(|| CacheFile::dir_of(&repo));
    let mut trees = Trees::open(&repo, cache_dir.as_deref());
    let mut listed = Vec::new();
    for dir in roots
        .iter()
        .copied()
        .chain(layout.includes.iter().map(PathBuf::as_path))
    {
        listed.push(tree_blobs(&mut trees, &tree, &prefix.join(dir), &excludes)?);
    }
    trees.save();
    let all: Vec<(String, git2::Oid)> = listed
        .iter()
        .flat_map(|(base, blobs)| {
            blobs
                .iter()
                .map(move |(name, id)| (format!("{base}{name}"), *id))
        })
        .collect();
    promised.ensure(&all)?;
    let mut sources = Sources::default();
    let mut origin: BTreeMap<String, &Path> = BTreeMap::new();
    for (root, (_, blobs)) in roots.iter().copied().zip(&listed) {
        for (name, id) in blobs {
            if let Some(first) = origin.insert(name.clone(), root) {
                return Err(super::duplicate_name(
                    &label,
                    name,
                    &first.join(name).display().to_string(),
                    &root.join(name).display().to_string(),
                ));
            }
            sources.record_path(name, &base, root);
            sources.files.insert(name.clone(), SourceFile::object(*id));
        }
    }
    for (include, (_, blobs)) in layout.includes.iter().zip(&listed[roots.len()..]) {
        for (name, id) in blobs {
            if !sources.includes.contains_key(name) {
                if !sources.files.contains_key(name) {
                    sources.record_path(name, &base, include);
                }
                sources
                    .includes
                    .insert(name.clone(), SourceFile::object(*id));
            }
        }
    }
    drop(files);
    sources.add_external(&layout)?;
    notes.extend(promised.notes());
    drop((tree, commit, object));
    sources.cache_dir = cache_dir;
    sources.objects = Some(Objects::new(repo, clone));
    Ok(Revision {
        snapshot: Snapshot {
            label,
            content: Content::Sources(sources),
        },
        config,
        layout,
        notes,
    })
}

/// Reads the `.proto` files as staged in the index (what a pre-commit hook sees), with the
/// configuration as staged.
pub(super) fn read_index(
    cwd: &Path,
    choice: ConfigChoice<'_>,
    flags: &LayoutFlags,
) -> Result<Revision> {
    let label = "staged changes";
    let repo = open(cwd, "--staged")?;
    let index = repo.index().map_err(|err| git_error(&repo, err))?;
    let (config, prefix) = choose(
        &repo,
        cwd,
        &IndexFiles {
            repo: &repo,
            index: &index,
        },
        choice,
        &Place::Cwd,
    )?;
    let layout = flags.apply(&config)?;
    let roots = layout.module_roots();
    let modules = roots
        .iter()
        .map(|r| dir_prefix(&prefix.join(r)))
        .collect::<Result<Vec<_>>>()?;
    let includes = layout
        .includes
        .iter()
        .map(|i| dir_prefix(&prefix.join(i)))
        .collect::<Result<Vec<_>>>()?;
    let excludes = excludes(&prefix, &layout)?;
    // The entries the layout reaches, listed first so that a partial clone (skip-worktree
    // entries of a sparse one) fetches what is missing at once.
    let mut selected: Vec<(Slot, String, String, git2::Oid)> = Vec::new();
    for entry in index.iter() {
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            continue;
        };
        if !is_proto(path) || super::is_excluded(path, &excludes) {
            continue;
        }
        let stage = (entry.flags >> 12) & 0x3;
        let wanted = modules
            .iter()
            .position(|m| path.starts_with(m.as_str()))
            .map(|k| (Slot::Module(k), &path[modules[k].len()..]))
            .or_else(|| {
                includes
                    .iter()
                    .position(|i| path.starts_with(i.as_str()))
                    .map(|k| (Slot::Include(k), &path[includes[k].len()..]))
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
        selected.push((slot, name.to_owned(), path.to_owned(), entry.id));
    }
    let promised = Promised::new(&repo, "the index");
    let wanted: Vec<(String, git2::Oid)> = selected
        .iter()
        .map(|(_, _, path, id)| (path.clone(), *id))
        .collect();
    promised.ensure(&wanted)?;
    let mut sources = Sources::default();
    let mut origin: BTreeMap<String, usize> = BTreeMap::new();
    let mut include_files: Vec<BTreeMap<String, (String, git2::Oid)>> =
        vec![BTreeMap::new(); includes.len()];
    for (slot, name, path, id) in selected {
        match slot {
            Slot::Module(k) => {
                if let Some(first) = origin.insert(name.clone(), k) {
                    if first != k {
                        return Err(super::duplicate_name(
                            label,
                            &name,
                            &roots[first].join(&name).display().to_string(),
                            &roots[k].join(&name).display().to_string(),
                        ));
                    }
                }
                sources.set_path(&name, path);
                sources.files.insert(name, SourceFile::object(id));
            }
            Slot::Include(k) => {
                include_files[k].insert(name, (path, id));
            }
        }
    }
    for files in include_files {
        for (name, (path, id)) in files {
            if !sources.includes.contains_key(&name) {
                if !sources.files.contains_key(&name) {
                    sources.set_path(&name, path);
                }
                sources.includes.insert(name, SourceFile::object(id));
            }
        }
    }
    sources.add_external(&layout)?;
    let notes = promised.notes();
    drop(index);
    sources.cache_dir = Some(CacheFile::dir_of(&repo));
    sources.objects = Some(Objects::new(repo, None));
    Ok(Revision {
        snapshot: Snapshot {
            label: label.to_owned(),
            content: Content::Sources(sources),
        },
        config,
        layout,
        notes,
    })
}

/// A file's path and bytes.
pub(super) type FileBytes = (String, Vec<u8>);

/// The skip-worktree `.proto` entries of the index under `dir` (a `/`-terminated path relative
/// to the repository's top): in a sparse checkout, the files outside the sparse cone, which are
/// in the revision but not on disk. Keyed by path relative to `dir`, with their staged bytes.
pub(super) fn sparse_entries(
    repo: &Repository,
    dir: &str,
) -> Result<(Vec<FileBytes>, Vec<String>)> {
    let index = repo.index().map_err(|err| git_error(repo, err))?;
    let mut selected = Vec::new();
    for entry in index.iter() {
        let skipped = git2::IndexEntryExtendedFlag::from_bits_truncate(entry.flags_extended)
            .contains(git2::IndexEntryExtendedFlag::SKIP_WORKTREE);
        if !skipped {
            continue;
        }
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            continue;
        };
        if is_proto(path) && path.starts_with(dir) && (entry.flags >> 12) & 0x3 == 0 {
            selected.push((path.to_owned(), entry.id));
        }
    }
    if selected.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let promised = Promised::new(repo, "the index");
    promised.ensure(&selected)?;
    let mut files = Vec::new();
    for (path, id) in selected {
        let blob = repo.find_blob(id).map_err(|err| git_error(repo, err))?;
        files.push((path[dir.len()..].to_owned(), blob.content().to_vec()));
    }
    Ok((files, promised.notes()))
}

/// Where an index entry belongs: the k-th module root or the k-th include path.
enum Slot {
    Module(usize),
    Include(usize),
}

/// The layout's excludes as `/`-separated paths relative to the repository's top.
fn excludes(prefix: &Path, layout: &Layout) -> Result<Vec<String>> {
    layout
        .excludes
        .iter()
        .map(|e| super::import_name(&prefix.join(e)))
        .collect()
}

/// The `.proto` blobs under `dir` in `tree`, keyed by path relative to `dir`, leaving out
/// `excludes` (`/`-separated, relative to the repository's top), with `dir` as a `/`-terminated
/// prefix. A directory that does not exist in this revision has no files (the module may be
/// younger than the revision). Subtrees an earlier run listed come from `trees`' cache.
fn tree_blobs(
    trees: &mut Trees<'_>,
    tree: &Tree<'_>,
    dir: &Path,
    excludes: &[String],
) -> Result<(String, Vec<(String, git2::Oid)>)> {
    let base = dir_prefix(dir)?;
    let id = if dir.as_os_str().is_empty() {
        tree.id()
    } else {
        match tree.get_path(dir) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => entry.id(),
            _ => return Ok((base, Vec::new())),
        }
    };
    let blobs = trees.list(id, &base, excludes)?;
    Ok((base, blobs))
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
    if has_no_commits(repo) {
        return Error::with_help(
            format!("the git repository at {place} has no commits yet, so there is no revision '{rev}' to compare against"),
            "commit a first version of the schema, or compare against a directory",
        );
    }
    let _ = err;
    // `git:README.md`: the name is an existing path, forced to be read as a revision.
    let path = Path::new(rev);
    if path.is_dir() {
        return Error::with_help(
            format!(
                "'{rev}' is not a git revision in the repository at {place}; it is a directory"
            ),
            format!("drop the git: prefix to compare against the directory, or write dir:{rev}"),
        );
    }
    if path.exists() {
        return Error::with_help(
            format!("'{rev}' is not a git revision in the repository at {place}; it is a file, and a file is no git revision"),
            "name a branch, tag or SHA; to compare against a descriptor set file (protoc -o, buf build -o), drop the git: prefix or write desc:<file>",
        );
    }
    Error::with_help(
        format!("unknown git revision '{rev}' in the repository at {place} (it is not an existing path either)"),
        "check the name (git branch -a, git tag); in CI, fetch it first (actions/checkout with fetch-depth: 0)",
    )
}

pub(super) fn git_error_at(path: &Path, err: &git2::Error) -> Error {
    Error::invalid(format!(
        "reading the git repository at {} failed: {}",
        path.display(),
        err.message()
    ))
}

pub(super) fn git_error(repo: &Repository, err: git2::Error) -> Error {
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

/// Returns `true` if the repository has no commit yet (HEAD names an unborn branch).
fn has_no_commits(repo: &Repository) -> bool {
    matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch)
        || repo.is_empty().unwrap_or(false)
}

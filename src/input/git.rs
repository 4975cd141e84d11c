//! Git inputs, read with git2 straight from the object database: a revision's tree, or the staged
//! index. No checkout and no `git` binary. Each revision is read with its own configuration,
//! found in its tree by walking up from the current directory's place in the repository (as on
//! disk), so that a branch that moved its module roots is read with the roots it had. Layout
//! paths are taken relative to where that configuration sits in the repository (else where the
//! working directory's configuration, or the current directory, sits), so `--root proto` means
//! the same thing for every input kind. Reported paths are relative to the repository root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Index, ObjectType, Repository, Tree, TreeWalkMode, TreeWalkResult};

use super::{is_proto, ConfigChoice, Content, Layout, LayoutFlags, Revision, Snapshot, Sources};
use crate::config::{self, Config};
use crate::error::{Error, Result};

/// A revision's tree as a [`config::Tree`], for finding and reading its configuration.
struct TreeFiles<'a> {
    repo: &'a Repository,
    tree: &'a Tree<'a>,
    /// How the revision is named before `:path` in messages (git's own `rev:path` syntax).
    rev: String,
}

impl config::Tree for TreeFiles<'_> {
    fn read(&self, path: &Path) -> Result<Option<String>> {
        let Ok(entry) = self.tree.get_path(path) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(|err| git_error(self.repo, err))?;
        text(blob.content(), &self.show(path)).map(Some)
    }

    fn show(&self, path: &Path) -> String {
        format!("{}:{}", self.rev, slashed(path))
    }
}

/// The staged index as a [`config::Tree`].
struct IndexFiles<'a> {
    repo: &'a Repository,
    index: &'a Index,
}

impl config::Tree for IndexFiles<'_> {
    fn read(&self, path: &Path) -> Result<Option<String>> {
        let Some(entry) = self.index.get_path(path, 0) else {
            return Ok(None);
        };
        let blob = self
            .repo
            .find_blob(entry.id)
            .map_err(|err| git_error(self.repo, err))?;
        text(blob.content(), &self.show(path)).map(Some)
    }

    fn show(&self, path: &Path) -> String {
        format!("{} (staged)", slashed(path))
    }
}

fn text(bytes: &[u8], shown: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::with_help(
            format!("{shown}: the configuration file is not valid UTF-8"),
            "re-encode the file as UTF-8 and commit it",
        )
    })
}

fn slashed(path: &Path) -> String {
    super::import_name(path).unwrap_or_else(|_| path.display().to_string())
}

/// The configuration of a git revision or the index (see [`ConfigChoice`]) and the place in the
/// repository its layout paths start at.
fn choose(
    repo: &Repository,
    cwd: &Path,
    tree: &dyn config::Tree,
    choice: ConfigChoice<'_>,
) -> Result<(Config, PathBuf)> {
    if let Some(forced) = choice.forced {
        return Ok((forced.clone(), place(repo, cwd, forced)?));
    }
    let here = place_of_cwd(repo, cwd);
    match Config::discover_in(tree, &here)? {
        Some(own) => {
            let prefix = own.dir().map_or_else(PathBuf::new, Path::to_owned);
            Ok((own, prefix))
        }
        None => Ok((choice.fallback.clone(), place(repo, cwd, choice.fallback)?)),
    }
}

/// Reads the `.proto` files of a git revision (or of the merge base of `HEAD` and it), with the
/// configuration of that revision.
pub(super) fn read_rev(
    cwd: &Path,
    rev: &str,
    merge_base: bool,
    choice: ConfigChoice<'_>,
    flags: &LayoutFlags,
) -> Result<Revision> {
    let repo = open(cwd, rev)?;
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
    let label = if merge_base {
        format!("merge base of HEAD and {rev} ({short})")
    } else if rev.starts_with(short) {
        rev.to_owned()
    } else {
        format!("{rev} ({short})")
    };
    let files = TreeFiles {
        repo: &repo,
        tree: &tree,
        rev: if merge_base {
            short.to_owned()
        } else {
            rev.to_owned()
        },
    };
    let (config, prefix) = choose(&repo, cwd, &files, choice)?;
    let layout = flags.apply(&config)?;
    let base = super::dir::prefix_string(&prefix);
    let excludes = excludes(&prefix, &layout)?;
    let mut sources = Sources::default();
    let mut origin: BTreeMap<String, &Path> = BTreeMap::new();
    for root in layout.module_roots() {
        for (name, bytes) in tree_files(&repo, &tree, &prefix.join(root), &excludes)? {
            if let Some(first) = origin.insert(name.clone(), root) {
                return Err(super::duplicate_name(
                    &label,
                    &name,
                    &first.join(&name).display().to_string(),
                    &root.join(&name).display().to_string(),
                ));
            }
            sources.record_path(&name, &base, root);
            sources.files.insert(name, bytes);
        }
    }
    for include in &layout.includes {
        for (name, bytes) in tree_files(&repo, &tree, &prefix.join(include), &excludes)? {
            if !sources.includes.contains_key(&name) {
                if !sources.files.contains_key(&name) {
                    sources.record_path(&name, &base, include);
                }
                sources.includes.insert(name, bytes);
            }
        }
    }
    Ok(Revision {
        snapshot: Snapshot {
            label,
            content: Content::Sources(sources),
        },
        config,
        layout,
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
    let mut sources = Sources::default();
    let mut origin: BTreeMap<String, usize> = BTreeMap::new();
    let mut include_files: Vec<BTreeMap<String, (String, Vec<u8>)>> =
        vec![BTreeMap::new(); includes.len()];
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
        let blob = repo
            .find_blob(entry.id)
            .map_err(|err| git_error(&repo, err))?;
        let bytes = blob.content().to_vec();
        match slot {
            Slot::Module(k) => {
                if let Some(first) = origin.insert(name.to_owned(), k) {
                    if first != k {
                        return Err(super::duplicate_name(
                            label,
                            name,
                            &roots[first].join(name).display().to_string(),
                            &roots[k].join(name).display().to_string(),
                        ));
                    }
                }
                sources.set_path(name, path.to_owned());
                sources.files.insert(name.to_owned(), bytes);
            }
            Slot::Include(k) => {
                include_files[k].insert(name.to_owned(), (path.to_owned(), bytes));
            }
        }
    }
    for files in include_files {
        for (name, (path, bytes)) in files {
            if !sources.includes.contains_key(&name) {
                if !sources.files.contains_key(&name) {
                    sources.set_path(&name, path);
                }
                sources.includes.insert(name, bytes);
            }
        }
    }
    Ok(Revision {
        snapshot: Snapshot {
            label: label.to_owned(),
            content: Content::Sources(sources),
        },
        config,
        layout,
    })
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

/// Opens the repository around `cwd`; `what` is the revision asked for, for the error.
fn open(cwd: &Path, what: &str) -> Result<Repository> {
    Repository::discover(cwd).map_err(|_| {
        Error::with_help(
            format!(
                "'{what}' is not an existing file or directory, and {} is not inside a git repository, so it cannot be a git revision either",
                cwd.display()
            ),
            "run inside the repository, or pass an existing directory or descriptor set file",
        )
    })
}

/// The current directory's place inside the repository's work tree (empty for a bare
/// repository or outside it).
fn place_of_cwd(repo: &Repository, cwd: &Path) -> PathBuf {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    repo.workdir()
        .and_then(|w| {
            canonical(cwd)
                .strip_prefix(canonical(w))
                .ok()
                .map(Path::to_owned)
        })
        .unwrap_or_default()
}

/// Where a configuration on disk (else the current directory) sits inside the repository: the
/// place in each revision its layout paths start at.
fn place(repo: &Repository, cwd: &Path, config: &Config) -> Result<PathBuf> {
    let top = config.dir().map_or_else(|| cwd.to_owned(), Path::to_owned);
    let Some(workdir) = repo.workdir() else {
        return Ok(PathBuf::new());
    };
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    let workdir = canonical(workdir);
    let here = canonical(&top);
    match here.strip_prefix(&workdir) {
        Ok(prefix) => Ok(prefix.to_owned()),
        Err(_) if here != canonical(cwd) => Err(Error::with_help(
            format!(
                "the configuration in {} is outside the git repository at {}, so its paths cannot be found in git revisions",
                top.display(),
                workdir.display()
            ),
            "move the configuration file into the repository, or pass --config",
        )),
        Err(_) => Ok(PathBuf::new()),
    }
}

/// The `.proto` blobs under `dir` in `tree`, keyed by path relative to `dir`, leaving out
/// `excludes` (`/`-separated, relative to the repository's top). A directory that does not exist
/// in this revision has no files (the module may be younger than the revision).
fn tree_files(
    repo: &Repository,
    tree: &Tree<'_>,
    dir: &Path,
    excludes: &[String],
) -> Result<BTreeMap<String, Vec<u8>>> {
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
    let base = dir_prefix(dir)?;
    let mut blobs = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Some(name) = entry.name() else {
            return TreeWalkResult::Ok;
        };
        if !excludes.is_empty() && super::is_excluded(&format!("{base}{parent}{name}"), excludes) {
            return TreeWalkResult::Skip;
        }
        // Symlinks (0o120000) and submodules are not files of this revision.
        if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != 0o120000 && is_proto(name)
        {
            blobs.push((format!("{parent}{name}"), entry.id()));
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
    if has_no_commits(repo) {
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

/// Returns `true` if the repository has no commit yet (HEAD names an unborn branch).
fn has_no_commits(repo: &Repository) -> bool {
    matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch)
        || repo.is_empty().unwrap_or(false)
}

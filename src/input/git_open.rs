//! Opening a git input: which repository (the one around the current directory, a local path
//! named in buf's syntax, or a URL cloned into a temporary bare repository), and which
//! configuration applies to a revision and where its layout paths start (the revision's own,
//! found in its tree by walking up from the current directory's place, else the command line's
//! or the working directory's, at their place in the repository).

use std::path::{Path, PathBuf};

use git2::{Index, ObjectType, Repository, Tree};

use super::git::{git_error, git_error_at};
use super::promised::Promised;
use super::{ConfigChoice, GitRepo};
use crate::config::{self, Config};
use crate::error::{Error, Result};

/// A revision's tree as a [`config::Tree`], for finding and reading its configuration.
pub(super) struct TreeFiles<'a> {
    pub repo: &'a Repository,
    pub tree: &'a Tree<'a>,
    /// How the revision is named before `:path` in messages (git's own `rev:path` syntax).
    pub rev: String,
    pub promised: &'a Promised<'a>,
}

impl config::Tree for TreeFiles<'_> {
    fn read(&self, path: &Path) -> Result<Option<String>> {
        let Ok(entry) = self.tree.get_path(path) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        self.promised.ensure(&[(slashed(path), entry.id())])?;
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
pub(super) struct IndexFiles<'a> {
    pub repo: &'a Repository,
    pub index: &'a Index,
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
pub(super) fn choose(
    repo: &Repository,
    cwd: &Path,
    tree: &dyn config::Tree,
    choice: ConfigChoice<'_>,
    at: &Place,
) -> Result<(Config, PathBuf)> {
    // A configuration from the command line or the working directory: its paths start at the
    // subdir named in buf's syntax, the top of another repository, or its own place in this one.
    let top_of = |config: &Config| -> Result<PathBuf> {
        match at {
            Place::Subdir(subdir) => Ok(subdir.clone()),
            Place::Foreign => Ok(PathBuf::new()),
            Place::Cwd => place(repo, cwd, config),
        }
    };
    if let Some(forced) = choice.forced {
        return Ok((forced.clone(), top_of(forced)?));
    }
    let here = match at {
        Place::Subdir(subdir) => subdir.clone(),
        Place::Foreign => PathBuf::new(),
        Place::Cwd => place_of_cwd(repo, cwd),
    };
    match Config::discover_in(tree, &here)? {
        Some(own) => {
            let prefix = own.dir().map_or_else(PathBuf::new, Path::to_owned);
            Ok((own, prefix))
        }
        None => Ok((choice.fallback.clone(), top_of(choice.fallback)?)),
    }
}

/// Where a git input's top is looked for.
pub(super) enum Place {
    /// The current directory's place in the repository (the repository around it).
    Cwd,
    /// `subdir=` of buf's syntax.
    Subdir(PathBuf),
    /// The top of a repository other than the current directory's.
    Foreign,
}

/// Opens the repository of a git input: the one around `cwd`, or the one buf's syntax names
/// (a local path, or a URL cloned into a temporary bare repository that lives as long as the
/// returned guard). Returns where the input's top is looked for.
pub(super) fn open_input(
    cwd: &Path,
    rev: &str,
    named: Option<&GitRepo>,
    notes: &mut Vec<String>,
) -> Result<(Repository, Option<tempfile::TempDir>, Place)> {
    let Some(named) = named else {
        return Ok((open(cwd, rev)?, None, Place::Cwd));
    };
    let subdir_or = |place: Place| {
        if named.subdir.as_os_str().is_empty() {
            place
        } else {
            Place::Subdir(named.subdir.clone())
        }
    };
    if named.location.is_empty() {
        return Ok((open(cwd, &named.typed)?, None, subdir_or(Place::Cwd)));
    }
    if named.is_remote() {
        let dir = tempfile::Builder::new()
            .prefix("protoguard-clone-")
            .tempdir()
            .map_err(|err| Error::invalid(format!("cannot create a temporary directory: {err}")))?;
        let target = dir.path().join("repository.git");
        let output = std::process::Command::new("git")
            .args(["clone", "--bare", "--quiet", "--", &named.location])
            .arg(&target)
            .output();
        match output {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                return Err(Error::with_help(
                    format!(
                        "{}: cloning {} failed: {}",
                        named.typed,
                        named.location,
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                    "check the URL and your access to it (git clone must work with it)",
                ))
            }
            Err(err) => return Err(Error::with_help(
                format!(
                    "{}: cannot run git to clone {}: {err}",
                    named.typed, named.location
                ),
                "a remote repository is cloned with the git binary: install git or put it on PATH",
            )),
        }
        notes.push(format!(
            "cloned {} into a temporary bare repository",
            named.location
        ));
        let repo = Repository::open_bare(&target).map_err(|err| git_error_at(&target, &err))?;
        return Ok((repo, Some(dir), subdir_or(Place::Foreign)));
    }
    let path = cwd.join(&named.location);
    let repo = Repository::open(&path).map_err(|_| {
        Error::with_help(
            format!(
                "{}: {} is not a git repository",
                named.typed,
                path.display()
            ),
            "name a repository's .git directory or work tree, or a URL",
        )
    })?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    let same = Repository::discover(cwd)
        .is_ok_and(|local| canonical(local.path()) == canonical(repo.path()));
    let place = if same { Place::Cwd } else { Place::Foreign };
    Ok((repo, None, subdir_or(place)))
}

/// Opens the repository around `cwd`; `what` is the revision asked for, for the error.
pub(super) fn open(cwd: &Path, what: &str) -> Result<Repository> {
    Repository::discover(cwd).map_err(|_| {
        let why = if what == "--staged" || !Path::new(what).exists() {
            format!(
                "'{what}' is not an existing file or directory, and {} is not inside a git repository, so it cannot be a git revision either",
                cwd.display()
            )
        } else {
            format!(
                "'{what}' was to be read as a git revision, and {} is not inside a git repository",
                cwd.display()
            )
        };
        Error::with_help(
            why,
            "run inside the repository, or pass an existing directory or descriptor set file",
        )
    })
}

/// The current directory's place inside the repository's work tree (empty for a bare
/// repository or outside it).
pub(super) fn place_of_cwd(repo: &Repository, cwd: &Path) -> PathBuf {
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
pub(super) fn place(repo: &Repository, cwd: &Path, config: &Config) -> Result<PathBuf> {
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

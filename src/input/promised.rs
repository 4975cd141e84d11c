//! Partial clones (`git clone --filter=blob:none`, as actions/checkout offers): the blobs of
//! revisions other than the checked-out one are promised by a remote and not local yet. libgit2
//! cannot fetch them, so before reading the blobs a check needs, the missing ones are fetched in
//! one batch through the `git` binary, the way git itself prefetches for a checkout
//! (`git fetch <promisor> --filter=blob:none --stdin` with the object IDs). What was fetched is
//! said on stderr through [`Promised::notes`]; what cannot be fetched is an error naming the path,
//! the revision and the command that fixes it.

use std::cell::RefCell;
use std::io::Write;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use crate::error::{Error, Result};

/// Fetches promised blobs of one repository on demand, remembering what it did.
pub(crate) struct Promised<'a> {
    repo: &'a Repository,
    /// How the revision being read is named in messages.
    rev: String,
    /// One sentence per fetch, for stderr.
    notes: RefCell<Vec<String>>,
}

impl<'a> Promised<'a> {
    pub(crate) fn new(repo: &'a Repository, rev: &str) -> Self {
        Promised {
            repo,
            rev: rev.to_owned(),
            notes: RefCell::new(Vec::new()),
        }
    }

    /// What was fetched, one sentence each.
    pub(crate) fn notes(self) -> Vec<String> {
        self.notes.into_inner()
    }

    /// Makes sure every blob of `wanted` (repository path, object ID) is in the object database,
    /// fetching the missing ones in one batch when the repository is a partial clone.
    pub(crate) fn ensure(&self, wanted: &[(String, Oid)]) -> Result<()> {
        // A repository that is not a partial clone has every object: asking the object
        // database about each blob would cost a lookup per file for nothing. (A blob missing
        // there anyway is reported when it is read.)
        if wanted.is_empty() || self.promisor().is_none() {
            return Ok(());
        }
        let odb = self.repo.odb().map_err(|err| self.git_error(&err))?;
        let missing: Vec<&(String, Oid)> =
            wanted.iter().filter(|(_, id)| !odb.exists(*id)).collect();
        let Some((first_path, _)) = missing.first() else {
            return Ok(());
        };
        let Some(remote) = self.promisor() else {
            return Err(Error::with_help(
                format!(
                    "{}:{first_path}: the file's contents (object {}) are missing from the repository, which is not a partial clone",
                    self.rev,
                    missing[0].1
                ),
                "the repository is damaged or shallow in an unusual way: run `git fsck`, or clone it again",
            ));
        };
        let fix = format!("git cat-file -p {}:{first_path}", self.rev);
        let mut ids: Vec<String> = missing.iter().map(|(_, id)| id.to_string()).collect();
        ids.sort();
        ids.dedup();
        let place = self
            .repo
            .workdir()
            .unwrap_or_else(|| self.repo.path())
            .to_owned();
        let fetched = Command::new("git")
            .current_dir(&place)
            .args([
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                &remote,
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                "--filter=blob:none",
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                if let Some(mut stdin) = child.stdin.take() {
                    stdin.write_all(format!("{}\n", ids.join("\n")).as_bytes())?;
                }
                child.wait_with_output()
            });
        let failure = match fetched {
            Ok(output) if output.status.success() => None,
            Ok(output) => Some(String::from_utf8_lossy(&output.stderr).trim().to_owned()),
            Err(err) => Some(format!("cannot run git: {err}")),
        };
        let _ = odb.refresh();
        let still: Vec<&&(String, Oid)> =
            missing.iter().filter(|(_, id)| !odb.exists(*id)).collect();
        if let Some((path, _)) = still.first() {
            let why = failure.map_or_else(String::new, |f| format!(": {f}"));
            return Err(Error::with_help(
                format!(
                    "{}:{path}: the repository is a partial clone and this file's contents are not local; fetching {} missing object(s) from '{remote}' failed{why}",
                    self.rev,
                    ids.len()
                ),
                format!(
                    "fetch it with `{fix}` (git fetches promised objects on demand) once the remote is reachable, or clone without --filter (in CI: actions/checkout with filter unset)"
                ),
            ));
        }
        self.notes.borrow_mut().push(format!(
            "fetched {} missing object(s) of {} from '{remote}' (the repository is a partial clone)",
            ids.len(),
            self.rev
        ));
        Ok(())
    }

    /// The remote that promised the missing objects: `extensions.partialClone`, else the first
    /// remote marked `promisor`.
    fn promisor(&self) -> Option<String> {
        let config = self.repo.config().ok()?;
        if let Ok(name) = config.get_string("extensions.partialclone") {
            return Some(name);
        }
        let remotes = self.repo.remotes().ok()?;
        remotes
            .iter()
            .flatten()
            .find(|name| {
                config
                    .get_bool(&format!("remote.{name}.promisor"))
                    .unwrap_or(false)
            })
            .map(str::to_owned)
    }

    fn git_error(&self, err: &git2::Error) -> Error {
        Error::invalid(format!(
            "reading the git repository at {} failed: {}",
            self.repo
                .workdir()
                .unwrap_or_else(|| self.repo.path())
                .display(),
            err.message()
        ))
    }
}

//! The ledger's cache: the walk's state at its tip, one [`CacheFile`] (`ledger`) under the
//! repository's git directory, so linked worktrees share it. The shared cache file checks kind,
//! version, length and checksum, and writes by rename, so a damaged, foreign or half-written
//! file reads as absent and the ledger is rebuilt, and two runs at once each leave a whole file.
//! The payload is the state as JSON; it holds only what the repository can recompute.

use git2::Repository;

use super::walk::State;
use crate::cache::CacheFile;

/// The payload's format: bumped when [`State`] or what the parser records changes.
const VERSION: u32 = 1;

/// Largest payload read or written, in bytes: past it the ledger is rebuilt every run.
const MAX_BYTES: u64 = 1 << 30;

pub(super) struct Store {
    file: CacheFile,
}

impl Store {
    pub fn of(repo: &Repository) -> Store {
        Store {
            file: CacheFile::new(
                &CacheFile::dir_of(repo),
                "ledger",
                concat!("history-ledger-", env!("CARGO_PKG_VERSION")),
                VERSION,
                MAX_BYTES,
            ),
        }
    }

    /// The cached state, if the file is whole and ours.
    pub fn read(&self) -> Option<State> {
        serde_json::from_slice(&self.file.read()?).ok()
    }

    pub fn write(&self, state: &State) -> std::io::Result<()> {
        let payload = serde_json::to_vec(state).map_err(std::io::Error::other)?;
        self.file.write(&payload)
    }
}

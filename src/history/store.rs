//! The ledger's cache: the walk's state at its tip, in one file under the repository's git
//! directory (`protoguard/ledger` in the common git directory, so linked worktrees share it).
//! Never trusted: a file of another kind or version, cut short, corrupted (checksum) or
//! unreadable reads as no cache and the ledger is rebuilt. Written under a temporary name and
//! renamed into place, so two runs at once each leave a whole file (the last rename wins) and a
//! reader never sees half of one. It holds only what the repository can recompute.

use std::path::PathBuf;

use git2::Repository;

use super::walk::State;

/// First line of the file: what it is and which format; a change to [`State`] or to what the
/// parser records bumps the version (the crate version is part of it, so a new protoguard never
/// reads an old file).
fn header() -> String {
    format!(
        "protoguard history ledger v1 {}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Largest cache file read, in bytes: past it the cache is ignored and rebuilt.
const MAX_BYTES: u64 = 1 << 30;

pub(super) struct Store {
    path: PathBuf,
}

impl Store {
    pub fn of(repo: &Repository) -> Store {
        Store {
            path: repo.commondir().join("protoguard").join("ledger"),
        }
    }

    /// The cached state, if the file is whole and ours.
    pub fn read(&self) -> Option<State> {
        if std::fs::metadata(&self.path).ok()?.len() > MAX_BYTES {
            return None;
        }
        let bytes = std::fs::read(&self.path).ok()?;
        let rest = bytes.strip_prefix(header().as_bytes())?;
        let newline = rest.iter().position(|&b| b == b'\n')?;
        let checksum = std::str::from_utf8(&rest[..newline]).ok()?;
        let payload = &rest[newline + 1..];
        if checksum != format!("{:016x}", fnv(payload)) {
            return None;
        }
        serde_json::from_slice(payload).ok()
    }

    pub fn write(&self, state: &State) -> std::io::Result<()> {
        let payload = serde_json::to_vec(state).map_err(std::io::Error::other)?;
        let mut bytes = header().into_bytes();
        bytes.extend_from_slice(format!("{:016x}\n", fnv(&payload)).as_bytes());
        bytes.extend_from_slice(&payload);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::atomic::write(&self.path, &bytes, true)
    }
}

/// FNV-1a, 64 bits: detects a file cut short or damaged, not tampering (nothing in the cache can
/// be made into an answer a rebuild would not give).
fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

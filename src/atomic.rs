//! Writing a file atomically: a temporary file in the same directory, synced and renamed into
//! place, so a reader never sees half a file and a failed write leaves the old one intact. The
//! file is readable by others (0644 on Unix) and an existing one keeps its permissions, as a
//! file written with `>` would.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Writes `bytes` to `path`. With `overwrite` false, an existing file is left alone and the
/// write fails with `AlreadyExists` (decided atomically at the rename).
pub fn write(path: &Path, bytes: &[u8], overwrite: bool) -> io::Result<()> {
    stage(path, bytes)?.commit(overwrite)
}

/// A file written under a temporary name next to its destination, not yet in place: several
/// reports are staged first and put in place only when all of them could be written. Dropping
/// it removes the temporary file.
pub struct Staged {
    temp: NamedTempFile,
    path: PathBuf,
}

/// Writes `bytes` to a temporary file in `path`'s directory. Errors name no temporary file.
pub fn stage(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        ));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("the directory {} does not exist", dir.display()),
        ));
    }
    let staged = (|| {
        let mut temp = tempfile::Builder::new()
            .prefix(".protoguard-write.")
            .tempfile_in(dir)?;
        temp.write_all(bytes)?;
        // An existing file keeps its permissions (as with `>`); a new one is 0644 on Unix.
        match std::fs::metadata(path) {
            Ok(meta) => temp.as_file().set_permissions(meta.permissions())?,
            #[cfg(unix)]
            Err(_) => {
                use std::os::unix::fs::PermissionsExt;
                temp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))?;
            }
            #[cfg(not(unix))]
            Err(_) => {}
        }
        temp.as_file().sync_all()?;
        Ok(temp)
    })()
    .map_err(plain)?;
    Ok(Staged {
        temp: staged,
        path: path.to_owned(),
    })
}

impl Staged {
    /// Renames the file into place (see [`write`] for `overwrite`).
    pub fn commit(self, overwrite: bool) -> io::Result<()> {
        let persisted = if overwrite {
            self.temp.persist(&self.path)
        } else {
            self.temp.persist_noclobber(&self.path)
        };
        persisted.map(drop).map_err(|err| plain(err.error))
    }
}

/// The error without the temporary file's name that `tempfile` adds: the caller names the
/// destination, which is what the user asked for.
fn plain(err: io::Error) -> io::Error {
    let text = match err.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => err.kind().to_string(),
    };
    io::Error::new(err.kind(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_or_refuses_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write(&path, b"one", false).unwrap();
        let err = write(&path, b"two", false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

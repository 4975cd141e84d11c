//! buf `deps` resolved from buf's local module cache, and the error for an import that nothing
//! provides. buf keeps every module it has downloaded (`buf dep update`, `buf build`) under
//! `$BUF_CACHE_DIR/v3/modules/<digest type>/<remote>/<owner>/<name>/<commit>/files/` (the cache
//! directory defaults to `$XDG_CACHE_HOME/buf`, else `~/.cache/buf`, `%LOCALAPPDATA%\buf` on
//! Windows), so a repository whose buf.lock pins a dependency already in that cache needs no
//! network: its files are importable like an include path, never checked.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::Sources;
use crate::config::deps::Dep;

/// The directory where buf keeps its cache, as buf finds it, from environment variables looked
/// up with `var` (the CLI passes the process environment: the library does not read it).
pub fn buf_cache_dir(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("BUF_CACHE_DIR") {
        return Some(dir);
    }
    if cfg!(windows) {
        if let Some(dir) = var("LOCALAPPDATA") {
            return Some(dir.join("buf"));
        }
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(dir.join("buf"));
    }
    var("HOME").map(|home| home.join(".cache").join("buf"))
}

/// The cached file trees of `deps` that are in buf's cache, and for the others one sentence
/// each saying which dependency and why.
pub(super) fn resolve(deps: &[Dep], cache: Option<&Path>) -> (Vec<PathBuf>, Vec<String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for dep in deps {
        let Some(commit) = &dep.commit else {
            missing.push(format!(
                "{} (buf.yaml deps) is not pinned in a buf.lock",
                dep.name
            ));
            continue;
        };
        let modules = cache.map(|c| c.join("v3").join("modules"));
        let candidates: Vec<PathBuf> = match &modules {
            Some(modules) => {
                let mut types: Vec<String> = dep.digest_type.iter().cloned().collect();
                types.extend(["b5".to_owned(), "b4".to_owned()]);
                types.dedup();
                types
                    .iter()
                    .map(|t| modules.join(t).join(&dep.name).join(commit).join("files"))
                    .collect()
            }
            None => Vec::new(),
        };
        match candidates.into_iter().find(|p| p.is_dir()) {
            Some(files) => found.push(files),
            None => missing.push(format!(
                "{} (buf.yaml deps, commit {commit}) is not in buf's module cache{}",
                dep.name,
                modules.map_or_else(String::new, |m| format!(" ({})", m.display()))
            )),
        }
    }
    (found, missing)
}

/// An import that no module root, include path or resolved dependency provides: protox's error,
/// with help that says where the file was expected to come from and what fixes it.
pub struct MissingImport {
    inner: protox::Error,
    help: String,
}

impl MissingImport {
    /// Wraps `inner` (an import-not-found error) with help drawn from the revision's unresolved
    /// buf dependencies.
    pub fn new(inner: protox::Error, sources: &Sources) -> Self {
        let import = inner
            .to_string()
            .split('\'')
            .nth(1)
            .unwrap_or("the imported file")
            .to_owned();
        let help = if sources.unresolved_deps.is_empty() {
            format!(
                "no module root or include path of this revision has '{import}': add the directory that holds it with -I (or includes in protoguard.toml), or check --root"
            )
        } else {
            format!(
                "'{import}' is in no module root or include path, and the buf dependencies are not available: {}; run `buf dep update` (and `buf build`) so that buf fills its cache, or pass -I path/to/a/vendored/copy",
                sources.unresolved_deps.join("; ")
            )
        };
        MissingImport { inner, help }
    }
}

impl fmt::Debug for MissingImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for MissingImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for MissingImport {}

impl Diagnostic for MissingImport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

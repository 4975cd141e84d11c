//! buf `deps`: Buf Schema Registry modules a buf.yaml depends on, pinned in its buf.lock. Only
//! what it takes to find them in buf's local module cache is read: each dependency's full name
//! (`buf.build/googleapis/googleapis`) and, from buf.lock (v1 or v2), its commit and digest type.

use std::path::Path;

use serde::Deserialize;

use super::Tree;
use crate::error::Result;

/// One dependency of a buf module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The module's full name, `remote/owner/name`, without a `:ref`.
    pub name: String,
    /// The commit buf.lock pins (32 hex digits, dashless); `None` without a buf.lock entry.
    pub commit: Option<String>,
    /// The digest type buf.lock records (`b5`; `b4` for buf.lock v1's `shake256`).
    pub digest_type: Option<String>,
}

#[derive(Deserialize)]
struct DepsOnly {
    deps: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Lock {
    deps: Option<Vec<LockDep>>,
}

#[derive(Deserialize)]
struct LockDep {
    /// v2.
    name: Option<String>,
    /// v1: `remote`, `owner`, `repository`.
    remote: Option<String>,
    owner: Option<String>,
    repository: Option<String>,
    commit: Option<String>,
    digest: Option<String>,
}

/// The `deps` of the buf.yaml at `path` in `tree`, with what the buf.lock beside it pins. A
/// buf.yaml or buf.lock that cannot be read for this is treated as having no deps: the
/// configuration itself is validated elsewhere.
pub(super) fn read(tree: &dyn Tree, path: &Path) -> Result<Vec<Dep>> {
    let Some(text) = tree.read(path)? else {
        return Ok(Vec::new());
    };
    let names = serde_saphyr::from_str::<Option<DepsOnly>>(&text)
        .ok()
        .flatten()
        .and_then(|d| d.deps)
        .unwrap_or_default();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let lock_path = path.with_file_name("buf.lock");
    let locked: Vec<LockDep> = match tree.read(&lock_path)? {
        Some(text) => serde_saphyr::from_str::<Option<Lock>>(&text)
            .ok()
            .flatten()
            .and_then(|l| l.deps)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut deps = Vec::new();
    for name in names {
        // `buf.build/acme/common:v1.2.0` pins a label; the lock pins the commit.
        let name = name.split(':').next().unwrap_or("").trim().to_owned();
        let entry = locked
            .iter()
            .find(|l| lock_name(l).as_deref() == Some(name.as_str()));
        deps.push(Dep {
            commit: entry
                .and_then(|e| e.commit.as_ref())
                .map(|c| c.replace('-', "")),
            digest_type: entry.and_then(|e| e.digest.as_deref()).map(|d| {
                match d.split(':').next().unwrap_or("") {
                    "shake256" => "b4".to_owned(),
                    other => other.to_owned(),
                }
            }),
            name,
        });
    }
    Ok(deps)
}

fn lock_name(dep: &LockDep) -> Option<String> {
    if let Some(name) = &dep.name {
        return Some(name.clone());
    }
    Some(format!(
        "{}/{}/{}",
        dep.remote.as_deref()?,
        dep.owner.as_deref()?,
        dep.repository.as_deref()?
    ))
}

//! Listing a git revision's `.proto` files with its trees cached by tree ID. A tree object never
//! changes for a given ID, so what it holds that can lead to a `.proto` file — its `.proto` blobs
//! and its subtrees, less the subtrees known to hold none — is kept in a cache file under the git
//! directory (`.git/protoguard/trees.bin`, see [`crate::cache`]). Listing a revision then reads
//! from the object database only the trees no earlier run has seen: after one run, checking the
//! next commit reads the trees on the paths that commit touched, and every unchanged subtree is
//! taken from the cache by its ID (and a subtree without `.proto` files, such as a source
//! directory of a monorepo, is never entered again).
//!
//! Why a cache rather than a diff against the other side's tree: each side of a comparison is
//! loaded on its own thread with its own configuration and layout, and the other side is often
//! no tree at all (the working tree, the index, a directory); a cache by tree ID makes any
//! revision's listing cost what changed since a listing some earlier run made, whatever it is
//! compared with, and keeps the two loads independent.
//!
//! The cache holds what the object database holds, nothing a layout decides: excludes are
//! applied while listing. Symlinks and submodules are not files of a revision, as before.

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::git::git_error;
use super::{is_excluded, is_proto};
use crate::cache::table::{self, IdTable};
use crate::cache::{CacheFile, Decoder, Encoder};
use crate::error::Result;

/// The format of the cache's payload; bump it when the encoding of a tree changes.
const VERSION: u32 = 1;
/// The most trees the cache keeps (a 10,000-file repository has about 2,000 directories; each
/// commit adds the trees on the paths it changed). Past it, only the trees of the run are kept.
pub const MAX_TREES: usize = 200_000;
/// The largest cache file read or written, in bytes.
const MAX_BYTES: u64 = 64 << 20;

/// The trees of one repository: those of the cache file, read in place, and those read from the
/// object database in this run.
pub(super) struct Trees<'r> {
    repo: &'r Repository,
    /// The cache file's payload: a table of encoded trees by tree ID (empty without one).
    payload: Vec<u8>,
    /// Rows of the table used in this run (kept first when the cache is trimmed).
    used: Vec<bool>,
    /// Trees read from the object database in this run, encoded.
    fresh: HashMap<Oid, Vec<u8>>,
    file: Option<CacheFile>,
}

/// Where a listing goes: `path` is the repository path of the tree being listed (`/`-terminated,
/// starting with `base`, the listed directory's), `out` the `.proto` blobs found, by path
/// relative to `base`.
struct Listing<'x> {
    base_len: usize,
    path: String,
    excludes: &'x [String],
    out: Vec<(String, Oid)>,
}

impl Listing<'_> {
    /// Returns `true` if the entry `name` of the tree being listed is excluded.
    fn excluded(&mut self, name: &str) -> bool {
        if self.excludes.is_empty() {
            return false;
        }
        let len = self.path.len();
        self.path.push_str(name);
        let excluded = is_excluded(&self.path, self.excludes);
        self.path.truncate(len);
        excluded
    }

    fn blob(&mut self, name: &str, id: Oid) {
        if !self.excluded(name) {
            let mut path = String::with_capacity(self.path.len() - self.base_len + name.len());
            path.push_str(&self.path[self.base_len..]);
            path.push_str(name);
            self.out.push((path, id));
        }
    }
}

impl<'r> Trees<'r> {
    /// The cache of `repo` in `dir`, or none (every tree is read) when `dir` is `None`; a missing,
    /// foreign or damaged cache file starts empty and is rewritten by [`Trees::save`].
    pub(super) fn open(repo: &'r Repository, dir: Option<&Path>) -> Self {
        let mut trees = Trees {
            repo,
            payload: Vec::new(),
            used: Vec::new(),
            fresh: HashMap::new(),
            file: None,
        };
        let Some(dir) = dir else {
            return trees;
        };
        let file = CacheFile::new(dir, "trees.bin", "trees", VERSION, MAX_BYTES);
        let payload = file.read().unwrap_or_default();
        if let Some(rows) = IdTable::parse(&payload).map(|t| t.len()) {
            trees.used = vec![false; rows];
            trees.payload = payload;
        }
        trees.file = Some(file);
        trees
    }

    /// The `.proto` blobs under the tree `id` (the directory `base`, a `/`-terminated repository
    /// path, empty for the top), keyed by path relative to it, leaving out `excludes`
    /// (`/`-separated, relative to the repository's top).
    pub(super) fn list(
        &mut self,
        id: Oid,
        base: &str,
        excludes: &[String],
    ) -> Result<Vec<(String, Oid)>> {
        let mut listing = Listing {
            base_len: base.len(),
            path: base.to_owned(),
            excludes,
            out: Vec::new(),
        };
        let mut walk = Walk {
            repo: self.repo,
            table: IdTable::split(&self.payload).unwrap_or_else(IdTable::empty),
            used: &mut self.used,
            fresh: &mut self.fresh,
        };
        walk.tree(id, &mut listing)?;
        Ok(listing.out)
    }

    /// Writes the trees read in this run to the cache file, if there were any. A cache that
    /// cannot be written is no error: the next run reads those trees again.
    pub(super) fn save(self) {
        let Some(file) = &self.file else {
            return;
        };
        if self.fresh.is_empty() {
            return;
        }
        let fresh = self
            .fresh
            .iter()
            .map(|(id, bytes)| (id.as_bytes(), bytes.as_slice()))
            .collect();
        let _ = table::update(file, &self.payload, &self.used, fresh, MAX_TREES, |entry| {
            Node::read(entry).is_some()
        });
    }
}

/// One listing's walk: the cached trees (read-only) and what the run adds.
struct Walk<'t> {
    repo: &'t Repository,
    table: IdTable<'t>,
    used: &'t mut [bool],
    fresh: &'t mut HashMap<Oid, Vec<u8>>,
}

impl Walk<'_> {
    /// Lists the tree `id` into `listing`; returns `false` if it is known to hold no `.proto`
    /// file (excluded subtrees are not entered, so they count as holding some).
    fn tree(&mut self, id: Oid, listing: &mut Listing<'_>) -> Result<bool> {
        if let Some(row) = self.table.find(id.as_bytes()) {
            // A malformed entry is not trusted: the tree is read again (and the entry replaced).
            if let Some(node) = Node::read(self.table.entry(row)) {
                self.used[row] = true;
                return self.node(&node, listing);
            }
        }
        if let Some(bytes) = self.fresh.get(&id) {
            // The same tree twice in one revision (identical directories): walked from its copy.
            let bytes = bytes.clone();
            if let Some(node) = Node::read(&bytes) {
                return self.node(&node, listing);
            }
        }
        self.read(id, listing)
    }

    fn node(&mut self, node: &Node<'_>, listing: &mut Listing<'_>) -> Result<bool> {
        for &(name, blob) in &node.blobs {
            listing.blob(name, blob);
        }
        for &(name, tree) in &node.trees {
            self.subtree(name, tree, listing)?;
        }
        Ok(!node.blobs.is_empty() || !node.trees.is_empty())
    }

    /// Lists the subtree `name` (ID `id`) of the tree being listed, unless it is excluded;
    /// returns `false` if it is known to hold no `.proto` file (an excluded one is not entered,
    /// so whether it holds any is not known).
    fn subtree(&mut self, name: &str, id: Oid, listing: &mut Listing<'_>) -> Result<bool> {
        if listing.excluded(name) {
            return Ok(true);
        }
        let len = listing.path.len();
        listing.path.push_str(name);
        listing.path.push('/');
        let holds = self.tree(id, listing);
        listing.path.truncate(len);
        holds
    }

    /// Reads the tree `id` from the object database, lists it, and keeps it for the cache.
    fn read(&mut self, id: Oid, listing: &mut Listing<'_>) -> Result<bool> {
        let mut blobs = Vec::new();
        let mut trees = Vec::new();
        {
            let tree = self
                .repo
                .find_tree(id)
                .map_err(|err| git_error(self.repo, err))?;
            for entry in tree.iter() {
                // A name that is not UTF-8 cannot be imported: not a file of the revision.
                let Some(name) = entry.name() else {
                    continue;
                };
                match entry.kind() {
                    // Symlinks (0o120000) are not files of this revision.
                    Some(ObjectType::Blob) if entry.filemode() != 0o120000 && is_proto(name) => {
                        blobs.push((name.to_owned(), entry.id()));
                    }
                    Some(ObjectType::Tree) => trees.push((name.to_owned(), entry.id())),
                    // Submodules (commits) are other repositories.
                    _ => {}
                }
            }
        }
        for (name, blob) in &blobs {
            listing.blob(name, *blob);
        }
        let mut kept = Vec::with_capacity(trees.len());
        for (name, tree) in trees {
            if self.subtree(&name, tree, listing)? {
                kept.push((name, tree));
            }
        }
        let holds = !blobs.is_empty() || !kept.is_empty();
        self.fresh.insert(id, Node::encode(&blobs, &kept));
        Ok(holds)
    }
}

/// What a tree holds that can lead to a `.proto` file: its `.proto` blobs and its subtrees that
/// may hold some, each by name and ID.
struct Node<'a> {
    blobs: Vec<(&'a str, Oid)>,
    trees: Vec<(&'a str, Oid)>,
}

impl<'a> Node<'a> {
    fn encode(blobs: &[(String, Oid)], trees: &[(String, Oid)]) -> Vec<u8> {
        let mut e = Encoder::new();
        for list in [blobs, trees] {
            e.u32(list.len() as u32);
            for (name, id) in list {
                e.str(name).raw(id.as_bytes());
            }
        }
        e.finish()
    }

    /// A cache entry checked whole; `None` if it is malformed in any way (then the tree is read
    /// from the object database again).
    fn read(bytes: &'a [u8]) -> Option<Self> {
        let mut d = Decoder::new(bytes);
        let mut lists = [Vec::new(), Vec::new()];
        for list in &mut lists {
            let count = d.u32()? as usize;
            // Each entry takes at least 24 bytes: a count that cannot fit is a damaged entry.
            if count > d.remaining() / 24 {
                return None;
            }
            list.reserve_exact(count);
            for _ in 0..count {
                let name = d.str()?;
                let id = Oid::from_bytes(d.take(20)?).ok()?;
                list.push((name, id));
            }
        }
        let [blobs, trees] = lists;
        d.is_done().then_some(Node { blobs, trees })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Writes the tree of `files` (path → contents; a path ending in `@` is a symlink to the
    /// contents) into `repo`, nested directories included, and returns its ID.
    fn tree_of(repo: &Repository, files: &[(&str, &str)]) -> Oid {
        fn build(repo: &Repository, files: &BTreeMap<String, (String, i32)>, dir: &str) -> Oid {
            let mut builder = repo.treebuilder(None).unwrap();
            let mut subdirs = std::collections::BTreeSet::new();
            for (path, (contents, mode)) in files.range(dir.to_owned()..) {
                let Some(rest) = path.strip_prefix(dir) else {
                    break;
                };
                match rest.split_once('/') {
                    Some((sub, _)) => {
                        subdirs.insert(sub.to_owned());
                    }
                    None => {
                        let blob = repo.blob(contents.as_bytes()).unwrap();
                        builder.insert(rest, blob, *mode).unwrap();
                    }
                }
            }
            for sub in subdirs {
                let id = build(repo, files, &format!("{dir}{sub}/"));
                builder.insert(&sub, id, 0o040000).unwrap();
            }
            builder.write().unwrap()
        }
        let files: BTreeMap<String, (String, i32)> = files
            .iter()
            .map(|(path, contents)| match path.strip_suffix('@') {
                Some(link) => (link.to_owned(), (contents.to_string(), 0o120000)),
                None => (path.to_string(), (contents.to_string(), 0o100644)),
            })
            .collect();
        build(repo, &files, "")
    }

    /// What `list` gives, sorted, and how many trees it read from the object database.
    fn list(
        repo: &Repository,
        cache: Option<&Path>,
        id: Oid,
        base: &str,
        excludes: &[&str],
    ) -> (Vec<(String, Oid)>, usize) {
        let excludes: Vec<String> = excludes.iter().map(|e| e.to_string()).collect();
        let mut trees = Trees::open(repo, cache);
        let mut listed = trees.list(id, base, &excludes).unwrap();
        listed.sort();
        let read = trees.fresh.len();
        trees.save();
        (listed, read)
    }

    fn names(listed: &(Vec<(String, Oid)>, usize)) -> Vec<&str> {
        listed.0.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn cached_trees_list_what_the_object_database_lists() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let cache = dir.path().join("cache");
        let first = tree_of(
            &repo,
            &[
                ("api/acme/v1/a.proto", "a"),
                ("api/acme/v1/b.proto", "b"),
                ("api/acme/v2/a.proto", "a"),
                ("api/other/d.proto", "d"),
                ("api/other/README.md", "no proto"),
                ("api/link.proto@", "acme/v1/a.proto"),
                ("src/main.rs", "fn main() {}"),
                ("src/deep/lib.rs", ""),
                ("top.proto", "t"),
            ],
        );
        let cold = list(&repo, None, first, "", &[]);
        assert_eq!(
            names(&cold),
            [
                "api/acme/v1/a.proto",
                "api/acme/v1/b.proto",
                "api/acme/v2/a.proto",
                "api/other/d.proto",
                "top.proto"
            ]
        );
        // Eight trees: the root, api, acme, v1, v2, other, src, src/deep.
        assert_eq!(cold.1, 8);
        // The first cached run reads them all, later runs none.
        assert_eq!(list(&repo, Some(&cache), first, "", &[]), cold);
        assert_eq!(
            list(&repo, Some(&cache), first, "", &[]),
            (cold.0.clone(), 0)
        );
        // Excludes are the layout's, not the cache's: applied to cached trees alike.
        let excluded = list(
            &repo,
            Some(&cache),
            first,
            "",
            &["api/acme/v1", "top.proto"],
        );
        assert_eq!(
            names(&excluded),
            ["api/acme/v2/a.proto", "api/other/d.proto"]
        );
        assert_eq!(excluded.1, 0);

        // A commit that changes one file deep down and moves another between directories: only
        // the trees on the changed paths are read (the root, api, acme, v2, other and the new
        // directory moved/), never the unchanged v1, nor src/ (no .proto files below it).
        let second = tree_of(
            &repo,
            &[
                ("api/acme/v1/a.proto", "a"),
                ("api/acme/v1/b.proto", "b"),
                ("api/acme/v2/a.proto", "a, changed"),
                ("api/moved/d.proto", "d"),
                ("api/other/README.md", "no proto"),
                ("api/link.proto@", "acme/v1/a.proto"),
                ("src/main.rs", "fn main() {}"),
                ("src/deep/lib.rs", ""),
                ("top.proto", "t"),
            ],
        );
        let cold = list(&repo, None, second, "", &[]);
        assert_eq!(
            names(&cold),
            [
                "api/acme/v1/a.proto",
                "api/acme/v1/b.proto",
                "api/acme/v2/a.proto",
                "api/moved/d.proto",
                "top.proto"
            ]
        );
        let warm = list(&repo, Some(&cache), second, "", &[]);
        assert_eq!(warm.0, cold.0);
        assert_eq!(warm.1, 6, "root, api, acme, v2, other, moved");
        // A subdirectory listed on its own (a module root) comes from the cache too, with paths
        // relative to it.
        let api = repo
            .find_tree(second)
            .unwrap()
            .get_path(Path::new("api"))
            .unwrap()
            .id();
        let rooted = list(&repo, Some(&cache), api, "api/", &["api/acme/v2"]);
        assert_eq!(
            names(&rooted),
            ["acme/v1/a.proto", "acme/v1/b.proto", "moved/d.proto"]
        );
        assert_eq!(rooted.1, 0);

        // A damaged cache file is not trusted: the trees are read again and the file rebuilt.
        let file = cache.join("trees.bin");
        let good = std::fs::read(&file).unwrap();
        let mut bad = good.clone();
        let at = bad.len() - 5;
        bad[at] ^= 0x40;
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(list(&repo, Some(&cache), second, "", &[]), cold);
        assert_eq!(list(&repo, Some(&cache), second, "", &[]).1, 0, "rebuilt");
    }

    #[test]
    fn a_malformed_entry_is_read_again_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let cache = dir.path().join("cache");
        let id = tree_of(&repo, &[("a/x.proto", "x"), ("b.proto", "b")]);
        let cold = list(&repo, None, id, "", &[]);
        // A root entry that passes the file's checksum (written so) but does not decode.
        let file = CacheFile::new(&cache, "trees.bin", "trees", VERSION, MAX_BYTES);
        table::write(&file, vec![(id.as_bytes(), &[1, 0, 0, 0][..])]).unwrap();
        assert_eq!(list(&repo, Some(&cache), id, "", &[]), cold);
        assert_eq!(list(&repo, Some(&cache), id, "", &[]).1, 0);
        let node = Node::encode(&[("x.proto".into(), id)], &[("a".into(), id)]);
        for cut in 0..node.len() {
            assert!(Node::read(&node[..cut]).is_none(), "cut at {cut}");
        }
        assert!(Node::read(&node).is_some());
    }
}

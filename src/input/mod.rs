//! Inputs: the `.proto` files of one revision, read into a [`Snapshot`]. A revision comes from a
//! git ref (read from the object database, never checked out), the working tree, the staged index,
//! a directory, or a binary `FileDescriptorSet`.

mod deps;
mod descriptor_set;
mod dir;
mod git;
mod git_open;
mod promised;
pub(crate) use promised::Promised;
mod trees;
mod untracked;
mod untracked_cache;
mod worktree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use git2::Oid;

pub use deps::{buf_cache_dir, MissingImport};

use crate::config::{self, Config};
use crate::error::{Error, Result};

/// The `.proto` files of one revision.
#[derive(Debug)]
pub struct Snapshot {
    /// How the revision is named to the user: `working tree`, `main (3f2a1bc)`, `old/`.
    pub label: String,
    pub content: Content,
}

/// One revision, loaded with its own configuration: its files, the configuration that applied
/// (the revision's own, a flag's, or the one discovered from the working directory) and the
/// layout its files were read with (that configuration's, with the command-line flags laid over).
#[derive(Debug)]
pub struct Revision {
    pub snapshot: Snapshot,
    pub config: Config,
    pub layout: Layout,
    /// What reading it took that the user should know (objects fetched into a partial clone),
    /// one sentence each, for stderr.
    pub notes: Vec<String>,
}

/// How one side's configuration is chosen. Precedence: `forced` (a `--config` flag) over the
/// input's own configuration (read from a git revision's tree, or a directory's own file) over
/// `fallback` (the configuration discovered from the working directory). The command-line layout
/// flags are laid over whichever applies.
#[derive(Debug, Clone, Copy)]
pub struct ConfigChoice<'a> {
    pub forced: Option<&'a Config>,
    pub fallback: &'a Config,
}

/// `--root`, `-I` and `--exclude`: each, when given, replaces the configured list in every
/// revision. Paths are relative to each input's top.
#[derive(Debug, Clone, Default)]
pub struct LayoutFlags {
    pub roots: Option<Vec<PathBuf>>,
    pub includes: Option<Vec<PathBuf>>,
    pub excludes: Option<Vec<PathBuf>>,
    /// buf's cache directory, where buf `deps` are looked for (see [`buf_cache_dir`]); `None`:
    /// dependencies are not resolved.
    pub buf_cache: Option<PathBuf>,
}

impl LayoutFlags {
    /// The layout of `config` with the flags laid over it, checked (roots must not overlap).
    pub fn apply(&self, config: &Config) -> Result<Layout> {
        let mut layout = config.layout();
        if let Some(roots) = &self.roots {
            layout.roots = roots.clone();
            if layout.roots.iter().all(|r| r.as_os_str().is_empty()) {
                layout.roots.clear();
            }
            config::check_roots(&layout.roots, "--root")?;
        }
        if let Some(includes) = &self.includes {
            layout.includes = includes.clone();
        }
        if let Some(excludes) = &self.excludes {
            layout.excludes = excludes.clone();
        }
        config::check_roots(&layout.roots, &config.name())?;
        (layout.external, layout.unresolved) =
            deps::resolve(&config.deps, self.buf_cache.as_deref());
        Ok(layout)
    }
}

#[derive(Debug)]
pub enum Content {
    Sources(Sources),
    /// A compiled `FileDescriptorSet`: no source text, spans only from its source info.
    Descriptors(DescriptorSet),
}

#[derive(Debug)]
pub struct DescriptorSet {
    pub set: prost_types::FileDescriptorSet,
    /// Files a buf image marks as imports (dependencies, not part of the module).
    pub imports: std::collections::BTreeSet<String>,
    /// Each file's encoded `FileDescriptorProto`, by name, as the pool is built from it: the
    /// options keep their extensions (custom features), which `set` loses, and editions files
    /// are held as proto2 (see [`crate::input::descriptor_set`]).
    pub encoded: Vec<(String, Vec<u8>)>,
    /// The editions files of the set, with their edition and option imports.
    pub editions: std::collections::HashMap<String, crate::editions::FileEdition>,
}

/// One source file of a revision: its bytes, read when first needed, and the git blob ID of
/// those bytes when the revision knows it without reading them (git revisions, the index, and the
/// working tree's files whose stat matches the index). Two files with the same ID have the same
/// bytes, so comparing revisions and looking up cached header scans need no read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    id: Option<Oid>,
    origin: Origin,
    /// For a file on disk (directory and working-tree inputs): the directory its import name is
    /// relative to (its module root or include path), shared by all its files, so that listing
    /// ten thousand files does not build ten thousand paths.
    dir: Option<Arc<Path>>,
    bytes: OnceLock<Vec<u8>>,
}

/// Where a file's bytes come from when they are first needed.
#[derive(Debug, Clone)]
enum Origin {
    /// Given when the file was listed.
    Given,
    /// The file on disk at its `dir` joined with its import name: a tracked working-tree file
    /// whose stat matches its index entry.
    Disk,
    /// The blob with the file's ID in the revision's object database.
    Object,
}

impl SourceFile {
    /// A file whose bytes are at hand and whose blob ID is not known.
    pub fn new(bytes: Vec<u8>) -> Self {
        SourceFile {
            id: None,
            origin: Origin::Given,
            dir: None,
            bytes: OnceLock::from(bytes),
        }
    }

    /// A file whose bytes are at hand, with their blob ID.
    pub fn with_id(bytes: Vec<u8>, id: Oid) -> Self {
        SourceFile {
            id: Some(id),
            ..SourceFile::new(bytes)
        }
    }

    /// A blob of the revision's object database, read when needed.
    fn object(id: Oid) -> Self {
        SourceFile {
            id: Some(id),
            origin: Origin::Object,
            dir: None,
            bytes: OnceLock::new(),
        }
    }

    /// A file on disk known to hold the blob `id`, at `dir` joined with its import name; read
    /// when needed.
    fn on_disk(dir: Arc<Path>, id: Oid) -> Self {
        SourceFile {
            id: Some(id),
            origin: Origin::Disk,
            dir: Some(dir),
            bytes: OnceLock::new(),
        }
    }

    /// The same file, found on disk at `dir` joined with its import name (where `--fix` writes).
    fn in_dir(self, dir: Arc<Path>) -> Self {
        SourceFile {
            dir: Some(dir),
            ..self
        }
    }

    /// The git blob ID of the file's bytes, when known without reading them.
    pub fn id(&self) -> Option<Oid> {
        self.id
    }
}

/// Reads the blobs of one repository for the files listed by ID. The repository handle is not
/// shareable between threads, hence the lock; each revision has its own reader. A repository
/// cloned for the input lives as long as the reader.
pub(crate) struct Objects {
    repo: Mutex<git2::Repository>,
    _clone: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Objects")
    }
}

impl Objects {
    fn new(repo: git2::Repository, clone: Option<tempfile::TempDir>) -> Arc<Self> {
        Arc::new(Objects {
            repo: Mutex::new(repo),
            _clone: clone,
        })
    }

    fn read(&self, id: Oid, name: &str) -> Result<Vec<u8>> {
        let repo = self.repo.lock().unwrap_or_else(|e| e.into_inner());
        let blob = repo.find_blob(id).map_err(|err| {
            Error::invalid(format!(
                "{name}: reading its contents (object {id}) from the git repository at {} failed: {}",
                repo.workdir().unwrap_or_else(|| repo.path()).display(),
                err.message()
            ))
        })?;
        Ok(blob.content().to_vec())
    }
}

/// Source files keyed by their import name (path relative to the module root, `/`-separated).
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// The module: files that are checked.
    pub files: BTreeMap<String, SourceFile>,
    /// Files found under include paths: importable, never checked. The first include path that
    /// has a name wins, as with `protoc -I`.
    pub includes: BTreeMap<String, SourceFile>,
    /// Import name → the path a user can open, where the two differ: relative to the repository
    /// root for git revisions, the index and the working tree, to the input directory for other
    /// directories (`api/other/b.proto` for the import name `other/b.proto` under the root `api`).
    pub paths: BTreeMap<String, String>,
    /// The reverse of `paths`: such a path → its import name.
    pub names: BTreeMap<String, String>,
    /// buf dependencies that could not be made importable, one sentence each (for the error of
    /// an import that nothing provides).
    pub unresolved_deps: Vec<String>,
    /// Where the repository keeps protoguard's caches (see [`crate::cache`]), for revisions read
    /// from a git repository; `None` for plain directories.
    pub cache_dir: Option<PathBuf>,
    /// Reads the files listed by blob ID.
    objects: Option<Arc<Objects>>,
}

impl Sources {
    /// The file a name resolves to: the module first, then the include paths.
    pub fn file(&self, name: &str) -> Option<&SourceFile> {
        self.files.get(name).or_else(|| self.includes.get(name))
    }

    /// Where the module file `name` is on disk (directory and working-tree inputs): where
    /// `--fix` writes. `None` for files from git objects or a sparse checkout's index.
    pub fn disk_path(&self, name: &str) -> Option<PathBuf> {
        self.files.get(name)?.dir.as_ref().map(|dir| dir.join(name))
    }

    /// The bytes a name resolves to: the module first, then the include paths. `None` also when
    /// they cannot be read (see [`Sources::bytes`] for the error).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.file(name).and_then(|file| self.bytes(name, file).ok())
    }

    /// The bytes of `file` (named `name` in errors), read on first use.
    pub fn bytes<'a>(&'a self, name: &str, file: &'a SourceFile) -> Result<&'a [u8]> {
        if let Some(bytes) = file.bytes.get() {
            return Ok(bytes);
        }
        let read = match (&file.origin, file.id, &self.objects) {
            (Origin::Disk, _, _) => {
                let path = file.dir.as_deref().unwrap_or(Path::new("")).join(name);
                std::fs::read(&path).map_err(|err| {
                    Error::invalid(format!("{}: cannot read: {err}", path.display()))
                })?
            }
            (Origin::Object, Some(id), Some(objects)) => objects.read(id, name)?,
            _ => {
                return Err(Error::invalid(format!(
                    "{name}: the file's contents are not available"
                )))
            }
        };
        // Another thread may have read it meanwhile: the same bytes either way.
        let _ = file.bytes.set(read);
        Ok(file.bytes.get().expect("set above"))
    }

    /// Returns `true` if `name` has the same bytes here and in `other` (by blob ID when both
    /// know theirs, else by reading them). Either side lacking the name is a difference.
    pub fn same_as(&self, other: &Sources, name: &str) -> Result<bool> {
        let (Some(a), Some(b)) = (self.file(name), other.file(name)) else {
            return Ok(false);
        };
        self.same_file(name, a, other, b)
    }

    /// Returns `true` if `a` (a file of this revision named `name`) and `b` (of `other`) have
    /// the same bytes: by blob ID when both know theirs, else by reading them.
    pub fn same_file(
        &self,
        name: &str,
        a: &SourceFile,
        other: &Sources,
        b: &SourceFile,
    ) -> Result<bool> {
        if let (Some(x), Some(y)) = (a.id, b.id) {
            return Ok(x == y);
        }
        Ok(self.bytes(name, a)? == other.bytes(name, b)?)
    }

    /// Adds (or replaces) a module file with its bytes: tests, and a revision edited by `--fix`.
    pub fn insert(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(name.into(), SourceFile::new(bytes));
    }

    /// Adds the files of the layout's external directories (buf dependencies from buf's cache)
    /// as includes, after the revision's own, and notes the dependencies not found.
    fn add_external(&mut self, layout: &Layout) -> Result<()> {
        for dir in &layout.external {
            for (name, bytes) in dir::collect_external(dir)? {
                if !self.files.contains_key(&name) {
                    self.includes
                        .entry(name)
                        .or_insert_with(|| SourceFile::new(bytes));
                }
            }
        }
        self.unresolved_deps.clone_from(&layout.unresolved);
        Ok(())
    }

    /// Records where the file with import name `name` is found, as `base` + `root` + `name`.
    fn record_path(&mut self, name: &str, base: &str, root: &Path) {
        let mut path = base.to_owned();
        if let Ok(root) = import_name(root) {
            if !root.is_empty() {
                path.push_str(&root);
                path.push('/');
            }
        }
        if !path.is_empty() {
            path.push_str(name);
            self.set_path(name, path);
        }
    }

    /// Records that the file with import name `name` is found at `path`.
    fn set_path(&mut self, name: &str, path: String) {
        if path != name {
            self.names.insert(path.clone(), name.to_owned());
            self.paths.insert(name.to_owned(), path);
        }
    }

    /// The import name of the file a user opens at `path` (see [`Sources::paths`]); a path
    /// that is not recorded is taken as an import name.
    pub fn name_of<'a>(&'a self, path: &'a str) -> &'a str {
        self.names.get(path).map_or(path, String::as_str)
    }
}

impl Snapshot {
    /// The path a user can open for a file of this revision given by import name (the name
    /// itself when it is already that path, and for descriptor sets).
    pub fn path_of<'a>(&'a self, name: &'a str) -> &'a str {
        match &self.content {
            Content::Sources(s) => s.paths.get(name).map_or(name, String::as_str),
            Content::Descriptors(_) => name,
        }
    }
}

/// `bytes` without a leading UTF-8 byte-order mark (`EF BB BF`), which protoc and buf skip: what
/// is compiled, scanned and shown starts after it, so columns count from the first character a
/// user sees, as in an editor.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Where a revision comes from, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A git revision (`main`, `v1.2.0`, `HEAD~1`, a SHA, `origin/main`) in the repository around
    /// the current directory, or in `repo` (buf's input syntax: `.git#branch=main`,
    /// `file:///srv/schemas.git#tag=v1,subdir=proto`); with `merge_base`, the merge base of
    /// `HEAD` and that revision.
    GitRef {
        rev: String,
        merge_base: bool,
        repo: Option<GitRepo>,
    },
    /// The git index (staged changes).
    Staged,
    /// A directory on disk (the working tree is the directory `.`).
    Directory(PathBuf),
    /// A binary `FileDescriptorSet` file.
    DescriptorSet(PathBuf),
}

/// A repository named in buf's git input syntax, and the place inside it that is the input's top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRepo {
    /// A local path (`.git`, `../schemas`) or a remote URL (`file://`, `https://`, `ssh://`),
    /// as typed; empty for the repository around the current directory.
    pub location: String,
    /// `subdir=`: where the input's top is inside the repository.
    pub subdir: PathBuf,
    /// What the user typed, for labels.
    pub typed: String,
}

impl GitRepo {
    /// Returns `true` if the location is a URL to clone rather than a local path.
    pub fn is_remote(&self) -> bool {
        self.location.contains("://") || self.location.starts_with("git@")
    }
}

/// Where the module lives inside each input, and what else may be imported. Every path is
/// relative to the input's top: the directory itself for a directory input; for the working tree
/// and git revisions, the directory of the configuration file (else the current directory) and
/// the same place inside each revision.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The module roots. All of them together form the module, as `protoc -I a -I b` does:
    /// import names are relative to their root, and one name under two roots is an error.
    /// Empty means the top itself.
    pub roots: Vec<PathBuf>,
    /// Extra include paths: importable, never checked.
    pub includes: Vec<PathBuf>,
    /// Files and directories that are skipped wherever they are (module and include paths).
    pub excludes: Vec<PathBuf>,
    /// Directories on disk, outside every revision, whose files are importable and never
    /// checked: buf dependencies found in buf's module cache.
    pub external: Vec<PathBuf>,
    /// buf dependencies not found, one sentence each.
    pub unresolved: Vec<String>,
}

impl Layout {
    /// The module roots, with the top itself when none is configured.
    pub fn module_roots(&self) -> Vec<&Path> {
        if self.roots.is_empty() {
            vec![Path::new("")]
        } else {
            self.roots.iter().map(PathBuf::as_path).collect()
        }
    }

    /// How the module roots are named in messages.
    pub fn describe_roots(&self) -> String {
        if self.roots.is_empty() {
            "the top of the input".to_owned()
        } else {
            let names: Vec<String> = self
                .roots
                .iter()
                .map(|r| format!("'{}'", r.display()))
                .collect();
            format!("the module roots {}", names.join(", "))
        }
    }
}

/// The error for one import name found under two module roots.
fn duplicate_name(label: &str, name: &str, first: &str, second: &str) -> Error {
    Error::with_help(
        format!(
            "{label}: the import name '{name}' is found under two module roots: {first} and {second}"
        ),
        "the module roots form one module (like protoc -I a -I b), so each import name must be unique; exclude one of the files or drop one of the roots",
    )
}

/// Returns `true` if `path` (`/`-separated, relative to the repository or input top) is an
/// excluded path or lies under one.
fn is_excluded(path: &str, excludes: &[String]) -> bool {
    excludes.iter().any(|e| {
        path == e
            || (path.len() > e.len()
                && path.starts_with(e.as_str())
                && path.as_bytes()[e.len()] == b'/')
    })
}

impl Source {
    /// Interprets what the user typed after `--against` (or as the input): an explicit
    /// `git:`/`dir:`/`desc:` prefix, else buf's git syntax (`<repo>#branch=…,tag=…,ref=…,subdir=…`
    /// with `<repo>` ending in `.git`, a URL, or empty), else an existing directory, else an
    /// existing file (a descriptor set), else a git revision. `--merge-base` needs a git
    /// revision, and a path that exists but is neither a directory nor a file is refused.
    pub fn parse(text: &str, merge_base: bool) -> Result<Source> {
        if let Some(rev) = text.strip_prefix("git:") {
            return Ok(Source::GitRef {
                rev: rev.to_owned(),
                merge_base,
                repo: None,
            });
        }
        let path_only = |kind: &str| {
            Error::with_help(
                format!("--merge-base needs a git revision, and '{text}' is {kind}"),
                "drop --merge-base to compare against it as it is, or name a git revision (a branch, tag or SHA)",
            )
        };
        if let Some(dir) = text.strip_prefix("dir:") {
            if merge_base {
                return Err(path_only("a directory"));
            }
            return Ok(Source::Directory(PathBuf::from(dir)));
        }
        if let Some(file) = text.strip_prefix("desc:") {
            if merge_base {
                return Err(path_only("a descriptor set file"));
            }
            return Ok(Source::DescriptorSet(PathBuf::from(file)));
        }
        if let Some((location, options)) = text.split_once('#') {
            if location.is_empty()
                || location.trim_end_matches('/').ends_with(".git")
                || location.contains("://")
            {
                return parse_buf_git(text, location, options, merge_base);
            }
        }
        let path = Path::new(text);
        if path.is_dir() {
            if merge_base {
                return Err(path_only("a directory"));
            }
            Ok(Source::Directory(path.to_owned()))
        } else if path.is_file() {
            if merge_base {
                return Err(path_only("a file"));
            }
            Ok(Source::DescriptorSet(path.to_owned()))
        } else if path.exists() {
            Err(Error::with_help(
                format!("'{text}' exists but is neither a directory nor a regular file, so it is no input protoguard reads"),
                "pass a directory of .proto files, a descriptor set file (protoc -o, buf build -o), or a git revision",
            ))
        } else {
            Ok(Source::GitRef {
                rev: text.to_owned(),
                merge_base,
                repo: None,
            })
        }
    }

    /// Loads the revision with its configuration (see [`ConfigChoice`]). `cwd` anchors the paths
    /// the user typed and is where the git repository is found.
    pub fn load(
        &self,
        cwd: &Path,
        choice: ConfigChoice<'_>,
        flags: &LayoutFlags,
    ) -> Result<Revision> {
        match self {
            Source::GitRef {
                rev,
                merge_base,
                repo,
            } => git::read_rev(cwd, rev, *merge_base, repo.as_ref(), choice, flags),
            Source::Staged => git::read_index(cwd, choice, flags),
            Source::Directory(dir) if dir == Path::new(".") => {
                // The working tree's own configuration is the one discovered from it.
                let config = choice.forced.unwrap_or(choice.fallback).clone();
                let layout = flags.apply(&config)?;
                let top = config.dir().map_or_else(|| cwd.to_owned(), Path::to_owned);
                let (snapshot, notes) = match worktree::read(&top, &layout)? {
                    Some(read) => read,
                    None => dir::read(&top, dir, &layout, dir::Display::Repository)?,
                };
                Ok(Revision {
                    snapshot,
                    config,
                    layout,
                    notes,
                })
            }
            Source::Directory(dir) => {
                let top = cwd.join(dir);
                let own = match choice.forced {
                    Some(_) => None,
                    None if top.is_dir() => Config::in_dir(&config::Fs, &top)?,
                    None => None,
                };
                let config = own
                    .or_else(|| choice.forced.cloned())
                    .unwrap_or_else(|| choice.fallback.clone());
                let layout = flags.apply(&config)?;
                let (snapshot, notes) = dir::read(&top, dir, &layout, dir::Display::Input)?;
                Ok(Revision {
                    snapshot,
                    config,
                    layout,
                    notes,
                })
            }
            Source::DescriptorSet(path) => {
                let config = choice.forced.unwrap_or(choice.fallback).clone();
                let layout = flags.apply(&config)?;
                Ok(Revision {
                    snapshot: descriptor_set::read(&cwd.join(path), path)?,
                    config,
                    layout,
                    notes: Vec::new(),
                })
            }
        }
    }
}

/// buf's git input: `<location>#branch=main`, `#tag=v1`, `#ref=<rev>`, plus `subdir=<dir>`;
/// `depth` and `recurse_submodules` are accepted and have nothing to do (protoguard reads the
/// object database, never a checkout).
fn parse_buf_git(text: &str, location: &str, options: &str, merge_base: bool) -> Result<Source> {
    let help = "buf's git input syntax: <repository>#branch=<name>, #tag=<name> or #ref=<revision>, optionally with ,subdir=<dir>";
    let mut rev: Option<String> = None;
    let mut subdir = PathBuf::new();
    for option in options.split(',').filter(|o| !o.is_empty()) {
        let Some((key, value)) = option.split_once('=') else {
            return Err(Error::with_help(
                format!("{text}: '{option}' is not key=value"),
                help,
            ));
        };
        let chosen = match key {
            "branch" => Some(format!("refs/heads/{value}")),
            "tag" => Some(format!("refs/tags/{value}")),
            "ref" => Some(value.to_owned()),
            "subdir" => {
                subdir = config::normalize(value).map_err(|why| {
                    Error::with_help(format!("{text}: subdir={value}: {why}"), help)
                })?;
                None
            }
            "depth" | "recurse_submodules" => None,
            _ => {
                return Err(Error::with_help(
                    format!("{text}: unknown option '{key}'"),
                    help,
                ))
            }
        };
        if let Some(chosen) = chosen {
            if rev.replace(chosen).is_some() {
                return Err(Error::with_help(
                    format!("{text}: give only one of branch, tag and ref"),
                    help,
                ));
            }
        }
    }
    Ok(Source::GitRef {
        rev: rev.unwrap_or_else(|| "HEAD".to_owned()),
        merge_base,
        repo: Some(GitRepo {
            location: location.to_owned(),
            subdir,
            typed: text.to_owned(),
        }),
    })
}

/// Returns `true` if a path names a protobuf source file.
fn is_proto(name: &str) -> bool {
    name.ends_with(".proto")
}

/// Joins a module-relative path into the `/`-separated import name protoc would use.
fn import_name(relative: &Path) -> Result<String> {
    let mut name = String::new();
    for part in relative.components() {
        let part = part.as_os_str().to_str().ok_or_else(|| {
            Error::invalid(format!(
                "{}: the path is not valid UTF-8, so it cannot be imported by name; rename it",
                relative.display()
            ))
        })?;
        if !name.is_empty() {
            name.push('/');
        }
        name.push_str(part);
    }
    Ok(name)
}

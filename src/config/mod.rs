//! Configuration: `protoguard.toml`, or, when a repository has none, its buf configuration
//! (`buf.yaml` v1beta1, v1 or v2, `buf.work.yaml` v1), found by walking up from a directory of one
//! revision: the working tree on disk, or a git revision's tree (each revision is read with its
//! own configuration, see [`Tree`]). Every kind of file is read into one [`Config`]; `cli` lays
//! command-line flags over it. Errors name the file, line and column. The order of discovery and
//! the meaning of every key are documented in docs/configuration.md.

mod buf;
pub mod deps;
mod file;
pub mod init;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub use file::ConfigFile;

use crate::error::{Error, Result};
use crate::filter::FilterSettings;
use crate::input::Layout;
use crate::registry::{self, Level, RuleKind};
use crate::rules::lint::LintOptions;

pub const FILE_NAME: &str = "protoguard.toml";
pub const BUF_YAML: &str = "buf.yaml";
pub const BUF_WORK_YAML: &str = "buf.work.yaml";

/// The breaking categories buf and protoguard run when nothing is configured.
pub const DEFAULT_BREAKING_USE: &str = "FILE";

/// Which kind of file a [`Config`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No configuration file was found.
    Defaults,
    Protoguard,
    /// `buf.yaml`, v1 (one module) or v2 (a workspace of modules).
    BufYaml,
    /// `buf.work.yaml` v1 and the `buf.yaml` of each of its directories.
    BufWork,
}

/// A read-only view of one revision's files, in which configuration is found and read: the file
/// system ([`Fs`]), or a git tree or index (`input::git`).
pub trait Tree {
    /// The text of the file at `path`; `None` when there is no such file.
    fn read(&self, path: &Path) -> Result<Option<String>>;
    /// How a path of this tree is named in messages (`buf.yaml`, `main:proto/buf.yaml`).
    fn show(&self, path: &Path) -> String;
}

/// The file system: paths are absolute or relative to the process's working directory.
pub struct Fs;

impl Tree for Fs {
    fn read(&self, path: &Path) -> Result<Option<String>> {
        if !path.is_file() {
            return Ok(None);
        }
        std::fs::read_to_string(path)
            .map(Some)
            .map_err(|err| Error::invalid(format!("{}: cannot read: {err}", path.display())))
    }

    fn show(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

/// A configuration, whichever file it came from. Paths are relative to the file's directory
/// (the input's top), `/`-free of `.` and `..` components.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file the configuration was read from, in its tree (on disk, or inside a git
    /// revision); `None` for the defaults.
    pub path: Option<PathBuf>,
    /// How the file is named in messages: its path on disk, or `rev:path` for a git revision.
    pub shown: Option<String>,
    pub kind: Kind,
    pub module: Module,
    pub breaking: Rules,
    /// The `[lint]` section (buf.yaml's `lint:`).
    pub lint: Rules,
    /// The options of lint rules (buf.yaml's `enum_zero_value_suffix`, `service_suffix`, …).
    pub lint_options: LintOptions,
    /// Whether `// buf:lint:ignore` comments silence lint rules: yes unless buf.yaml v2 says
    /// `disallow_comment_ignores: true`, or a v1 buf.yaml does not say `allow_comment_ignores:
    /// true` (buf's defaults), or protoguard.toml says `disallow_comment_ignores = true`.
    pub buf_lint_ignores: bool,
    /// What a buf workspace's modules configure differently and one protoguard configuration
    /// cannot express, one sentence each. A check refuses to run with any; `init` writes them
    /// into the converted file as notes to review.
    pub conflicts: Vec<String>,
    /// buf `deps` (Buf Schema Registry modules), from the buf.yaml files read, with what
    /// buf.lock pins; empty for protoguard.toml.
    pub deps: Vec<deps::Dep>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// Empty: the file's directory is the only root.
    pub roots: Vec<PathBuf>,
    pub includes: Vec<PathBuf>,
    pub excludes: Vec<PathBuf>,
}

/// One `[breaking]` or `[lint]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rule IDs or categories to run. For breaking, `["FILE"]` when not configured.
    pub use_: Vec<String>,
    pub except: Vec<String>,
    /// Files or directories whose findings are not reported.
    pub ignore: Vec<PathBuf>,
    /// Rule ID or category → files or directories where its findings are not reported.
    pub ignore_only: BTreeMap<String, Vec<PathBuf>>,
    pub ignore_unstable_packages: bool,
    /// Rule ID or category → level.
    pub severity: BTreeMap<String, Level>,
    /// Breaking only: findings that reach no RPC are warnings (see [`crate::impact`]).
    pub impact_only: bool,
}

impl Rules {
    fn breaking_default() -> Rules {
        Rules {
            use_: vec![DEFAULT_BREAKING_USE.to_owned()],
            ..Rules::default()
        }
    }

    /// buf's default lint selection: STANDARD.
    pub(crate) fn lint_default() -> Rules {
        Rules {
            use_: vec![RuleKind::Lint.default_use().to_owned()],
            ..Rules::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            shown: None,
            kind: Kind::Defaults,
            module: Module::default(),
            breaking: Rules::breaking_default(),
            lint: Rules::lint_default(),
            lint_options: LintOptions::default(),
            buf_lint_ignores: true,
            conflicts: Vec::new(),
            deps: Vec::new(),
        }
    }
}

impl Config {
    /// Finds the configuration that applies in `dir` on disk; see [`Config::discover_in`].
    pub fn discover(dir: &Path) -> Result<Config> {
        Ok(Config::discover_in(&Fs, dir)?.unwrap_or_default())
    }

    /// Finds the configuration that applies in `dir` of `tree`, walking up one directory at a
    /// time. At each directory: `protoguard.toml` wins, then `buf.work.yaml`, then `buf.yaml`. A
    /// v1 `buf.yaml` is one module of a possible workspace, so the walk goes on up for the
    /// `buf.work.yaml` that lists its directory (a `protoguard.toml` met on the way wins; a v2
    /// `buf.yaml` or a workspace that does not list it ends the search, and the `buf.yaml` is used
    /// alone). `None`: no configuration file in `dir` or above it.
    pub fn discover_in(tree: &dyn Tree, dir: &Path) -> Result<Option<Config>> {
        let exists = |path: &Path| tree.read(path).map(|t| t.is_some());
        let mut ancestors = dir.ancestors();
        while let Some(candidate) = ancestors.next() {
            if exists(&candidate.join(FILE_NAME))? {
                return Config::load_in(tree, &candidate.join(FILE_NAME)).map(Some);
            }
            if exists(&candidate.join(BUF_WORK_YAML))? {
                return Config::load_in(tree, &candidate.join(BUF_WORK_YAML)).map(Some);
            }
            let buf_yaml = candidate.join(BUF_YAML);
            let Some(text) = tree.read(&buf_yaml)? else {
                continue;
            };
            if buf::version(tree, &buf_yaml, &text)?.as_deref() != Some("v1") {
                return Config::load_in(tree, &buf_yaml).map(Some);
            }
            for above in ancestors.by_ref() {
                if exists(&above.join(FILE_NAME))? {
                    return Config::load_in(tree, &above.join(FILE_NAME)).map(Some);
                }
                let work = above.join(BUF_WORK_YAML);
                if let Some(work_text) = tree.read(&work)? {
                    let relative = candidate.strip_prefix(above).unwrap_or(candidate);
                    if buf::work_lists(tree, &work, &work_text, relative)? {
                        return Config::load_in(tree, &work).map(Some);
                    }
                    break;
                }
                let other = above.join(BUF_YAML);
                if let Some(other_text) = tree.read(&other)? {
                    if buf::version(tree, &other, &other_text)?.as_deref() != Some("v1") {
                        break;
                    }
                }
            }
            return Config::load_in(tree, &buf_yaml).map(Some);
        }
        Ok(None)
    }

    /// The configuration file directly in `dir` of `tree` (protoguard.toml, else buf.work.yaml,
    /// else buf.yaml), without walking up: a directory input's own configuration.
    pub fn in_dir(tree: &dyn Tree, dir: &Path) -> Result<Option<Config>> {
        for name in [FILE_NAME, BUF_WORK_YAML, BUF_YAML] {
            let path = dir.join(name);
            if tree.read(&path)?.is_some() {
                return Config::load_in(tree, &path).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads one file on disk; see [`Config::load_in`].
    pub fn load(path: &Path) -> Result<Config> {
        Config::load_in(&Fs, path)
    }

    /// Reads one file, by its name: `*.toml` is a protoguard configuration, `buf.work.yaml` a buf
    /// workspace, any other `*.yaml`/`*.yml` a `buf.yaml`. Refuses a buf workspace whose modules
    /// differ in ways one configuration cannot express.
    pub fn load_in(tree: &dyn Tree, path: &Path) -> Result<Config> {
        let config = Config::read_in(tree, path)?;
        if let Some(first) = config.conflicts.first() {
            return Err(Error::with_help(
                format!(
                    "{}: the modules are configured differently, and protoguard applies one configuration to all of them: {first}",
                    tree.show(path)
                ),
                "run `protoguard init` to write a protoguard.toml converted from the buf configuration, then choose",
            ));
        }
        Ok(config)
    }

    /// Like [`Config::load`], but keeps conflicts for the caller (`init` writes them as notes).
    pub fn read(path: &Path) -> Result<Config> {
        Config::read_in(&Fs, path)
    }

    /// Like [`Config::load_in`], but keeps conflicts for the caller.
    pub fn read_in(tree: &dyn Tree, path: &Path) -> Result<Config> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let shown = tree.show(path);
        let text = tree.read(path)?.ok_or_else(|| {
            Error::with_help(
                format!("{shown}: no such configuration file"),
                "pass an existing protoguard.toml, buf.yaml or buf.work.yaml",
            )
        })?;
        let shown_path = Path::new(&shown);
        let mut config = if name.ends_with(".toml") {
            file::parse(shown_path, &text)?
        } else if name == BUF_WORK_YAML {
            buf::load_work(tree, path, &text)?
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            buf::load_yaml(shown_path, &text)?
        } else {
            return Err(Error::with_help(
                format!("{shown}: not a configuration file protoguard reads"),
                "pass protoguard.toml, buf.yaml or buf.work.yaml",
            ));
        };
        config.deps = match config.kind {
            Kind::BufYaml => deps::read(tree, path)?,
            Kind::BufWork => {
                let top = path.parent().unwrap_or(Path::new(""));
                let mut all = Vec::new();
                for root in &config.module.roots {
                    all.extend(deps::read(tree, &top.join(root).join(BUF_YAML))?);
                }
                all
            }
            _ => Vec::new(),
        };
        config.path = Some(path.to_owned());
        config.shown = Some(shown);
        Ok(config)
    }

    /// A configuration given on the command line: a file (protoguard.toml, buf.yaml or
    /// buf.work.yaml, relative to `cwd`), or, as buf accepts, buf.yaml data itself
    /// (`--config '{"version":"v2","breaking":{"use":["WIRE"]}}'`). `flag` names the option in
    /// messages. Data has no directory: its paths are relative to each input's top.
    pub fn from_flag(flag: &str, value: &str, cwd: &Path) -> Result<Config> {
        let path = cwd.join(value);
        let looks_like_data = value.trim_start().starts_with('{')
            || value.contains('\n')
            || value.starts_with("version:");
        if path.exists() || !looks_like_data {
            if !path.exists() {
                return Err(Error::with_help(
                    format!("{flag} {value}: no such file"),
                    "pass a protoguard.toml, buf.yaml or buf.work.yaml, or buf.yaml data such as '{\"version\":\"v2\"}'",
                ));
            }
            return Config::load(&path);
        }
        let mut config = buf::load_yaml(Path::new(flag), value)?;
        config.path = None;
        config.shown = Some(flag.to_owned());
        Ok(config)
    }

    /// The directory relative paths in the config are anchored at.
    pub fn dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// How the configuration is named in messages: its path, or `defaults`.
    pub fn name(&self) -> String {
        self.shown.clone().unwrap_or_else(|| "defaults".to_owned())
    }

    /// The module layout the configuration describes.
    pub fn layout(&self) -> Layout {
        Layout {
            roots: self.module.roots.clone(),
            includes: self.module.includes.clone(),
            excludes: self.module.excludes.clone(),
            ..Layout::default()
        }
    }

    /// The breaking section's filter settings for a module with these roots: paths become import
    /// names (relative to the root they lie in), categories in `ignore_only` become rule IDs.
    pub fn filter_settings(&self, roots: &[PathBuf]) -> Result<FilterSettings> {
        self.filter_settings_for(RuleKind::Breaking, roots)
    }

    /// Like [`Config::filter_settings`], for the section of `kind`.
    pub fn filter_settings_for(&self, kind: RuleKind, roots: &[PathBuf]) -> Result<FilterSettings> {
        let name = self.name();
        let breaking = match kind {
            RuleKind::Breaking => &self.breaking,
            RuleKind::Lint => &self.lint,
        };
        let module_paths = |key: &str, paths: &[PathBuf]| -> Result<Vec<String>> {
            let key = format!("[{}] {key}", kind.name());
            paths
                .iter()
                .map(|p| import_path(p, roots, &name, &key))
                .collect()
        };
        let mut ignore_only: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (rule, paths) in &breaking.ignore_only {
            let paths = module_paths(&format!("ignore_only.{rule}"), paths)?;
            for id in registry::expand_in(kind, std::slice::from_ref(rule), &name)? {
                let entry = ignore_only.entry(id.to_owned()).or_default();
                entry.extend(paths.iter().cloned());
                entry.sort();
                entry.dedup();
            }
        }
        Ok(FilterSettings {
            ignore: module_paths("ignore", &breaking.ignore)?,
            ignore_only,
            ignore_unstable_packages: breaking.ignore_unstable_packages,
            report_unused_ignores: false,
            buf_lint_ignores: kind == RuleKind::Lint && self.buf_lint_ignores,
        })
    }
}

/// A path of an `ignore` list (relative to the configuration's directory) as the import-name
/// prefix findings carry: relative to the module root it lies in.
fn import_path(path: &Path, roots: &[PathBuf], config: &str, key: &str) -> Result<String> {
    let inside = if roots.is_empty() {
        Some(path)
    } else {
        roots.iter().find_map(|root| path.strip_prefix(root).ok())
    };
    let help = "paths in ignore and ignore_only are relative to the directory of the configuration file and must point inside a module root";
    match inside {
        Some(relative) if !relative.as_os_str().is_empty() => {
            let parts: Vec<&str> = relative
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect();
            Ok(parts.join("/"))
        }
        // With one root, the empty path stands for all of it; with several, import names
        // cannot tell which root a finding came from.
        Some(_) if roots.len() <= 1 => Ok(String::new()),
        Some(_) => Err(Error::with_help(
            format!(
                "{config}: {key}: '{}' is a whole module root, and there are several",
                path.display()
            ),
            "to leave a root out entirely, remove it from roots or add it to excludes",
        )),
        None => Err(Error::with_help(
            format!(
                "{config}: {key}: '{}' is not inside any module root ({})",
                path.display(),
                roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            help,
        )),
    }
}

/// Checks that no module root lies inside another: a file would then have two import names.
pub fn check_roots(roots: &[PathBuf], origin: &str) -> Result<()> {
    for (i, a) in roots.iter().enumerate() {
        for b in &roots[i + 1..] {
            if a.starts_with(b) || b.starts_with(a) {
                let show = |p: &Path| {
                    if p.as_os_str().is_empty() {
                        ".".to_owned()
                    } else {
                        p.display().to_string()
                    }
                };
                return Err(Error::with_help(
                    format!(
                        "{origin}: the module roots '{}' and '{}' overlap",
                        show(a),
                        show(b)
                    ),
                    "a file under both would have two import names; list roots that do not contain one another",
                ));
            }
        }
    }
    Ok(())
}

/// Makes a configured path relative and free of `.` and `..`: `./proto/` becomes `proto`, `.`
/// becomes the empty path. The message says why a path is refused.
pub fn normalize(text: &str) -> std::result::Result<PathBuf, &'static str> {
    let path = Path::new(text);
    if text.is_empty() {
        return Err("the path is empty; use \".\" for the configuration file's directory");
    }
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                if !out.pop() {
                    return Err("the path leaves the configuration file's directory");
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("the path must be relative to the configuration file's directory");
            }
        }
    }
    Ok(out)
}

/// Removes repeated paths, keeping the first of each.
fn dedup(paths: &mut Vec<PathBuf>) {
    let mut seen = std::collections::BTreeSet::new();
    paths.retain(|p| seen.insert(p.clone()));
}

/// An error at a place in a configuration file.
fn located(path: &Path, (line, column): (usize, usize), message: impl std::fmt::Display) -> Error {
    Error::with_help(
        format!("{}:{line}:{column}: {message}", path.display()),
        "see docs/configuration.md for the keys and values protoguard accepts",
    )
}

/// The error for a name that is no breaking rule ID or category, with a suggestion when one is
/// close.
fn unknown_rule_in(kind: RuleKind, path: &Path, at: (usize, usize), name: &str) -> Error {
    let near = registry::similar_in(kind, name);
    let mut error = located(
        path,
        at,
        format!("unknown {} rule or category '{name}'", kind.name()),
    );
    let other = match kind {
        RuleKind::Breaking => RuleKind::Lint,
        RuleKind::Lint => RuleKind::Breaking,
    };
    if let Error::Invalid { help, .. } = &mut error {
        *help = Some(if registry::is_known_in(other, name) {
            format!(
                "'{name}' is a {} rule or category; move it to the {} section",
                other.name(),
                other.name()
            )
        } else if near.is_empty() {
            format!(
                "categories are {}; `protoguard rules` lists every rule ID",
                kind.categories().join(", ")
            )
        } else {
            format!("did you mean {}?", near.join(", "))
        });
    }
    error
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The JSON schema of protoguard.toml, as committed in docs/protoguard.schema.json.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("./proto/").unwrap(), PathBuf::from("proto"));
        assert_eq!(normalize(".").unwrap(), PathBuf::new());
        assert_eq!(normalize("a/../b").unwrap(), PathBuf::from("b"));
        assert!(normalize("../x").is_err());
        assert!(normalize("/abs").is_err());
        assert!(normalize("").is_err());
    }

    #[test]
    fn ignore_paths_become_import_names() {
        let roots = [PathBuf::from("proto"), PathBuf::from("vendor/api")];
        let path = |p: &str| import_path(Path::new(p), &roots, "c", "ignore");
        assert_eq!(path("proto/acme/v1").unwrap(), "acme/v1");
        assert_eq!(path("vendor/api/x.proto").unwrap(), "x.proto");
        assert!(path("docs").is_err());
        assert!(path("proto").is_err());
        let one = [PathBuf::from("proto")];
        assert_eq!(import_path(Path::new("proto"), &one, "c", "i").unwrap(), "");
        assert_eq!(
            import_path(Path::new("a/b.proto"), &[], "c", "ignore").unwrap(),
            "a/b.proto"
        );
    }

    #[test]
    fn overlapping_roots_are_refused() {
        let roots = |r: &[&str]| r.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert!(check_roots(&roots(&["a", "b"]), "x").is_ok());
        assert!(check_roots(&roots(&["a", "a/b"]), "x").is_err());
        assert!(check_roots(&roots(&["ab", "a"]), "x").is_ok());
        assert!(check_roots(&roots(&["", "a"]), "x").is_err());
    }
}

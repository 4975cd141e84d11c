//! buf's configuration, read so that a repository with only buf files works unchanged:
//! `buf.yaml` v1 (one module: its directory), `buf.yaml` v2 (a workspace: `modules[].path`), and
//! `buf.work.yaml` v1 (a workspace: `directories`, each with its own v1 `buf.yaml` or none).
//! Only the module layout and the `breaking` and `lint` sections are read; every other key buf
//! accepts (`name`, `deps`, `plugins`, …) is ignored. Each buf module may configure `breaking`
//! and `lint` on its own, while protoguard applies one configuration to all roots: ignores are merged (their
//! paths stay exact), and differing rule selections are reported as conflicts.
//!
//! Paths follow buf: in v1 they are relative to the module's directory, in v2 to the `buf.yaml`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use super::{Config, Kind, Module, Rules, Tree};
use crate::error::{Error, Result};
use crate::registry::{self, RuleKind};
use crate::rules::lint::LintOptions;

/// A list of strings with their locations; YAML `key:` with nothing after it is `None`.
type Names = Option<Vec<Spanned<String>>>;

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct BufYaml {
    version: Option<Spanned<String>>,
    /// v1.
    build: Option<Build>,
    /// v2.
    modules: Option<Vec<ModuleV2>>,
    breaking: Option<Breaking>,
    lint: Option<Lint>,
}

#[derive(Deserialize)]
struct Build {
    /// v1beta1 only: the module roots, relative to the `buf.yaml`.
    roots: Option<Vec<Spanned<String>>>,
    excludes: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
struct ModuleV2 {
    path: Option<Spanned<String>>,
    excludes: Option<Vec<Spanned<String>>>,
    /// buf 1.39+: only these subdirectories belong to the module. Not supported: refused rather
    /// than ignored, since ignoring it would check files buf does not.
    includes: Option<Spanned<serde::de::IgnoredAny>>,
    breaking: Option<Breaking>,
    lint: Option<Lint>,
}

#[derive(Deserialize)]
struct Breaking {
    #[serde(rename = "use")]
    use_: Option<Vec<Spanned<String>>>,
    except: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    ignore_only: Option<Entries<Spanned<String>, Names>>,
    ignore_unstable_packages: Option<bool>,
}

/// A `lint:` section: the selection keys of `breaking:` plus the lint rules' options.
#[derive(Deserialize)]
struct Lint {
    #[serde(rename = "use")]
    use_: Option<Vec<Spanned<String>>>,
    except: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    ignore_only: Option<Entries<Spanned<String>, Names>>,
    enum_zero_value_suffix: Option<String>,
    rpc_allow_same_request_response: Option<bool>,
    rpc_allow_google_protobuf_empty_requests: Option<bool>,
    rpc_allow_google_protobuf_empty_responses: Option<bool>,
    service_suffix: Option<String>,
    /// v1: comment ignores are off unless this is true.
    allow_comment_ignores: Option<bool>,
    /// v2: comment ignores are on unless this is true.
    disallow_comment_ignores: Option<bool>,
}

/// What one module's `lint:` section says, converted.
#[derive(Clone)]
struct LintSection {
    rules: Rules,
    options: LintOptions,
    comment_ignores: bool,
}

#[derive(Deserialize)]
struct WorkYaml {
    version: Option<Spanned<String>>,
    directories: Option<Vec<Spanned<String>>>,
}

/// A YAML mapping in document order, for keys that carry their location (which cannot be
/// ordered, so cannot key a `BTreeMap`).
struct Entries<K, V>(Vec<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Entries<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct EntriesVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<K, V> {
            type Value = Entries<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// One buf module, converted: its root and what its `breaking` section says.
struct BufModule {
    /// How the module is named in conflict notes.
    label: String,
    root: PathBuf,
    excludes: Vec<PathBuf>,
    breaking: Rules,
    lint: LintSection,
}

/// The `version` of a `buf.yaml` (its `text`), to tell v1 (a module) from v2 (a workspace)
/// during discovery.
pub(super) fn version(tree: &dyn Tree, path: &Path, text: &str) -> Result<Option<String>> {
    let doc: Option<VersionOnly> = parse(Path::new(&tree.show(path)), text)?;
    Ok(doc.and_then(|d| d.version).map(|v| v.value))
}

/// Returns `true` if the `buf.work.yaml` at `path` (with `text`) lists the directory `relative`
/// (relative to the workspace file's directory).
pub(super) fn work_lists(
    tree: &dyn Tree,
    path: &Path,
    text: &str,
    relative: &Path,
) -> Result<bool> {
    let doc: Option<WorkYaml> = parse(Path::new(&tree.show(path)), text)?;
    Ok(doc
        .and_then(|d| d.directories)
        .unwrap_or_default()
        .iter()
        .any(|d| super::normalize(&d.value).is_ok_and(|d| d == relative)))
}

/// Reads a `buf.yaml`, v1 or v2.
pub(super) fn load_yaml(path: &Path, text: &str) -> Result<Config> {
    let doc: BufYaml = parse(path, text)?.unwrap_or(BufYaml {
        version: None,
        build: None,
        modules: None,
        breaking: None,
        lint: None,
    });
    let modules = match doc.version.as_ref().map(|v| v.value.as_str()) {
        Some("v1") => {
            let excludes = doc.build.and_then(|b| b.excludes).unwrap_or_default();
            vec![BufModule {
                label: super::BUF_YAML.to_owned(),
                root: PathBuf::new(),
                excludes: paths(path, &excludes, Path::new(""))?,
                breaking: breaking(path, doc.breaking.as_ref(), Path::new(""))?,
                lint: lint(path, doc.lint.as_ref(), Path::new(""), false)?,
            }]
        }
        Some("v2") => {
            let default = doc.breaking.as_ref();
            let default_lint = doc.lint.as_ref();
            let modules = doc.modules.unwrap_or_default();
            if modules.is_empty() {
                vec![BufModule {
                    label: super::BUF_YAML.to_owned(),
                    root: PathBuf::new(),
                    excludes: Vec::new(),
                    breaking: breaking(path, default, Path::new(""))?,
                    lint: lint(path, default_lint, Path::new(""), true)?,
                }]
            } else {
                let mut out = Vec::new();
                for module in &modules {
                    if let Some(includes) = &module.includes {
                        return Err(super::located(
                            path,
                            at(&includes.referenced),
                            "modules[].includes is not supported by protoguard yet; list the directories to check as module roots in a protoguard.toml instead",
                        ));
                    }
                    let root = match &module.path {
                        Some(p) => one_path(path, p, Path::new(""))?,
                        None => PathBuf::new(),
                    };
                    let excludes = module.excludes.as_deref().unwrap_or_default();
                    let own = module.breaking.is_some();
                    out.push(BufModule {
                        label: format!(
                            "module '{}'{}",
                            show(&root),
                            if own { "" } else { " (top-level breaking)" }
                        ),
                        excludes: paths(path, excludes, Path::new(""))?,
                        // A module's own section replaces the top-level one in its entirety.
                        breaking: breaking(
                            path,
                            module.breaking.as_ref().or(default),
                            Path::new(""),
                        )?,
                        lint: lint(
                            path,
                            module.lint.as_ref().or(default_lint),
                            Path::new(""),
                            true,
                        )?,
                        root,
                    });
                }
                out
            }
        }
        // buf still reads v1beta1, and old repositories carry it: several roots, each a module
        // root of one module, with excludes relative to the buf.yaml that must lie in a root.
        Some("v1beta1") => {
            let build = doc.build.unwrap_or(Build {
                roots: None,
                excludes: None,
            });
            let roots = paths(
                path,
                build.roots.as_deref().unwrap_or_default(),
                Path::new(""),
            )?;
            let excludes = build.excludes.unwrap_or_default();
            for exclude in &excludes {
                let normalized = one_path(path, exclude, Path::new(""))?;
                if !roots.is_empty() && !roots.iter().any(|r| normalized.starts_with(r)) {
                    return Err(super::located(
                        path,
                        at(&exclude.referenced),
                        format!(
                            "exclude '{}' is not inside any root; in a v1beta1 buf.yaml excludes are relative to the buf.yaml and must lie in a root (buf refuses it too)",
                            exclude.value
                        ),
                    ));
                }
            }
            if let Err(Error::Invalid { message, help }) = super::check_roots(&roots, "build.roots")
            {
                return Err(Error::Invalid {
                    message: format!("{}: {message}", path.display()),
                    help,
                });
            }
            let rules = breaking(path, doc.breaking.as_ref(), Path::new(""))?;
            let excludes = paths(path, &excludes, Path::new(""))?;
            let mut config = merge(
                path,
                Kind::BufYaml,
                vec![BufModule {
                    label: super::BUF_YAML.to_owned(),
                    root: PathBuf::new(),
                    excludes,
                    breaking: rules,
                    lint: lint(path, doc.lint.as_ref(), Path::new(""), false)?,
                }],
            );
            config.module.roots = if roots.len() == 1 && roots[0].as_os_str().is_empty() {
                Vec::new()
            } else {
                roots
            };
            return Ok(config);
        }
        Some(other) => {
            return Err(super::located(
                path,
                at(&doc.version.as_ref().expect("matched").referenced),
                format!("unknown buf.yaml version '{other}'; buf knows v1 and v2"),
            ))
        }
        None => {
            return Err(super::located(
                path,
                (1, 1),
                "buf.yaml has no version; buf requires one (v1 or v2)",
            ))
        }
    };
    Ok(merge(path, Kind::BufYaml, modules))
}

/// Reads a `buf.work.yaml` (at `path` in `tree`, with `text`) and the `buf.yaml` of each of its
/// directories.
pub(super) fn load_work(tree: &dyn Tree, at_path: &Path, text: &str) -> Result<Config> {
    let shown = tree.show(at_path);
    let path = Path::new(&shown);
    let doc: Option<WorkYaml> = parse(path, text)?;
    let Some(doc) = doc else {
        return Err(super::located(path, (1, 1), "buf.work.yaml is empty"));
    };
    match doc.version.as_ref().map(|v| v.value.as_str()) {
        Some("v1") => {}
        Some(other) => {
            return Err(super::located(
                path,
                at(&doc.version.as_ref().expect("matched").referenced),
                format!("unknown buf.work.yaml version '{other}'; the only version is v1"),
            ))
        }
        None => {
            return Err(super::located(
                path,
                (1, 1),
                "buf.work.yaml has no version; buf requires v1",
            ))
        }
    }
    let top = at_path.parent().unwrap_or(Path::new(""));
    let mut modules = Vec::new();
    for directory in doc.directories.as_deref().unwrap_or_default() {
        let root = one_path(path, directory, Path::new(""))?;
        if root.as_os_str().is_empty() {
            return Err(super::located(
                path,
                at(&directory.referenced),
                "a workspace directory cannot be '.'; buf refuses it too",
            ));
        }
        let module_at = top.join(&root).join(super::BUF_YAML);
        let label = format!("{}/{}", show(&root), super::BUF_YAML);
        let Some(text) = tree.read(&module_at)? else {
            modules.push(BufModule {
                label: format!("{} (no {})", show(&root), super::BUF_YAML),
                excludes: Vec::new(),
                breaking: Rules::breaking_default(),
                lint: lint(path, None, &root, false)?,
                root,
            });
            continue;
        };
        let module_shown = tree.show(&module_at);
        let module_yaml = Path::new(&module_shown);
        let module: BufYaml = parse(module_yaml, &text)?.unwrap_or(BufYaml {
            version: None,
            build: None,
            modules: None,
            breaking: None,
            lint: None,
        });
        match module.version.as_ref().map(|v| v.value.as_str()) {
            Some("v1") => {}
            _ => {
                return Err(super::located(
                    module_yaml,
                    module
                        .version
                        .as_ref()
                        .map_or((1, 1), |v| at(&v.referenced)),
                    "a module of a buf.work.yaml workspace needs a v1 buf.yaml",
                ))
            }
        }
        let excludes = module.build.and_then(|b| b.excludes).unwrap_or_default();
        modules.push(BufModule {
            label,
            excludes: paths(module_yaml, &excludes, &root)?,
            breaking: breaking(module_yaml, module.breaking.as_ref(), &root)?,
            lint: lint(module_yaml, module.lint.as_ref(), &root, false)?,
            root,
        });
    }
    if modules.is_empty() {
        return Err(super::located(
            path,
            (1, 1),
            "buf.work.yaml lists no directories",
        ));
    }
    Ok(merge(at_path, Kind::BufWork, modules))
}

/// One configuration for all modules: their roots, all excludes and ignores (paths are exact
/// whichever module they came from), and the first module's rule selection; any module that
/// selects differently is a conflict.
fn merge(path: &Path, kind: Kind, modules: Vec<BufModule>) -> Config {
    let mut roots: Vec<PathBuf> = modules.iter().map(|m| m.root.clone()).collect();
    super::dedup(&mut roots);
    if roots.len() == 1 && roots[0].as_os_str().is_empty() {
        roots.clear();
    }
    let mut excludes: Vec<PathBuf> = modules.iter().flat_map(|m| m.excludes.clone()).collect();
    super::dedup(&mut excludes);
    let first = &modules[0];
    let mut breaking = Rules {
        ignore: Vec::new(),
        ignore_only: BTreeMap::new(),
        ..first.breaking.clone()
    };
    let mut conflicts = Vec::new();
    let mut lint = LintSection {
        rules: Rules {
            ignore: Vec::new(),
            ignore_only: BTreeMap::new(),
            ..first.lint.rules.clone()
        },
        ..first.lint.clone()
    };
    for module in &modules {
        lint.rules
            .ignore
            .extend(module.lint.rules.ignore.iter().cloned());
        for (rule, paths) in &module.lint.rules.ignore_only {
            lint.rules
                .ignore_only
                .entry(rule.clone())
                .or_default()
                .extend(paths.iter().cloned());
        }
        if selection(&module.lint.rules) != selection(&first.lint.rules)
            || module.lint.options != first.lint.options
            || module.lint.comment_ignores != first.lint.comment_ignores
        {
            conflicts.push(format!(
                "{} lints with {}, but {} lints with {} (or other lint options)",
                first.label,
                describe(&first.lint.rules),
                module.label,
                describe(&module.lint.rules)
            ));
        }
    }
    super::dedup(&mut lint.rules.ignore);
    for paths in lint.rules.ignore_only.values_mut() {
        super::dedup(paths);
    }
    for module in &modules {
        breaking
            .ignore
            .extend(module.breaking.ignore.iter().cloned());
        for (rule, paths) in &module.breaking.ignore_only {
            breaking
                .ignore_only
                .entry(rule.clone())
                .or_default()
                .extend(paths.iter().cloned());
        }
        if selection(&module.breaking) != selection(&first.breaking) {
            conflicts.push(format!(
                "{} selects {}, but {} selects {}",
                first.label,
                describe(&first.breaking),
                module.label,
                describe(&module.breaking)
            ));
        }
    }
    super::dedup(&mut breaking.ignore);
    for paths in breaking.ignore_only.values_mut() {
        super::dedup(paths);
    }
    Config {
        path: Some(path.to_owned()),
        shown: None,
        kind,
        module: Module {
            roots,
            includes: Vec::new(),
            excludes,
        },
        breaking,
        lint: lint.rules,
        lint_options: lint.options,
        buf_lint_ignores: lint.comment_ignores,
        conflicts,
        deps: Vec::new(),
    }
}

/// What decides which rules run, order-insensitive.
fn selection(rules: &Rules) -> (Vec<String>, Vec<String>, bool) {
    let sorted = |list: &[String]| {
        let mut list = list.to_vec();
        list.sort();
        list.dedup();
        list
    };
    (
        sorted(&rules.use_),
        sorted(&rules.except),
        rules.ignore_unstable_packages,
    )
}

fn describe(rules: &Rules) -> String {
    let mut text = format!("use [{}]", rules.use_.join(", "));
    if !rules.except.is_empty() {
        text.push_str(&format!(" except [{}]", rules.except.join(", ")));
    }
    if rules.ignore_unstable_packages {
        text.push_str(" with ignore_unstable_packages");
    }
    text
}

/// Converts one `breaking` section; `base` is prepended to its paths (a v1 module's directory
/// inside a workspace).
fn breaking(path: &Path, section: Option<&Breaking>, base: &Path) -> Result<Rules> {
    let Some(section) = section else {
        return Ok(Rules::breaking_default());
    };
    let names = |list: &[Spanned<String>]| -> Result<Vec<String>> {
        list.iter().map(|name| rule_name(path, name)).collect()
    };
    let mut ignore_only = BTreeMap::new();
    for (rule, list) in section.ignore_only.iter().flat_map(|e| &e.0) {
        let list = list.as_deref().unwrap_or_default();
        ignore_only
            .entry(rule_name(path, rule)?)
            .or_insert_with(Vec::new)
            .extend(paths(path, list, base)?);
    }
    let mut use_ = names(section.use_.as_deref().unwrap_or_default())?;
    // As in buf, an empty `use` means the default.
    if use_.is_empty() {
        use_.push(super::DEFAULT_BREAKING_USE.to_owned());
    }
    Ok(Rules {
        use_,
        except: names(section.except.as_deref().unwrap_or_default())?,
        ignore: paths(path, section.ignore.as_deref().unwrap_or_default(), base)?,
        ignore_only,
        ignore_unstable_packages: section.ignore_unstable_packages.unwrap_or(false),
        severity: BTreeMap::new(),
        impact_only: false,
    })
}

fn rule_name(path: &Path, name: &Spanned<String>) -> Result<String> {
    rule_name_in(RuleKind::Breaking, path, name)
}

fn rule_name_in(kind: RuleKind, path: &Path, name: &Spanned<String>) -> Result<String> {
    if registry::is_known_in(kind, &name.value) {
        Ok(name.value.clone())
    } else {
        Err(super::unknown_rule_in(
            kind,
            path,
            at(&name.referenced),
            &name.value,
        ))
    }
}

/// Converts one `lint` section; `base` is prepended to its paths. `v2` decides what an absent
/// comment-ignore key means (v1: ignores off, v2: on), as in buf.
fn lint(path: &Path, section: Option<&Lint>, base: &Path, v2: bool) -> Result<LintSection> {
    let defaults = LintOptions::default();
    let Some(section) = section else {
        return Ok(LintSection {
            rules: Rules::lint_default(),
            options: defaults,
            comment_ignores: v2,
        });
    };
    let names = |list: &[Spanned<String>]| -> Result<Vec<String>> {
        list.iter()
            .map(|name| rule_name_in(RuleKind::Lint, path, name))
            .collect()
    };
    let mut ignore_only = BTreeMap::new();
    for (rule, list) in section.ignore_only.iter().flat_map(|e| &e.0) {
        let list = list.as_deref().unwrap_or_default();
        ignore_only
            .entry(rule_name_in(RuleKind::Lint, path, rule)?)
            .or_insert_with(Vec::new)
            .extend(paths(path, list, base)?);
    }
    let mut use_ = names(section.use_.as_deref().unwrap_or_default())?;
    if use_.is_empty() {
        use_.push(RuleKind::Lint.default_use().to_owned());
    }
    let comment_ignores = if v2 {
        !section.disallow_comment_ignores.unwrap_or(false)
    } else {
        section.allow_comment_ignores.unwrap_or(false)
    };
    Ok(LintSection {
        rules: Rules {
            use_,
            except: names(section.except.as_deref().unwrap_or_default())?,
            ignore: paths(path, section.ignore.as_deref().unwrap_or_default(), base)?,
            ignore_only,
            ignore_unstable_packages: false,
            severity: BTreeMap::new(),
            impact_only: false,
        },
        options: LintOptions {
            enum_zero_value_suffix: section
                .enum_zero_value_suffix
                .clone()
                .unwrap_or(defaults.enum_zero_value_suffix),
            rpc_allow_same_request_response: section
                .rpc_allow_same_request_response
                .unwrap_or(false),
            rpc_allow_google_protobuf_empty_requests: section
                .rpc_allow_google_protobuf_empty_requests
                .unwrap_or(false),
            rpc_allow_google_protobuf_empty_responses: section
                .rpc_allow_google_protobuf_empty_responses
                .unwrap_or(false),
            service_suffix: section
                .service_suffix
                .clone()
                .unwrap_or(defaults.service_suffix),
        },
        comment_ignores,
    })
}

fn paths(path: &Path, list: &[Spanned<String>], base: &Path) -> Result<Vec<PathBuf>> {
    list.iter().map(|p| one_path(path, p, base)).collect()
}

fn one_path(path: &Path, text: &Spanned<String>, base: &Path) -> Result<PathBuf> {
    super::normalize(&text.value)
        .map(|p| base.join(p))
        .map_err(|why| {
            super::located(
                path,
                at(&text.referenced),
                format!("'{}': {why}", text.value),
            )
        })
}

fn at(location: &serde_saphyr::Location) -> (usize, usize) {
    (
        usize::try_from(location.line()).unwrap_or(1),
        usize::try_from(location.column()).unwrap_or(1),
    )
}

fn show(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Parses YAML; an empty document is `None`. Errors name the file, line and column.
fn parse<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<Option<T>> {
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<Option<T>>(text, options).map_err(|err| {
        let location = err.location();
        let position = location.as_ref().map_or((1, 1), at);
        let mut message = err.to_string();
        // The message repeats the location that the prefix already gives.
        let suffix = format!(" at line {}, column {}", position.0, position.1);
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
        super::located(path, position, format!("invalid YAML: {message}"))
    })
}

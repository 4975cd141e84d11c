//! `protoguard.toml` as written: the serde types (also the source of the JSON schema in
//! docs/protoguard.schema.json) and their validation into a [`Config`]. Values keep their spans
//! so that an unknown rule ID inside an array is reported at its own line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::{Config, Kind, Module, Rules};
use crate::error::{Error, Result};
use crate::registry::{self, Level};

/// protoguard.toml: the configuration of protoguard, a Protobuf breaking-change checker. Every
/// key is optional. Relative paths are relative to the directory of this file. Command-line
/// flags override the file; see docs/configuration.md.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "protoguard.toml")]
pub struct ConfigFile {
    /// The configuration format's version. Only 1 exists; leaving it out means 1.
    #[schemars(with = "Option<u32>", range(min = 1, max = 1))]
    pub version: Option<Spanned<i64>>,
    /// Where the .proto files are.
    #[serde(default)]
    pub module: ModuleFile,
    /// Breaking-change rules: which run, where they are not reported, at which severity.
    #[serde(default)]
    pub breaking: RulesFile,
    /// Lint rules. protoguard has no lint rules yet: this section is read and checked for shape
    /// only, and any rule name is accepted.
    #[serde(default)]
    pub lint: RulesFile,
}

/// The module: which directories hold the .proto files that are checked, and what else may be
/// imported.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleFile {
    /// Module roots. Import names are relative to their root; all roots together form one
    /// module (like `protoc -I a -I b`). Default: the directory of this file.
    #[schemars(with = "Option<Vec<String>>")]
    pub roots: Option<Vec<Spanned<String>>>,
    /// One module root; the same as `roots = [root]`. Do not set both.
    #[schemars(with = "Option<String>")]
    pub root: Option<Spanned<String>>,
    /// Include paths: importable, never checked (vendored or third-party .proto files).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub includes: Vec<Spanned<String>>,
    /// Files and directories that are skipped wherever they are.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub excludes: Vec<Spanned<String>>,
}

/// Rule selection, ignores and severities.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    /// Rule IDs or categories to run. Breaking default: ["FILE"].
    #[serde(rename = "use")]
    #[schemars(with = "Option<Vec<String>>")]
    pub use_: Option<Vec<Spanned<String>>>,
    /// Rule IDs or categories not to run.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// Files or directories whose findings are not reported.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
    /// Rule ID or category → files or directories where its findings are not reported.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub ignore_only: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    /// Do not report findings in packages whose last component is an unstable version
    /// (v1alpha1, v1beta1, v1test, …).
    #[serde(default)]
    pub ignore_unstable_packages: bool,
    /// Rule ID or category → "error", "warning" or "off". A rule's own entry wins over its
    /// categories'; "off" removes the rule.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Level>")]
    pub severity: BTreeMap<Spanned<String>, Level>,
}

/// Reads protoguard.toml text into a [`Config`].
pub(super) fn parse(path: &Path, text: &str) -> Result<Config> {
    let raw: ConfigFile = toml::from_str(text).map_err(|err| {
        let at = err
            .span()
            .map_or((1, 1), |span| super::line_column(text, span.start));
        super::located(
            path,
            at,
            format!("invalid configuration: {}", err.message().trim_end()),
        )
    })?;
    let at = |span: std::ops::Range<usize>| super::line_column(text, span.start);
    if let Some(version) = &raw.version {
        if *version.get_ref() != 1 {
            return Err(super::located(
                path,
                at(version.span()),
                format!(
                    "unsupported configuration version {}; the only version is 1",
                    version.get_ref()
                ),
            ));
        }
    }
    let paths = |list: &[Spanned<String>]| -> Result<Vec<PathBuf>> {
        let mut out = list
            .iter()
            .map(|p| {
                super::normalize(p.get_ref()).map_err(|why| {
                    super::located(path, at(p.span()), format!("'{}': {why}", p.get_ref()))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        super::dedup(&mut out);
        Ok(out)
    };
    let module = &raw.module;
    let roots = match (&module.root, &module.roots) {
        (Some(root), Some(_)) => {
            return Err(super::located(
                path,
                at(root.span()),
                "set either root or roots in [module], not both",
            ))
        }
        (Some(root), None) => paths(std::slice::from_ref(root))?,
        (None, Some(roots)) => paths(roots)?,
        (None, None) => Vec::new(),
    };
    // One root at the top is the same as none.
    let roots = if roots.len() == 1 && roots[0].as_os_str().is_empty() {
        Vec::new()
    } else {
        roots
    };
    if let Err(Error::Invalid { message, help }) = super::check_roots(&roots, "[module] roots") {
        let span = module
            .roots
            .as_ref()
            .and_then(|r| r.first())
            .map_or(0..0, |r| r.span());
        let (line, column) = at(span);
        return Err(Error::Invalid {
            message: format!("{}:{line}:{column}: {message}", path.display()),
            help,
        });
    }
    let validate = |name: &Spanned<String>| -> Result<String> {
        if registry::is_known(name.get_ref()) {
            Ok(name.get_ref().clone())
        } else {
            Err(super::unknown_rule(path, at(name.span()), name.get_ref()))
        }
    };
    let section = |raw: &RulesFile, names: &dyn Fn(&Spanned<String>) -> Result<String>| {
        let list = |items: &[Spanned<String>]| items.iter().map(names).collect::<Result<Vec<_>>>();
        let mut ignore_only = BTreeMap::new();
        for (rule, list) in &raw.ignore_only {
            ignore_only.insert(names(rule)?, paths(list)?);
        }
        let mut severity = BTreeMap::new();
        for (rule, level) in &raw.severity {
            severity.insert(names(rule)?, *level);
        }
        Ok::<_, Error>(Rules {
            use_: list(raw.use_.as_deref().unwrap_or_default())?,
            except: list(&raw.except)?,
            ignore: paths(&raw.ignore)?,
            ignore_only,
            ignore_unstable_packages: raw.ignore_unstable_packages,
            severity,
        })
    };
    let mut breaking = section(&raw.breaking, &validate)?;
    if breaking.use_.is_empty() {
        breaking.use_ = vec![super::DEFAULT_BREAKING_USE.to_owned()];
    }
    // No lint rules exist yet, so lint names cannot be checked against anything.
    let lint = section(&raw.lint, &|name| Ok(name.get_ref().clone()))?;
    Ok(Config {
        path: Some(path.to_owned()),
        shown: None,
        kind: Kind::Protoguard,
        module: Module {
            roots,
            includes: paths(&module.includes)?,
            excludes: paths(&module.excludes)?,
        },
        breaking,
        lint,
        conflicts: Vec::new(),
    })
}

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
use crate::registry::{self, Level, RuleKind};
use crate::rules::lint::LintOptions;

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
    /// Lint rules: which run, where they are not reported, at which severity, and their options.
    #[serde(default)]
    pub lint: LintFile,
}

/// The `[lint]` section: rule selection as in `[breaking]` (default: ["STANDARD"]), plus the
/// options of lint rules under the names buf.yaml gives them.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintFile {
    /// Rule IDs or categories to run. Default: ["STANDARD"].
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
    /// Do not report findings in packages whose last component is an unstable version.
    #[serde(default)]
    pub ignore_unstable_packages: bool,
    /// Rule ID or category → "error", "warning" or "off".
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Level>")]
    pub severity: BTreeMap<Spanned<String>, Level>,
    /// The suffix ENUM_ZERO_VALUE_SUFFIX requires of zero values. Default: "_UNSPECIFIED".
    pub enum_zero_value_suffix: Option<String>,
    /// Let one message be both request and response of an RPC. Default: false.
    #[serde(default)]
    pub rpc_allow_same_request_response: bool,
    /// Let RPCs take google.protobuf.Empty as request. Default: false.
    #[serde(default)]
    pub rpc_allow_google_protobuf_empty_requests: bool,
    /// Let RPCs return google.protobuf.Empty. Default: false.
    #[serde(default)]
    pub rpc_allow_google_protobuf_empty_responses: bool,
    /// The suffix SERVICE_SUFFIX requires of service names. Default: "Service".
    pub service_suffix: Option<String>,
    /// Do not honour buf's `// buf:lint:ignore` comments (protoguard:ignore comments still
    /// apply). Default: false.
    #[serde(default)]
    pub disallow_comment_ignores: bool,
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
    /// Report findings on elements that no RPC's request or response holds (storage-only types)
    /// as warnings, so that only changes that reach a service fail the check. Default: false.
    #[serde(default)]
    pub impact_only: bool,
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
    let validate_in = |kind: RuleKind, name: &Spanned<String>| -> Result<String> {
        if registry::is_known_in(kind, name.get_ref()) {
            Ok(name.get_ref().clone())
        } else {
            Err(super::unknown_rule_in(
                kind,
                path,
                at(name.span()),
                name.get_ref(),
            ))
        }
    };
    let validate = |name: &Spanned<String>| validate_in(RuleKind::Breaking, name);
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
            impact_only: raw.impact_only,
        })
    };
    let mut breaking = section(&raw.breaking, &validate)?;
    if breaking.use_.is_empty() {
        breaking.use_ = vec![super::DEFAULT_BREAKING_USE.to_owned()];
    }
    let raw_lint = &raw.lint;
    let lint_rules = RulesFile {
        use_: raw_lint.use_.clone(),
        except: raw_lint.except.clone(),
        ignore: raw_lint.ignore.clone(),
        ignore_only: raw_lint.ignore_only.clone(),
        ignore_unstable_packages: raw_lint.ignore_unstable_packages,
        severity: raw_lint.severity.clone(),
        impact_only: false,
    };
    let mut lint = section(&lint_rules, &|name| validate_in(RuleKind::Lint, name))?;
    if lint.use_.is_empty() {
        lint.use_ = vec![RuleKind::Lint.default_use().to_owned()];
    }
    let defaults = LintOptions::default();
    let lint_options = LintOptions {
        enum_zero_value_suffix: raw_lint
            .enum_zero_value_suffix
            .clone()
            .unwrap_or(defaults.enum_zero_value_suffix),
        rpc_allow_same_request_response: raw_lint.rpc_allow_same_request_response,
        rpc_allow_google_protobuf_empty_requests: raw_lint.rpc_allow_google_protobuf_empty_requests,
        rpc_allow_google_protobuf_empty_responses: raw_lint
            .rpc_allow_google_protobuf_empty_responses,
        service_suffix: raw_lint
            .service_suffix
            .clone()
            .unwrap_or(defaults.service_suffix),
    };
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
        lint_options,
        buf_lint_ignores: !raw_lint.disallow_comment_ignores,
        conflicts: Vec::new(),
        deps: Vec::new(),
    })
}

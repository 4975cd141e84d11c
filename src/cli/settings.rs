//! Arguments resolved into settings: the flags checked, each revision's input and the
//! configuration for a revision without one found (`--config`, discovery, defaults).

use std::path::PathBuf;

use super::{BreakingArgs, LayoutArgs, LintArgs};
use crate::check::{Selection, Settings};
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::input::{LayoutFlags, Source};
use crate::lint::LintSettings;
use crate::registry::{self, RuleKind};

/// Resolves arguments into settings. Each revision brings its own configuration (read when it
/// is loaded); here the flags are checked and the configuration for a revision without one is
/// found: `--config`, else discovery from the working directory, else the defaults.
pub(super) fn settings(args: &BreakingArgs) -> Result<Settings> {
    let inputs = inputs(
        args.config.as_deref(),
        args.against_config.as_deref(),
        &args.layout,
    )?;
    let selection = selection(RuleKind::Breaking, &args.category, &args.rule, &args.except)?;
    selection.resolve(&inputs.discovered)?;
    let current = current_source(args.staged, args.input.as_deref())?;
    let against = match (&args.against, args.staged) {
        (Some(against), _) => Source::parse(against, args.merge_base)?,
        // What a pre-commit hook compares: the staged changes with the last commit.
        (None, true) => Source::parse("HEAD", args.merge_base)?,
        (None, false) => {
            return Err(Error::with_help(
                "--against is required: the revision to compare with",
                "name a git revision (--against main), a directory or a descriptor set; with --staged it defaults to HEAD",
            ))
        }
    };
    Ok(Settings {
        cwd: inputs.cwd,
        current,
        against,
        config: inputs.config,
        against_config: inputs.against_config,
        discovered: inputs.discovered,
        layout: inputs.layout,
        selection,
        // The debt of a whole schema needs every file compared.
        full: args.full || args.all_debt,
        report_unused_ignores: args.report_unused_ignores,
        filter: None,
        paths: checked_paths("--path", &args.scope.paths)?,
        exclude_paths: checked_paths("--exclude-path", &args.scope.exclude_paths)?,
        impact_only: args.impact_only,
        all_debt: args.all_debt,
    })
}

/// The rule selection of `--category`, `--rule` and `--except` for rules of `kind`, checked.
fn selection(
    kind: RuleKind,
    categories: &[String],
    rules: &[String],
    except: &[String],
) -> Result<Selection> {
    let what = match kind {
        RuleKind::Breaking => "",
        RuleKind::Lint => "lint ",
    };
    if let Some(category) = categories.iter().find(|c| !kind.is_category(c)) {
        return Err(Error::with_help(
            format!("--category {category}: unknown {what}category"),
            format!("{what}categories are {}", kind.categories().join(", ")),
        ));
    }
    registry::expand_in(kind, except, "--except")?;
    Ok(Selection {
        uses: categories.iter().chain(rules).cloned().collect(),
        except: except.to_vec(),
    })
}

/// Resolves lint arguments into settings, as [`settings`] does for breaking.
pub(super) fn lint_settings(args: &LintArgs) -> Result<LintSettings> {
    let inputs = inputs(
        args.config.as_deref(),
        args.against_config.as_deref(),
        &args.layout,
    )?;
    let selection = selection(RuleKind::Lint, &args.category, &args.rule, &args.except)?;
    selection.resolve_in(RuleKind::Lint, &inputs.discovered)?;
    Ok(LintSettings {
        cwd: inputs.cwd,
        current: current_source(args.staged, args.input.as_deref())?,
        against: args
            .against
            .as_deref()
            .map(|a| Source::parse(a, args.merge_base))
            .transpose()?,
        config: inputs.config,
        against_config: inputs.against_config,
        discovered: inputs.discovered,
        layout: inputs.layout,
        selection,
        full: args.full,
        report_unused_ignores: args.report_unused_ignores,
        paths: checked_paths("--path", &args.scope.paths)?,
        exclude_paths: checked_paths("--exclude-path", &args.scope.exclude_paths)?,
    })
}

/// What the command line says about where revisions come from, resolved.
struct Inputs {
    cwd: PathBuf,
    config: Option<Config>,
    against_config: Option<Config>,
    discovered: Config,
    layout: LayoutFlags,
}

/// Reads `--config` and `--against-config`, discovers the configuration for a revision without
/// one, and checks the layout flags (`[--root, --include, --exclude]` values) against it.
fn inputs(
    config: Option<&str>,
    against_config: Option<&str>,
    layout: &LayoutArgs,
) -> Result<Inputs> {
    let LayoutArgs {
        roots,
        includes,
        excludes,
    } = layout;
    let cwd = std::env::current_dir()
        .map_err(|err| Error::invalid(format!("cannot read the current directory: {err}")))?;
    let config = config
        .map(|value| Config::from_flag("--config", value, &cwd))
        .transpose()?;
    let against_config = against_config
        .map(|value| Config::from_flag("--against-config", value, &cwd))
        .transpose()?;
    let discovered = match &config {
        Some(config) => config.clone(),
        None => Config::discover(&cwd)?,
    };
    let flag_paths = |flag: &str, values: &[String]| -> Result<Option<Vec<PathBuf>>> {
        if values.is_empty() {
            return Ok(None);
        }
        values
            .iter()
            .map(|v| {
                config::normalize(v).map_err(|why| {
                    Error::with_help(
                        format!("{flag} {v}: {why}"),
                        "paths on the command line are relative to the top of each input (the configuration file's directory for the working tree and git revisions)",
                    )
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    };
    let layout = LayoutFlags {
        roots: flag_paths("--root", roots)?,
        includes: flag_paths("--include", includes)?,
        excludes: flag_paths("--exclude", excludes)?,
        buf_cache: crate::input::buf_cache_dir(|name| std::env::var_os(name)),
    };
    // Flags are checked before any revision is read.
    layout.apply(&discovered)?;
    Ok(Inputs {
        cwd,
        config,
        against_config,
        discovered,
        layout,
    })
}

/// The revision to judge: the staged index, the input named, or the working tree.
fn current_source(staged: bool, input: Option<&str>) -> Result<Source> {
    if staged {
        Ok(Source::Staged)
    } else {
        match input {
            Some(input) => Source::parse(input, false),
            None => Ok(Source::Directory(PathBuf::from("."))),
        }
    }
}

/// `--path` / `--exclude-path` values, normalised (`./proto/a/` is `proto/a`).
fn checked_paths(flag: &str, values: &[String]) -> Result<Vec<String>> {
    values
        .iter()
        .map(|v| {
            config::normalize(v)
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .map_err(|why| {
                    Error::with_help(
                        format!("{flag} {v}: {why}"),
                        "paths are relative to the repository root for the working tree and git revisions, to the input directory for a directory input",
                    )
                })
        })
        .collect()
}

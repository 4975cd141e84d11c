//! The command line: clap arguments are resolved into [`check::Settings`] in one place, commands
//! run on settings, and everything is written through the reporter to the writers given.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::check;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::report::{self, Format, Human, Revisions};

mod catalog;
mod settings;

use catalog::{explain, init, rules};
use settings::{lint_settings, settings};

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at error severity
  1  findings at error severity
  2  the check could not run (bad arguments or configuration, unknown revision, a revision that does not compile;
     with --fix or --diff: an input that is not on disk, or a fix that would not compile)
With --diff: 0 nothing to change, 1 a change was shown (nothing is written).";

#[derive(Parser)]
#[command(name = "protoguard", version, about = "Protobuf schema governance and breaking-change checker", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare the schema against a previous revision and report breaking changes.
    #[command(after_help = EXIT_CODES)]
    Breaking(Box<BreakingArgs>),
    /// Lint the schema: every finding, or with --against only those the change introduces.
    #[command(after_help = EXIT_CODES)]
    Lint(Box<LintArgs>),
    /// Show the history ledger: every field number and enum value each message and enum had on
    /// the branch's first-parent history, which are retired, and which are not reserved.
    History(HistoryArgs),
    /// List every rule, breaking then lint: ID, categories, default severity and summary.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain {
        /// The rule ID, e.g. FIELD_NO_DELETE.
        id: String,
    },
    /// Write a commented protoguard.toml in the current directory, converting a buf.yaml or
    /// buf.work.yaml found there.
    Init {
        /// Overwrite an existing protoguard.toml.
        #[arg(long)]
        force: bool,
        /// Fail unless there is a buf.yaml or buf.work.yaml to convert.
        #[arg(long)]
        from_buf: bool,
    },
}

#[derive(Args)]
struct HistoryArgs {
    /// The branch tip to walk back from.
    #[arg(default_value = "HEAD")]
    rev: String,
    /// Walk only the commits after this revision.
    #[arg(long, value_name = "REVISION")]
    since: Option<String>,
    /// Walk at most this many first-parent commits, newest first.
    #[arg(long, value_name = "N")]
    max_count: Option<usize>,
    /// `text` (a summary per message and enum) or `json` (the whole ledger).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
    /// Neither read nor write the ledger cache (under the git directory).
    #[arg(long)]
    no_cache: bool,
}

#[derive(Args)]
struct RulesArgs {
    /// Only the rules the configuration selects (the one found from the current directory, or
    /// --config), with their configured severity, as `buf config ls-*-rules --configured-only`.
    #[arg(long)]
    configured_only: bool,
    /// With --configured-only: the configuration to read (a protoguard.toml, buf.yaml or
    /// buf.work.yaml file, or buf.yaml data) instead of discovering one.
    #[arg(long, requires = "configured_only")]
    config: Option<String>,
    /// Only the rules of one kind.
    #[arg(long, value_parser = ["breaking", "lint"])]
    kind: Option<String>,
    /// `text` (grouped by kind and category) or `json` (one array of rule objects).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
}

#[derive(Args)]
struct BreakingArgs {
    /// The current revision: a directory (default: the working tree, `.`), a descriptor set file,
    /// or `git:<rev>`.
    input: Option<String>,
    /// The previous revision: a git revision (branch, tag, SHA, HEAD~1, origin/main), a directory,
    /// or a FileDescriptorSet file (protoc -o / buf build -o), or buf's git syntax
    /// (.git#branch=main, file:///srv/schemas.git#tag=v1,subdir=proto). Prefix with git:, dir:
    /// or desc: to force one reading. With --staged, defaults to HEAD.
    #[arg(long, value_name = "REVISION")]
    against: Option<String>,
    /// Compare against the merge base of HEAD and --against, as a pull request sees it.
    #[arg(long)]
    merge_base: bool,
    /// Check the staged index instead of the working tree (what a pre-commit hook sees).
    #[arg(long, conflicts_with = "input")]
    staged: bool,
    #[command(flatten)]
    layout: LayoutArgs,
    /// Run these categories (FILE, PACKAGE, WIRE_JSON, WIRE, CSR, HISTORY) instead of the configured ones.
    #[arg(long, value_name = "CATEGORY")]
    category: Vec<String>,
    /// Run these rule IDs instead of the configured ones (combines with --category).
    #[arg(long, value_name = "RULE_ID")]
    rule: Vec<String>,
    /// Do not run these rule IDs or categories.
    #[arg(long, value_name = "RULE_ID|CATEGORY")]
    except: Vec<String>,
    #[command(flatten)]
    scope: ScopeArgs,
    /// Compare every file, not only those the change can affect.
    #[arg(long)]
    full: bool,
    /// The history debt rules (FIELD_RETIRED_RESERVED, ENUM_VALUE_RETIRED_RESERVED) report every
    /// message and enum, not only those the change touches (implies --full); with --fix, reserve
    /// a whole schema's retired numbers and names at once.
    #[arg(long)]
    all_debt: bool,
    /// Warn about `protoguard:ignore` comments in the compared files that silenced nothing.
    #[arg(long)]
    report_unused_ignores: bool,
    /// Add the `reserved` numbers and names that deletions left unreserved to the current
    /// revision's files (the working tree or a directory), check the result, write it
    /// atomically, and report what remains.
    #[arg(long)]
    fix: bool,
    /// Print what --fix would change as a unified diff and write nothing.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Report findings that reach no RPC (elements no request or response holds) as warnings,
    /// so that only changes that reach a service fail (`impact_only` in `[breaking]`).
    #[arg(long)]
    impact_only: bool,
    /// List every RPC each finding reaches in human output, not only the first few.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    output: OutputArgs,
    /// The current revision's configuration: a protoguard.toml, buf.yaml or buf.work.yaml file,
    /// or buf.yaml data, used instead of the input's own (and for a previous revision that has
    /// none of its own). Default: the input's own, else the one found from the working directory.
    #[arg(long, value_name = "FILE|DATA")]
    config: Option<String>,
    /// The previous revision's configuration (file or buf.yaml data), used instead of the one
    /// the revision holds. Default: the revision's own, else as for the current revision.
    #[arg(long, value_name = "FILE|DATA")]
    against_config: Option<String>,
}

#[derive(Args)]
struct LintArgs {
    /// The revision to lint: a directory (default: the working tree, `.`), a descriptor set file,
    /// or `git:<rev>`.
    input: Option<String>,
    /// Report only findings that are new since this revision (a git revision, a directory or a
    /// descriptor set): a finding is new when the previous revision had none of the same rule
    /// on the same element (matched by full name, not by line).
    #[arg(long, value_name = "REVISION")]
    against: Option<String>,
    /// With --against: compare against the merge base of HEAD and that revision.
    #[arg(long, requires = "against")]
    merge_base: bool,
    /// Lint the staged index instead of the working tree (what a pre-commit hook sees).
    #[arg(long, conflicts_with = "input")]
    staged: bool,
    #[command(flatten)]
    layout: LayoutArgs,
    /// Run these categories (MINIMAL, BASIC, STANDARD, COMMENTS, UNARY_RPC, ENUM_ZERO_VALUE)
    /// instead of the configured ones.
    #[arg(long, value_name = "CATEGORY")]
    category: Vec<String>,
    /// Run these rule IDs instead of the configured ones (combines with --category).
    #[arg(long, value_name = "RULE_ID")]
    rule: Vec<String>,
    /// Do not run these rule IDs or categories.
    #[arg(long, value_name = "RULE_ID|CATEGORY")]
    except: Vec<String>,
    #[command(flatten)]
    scope: ScopeArgs,
    /// With --against: lint every file, not only those the change can affect.
    #[arg(long)]
    full: bool,
    /// Warn about `protoguard:ignore` comments in the linted files that silenced nothing.
    #[arg(long)]
    report_unused_ignores: bool,
    /// With --against: list every RPC each finding reaches in human output, not only the first
    /// few.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    output: OutputArgs,
    /// The current revision's configuration: a protoguard.toml, buf.yaml or buf.work.yaml file,
    /// or buf.yaml data, used instead of the input's own. Default: the input's own, else the one
    /// found from the working directory.
    #[arg(long, value_name = "FILE|DATA")]
    config: Option<String>,
    /// With --against: the previous revision's configuration (file or buf.yaml data). Only its
    /// layout matters: rules and options come from the current revision's configuration.
    #[arg(long, value_name = "FILE|DATA", requires = "against")]
    against_config: Option<String>,
}

/// Where each revision's files are: flags shared by breaking and lint.
#[derive(Args)]
struct LayoutArgs {
    /// A module root inside each revision, e.g. proto/ (repeatable; replaces the configured
    /// roots).
    #[arg(long = "root", value_name = "DIR")]
    roots: Vec<String>,
    /// An include path inside each revision, for imports that are not checked (repeatable;
    /// replaces the configured includes).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    includes: Vec<String>,
    /// A file or directory to skip inside each revision (repeatable; replaces the configured
    /// excludes).
    #[arg(long = "exclude", value_name = "PATH")]
    excludes: Vec<String>,
}

/// Which findings are reported, by path: flags shared by breaking and lint.
#[derive(Args)]
struct ScopeArgs {
    /// Report only findings in this file or directory, as reported (relative to the repository
    /// root, or to the input directory); repeatable, as in buf.
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Report no finding in this file or directory (repeatable), as in buf.
    #[arg(long = "exclude-path", value_name = "PATH")]
    exclude_paths: Vec<String>,
}

/// How findings are written: flags shared by breaking and lint.
#[derive(Args)]
struct OutputArgs {
    /// Output format on standard output (docs/output-formats.md). `--error-format` is the
    /// same flag under buf's name, with buf's values (`github-actions`, `gitlab-code-quality`).
    #[arg(long, alias = "error-format", value_enum, default_value_t = Format::Human)]
    format: Format,
    #[command(flatten)]
    reports: ReportArgs,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// Report files and paths, beside `--format`.
#[derive(Args)]
struct ReportArgs {
    /// Also write this format to this file, atomically (repeatable; one check, many reports),
    /// e.g. --output sarif=protoguard.sarif --output junit=protoguard.xml.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = report::parse_output)]
    outputs: Vec<(Format, PathBuf)>,
    /// Write a Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY"); same as
    /// --output markdown=FILE. On GitHub Actions its links point at the checked-out commit.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Prefix every reported path with this directory (all formats but human). Paths are already
    /// relative to the repository root (or to a directory input); this is for unusual layouts.
    #[arg(long, value_name = "DIR", value_parser = report::parse_path_prefix)]
    path_prefix: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = write!(stdout, "{}", err.render());
                    0
                }
                _ => {
                    let _ = write!(stderr, "{}", err.render());
                    2
                }
            };
        }
    };
    let result = match cli.command {
        Command::Breaking(args) => breaking(*args, stdout, stderr),
        Command::Lint(args) => lint(*args, stdout, stderr),
        Command::History(args) => crate::history::command(
            &std::env::current_dir().unwrap_or_default(),
            &crate::history::Options {
                rev: args.rev,
                since: args.since,
                max_count: args.max_count,
                no_cache: args.no_cache,
            },
            args.format == "json",
            stdout,
            stderr,
        ),
        Command::Rules(args) => rules(&args, stdout).map(|()| 0),
        Command::Explain { id } => explain(&id, stdout).map(|()| 0),
        Command::Init { force, from_buf } => init(force, from_buf, stdout).map(|()| 0),
    }
    // Buffered output that cannot be written is an error too (a full disk), not only at exit.
    .and_then(|code| ignore_broken_pipe(stdout.flush()).map(|()| code));
    match result {
        Ok(code) => code,
        Err(error) => {
            let human = Human {
                color: std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
                width: terminal_width(),
            };
            // Nowhere left to report a failure to write the error itself.
            let _ = report::render_error(&error, &human, stderr);
            2
        }
    }
}

fn breaking(args: BreakingArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<u8> {
    let files = report_files(&args.output.reports)?;
    let settings = settings(&args)?;
    let outcome = if args.fix || args.diff {
        match crate::fix::command(&settings, args.diff, stdout, stderr)? {
            crate::fix::Ran::Report(outcome) => outcome,
            crate::fix::Ran::Exit(code) => return Ok(code),
        }
    } else {
        check::breaking(&settings)?
    };
    write_notes(&outcome, stderr);
    emit(
        &outcome,
        Emit {
            command: report::Command::Breaking,
            format: args.output.format,
            reports: &args.output.reports,
            files: &files,
            color: args.output.color,
            verbose: args.verbose,
        },
        stdout,
    )
}

fn lint(args: LintArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<u8> {
    let files = report_files(&args.output.reports)?;
    let settings = lint_settings(&args)?;
    let outcome = crate::lint::lint(&settings)?;
    write_notes(&outcome, stderr);
    emit(
        &outcome,
        Emit {
            command: if settings.against.is_some() {
                report::Command::LintAgainst
            } else {
                report::Command::Lint
            },
            format: args.output.format,
            reports: &args.output.reports,
            files: &files,
            color: args.output.color,
            verbose: args.verbose,
        },
        stdout,
    )
}

/// What loading the revisions took that the user should know (objects fetched into a partial
/// clone, a repository cloned), on stderr: not part of any report.
fn write_notes(outcome: &check::Outcome, stderr: &mut dyn Write) {
    for note in &outcome.notes {
        // A note that cannot be written does not change the result.
        let _ = writeln!(stderr, "protoguard: {note}");
    }
}

/// How to render an outcome: the format on standard output and the report files.
struct Emit<'a> {
    command: report::Command,
    format: Format,
    reports: &'a ReportArgs,
    files: &'a [(Format, PathBuf)],
    color: Color,
    /// Every RPC a finding reaches, in human output.
    verbose: bool,
}

/// The report files asked for (`--output`, `--summary`), each path once.
fn report_files(reports: &ReportArgs) -> Result<Vec<(Format, PathBuf)>> {
    let mut files = reports.outputs.clone();
    if let Some(summary) = &reports.summary {
        files.push((Format::Markdown, summary.clone()));
    }
    for (i, (format, path)) in files.iter().enumerate() {
        if files[..i].iter().any(|(_, p)| p == path) {
            return Err(Error::invalid(format!(
                "--output/--summary: {} is given twice",
                path.display()
            )));
        }
        // Checked before the check runs, so that exit code 2 never follows a report: a
        // temporary file is created where the report will go, and removed.
        crate::atomic::stage(path, b"").map_err(|err| {
            Error::with_help(
                format!(
                    "cannot write the {} report to {}: {err}",
                    format.name(),
                    path.display()
                ),
                "choose a path in an existing, writable directory",
            )
        })?;
    }
    Ok(files)
}

/// Renders an outcome on standard output and into the report files; the exit code.
fn emit(outcome: &check::Outcome, how: Emit, stdout: &mut dyn Write) -> Result<u8> {
    let reports = how.reports;
    let color = match how.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    // On GitHub Actions the summary links lines at the commit being checked.
    let github = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let link_base = match (
        github("GITHUB_SERVER_URL"),
        github("GITHUB_REPOSITORY"),
        github("GITHUB_SHA"),
    ) {
        (Some(server), Some(repository), Some(sha)) => Some(format!(
            "{}/{repository}/blob/{sha}/",
            server.trim_end_matches('/')
        )),
        _ => None,
    };
    let mut context = report::Context::new(
        Revisions {
            previous: &outcome.previous,
            current: &outcome.current,
        },
        Human {
            color,
            width: terminal_width(),
        },
    );
    context.rules = Some(&outcome.rules);
    context.command = how.command;
    context.path_prefix = reports.path_prefix.clone().unwrap_or_default();
    context.link_base = link_base;
    context.verbose = how.verbose;
    // Everything is rendered and every report file staged before anything is shown: a report
    // that cannot be written stops the run (exit 2) with no report on stdout or on disk.
    let mut shown = Vec::new();
    context
        .render(how.format, &outcome.findings, &mut shown)
        .map_err(|err| Error::invalid(format!("cannot render the report: {err}")))?;
    context.human.color = false;
    let mut staged = Vec::new();
    for (format, path) in how.files {
        let cannot = |err: std::io::Error| {
            Error::invalid(format!(
                "cannot write the {} report to {}: {err}",
                format.name(),
                path.display()
            ))
        };
        let mut bytes = Vec::new();
        context
            .render(*format, &outcome.findings, &mut bytes)
            .map_err(cannot)?;
        staged.push((
            crate::atomic::stage(path, &bytes).map_err(cannot)?,
            *format,
            path,
        ));
    }
    for (file, format, path) in staged {
        file.commit(true).map_err(|err| {
            Error::invalid(format!(
                "cannot write the {} report to {}: {err}",
                format.name(),
                path.display()
            ))
        })?;
    }
    ignore_broken_pipe(stdout.write_all(&shown))?;
    let failed = outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    Ok(u8::from(failed))
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
}

/// A reader that closed the pipe (`protoguard … | head`) is not an error; any other failure to
/// write the output is (exit code 2), since the output is what the user asked for.
fn ignore_broken_pipe(result: std::io::Result<()>) -> Result<()> {
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::invalid(format!("cannot write the output: {err}")))
        }
        _ => Ok(()),
    }
}

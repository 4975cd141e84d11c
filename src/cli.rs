//! The command line: clap arguments are resolved into [`check::Settings`] in one place, commands
//! run on settings, and everything is written through the reporter to the writers given.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::check::{self, Settings};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::input::{Layout, Source};
use crate::registry::{self, BREAKING, BREAKING_CATEGORIES};
use crate::report::{self, Format, Human, Revisions};

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at error severity
  1  findings at error severity
  2  the check could not run (bad arguments or configuration, unknown revision, a revision that does not compile)";

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
    Breaking(BreakingArgs),
    /// List every rule: ID, categories, default severity and summary.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// The rule ID, e.g. FIELD_NO_DELETE.
        id: String,
    },
}

#[derive(Args)]
struct BreakingArgs {
    /// The current revision: a directory (default: the working tree, `.`), a descriptor set file,
    /// or `git:<rev>`.
    input: Option<String>,
    /// The previous revision: a git revision (branch, tag, SHA, HEAD~1, origin/main), a directory,
    /// or a FileDescriptorSet file (protoc -o / buf build -o). Prefix with git:, dir: or desc: to
    /// force one reading.
    #[arg(long, value_name = "REVISION")]
    against: String,
    /// Compare against the merge base of HEAD and --against, as a pull request sees it.
    #[arg(long)]
    merge_base: bool,
    /// Check the staged index instead of the working tree (what a pre-commit hook sees).
    #[arg(long, conflicts_with = "input")]
    staged: bool,
    /// The module root inside each revision (e.g. proto/).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// An include path inside each revision, for imports that are not checked (repeatable).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    includes: Vec<PathBuf>,
    /// Run these categories (FILE, PACKAGE, WIRE_JSON, WIRE) instead of the configured ones.
    #[arg(long, value_name = "CATEGORY")]
    category: Vec<String>,
    /// Run these rule IDs instead of the configured ones (combines with --category).
    #[arg(long, value_name = "RULE_ID")]
    rule: Vec<String>,
    /// Do not run these rule IDs or categories.
    #[arg(long, value_name = "RULE_ID|CATEGORY")]
    except: Vec<String>,
    /// Compare every file, not only those the change can affect.
    #[arg(long)]
    full: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Read this configuration file instead of discovering protoguard.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
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
            let _ = write!(stderr, "{}", err.render());
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = write!(stdout, "{}", err.render());
                    0
                }
                _ => 2,
            };
        }
    };
    let result = match cli.command {
        Command::Breaking(args) => breaking(args, stdout, stderr),
        Command::Rules => rules(stdout).map(|()| 0),
        Command::Explain { id } => explain(&id, stdout).map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let human = Human {
                color: std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
                width: terminal_width(),
            };
            ignore_broken_pipe(report::render_error(&error, &human, stderr));
            2
        }
    }
}

fn breaking(args: BreakingArgs, stdout: &mut dyn Write, _stderr: &mut dyn Write) -> Result<u8> {
    let settings = settings(&args)?;
    let outcome = check::breaking(&settings)?;
    let human = Human {
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        },
        width: terminal_width(),
    };
    let revisions = Revisions {
        previous: &outcome.previous,
        current: &outcome.current,
    };
    ignore_broken_pipe(report::render(
        args.format,
        &outcome.findings,
        &revisions,
        &human,
        stdout,
    ));
    let failed = outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    Ok(u8::from(failed))
}

/// Resolves arguments and configuration into settings: flags over protoguard.toml over defaults.
fn settings(args: &BreakingArgs) -> Result<Settings> {
    let cwd = std::env::current_dir()
        .map_err(|err| Error::invalid(format!("cannot read the current directory: {err}")))?;
    let config = match &args.config {
        Some(path) => Config::load(&cwd.join(path))?,
        None => Config::discover(&cwd)?,
    };
    let config_name = config
        .path
        .as_ref()
        .map_or_else(|| "defaults".to_owned(), |p| p.display().to_string());
    let layout = Layout {
        root: args
            .root
            .clone()
            .or_else(|| config.module.root.clone())
            .unwrap_or_default(),
        includes: if args.includes.is_empty() {
            config.module.includes.clone()
        } else {
            args.includes.clone()
        },
    };
    let (uses, where_) = if args.category.is_empty() && args.rule.is_empty() {
        (config.breaking.use_.clone(), config_name.as_str())
    } else {
        for category in &args.category {
            if !BREAKING_CATEGORIES.contains(&category.as_str()) {
                return Err(Error::with_help(
                    format!("--category {category}: unknown category"),
                    format!("categories are {}", BREAKING_CATEGORIES.join(", ")),
                ));
            }
        }
        (
            args.category.iter().chain(&args.rule).cloned().collect(),
            "command line",
        )
    };
    let mut except = config.breaking.except.clone();
    except.extend(args.except.iter().cloned());
    let rules = registry::select(&uses, &except, where_)?;
    let current = if args.staged {
        Source::Staged
    } else {
        match &args.input {
            Some(input) => Source::parse(input, false),
            None => Source::Directory(PathBuf::from(".")),
        }
    };
    Ok(Settings {
        cwd,
        current,
        against: Source::parse(&args.against, args.merge_base),
        layout,
        rules,
        full: args.full,
    })
}

fn rules(out: &mut dyn Write) -> Result<()> {
    let width = BREAKING.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for category in BREAKING_CATEGORIES {
        let members: Vec<_> = BREAKING
            .iter()
            .filter(|r| r.meta().categories.iter().any(|c| c == category))
            .collect();
        text.push_str(&format!("{category} ({} rules)\n", members.len()));
        for rule in members {
            let meta = rule.meta();
            text.push_str(&format!(
                "  {:width$}  {:7}  {}\n",
                rule.id,
                meta.default.as_str(),
                meta.summary
            ));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "{} breaking rules. Default selection: FILE. `protoguard explain RULE_ID` prints a rule's documentation.\n",
        BREAKING.len()
    ));
    ignore_broken_pipe(out.write_all(text.as_bytes()));
    Ok(())
}

fn explain(id: &str, out: &mut dyn Write) -> Result<()> {
    let wanted = id.to_ascii_uppercase();
    let Some(rule) = registry::find(&wanted) else {
        let near: Vec<&str> = BREAKING
            .iter()
            .map(|r| r.id)
            .filter(|r| r.contains(&wanted) || wanted.contains(r))
            .collect();
        let help = if near.is_empty() {
            "`protoguard rules` lists every rule ID".to_owned()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(Error::with_help(format!("unknown rule '{id}'"), help));
    };
    let meta = rule.meta();
    let text = format!(
        "{} ({} rule; categories: {}; default severity: {})\n\n{}\n",
        rule.id,
        meta.kind,
        meta.categories.join(", "),
        meta.default.as_str(),
        rule.body().trim()
    );
    ignore_broken_pipe(out.write_all(text.as_bytes()));
    Ok(())
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
}

/// A reader that closed the pipe (`protoguard … | head`) is not an error.
fn ignore_broken_pipe(result: std::io::Result<()>) {
    let _ = result;
}

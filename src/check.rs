//! The breaking check, end to end: read both revisions, plan which files the change affects,
//! compile both sides concurrently, pair and run the rules.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::compile;
use crate::error::{Error, Result};
use crate::filter::{self, FilterSettings};
use crate::finding::{Finding, Side};
use crate::input::{Content, Layout, Snapshot, Source};
use crate::pairs;
use crate::plan;
use crate::registry::Enabled;

/// Everything a breaking check needs, resolved from arguments and configuration.
pub struct Settings {
    /// Where the paths the user typed are anchored and the git repository is found.
    pub cwd: PathBuf,
    /// Where the layout's paths start for the working tree and, at the same place in each
    /// revision, for git revisions: the configuration file's directory, else `cwd`.
    pub top: PathBuf,
    pub current: Source,
    pub against: Source,
    pub layout: Layout,
    pub rules: Vec<Enabled>,
    /// Compare every file, not only those the change can affect.
    pub full: bool,
    /// What not to report.
    pub filter: FilterSettings,
}

/// The outcome of a check: findings plus both revisions (for rendering source frames).
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub previous: Arc<Snapshot>,
    pub current: Arc<Snapshot>,
    /// How many files were compiled and compared on each side (previous, current).
    pub compared: (usize, usize),
}

pub fn breaking(settings: &Settings) -> Result<Outcome> {
    let (previous, current) = std::thread::scope(|s| {
        let previous = s.spawn(|| {
            settings
                .against
                .read(&settings.cwd, &settings.top, &settings.layout)
        });
        let current = settings
            .current
            .read(&settings.cwd, &settings.top, &settings.layout);
        (join(previous), current)
    });
    let previous = Arc::new(previous?);
    let current = Arc::new(current?);

    let names: BTreeSet<String> = match (&previous.content, &current.content) {
        (Content::Sources(old), Content::Sources(new)) => {
            if old.files.is_empty() && new.files.is_empty() {
                return Err(Error::with_help(
                    format!(
                        "no .proto files in either revision ({} and {}) under {}",
                        previous.label,
                        current.label,
                        settings.layout.describe_roots()
                    ),
                    "pass --root with the directory that holds your .proto files, or set roots in protoguard.toml",
                ));
            }
            let whole_packages = settings
                .rules
                .iter()
                .any(|r| matches!(r.check, crate::registry::Check::Package(_)));
            plan::affected(old, new, settings.full, whole_packages)
        }
        // A descriptor set has no bytes to compare: everything is compared.
        (old, new) => [old, new]
            .into_iter()
            .filter_map(|c| match c {
                Content::Sources(s) => Some(s.files.keys().cloned()),
                Content::Descriptors(_) => None,
            })
            .flatten()
            .collect(),
    };
    let includes_of = |content: &Content| -> Vec<String> {
        match content {
            Content::Sources(s) => s.includes.keys().cloned().collect(),
            Content::Descriptors(_) => Vec::new(),
        }
    };
    // A descriptor set's files that the other side imports from an include path are dependencies.
    let includes_for_previous = includes_of(&current.content);
    let includes_for_current = includes_of(&previous.content);

    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| {
            let includes: Vec<&str> = includes_for_previous.iter().map(String::as_str).collect();
            compile::compile(previous.clone(), Side::Previous, &names, &includes)
        });
        let includes: Vec<&str> = includes_for_current.iter().map(String::as_str).collect();
        let new = compile::compile(current.clone(), Side::Current, &names, &includes);
        (join(old), new)
    });
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(a), Err(b)) => return Err(Error::Multiple(vec![a, b])),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let compared = (old.files().len(), new.files().len());
    let findings = pairs::run(&old, &new, &settings.rules);
    let findings = filter::apply(findings, &settings.filter, &settings.rules, &old, &new);
    drop((old, new));
    Ok(Outcome {
        findings,
        previous,
        current,
        compared,
    })
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

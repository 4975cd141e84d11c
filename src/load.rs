//! Loading revisions, shared by every command that judges a schema (`breaking`, `lint`): read
//! each input with its own configuration ([`Source::load`]), decide which files to compile,
//! compile (two revisions on two threads) and build the schema view. What a command then runs on the schemas is its own
//! business; how a revision is loaded is decided here only (DESIGN.md §1).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::compile::{self, CompileOptions, Spans};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::Side;
use crate::headers::Headers;
use crate::input::{
    ConfigChoice, Content, Layout, LayoutFlags, Revision, Snapshot, Source, Sources,
};
use crate::plan;
use crate::schema::Schema;

/// Where revisions are read from and with which configuration: the directory the user's paths
/// are anchored at, the configurations the command line forces on each side, the one for a
/// revision that has none of its own, and the layout flags laid over each (see
/// [`ConfigChoice`]).
pub struct Inputs<'a> {
    pub cwd: &'a Path,
    /// `--config`: the current side's configuration.
    pub config: Option<&'a Config>,
    /// `--against-config`: the previous side's configuration.
    pub against_config: Option<&'a Config>,
    pub discovered: &'a Config,
    pub layout: &'a LayoutFlags,
}

/// Loads the current revision with its configuration.
pub fn load_one(inputs: &Inputs, current: &Source) -> Result<Revision> {
    let choice = ConfigChoice {
        forced: inputs.config,
        fallback: inputs.discovered,
    };
    current.load(inputs.cwd, choice, inputs.layout)
}

/// Loads two revisions concurrently, each with its own configuration: (previous, current).
pub fn load_pair(
    inputs: &Inputs,
    previous: &Source,
    current: &Source,
) -> Result<(Revision, Revision)> {
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| {
            let choice = ConfigChoice {
                forced: inputs.against_config,
                fallback: inputs.discovered,
            };
            previous.load(inputs.cwd, choice, inputs.layout)
        });
        let new = load_one(inputs, current);
        (join(old), new)
    });
    Ok((old?, new?))
}

/// An empty revision: what a single-revision command shows as "previous".
pub fn empty(label: &str) -> Arc<Snapshot> {
    Arc::new(Snapshot {
        label: label.to_owned(),
        content: Content::Sources(Sources::default()),
    })
}

/// The module files of two revisions that a change can affect (all of them with `full`), see
/// [`plan::affected`]. `whole_packages`: rules that compare the files of a package with each
/// other run, so touched packages are taken whole. Errors when neither revision has a file.
pub fn plan_pair(
    previous: &Snapshot,
    current: &Snapshot,
    layout: &Layout,
    full: bool,
    whole_packages: bool,
) -> Result<BTreeSet<String>> {
    Ok(match (&previous.content, &current.content) {
        (Content::Sources(old), Content::Sources(new)) => {
            if old.files.is_empty() && new.files.is_empty() {
                return Err(Error::with_help(
                    format!(
                        "no .proto files in either revision ({} and {}) under {}",
                        previous.label,
                        current.label,
                        layout.describe_roots()
                    ),
                    "pass --root with the directory that holds your .proto files, or set roots in protoguard.toml",
                ));
            }
            let mut headers = Headers::for_pair(old, new);
            let affected = plan::affected(old, new, full, whole_packages, &mut headers)?;
            headers.save();
            affected
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
    })
}

/// Every module file of one revision. Errors when there is none.
pub fn plan_all(snapshot: &Snapshot, layout: &Layout) -> Result<BTreeSet<String>> {
    match &snapshot.content {
        Content::Sources(sources) if sources.files.is_empty() => Err(Error::with_help(
            format!(
                "no .proto files in {} under {}",
                snapshot.label,
                layout.describe_roots()
            ),
            "pass --root with the directory that holds your .proto files, or set roots in protoguard.toml",
        )),
        Content::Sources(sources) => Ok(sources.files.keys().cloned().collect()),
        Content::Descriptors(_) => Ok(BTreeSet::new()),
    }
}

fn includes_of(content: &Content) -> Vec<String> {
    match content {
        Content::Sources(s) => s.includes.keys().cloned().collect(),
        Content::Descriptors(_) => Vec::new(),
    }
}

/// Compiles the files `names` of two revisions concurrently: (previous, current), each file
/// both hold with the same bytes parsed once (see [`compile::SharedParses`]). A descriptor
/// set's files that the other side imports from an include path are dependencies, not module.
pub fn compile_pair(
    previous: &Arc<Snapshot>,
    current: &Arc<Snapshot>,
    names: &BTreeSet<String>,
) -> Result<(Schema, Schema)> {
    let includes_for_previous = includes_of(&current.content);
    let includes_for_current = includes_of(&previous.content);
    // The files both revisions hold with the same bytes are parsed by one side only.
    let options = CompileOptions {
        spans: Spans::OnDemand,
        read_ahead: false,
        parses: compile::SharedParses::new(previous, current),
    };
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| {
            let includes: Vec<&str> = includes_for_previous.iter().map(String::as_str).collect();
            compile::compile(
                previous.clone(),
                Side::Previous,
                names,
                &includes,
                options.clone(),
            )
        });
        let includes: Vec<&str> = includes_for_current.iter().map(String::as_str).collect();
        let new = compile::compile(
            current.clone(),
            Side::Current,
            names,
            &includes,
            options.clone(),
        );
        (join(old), new)
    });
    match (old, new) {
        (Ok(old), Ok(new)) => Ok((old, new)),
        (Err(a), Err(b)) => Err(Error::Multiple(vec![a, b])),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Compiles the files `names` of one revision.
pub fn compile_one(
    snapshot: &Arc<Snapshot>,
    side: Side,
    names: &BTreeSet<String>,
    spans: Spans,
) -> Result<Schema> {
    // A compile on its own: a second core reads the files ahead.
    let options = CompileOptions {
        spans,
        read_ahead: true,
        parses: None,
    };
    compile::compile(snapshot.clone(), side, names, &[], options)
}

/// A schema with no files, standing for the missing previous revision of a single-revision check.
pub fn empty_schema(snapshot: &Arc<Snapshot>) -> Schema {
    Schema::new(
        snapshot.clone(),
        Side::Previous,
        prost_reflect::DescriptorPool::new(),
        &[],
        std::collections::HashMap::new(),
    )
}

/// Frees compiled schemas on a thread of their own, which nothing joins. A whole revision's
/// pool is hundreds of thousands of small allocations (freeing them was about 6 % of a
/// whole-revision lint, all on the thread that then writes the report); the report does not
/// wait for it, and at exit the process's memory is returned whole. When no thread can be
/// started, the value is dropped here.
pub fn release(value: impl Send + 'static) {
    let _ = std::thread::Builder::new()
        .name("protoguard-free".into())
        .spawn(move || drop(value));
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

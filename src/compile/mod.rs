//! Compilation with protox, in-process: a snapshot's sources (or descriptor set) become a
//! descriptor pool. A file that does not compile is a diagnostic with its span.
//!
//! Source files are compiled *without* their `SourceCodeInfo`: it is about three quarters of a
//! compiled file (buf's images: 41 MB with it, 10.6 MB without, on the 3,000-file bench corpus),
//! and a check needs the spans and comments of only the few files that have findings or ignore
//! directives. Those are parsed again on demand ([`source_info::parse_spans`], kept per
//! file by the [`Schema`]). When a compile fails, it runs again with source info, so that protox's
//! diagnostics keep their code frames.
//! An editions file is lowered to proto2 text first ([`crate::editions::lower`]); protox's
//! diagnostics about it are re-rendered against the original text, and the checks protoc makes
//! on editions that a proto2 compile does not are made here ([`crate::editions::validate`]).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use miette::{Diagnostic, NamedSource, SourceSpan};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use crate::editions::{self, FileEdition};
use crate::error::{Error, Result};
use crate::finding::Side;
use crate::input::{without_bom, Content, DescriptorSet, MissingImport, Snapshot, Sources};
use crate::schema::Schema;

mod read;
mod shared;
mod source_info;
#[cfg(test)]
mod tests;
use read::{Ahead, Unprepared};
pub use shared::SharedParses;
pub use source_info::{parse_spans, Captured};

/// When the spans and comments of a revision's source files are read (see the module
/// documentation).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Spans {
    /// Parsed again for the files that need them: a breaking check locates few files.
    OnDemand,
    /// Taken from the compile's own parse of every checked file, for a check that locates
    /// nearly all of them (a lint of a whole revision): no file is parsed twice. Comments are
    /// kept with `comments`, and otherwise only in files that hold an inline ignore directive
    /// (every marker contains `:ignore`), the only other reader of comments.
    Kept { comments: bool },
}

/// How a compile runs.
#[derive(Clone)]
pub struct CompileOptions {
    pub spans: Spans,
    /// Read the checked files on a second thread while protox links (see [`read`]): for a
    /// compile that runs alone, not for the two sides of a comparison, which already use both
    /// cores.
    pub read_ahead: bool,
    /// Parses of the files both revisions of a comparison hold, left by one side for the other
    /// ([`SharedParses`]; used with [`Spans::OnDemand`] only).
    pub parses: Option<Arc<SharedParses>>,
}

/// Compiles the module files `names` of a snapshot (with whatever they import) into a [`Schema`]
/// whose checked files are those names. For a descriptor set, `names` is ignored: every file of
/// the set that is not an import (see [`descriptor_set_module`]) is checked.
pub fn compile(
    snapshot: Arc<Snapshot>,
    side: Side,
    names: &BTreeSet<String>,
    other_includes: &[&str],
    options: CompileOptions,
) -> Result<Schema> {
    match &snapshot.content {
        Content::Sources(sources) => {
            let names: Vec<String> = names
                .iter()
                .filter(|n| sources.files.contains_key(*n))
                .cloned()
                .collect();
            let (pool, editions, kept) =
                match compile_sources(&snapshot, &names, Lean(options.spans), &options) {
                    Ok(compiled) => compiled,
                    // The failure again, this time with source info for its code frame.
                    Err(lean) => match compile_sources(&snapshot, &names, Framed, &FRAMED) {
                        Err(framed) => return Err(framed),
                        Ok(_) => return Err(lean),
                    },
                };
            let mut schema = Schema::new(snapshot, side, pool, &names, editions);
            schema.keep_spans(kept);
            Ok(schema)
        }
        Content::Descriptors(set) => {
            let (pool, names) = compile_descriptor_set(&snapshot, set, other_includes)?;
            let editions = set.editions.clone();
            // A descriptor set's files keep their source info in the pool (`spans` is moot).
            Ok(Schema::new(snapshot, side, pool, &names, editions))
        }
    }
}

/// How a compile treats the source info of the snapshot's own files.
#[derive(Clone, Copy)]
enum SourceInfoMode {
    /// Not in the pool; with [`Spans::Kept`] taken aside as span indexes of the checked files.
    Lean(Spans),
    /// In the pool, for protox's diagnostics of a failed compile (see the module documentation).
    Framed,
}
use SourceInfoMode::{Framed, Lean};

/// A compiled pool, the editions files' data by name, and the source info kept per checked file.
type Compiled = (
    prost_reflect::DescriptorPool,
    HashMap<String, FileEdition>,
    HashMap<String, Captured>,
);

/// How a compile with source info runs (see [`SourceInfoMode::Framed`]).
const FRAMED: CompileOptions = CompileOptions {
    spans: Spans::OnDemand,
    read_ahead: false,
    parses: None,
};

/// Compiles source files (see [`SourceInfoMode`]), reading them ahead on a second thread and
/// sharing parses as `options` say.
fn compile_sources(
    snapshot: &Arc<Snapshot>,
    names: &[String],
    mode: SourceInfoMode,
    options: &CompileOptions,
) -> Result<Compiled> {
    let parses = match mode {
        Lean(Spans::OnDemand) => options.parses.clone(),
        _ => None,
    };
    let failure = Rc::new(RefCell::new(None));
    let unreadable = Rc::new(RefCell::new(None));
    let lowered = Rc::new(RefCell::new(HashMap::new()));
    let captured = Rc::new(RefCell::new(HashMap::new()));
    let reader = options
        .read_ahead
        .then(|| read::Reader::start(snapshot, names, mode))
        .flatten();
    let mut resolver = ChainFileResolver::new();
    resolver.add(SnapshotResolver {
        snapshot: snapshot.clone(),
        failure: failure.clone(),
        unreadable: unreadable.clone(),
        lowered: lowered.clone(),
        mode,
        captured: captured.clone(),
        ahead: reader.as_ref().map(|r| r.ahead.clone()),
        parses,
    });
    resolver.add(FeatureFileResolver);
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_source_info(true);
    let fail = |diagnostic: Box<dyn Diagnostic + Send + Sync>| Error::Compile {
        revision: snapshot.label.clone(),
        diagnostics: vec![diagnostic],
    };
    // Options resolve against the descriptor.proto in the pool (protoguard's current copy, or the
    // revision's own), so it goes in first.
    let first = std::iter::once(editions::DESCRIPTOR_PROTO);
    for name in first.chain(names.iter().map(String::as_str)) {
        if let Err(err) = compiler.open_file(name) {
            if let Some(error) = unreadable.borrow_mut().take() {
                return Err(error);
            }
            if let Some(own) = failure.borrow_mut().take() {
                return Err(fail(own));
            }
            let lowered = lowered.borrow();
            let source = err.file().and_then(|file| {
                let (text, map) = lowered.get(file)?;
                Some((file.to_owned(), text, map))
            });
            return Err(fail(match source {
                Some((file, text, map)) => Box::new(Relocated::new(err, &file, text, map)),
                // An import nothing provides: say where it was expected from (buf deps).
                None if err.is_file_not_found() && err.file().is_some() => {
                    match &snapshot.content {
                        Content::Sources(sources) => Box::new(MissingImport::new(err, sources)),
                        Content::Descriptors(_) => Box::new(err),
                    }
                }
                None => Box::new(err),
            }));
        }
    }
    drop(reader);
    let pool = compiler.descriptor_pool();
    // Finished into span indexes on first use (by the threads that locate findings), not here.
    let kept = captured.take();
    let lowered = Rc::try_unwrap(lowered).map_or_else(|rc| rc.borrow().clone(), |c| c.into_inner());
    let editions: HashMap<String, FileEdition> = lowered
        .into_iter()
        .map(|(name, (_, edition))| (name, edition))
        .collect();
    let edition_of = |file: &prost_reflect::FileDescriptor| match editions.get(file.name()) {
        Some(e) => e.edition,
        None => crate::schema::syntax_edition(file),
    };
    let mut diagnostics: Vec<Box<dyn Diagnostic + Send + Sync>> = Vec::new();
    let mut checked: Vec<&String> = editions.keys().collect();
    checked.sort();
    for name in checked {
        let Some(file) = pool.get_file_by_name(name) else {
            continue;
        };
        let Some(text) = snapshot_text(snapshot, name) else {
            continue;
        };
        let map = &editions[name].map;
        for problem in editions::validate(&file, &edition_of) {
            diagnostics.push(Box::new(EditionsViolation::new(
                name,
                text,
                Some(map),
                &file,
                problem,
            )));
        }
    }
    // proto2 and proto3 files of the snapshot: `features` options are editions-only.
    for file in pool.files() {
        if editions.contains_key(file.name()) {
            continue;
        }
        let Some(text) = snapshot_text(snapshot, file.name()) else {
            continue;
        };
        for problem in editions::validate_syntax_file(&file, text) {
            diagnostics.push(Box::new(EditionsViolation::new(
                file.name(),
                text,
                None,
                &file,
                problem,
            )));
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::Compile {
            revision: snapshot.label.clone(),
            diagnostics,
        });
    }
    Ok((pool, editions, kept))
}

fn snapshot_text<'a>(snapshot: &'a Snapshot, name: &str) -> Option<&'a str> {
    match &snapshot.content {
        Content::Sources(sources) => source_text(sources, name),
        Content::Descriptors(_) => None,
    }
}

/// Lowered files by name: the original text (for re-rendering protox's diagnostics) and what
/// the schema keeps.
type LoweredFiles = Rc<RefCell<HashMap<String, (String, FileEdition)>>>;

/// Serves a snapshot's files to protox, lowering editions files. Failures protox would report
/// without a span (a file that is not UTF-8, an unknown edition) are kept aside with their
/// location and reported instead.
struct SnapshotResolver {
    snapshot: Arc<Snapshot>,
    failure: Rc<RefCell<Option<Box<dyn Diagnostic + Send + Sync>>>>,
    /// A file that exists but could not be read (a blob missing from the repository).
    unreadable: Rc<RefCell<Option<Error>>>,
    lowered: LoweredFiles,
    mode: SourceInfoMode,
    /// With [`Spans::Kept`]: each file's source info, taken out before the compile.
    captured: Rc<RefCell<HashMap<String, Captured>>>,
    /// The checked files, read ahead on a second thread (see [`read`]).
    ahead: Option<Arc<Ahead>>,
    parses: Option<Arc<SharedParses>>,
}

impl FileResolver for SnapshotResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let prepared = match self.ahead.as_ref().and_then(|ahead| ahead.take(name)) {
            Some(prepared) => Ok(prepared),
            None => read::prepare(&self.snapshot, name, self.mode, self.parses.as_deref()),
        };
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(Unprepared::NotFound) => return Err(protox::Error::file_not_found(name)),
            Err(Unprepared::Protox(err)) => return Err(err),
            Err(Unprepared::Unreadable(err)) => {
                let message = err.to_string();
                *self.unreadable.borrow_mut() = Some(err);
                return Err(protox::Error::new(message));
            }
            Err(Unprepared::Failure(failure)) => {
                let message = failure.to_string();
                *self.failure.borrow_mut() = Some(failure);
                return Err(protox::Error::new(message));
            }
        };
        if let Some(lowered) = prepared.lowered {
            self.lowered.borrow_mut().insert(name.to_owned(), lowered);
        }
        if let Some(captured) = prepared.captured {
            self.captured.borrow_mut().insert(name.to_owned(), captured);
        }
        Ok(prepared.file)
    }
}

/// Serves protoguard's current `descriptor.proto` and its declarations of the custom features
/// `(pb.cpp)`, `(pb.java)` and `(pb.go)` to files that import them, after the snapshot's own files
/// (a vendored copy wins), before protox's bundled copies.
struct FeatureFileResolver;

impl FileResolver for FeatureFileResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        // Each is parsed once per process: every compile (both sides of a check) opens
        // descriptor.proto first, and its 1,300 lines cost as much to parse as a few of a
        // repository's files. A copy of the parsed file is the same file without the text, which
        // protox reads only to frame an error in it.
        static PARSED: [OnceLock<prost_types::FileDescriptorProto>; editions::FEATURE_FILES.len()] =
            [const { OnceLock::new() }; editions::FEATURE_FILES.len()];
        let Some(k) = editions::FEATURE_FILES.iter().position(|(n, _)| *n == name) else {
            return Err(protox::Error::file_not_found(name));
        };
        if let Some(parsed) = PARSED[k].get() {
            return Ok(File::from_file_descriptor_proto(parsed.clone()));
        }
        let (name, text) = editions::FEATURE_FILES[k];
        let file = File::from_source(name, text)?;
        let _ = PARSED[k].set(file.file_descriptor_proto().clone());
        Ok(file)
    }
}

/// Returns the text of a snapshot file, if it is a source snapshot holding valid UTF-8.
pub fn source_text<'a>(sources: &'a Sources, name: &str) -> Option<&'a str> {
    sources
        .get(name)
        .and_then(|b| std::str::from_utf8(without_bom(b)).ok())
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: the file is not valid UTF-8")]
#[diagnostic(
    code(protoguard::not_utf8),
    help("protobuf source files must be UTF-8: re-encode the file (for example with iconv -t UTF-8) and commit it")
)]
struct NotUtf8 {
    name: String,
    line: usize,
    column: usize,
}

impl NotUtf8 {
    fn new(name: &str, bytes: &[u8], valid_up_to: usize) -> Self {
        let before = &bytes[..valid_up_to];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        NotUtf8 {
            name: name.to_owned(),
            line,
            column,
        }
    }
}

/// Something lowering refused in an editions file (an unknown edition, a label or group that
/// editions forbid), at its place in the original text.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: {message}")]
#[diagnostic(code(protoguard::editions))]
struct EditionsRefused {
    name: String,
    message: String,
    line: usize,
    column: usize,
    #[help]
    help: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

impl EditionsRefused {
    fn new(name: &str, text: &str, refused: editions::lower::LowerError) -> Self {
        let (line, column) = line_column(text, refused.start);
        EditionsRefused {
            name: name.to_owned(),
            message: refused.message,
            line,
            column,
            help: refused.help,
            source_code: NamedSource::new(name, text.to_owned()),
            span: SourceSpan::new(refused.start.into(), refused.end - refused.start),
        }
    }
}

/// A rule of editions that a compiled file breaks, at the element's span in the original text.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: {message}")]
#[diagnostic(code(protoguard::editions))]
struct EditionsViolation {
    name: String,
    message: String,
    line: usize,
    column: usize,
    #[help]
    help: &'static str,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl EditionsViolation {
    fn new(
        name: &str,
        text: &str,
        map: Option<&editions::ColumnMap>,
        file: &prost_reflect::FileDescriptor,
        problem: editions::Problem,
    ) -> Self {
        // `map` is the column map of an editions file; a proto2/proto3 file has none.
        let index = parse_spans(file, text, map, map.is_some()).unwrap_or_default();
        let span = index.byte_range(&problem.path, text.as_bytes());
        let (line, column) = span.map_or((1, 1), |(start, _)| line_column(text, start));
        EditionsViolation {
            name: name.to_owned(),
            message: problem.message,
            line,
            column,
            help: problem.help,
            source_code: NamedSource::new(name, text.to_owned()),
            span: span.map(|(start, end)| SourceSpan::new(start.into(), end - start)),
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[start..].chars().count() + 1)
}

/// A protox diagnostic about a lowered file, shown against the file's original text: every
/// label's offsets are mapped back through the lowering's column map.
struct Relocated {
    inner: protox::Error,
    source_code: NamedSource<String>,
    labels: Vec<miette::LabeledSpan>,
}

impl Relocated {
    fn new(inner: protox::Error, name: &str, text: &str, map: &FileEdition) -> Self {
        let labels = inner
            .labels()
            .into_iter()
            .flatten()
            .map(|label| {
                let start = map.map.original_offset(label.offset());
                let end = map
                    .map
                    .original_offset(label.offset() + label.len())
                    .max(start);
                miette::LabeledSpan::new(label.label().map(str::to_owned), start, end - start)
            })
            .collect();
        Relocated {
            inner,
            source_code: NamedSource::new(name, text.to_owned()),
            labels,
        }
    }
}

impl std::fmt::Debug for Relocated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.inner, f)
    }
}

impl std::fmt::Display for Relocated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Relocated {}

impl Diagnostic for Relocated {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn compile_descriptor_set(
    snapshot: &Arc<Snapshot>,
    set: &DescriptorSet,
    other_includes: &[&str],
) -> Result<(prost_reflect::DescriptorPool, Vec<String>)> {
    let label = &snapshot.label;
    let names = descriptor_set_module(set, other_includes);
    let mut resolver = ChainFileResolver::new();
    resolver.add(EncodedResolver {
        snapshot: snapshot.clone(),
        index: set
            .encoded
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect(),
    });
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_source_info(true);
    for file in &set.set.file {
        if let Err(err) = compiler.open_file(file.name()) {
            return Err(Error::Compile {
                revision: label.to_owned(),
                diagnostics: vec![Box::new(err)],
            });
        }
    }
    Ok((compiler.descriptor_pool(), names))
}

/// Serves a descriptor set's files from their encoded bytes (see [`DescriptorSet::encoded`]), so
/// that options keep their extensions and editions files come as proto2.
struct EncodedResolver {
    snapshot: Arc<Snapshot>,
    /// Position of each file in [`DescriptorSet::encoded`].
    index: HashMap<String, usize>,
}

impl FileResolver for EncodedResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let Content::Descriptors(set) = &self.snapshot.content else {
            return Err(protox::Error::file_not_found(name));
        };
        match self.index.get(name) {
            Some(&i) => File::decode_file_descriptor_proto(set.encoded[i].1.as_slice())
                .map_err(|err| protox::Error::new(format!("{name}: {err}"))),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// The files of a descriptor set that belong to the module: all but the well-known types, files
/// a buf image marks as imports, and files the other revision gets from its include paths.
pub fn descriptor_set_module(set: &DescriptorSet, other_includes: &[&str]) -> Vec<String> {
    set.set
        .file
        .iter()
        .map(|f| f.name().to_owned())
        .filter(|n| {
            !n.starts_with("google/protobuf/")
                && !set.imports.contains(n)
                && !other_includes.contains(&n.as_str())
        })
        .collect()
}

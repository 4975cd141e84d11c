//! Compilation with protox, in-process: a snapshot's sources (or descriptor set) become a
//! descriptor pool with source info. A file that does not compile is a diagnostic with its span;
//! an editions file is refused with its location until the project has an editions front end.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use protox::file::{
    ChainFileResolver, DescriptorSetFileResolver, File, FileResolver, GoogleFileResolver,
};

use crate::error::{Error, Result};
use crate::finding::Side;
use crate::input::{without_bom, Content, DescriptorSet, Snapshot, Sources};
use crate::scan;
use crate::schema::Schema;

/// Compiles the module files `names` of a snapshot (with whatever they import) into a [`Schema`]
/// whose checked files are those names. For a descriptor set, `names` is ignored: every file of
/// the set that is not an import (see [`descriptor_set_module`]) is checked.
pub fn compile(
    snapshot: Arc<Snapshot>,
    side: Side,
    names: &BTreeSet<String>,
    other_includes: &[&str],
) -> Result<Schema> {
    match &snapshot.content {
        Content::Sources(sources) => {
            let names: Vec<String> = names
                .iter()
                .filter(|n| sources.files.contains_key(*n))
                .cloned()
                .collect();
            let pool = compile_sources(&snapshot, &names)?;
            Ok(Schema::new(snapshot, side, pool, &names))
        }
        Content::Descriptors(set) => {
            let (pool, names) = compile_descriptor_set(&snapshot.label, set, other_includes)?;
            Ok(Schema::new(snapshot, side, pool, &names))
        }
    }
}

fn compile_sources(
    snapshot: &Arc<Snapshot>,
    names: &[String],
) -> Result<prost_reflect::DescriptorPool> {
    let failure = Rc::new(RefCell::new(None));
    let mut resolver = ChainFileResolver::new();
    resolver.add(SnapshotResolver {
        snapshot: snapshot.clone(),
        failure: failure.clone(),
    });
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_source_info(true);
    for name in names {
        if let Err(err) = compiler.open_file(name) {
            let diagnostic: Box<dyn Diagnostic + Send + Sync> = match failure.borrow_mut().take() {
                Some(own) => own,
                None => Box::new(err),
            };
            return Err(Error::Compile {
                revision: snapshot.label.clone(),
                diagnostics: vec![diagnostic],
            });
        }
    }
    Ok(compiler.descriptor_pool())
}

/// Serves a snapshot's files to protox. Failures protox would report without a span (a file that
/// is not UTF-8, an editions file) are kept aside with their location and reported instead.
struct SnapshotResolver {
    snapshot: Arc<Snapshot>,
    failure: Rc<RefCell<Option<Box<dyn Diagnostic + Send + Sync>>>>,
}

impl FileResolver for SnapshotResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let Content::Sources(sources) = &self.snapshot.content else {
            return Err(protox::Error::file_not_found(name));
        };
        let Some(bytes) = sources.get(name).map(without_bom) else {
            return Err(protox::Error::file_not_found(name));
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let failure = NotUtf8::new(name, bytes, err.valid_up_to());
                let message = failure.to_string();
                *self.failure.borrow_mut() = Some(Box::new(failure));
                return Err(protox::Error::new(message));
            }
        };
        if let Some((edition, line, column)) = scan::scan(bytes).edition {
            let failure = EditionsUnsupported::new(name, text, &edition, line, column);
            let message = failure.to_string();
            *self.failure.borrow_mut() = Some(Box::new(failure));
            return Err(protox::Error::new(message));
        }
        File::from_source(name, text)
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

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: editions are not supported yet (edition \"{edition}\")")]
#[diagnostic(
    code(protoguard::editions_unsupported),
    help("protoguard compiles with protox, which cannot parse editions files yet; check files that use syntax = \"proto2\" or \"proto3\", or exclude this file")
)]
struct EditionsUnsupported {
    name: String,
    edition: String,
    line: u32,
    column: u32,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("edition declared here")]
    span: SourceSpan,
}

impl EditionsUnsupported {
    fn new(name: &str, text: &str, edition: &str, line: u32, column: u32) -> Self {
        let offset = miette::SourceOffset::from_location(text, line as usize, column as usize);
        let span_len = text[offset.offset()..].find(';').map_or(7, |end| end + 1);
        EditionsUnsupported {
            name: name.to_owned(),
            edition: edition.to_owned(),
            line,
            column,
            source_code: NamedSource::new(name, text.to_owned()),
            span: SourceSpan::new(offset, span_len),
        }
    }
}

fn compile_descriptor_set(
    label: &str,
    set: &DescriptorSet,
    other_includes: &[&str],
) -> Result<(prost_reflect::DescriptorPool, Vec<String>)> {
    let names = descriptor_set_module(set, other_includes);
    let mut resolver = ChainFileResolver::new();
    resolver.add(DescriptorSetFileResolver::new(set.set.clone()));
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

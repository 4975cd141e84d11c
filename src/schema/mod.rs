//! The read-only view of one compiled revision that rules see: the descriptor pool, the files
//! being checked, their source text, and where each element is. Resolved properties (presence,
//! enum openness, UTF-8 validation, packed encoding) live in [`resolved`]: rules read those, never
//! the `syntax` of a file, so an editions front end can feed this view without touching a rule.

pub mod field;
pub mod origin;
pub mod resolved;
mod spans;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use prost_reflect::{
    DescriptorPool, EnumDescriptor, EnumValueDescriptor, FieldDescriptor, FileDescriptor,
    MessageDescriptor, MethodDescriptor, OneofDescriptor, ServiceDescriptor,
};

use crate::compile::Captured;
use crate::editions::features::FileFeatures;
use crate::editions::{Edition, FileEdition};
use crate::finding::{Location, Side, Span};
use crate::input::{Content, Snapshot};
pub use spans::{LocationComments, SpanIndex};

pub struct Schema {
    pub side: Side,
    snapshot: Arc<Snapshot>,
    pool: DescriptorPool,
    /// The files rules look at, sorted by name.
    files: Vec<FileDescriptor>,
    /// Each file's span index, by the file's index in `pool`, built on first use (see
    /// [`Schema::span_index`]).
    spans: Vec<OnceLock<SpanIndex>>,
    /// The index of a file this revision does not have: empty.
    no_spans: SpanIndex,
    /// Editions files by name (lowered sources and descriptor-set files): the pool holds them as
    /// proto2, so their edition and column map live here.
    editions: HashMap<String, FileEdition>,
    /// The resolved features of each editions file, by name, resolved on first use (see
    /// [`FileFeatures`]); proto2 and proto3 files have no entry.
    /// Indexed by the file's index in `pool` (no hashing of names on the rules' hot path).
    features: Vec<Option<OnceLock<FileFeatures>>>,
}

/// The edition row of a proto2/proto3 file: what its `syntax` says. Only the schema and the
/// compile stage read the syntax; everything else asks [`Schema::edition`].
pub fn syntax_edition(file: &FileDescriptor) -> Edition {
    match file.syntax() {
        prost_reflect::Syntax::Proto2 => Edition::Proto2,
        prost_reflect::Syntax::Proto3 => Edition::Proto3,
    }
}

impl Schema {
    pub fn new(
        snapshot: Arc<Snapshot>,
        side: Side,
        pool: DescriptorPool,
        names: &[String],
        editions: HashMap<String, FileEdition>,
    ) -> Self {
        let mut files: Vec<FileDescriptor> = names
            .iter()
            .filter_map(|n| pool.get_file_by_name(n))
            .collect();
        files.sort_by(|a, b| a.name().cmp(b.name()));
        let mut features: Vec<Option<OnceLock<FileFeatures>>> = Vec::new();
        for (name, edition) in &editions {
            let Some(file) = pool.get_file_by_name(name) else {
                continue;
            };
            if edition.edition.is_editions() {
                if features.len() <= file.index() {
                    features.resize_with(file.index() + 1, || None);
                }
                features[file.index()] = Some(OnceLock::new());
            }
        }
        let spans = (0..pool.files().len()).map(|_| OnceLock::new()).collect();
        Schema {
            side,
            snapshot,
            pool,
            files,
            spans,
            no_spans: SpanIndex::default(),
            editions,
            features,
        }
    }

    /// The syntax or edition a file of this revision is written in.
    pub fn edition(&self, file: &FileDescriptor) -> Edition {
        match self.editions.get(file.name()) {
            Some(e) => e.edition,
            None => syntax_edition(file),
        }
    }

    /// The resolved features of every element of an editions file, resolved once per revision;
    /// `None` for proto2 and proto3 files, whose features follow from their syntax and labels
    /// without decoding any option (see [`crate::editions::features`]).
    pub fn file_features(&self, file: &FileDescriptor) -> Option<&FileFeatures> {
        // A descriptor of the other revision is looked up here by name.
        let index = match file.parent_pool() == &self.pool {
            true => file.index(),
            false => self.pool.get_file_by_name(file.name())?.index(),
        };
        let table = self.features.get(index)?.as_ref()?;
        Some(table.get_or_init(|| {
            // Built from this revision's own file, whichever descriptor asked.
            let own = self.pool.get_file_by_name(file.name());
            let own = own.as_ref().unwrap_or(file);
            FileFeatures::resolve(self.edition(own), own)
        }))
    }

    /// Imports written `import option "…";` (edition 2024) in a file.
    pub fn option_imports(&self, file: &FileDescriptor) -> &[String] {
        self.editions
            .get(file.name())
            .map_or(&[], |e| e.option_imports.as_slice())
    }

    /// How the revision is named to the user.
    pub fn label(&self) -> &str {
        &self.snapshot.label
    }

    pub fn snapshot(&self) -> &Arc<Snapshot> {
        &self.snapshot
    }

    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The files being checked, sorted by name.
    pub fn files(&self) -> &[FileDescriptor] {
        &self.files
    }

    /// A checked file by name.
    pub fn file(&self, name: &str) -> Option<&FileDescriptor> {
        self.files
            .binary_search_by(|f| f.name().cmp(name))
            .ok()
            .map(|i| &self.files[i])
    }

    /// The source text of a file of this revision, when it came from source.
    pub fn source(&self, name: &str) -> Option<&str> {
        match &self.snapshot.content {
            Content::Sources(sources) => crate::compile::source_text(sources, name),
            Content::Descriptors(_) => None,
        }
    }

    /// The bytes of a source file of this revision (without a byte-order mark), for placing
    /// spans: [`Schema::source`] validates the whole text as UTF-8 on each call, which a
    /// lookup per finding cannot afford; a file that compiled is UTF-8 already.
    fn source_bytes(&self, name: &str) -> Option<&[u8]> {
        match &self.snapshot.content {
            Content::Sources(sources) => sources.get(name).map(crate::input::without_bom),
            Content::Descriptors(_) => None,
        }
    }

    /// Where an element is: its whole declaration.
    pub fn locate(&self, element: &impl Element) -> Location {
        self.locate_part(element, &[])
    }

    /// Where a part of an element is (e.g. `[1]` its name, `[5, 6]` a field's type), trying each
    /// part in turn and falling back to the whole element, then to the file.
    pub fn locate_part(&self, element: &impl Element, parts: &[i32]) -> Location {
        let file = element.file();
        let index = self.span_index(&file);
        let text = self.source_bytes(file.name());
        if element.path().is_empty() {
            // A file: anchor at its package (or syntax) statement, not the whole text.
            return Location {
                side: self.side,
                path: file.name().to_owned(),
                span: index.file_anchor(text),
            };
        }
        let mut path = element.path().to_vec();
        let span = parts
            .iter()
            .find_map(|part| {
                path.push(*part);
                let found = index.get(&path, text);
                path.pop();
                found
            })
            .or_else(|| index.get(&path, text))
            .or_else(|| index.file_anchor(text));
        Location {
            side: self.side,
            path: file.name().to_owned(),
            span,
        }
    }

    /// Where a part of an element that has no descriptor of its own is, given its sub-path (e.g.
    /// `[9, 0]` a message's first reserved range), falling back to the whole element.
    pub fn locate_path(&self, element: &impl Element, sub: &[i32]) -> Location {
        let file = element.file();
        let path = [element.path(), sub].concat();
        match self
            .span_index(&file)
            .get(&path, self.source_bytes(file.name()))
        {
            Some(span) => Location {
                side: self.side,
                path: file.name().to_owned(),
                span: Some(span),
            },
            None => self.locate(element),
        }
    }

    /// Where the deepest recorded part of `sub` (a sub-path of `element`, e.g. an option's
    /// `[8, 1159, 14, 2]`) is: the longest prefix of it that has a span, down to the element.
    /// Option values written as one message literal are recorded only as a whole, so a rule
    /// inside one is located at the literal.
    pub fn locate_nearest(&self, element: &impl Element, sub: &[i32]) -> Location {
        let file = element.file();
        let index = self.span_index(&file);
        let text = self.source_bytes(file.name());
        let mut path = [element.path(), sub].concat();
        // A part that was not written itself (a rules message set only through its fields, as
        // in `string.min_len = 1`) is where its first written part is.
        let mut found = index
            .get(&path, text)
            .or_else(|| index.first_below(&path, text));
        while found.is_none() && path.len() > element.path().len() + 1 {
            path.pop();
            found = index.get(&path, text);
        }
        match found {
            Some(span) => Location {
                side: self.side,
                path: file.name().to_owned(),
                span: Some(span),
            },
            None => self.locate(element),
        }
    }

    /// The leading comment of the declaration at `path` in `file`, handed to `read`: `None`
    /// when the file has no source info or no location at `path` (nothing can be judged),
    /// `read(None)` when the declaration has no leading comment. Source info is parsed on demand
    /// and kept per file, so the comment is lent, not returned.
    pub fn with_leading_comment<R>(
        &self,
        file: &FileDescriptor,
        path: &[i32],
        read: impl FnOnce(Option<&str>) -> R,
    ) -> Option<R> {
        self.span_index(file).leading_comment(path).map(read)
    }

    /// The span of a `SourceCodeInfo` path in a file of this revision (the element's whole
    /// declaration), without falling back to a parent.
    pub fn span(&self, file: &FileDescriptor, path: &[i32]) -> Option<Span> {
        self.span_index(file)
            .get(path, self.source_bytes(file.name()))
    }

    /// The byte range of an element's whole declaration in its file's source text (as
    /// [`Schema::source`] gives it); `None` without source text or source info.
    pub fn byte_range(&self, element: &impl Element) -> Option<(usize, usize)> {
        let file = element.file();
        let text = self.source_bytes(file.name())?;
        self.span_index(&file).byte_range(element.path(), text)
    }

    /// Keeps the source info taken while compiling (see [`crate::compile::Spans::Kept`]), so
    /// that its files are not parsed again: each file's is finished into its span index now
    /// (its option paths resolved against the pool), on one thread per core. Finishing them
    /// lazily, where findings are located, kept every file's unfinished source info alive
    /// beside the rules' work: +12 MB of peak in a 3,000-file lint, for no measurable time.
    pub fn keep_spans(&mut self, kept: HashMap<String, Captured>) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut parts: Vec<Vec<(usize, Captured)>> = (0..threads).map(|_| Vec::new()).collect();
        for (n, (name, captured)) in kept.into_iter().enumerate() {
            if let Some(file) = self.pool.get_file_by_name(&name) {
                parts[n % threads].push((file.index(), captured));
            }
        }
        let (pool, spans) = (&self.pool, &self.spans);
        let finish = move |part: Vec<(usize, Captured)>| {
            for (index, captured) in part {
                // Each index is set once: files are distinct, and nothing has read them yet.
                let _ = spans[index].set(captured.finish(pool));
            }
        };
        std::thread::scope(|scope| {
            let mut parts = parts.into_iter();
            let first = parts.next();
            for part in parts {
                // A thread that cannot start leaves its files to be parsed again on first use.
                let _ = std::thread::Builder::new().spawn_scoped(scope, move || finish(part));
            }
            if let Some(part) = first {
                finish(part);
            }
        });
    }

    /// The span index (and comments) of a file of this revision, built on first use. Source
    /// files are compiled without source info ([`crate::compile`]), so theirs is parsed again
    /// here, unless the compile kept it (then its option paths are resolved here, see
    /// [`Schema::keep_spans`]): only files with findings, ignore directives or comment rules get
    /// this far. Each file has its own cell, so threads locating findings in different files do
    /// not wait for each other.
    pub fn span_index(&self, file: &FileDescriptor) -> &SpanIndex {
        // A descriptor of the other revision is looked up here by name.
        let own = match file.parent_pool() == &self.pool {
            true => Some(file.clone()),
            false => self.pool.get_file_by_name(file.name()),
        };
        let Some(file) = own else {
            return &self.no_spans;
        };
        self.spans[file.index()].get_or_init(|| {
            let edition = self.editions.get(file.name());
            let map = edition.map(|e| &e.map);
            match &file.file_descriptor_proto().source_code_info {
                Some(info) => SpanIndex::new(Some(info), map),
                None => {
                    let editions = edition.is_some_and(|e| e.edition.is_editions());
                    self.source(file.name())
                        .and_then(|text| crate::compile::parse_spans(&file, text, map, editions))
                        .unwrap_or_default()
                }
            }
        })
    }
}

/// An element of a schema that has a place in a file.
pub trait Element {
    fn file(&self) -> FileDescriptor;
    /// The element's path in its file's `SourceCodeInfo` (empty for the file itself).
    fn path(&self) -> &[i32];
}

impl Element for FileDescriptor {
    fn file(&self) -> FileDescriptor {
        self.clone()
    }
    fn path(&self) -> &[i32] {
        &[]
    }
}

macro_rules! element {
    ($($ty:ty),*) => {$(
        impl Element for $ty {
            fn file(&self) -> FileDescriptor {
                self.parent_file()
            }
            fn path(&self) -> &[i32] {
                <$ty>::path(self)
            }
        }
    )*};
}

element!(
    MessageDescriptor,
    FieldDescriptor,
    EnumDescriptor,
    EnumValueDescriptor,
    OneofDescriptor,
    ServiceDescriptor,
    MethodDescriptor,
    prost_reflect::ExtensionDescriptor
);

/// The nearest enclosing element that still exists: used to anchor a deletion.
pub enum Parent {
    File(FileDescriptor),
    Message(MessageDescriptor),
}

impl Parent {
    pub fn of_message(message: &MessageDescriptor) -> Parent {
        match message.parent_message() {
            Some(parent) => Parent::Message(parent),
            None => Parent::File(message.parent_file()),
        }
    }
}

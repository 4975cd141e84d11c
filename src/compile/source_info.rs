//! A compiled file's `SourceCodeInfo`, parsed again from its text on demand (see the
//! [module documentation](super)), exactly as the compile would have recorded it.
//!
//! Parsing gives the locations of options at their *uninterpreted* paths (`[…, 8, 999, i]`: the
//! i-th option statement of an element); when a pool is built, prost-reflect moves each to the
//! path of the option it resolved to (`[…, 8, 50, 4]` for `features.utf8_validation`,
//! `[…, 4, 72295728, 2]` for `(google.api.http).post`, with an index for each value of a repeated
//! option). Rules locate findings at those resolved paths, so the same move is made here, by
//! resolving each option name against the compiled file's pool.

use std::collections::HashMap;

use prost_reflect::{DescriptorPool, FileDescriptor, Kind, MessageDescriptor};
use prost_types::uninterpreted_option::NamePart;
use prost_types::{FileDescriptorProto, UninterpretedOption};

use crate::editions::{self, ColumnMap};
use crate::schema::SpanIndex;

/// The span index of `file` (a file of a pool compiled without source info), parsed again from
/// `text`, its source: lowered first when `editions`, so that paths and spans are those of the
/// compiled file (spans in the lowered text, which `map`, the file's column map, maps back),
/// with option locations at their resolved paths. `None` when the text does not parse, which
/// cannot happen for a file that compiled from it.
pub fn parse_spans(
    file: &FileDescriptor,
    text: &str,
    map: Option<&ColumnMap>,
    editions: bool,
) -> Option<SpanIndex> {
    let lowered = match editions {
        true => editions::lower::lower(text).ok()?,
        false => None,
    };
    let text = lowered.as_ref().map_or(text, |l| l.text.as_str());
    let mut proto = protox_parse::parse(file.name(), text).ok()?;
    Some(Captured::take(&mut proto, map, true).finish(file.parent_pool()))
}

/// A file's source info taken out of its freshly parsed descriptor, before the compile: its
/// spans and comments as an unsorted [`SpanIndex`], and the option statements whose locations
/// move once the pool can resolve their names ([`Captured::finish`]).
pub struct Captured {
    index: SpanIndex,
    options: Vec<OptionStatements>,
}

/// The option statements of one element: where its options are, the options message they set
/// (`MessageOptions` …), the scope their extension names resolve in, and each statement's name.
struct OptionStatements {
    path: Vec<i32>,
    kind: &'static str,
    scope: String,
    names: Vec<Vec<NamePart>>,
}

impl Captured {
    /// Takes the source info out of `proto` (a parsed file, which then goes to the compile
    /// without it). `map` is the column map of a lowered editions file; without `comments` only
    /// the spans are kept.
    pub fn take(
        proto: &mut FileDescriptorProto,
        map: Option<&ColumnMap>,
        comments: bool,
    ) -> Captured {
        let info = proto.source_code_info.take();
        let index = SpanIndex::unsorted(info.as_ref(), map, comments);
        drop(info);
        let mut walk = OptionWalk { found: Vec::new() };
        walk.file(proto);
        Captured {
            index,
            options: walk.found,
        }
    }

    /// The searchable index, with each option statement's locations moved to the path of the
    /// option it resolves to in `pool` (the compiled file's).
    pub fn finish(self, pool: &DescriptorPool) -> SpanIndex {
        let Captured { mut index, options } = self;
        if !options.is_empty() {
            let mut moves = OptionPaths {
                pool,
                moved: HashMap::new(),
                counts: HashMap::new(),
            };
            for statements in &options {
                moves.options(statements);
            }
            if !moves.moved.is_empty() {
                index.move_paths(|path| moves.apply(path));
            }
        }
        index.finish();
        index
    }
}

// Field numbers of descriptor.proto used below.
const UNINTERPRETED_OPTION: i32 = 999;

/// The option statements of a parsed file, element by element in the order prost-reflect
/// interprets them (which numbers the values of a repeated option).
struct OptionWalk {
    found: Vec<OptionStatements>,
}

impl OptionWalk {
    fn file(&mut self, proto: &FileDescriptorProto) {
        let package = proto.package();
        if let Some(options) = &proto.options {
            self.options(&[8], "FileOptions", package, &options.uninterpreted_option);
        }
        for (i, message) in proto.message_type.iter().enumerate() {
            self.message(&[4, i as i32], package, message);
        }
        for (i, enum_) in proto.enum_type.iter().enumerate() {
            self.enum_(&[5, i as i32], package, enum_);
        }
        for (i, service) in proto.service.iter().enumerate() {
            let path = [6, i as i32];
            let scope = join(package, service.name());
            if let Some(options) = &service.options {
                let at = [&path[..], &[3]].concat();
                self.options(&at, "ServiceOptions", &scope, &options.uninterpreted_option);
            }
            for (j, method) in service.method.iter().enumerate() {
                if let Some(options) = &method.options {
                    let at = [&path[..], &[2, j as i32, 4]].concat();
                    let scope = join(&scope, method.name());
                    self.options(&at, "MethodOptions", &scope, &options.uninterpreted_option);
                }
            }
        }
        for (i, extension) in proto.extension.iter().enumerate() {
            self.field(&[7, i as i32], package, extension);
        }
    }

    fn message(&mut self, path: &[i32], scope: &str, message: &prost_types::DescriptorProto) {
        let scope = join(scope, message.name());
        let at = |sub: &[i32]| [path, sub].concat();
        if let Some(options) = &message.options {
            let options = &options.uninterpreted_option;
            self.options(&at(&[7]), "MessageOptions", &scope, options);
        }
        for (i, field) in message.field.iter().enumerate() {
            self.field(&at(&[2, i as i32]), &scope, field);
        }
        for (i, extension) in message.extension.iter().enumerate() {
            self.field(&at(&[6, i as i32]), &scope, extension);
        }
        for (i, nested) in message.nested_type.iter().enumerate() {
            self.message(&at(&[3, i as i32]), &scope, nested);
        }
        for (i, enum_) in message.enum_type.iter().enumerate() {
            self.enum_(&at(&[4, i as i32]), &scope, enum_);
        }
        for (i, range) in message.extension_range.iter().enumerate() {
            if let Some(options) = &range.options {
                let options = &options.uninterpreted_option;
                let path = at(&[5, i as i32, 3]);
                self.options(&path, "ExtensionRangeOptions", &scope, options);
            }
        }
        for (i, oneof) in message.oneof_decl.iter().enumerate() {
            if let Some(options) = &oneof.options {
                let options = &options.uninterpreted_option;
                let scope = join(&scope, oneof.name());
                self.options(&at(&[8, i as i32, 2]), "OneofOptions", &scope, options);
            }
        }
    }

    fn field(&mut self, path: &[i32], scope: &str, field: &prost_types::FieldDescriptorProto) {
        if let Some(options) = &field.options {
            let at = [path, &[8]].concat();
            let scope = join(scope, field.name());
            self.options(&at, "FieldOptions", &scope, &options.uninterpreted_option);
        }
    }

    fn enum_(&mut self, path: &[i32], scope: &str, enum_: &prost_types::EnumDescriptorProto) {
        let scope = join(scope, enum_.name());
        if let Some(options) = &enum_.options {
            let at = [path, &[3]].concat();
            self.options(&at, "EnumOptions", &scope, &options.uninterpreted_option);
        }
        for (i, value) in enum_.value.iter().enumerate() {
            if let Some(options) = &value.options {
                let at = [path, &[2, i as i32, 3]].concat();
                let scope = join(&scope, value.name());
                let options = &options.uninterpreted_option;
                self.options(&at, "EnumValueOptions", &scope, options);
            }
        }
    }

    /// Records the option statements of one element, whose options are at `path`.
    fn options(
        &mut self,
        path: &[i32],
        kind: &'static str,
        scope: &str,
        options: &[UninterpretedOption],
    ) {
        if options.is_empty() {
            return;
        }
        self.found.push(OptionStatements {
            path: path.to_vec(),
            kind,
            scope: scope.to_owned(),
            names: options.iter().map(|o| o.name.clone()).collect(),
        });
    }
}

/// Where each uninterpreted option of a file resolves to: `[element, options field, 999, i]` →
/// `[element, options field, resolved field numbers…]`.
struct OptionPaths<'a> {
    pool: &'a DescriptorPool,
    moved: HashMap<Vec<i32>, Vec<i32>>,
    /// Values given so far to each repeated option (by resolved path): the next one's index.
    counts: HashMap<Vec<i32>, i32>,
}

impl OptionPaths<'_> {
    /// Resolves the option statements of one element.
    fn options(&mut self, statements: &OptionStatements) {
        let kind = statements.kind;
        let Some(message) = self
            .pool
            .get_message_by_name(&format!("google.protobuf.{kind}"))
        else {
            return;
        };
        let path = &statements.path;
        for (i, name) in statements.names.iter().enumerate() {
            // An option that does not resolve keeps its parsed path: lookups fall back to the
            // element. (It cannot happen for a file that compiled.)
            if let Some(resolved) = self.resolve(path, &message, &statements.scope, name) {
                let from = [path, &[UNINTERPRETED_OPTION, i as i32][..]].concat();
                self.moved.insert(from, resolved);
            }
        }
    }

    /// The resolved path of one option statement, as prost-reflect records it.
    fn resolve(
        &mut self,
        path: &[i32],
        options: &MessageDescriptor,
        scope: &str,
        name: &[NamePart],
    ) -> Option<Vec<i32>> {
        let mut resolved = path.to_vec();
        let mut message = options.clone();
        for (i, part) in name.iter().enumerate() {
            let (number, kind, repeated) = if part.is_extension {
                let extension = self.extension(scope, &part.name_part)?;
                (extension.number(), extension.kind(), extension.is_list())
            } else {
                let field = message.get_field_by_name(&part.name_part)?;
                (field.number(), field.kind(), field.is_list())
            };
            resolved.push(number as i32);
            if i + 1 == name.len() {
                // Each value of a repeated option gets its own path.
                if repeated {
                    let count = self.counts.entry(resolved.clone()).or_insert(0);
                    resolved.push(*count);
                    *count += 1;
                }
            } else {
                let Kind::Message(next) = kind else {
                    return None;
                };
                message = next;
            }
        }
        Some(resolved)
    }

    /// An extension named in an option, relative to `scope` as protobuf resolves names: the
    /// innermost enclosing scope where the name exists. (protobuf looks up the name's first
    /// component first, then requires the rest there; for a file that compiled, the innermost
    /// scope holding the whole name is the same one.)
    fn extension(&self, scope: &str, name: &str) -> Option<prost_reflect::ExtensionDescriptor> {
        if let Some(absolute) = name.strip_prefix('.') {
            return self.pool.get_extension_by_name(absolute);
        }
        let mut scope = scope;
        loop {
            if let Some(found) = self.pool.get_extension_by_name(&join(scope, name)) {
                return Some(found);
            }
            if scope.is_empty() {
                return None;
            }
            scope = scope.rfind('.').map_or("", |dot| &scope[..dot]);
        }
    }

    /// The path a location moves to, from an uninterpreted option to the option it resolved
    /// to; `None` for a location that does not move.
    fn apply(&self, path: &[i32]) -> Option<Vec<i32>> {
        let (i, to) = path
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(i, &n)| n == UNINTERPRETED_OPTION && i + 1 < path.len())
            .find_map(|(i, _)| Some((i, self.moved.get(&path[..i + 2])?)))?;
        Some([&to[..], &path[i + 2..]].concat())
    }
}

fn join(scope: &str, name: &str) -> String {
    match scope {
        "" => name.to_owned(),
        _ => format!("{scope}.{name}"),
    }
}

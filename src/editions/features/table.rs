//! The per-file table of resolved feature values that the schema keeps for editions files.

use prost_reflect::{FileDescriptor, Kind, MessageDescriptor, OneofDescriptor};

use super::{Features, Values};
use crate::editions::Edition;

/// The resolved feature values of every element of one file (the file, messages, oneofs, enums,
/// fields and extensions), by `SourceCodeInfo` path. Resolving an element on its own decodes the
/// options of every enclosing scope again; a table resolves the file top-down once, decoding each
/// element's options at most once. Rules ask about the same elements many times (every
/// feature-dependent rule, on both revisions), so [`crate::schema::Schema`] keeps one table per
/// editions file; proto2 and proto3 files have no `features` options and do without. Only the
/// values are kept: where a value was set is asked only to explain a finding, and is resolved
/// then ([`Features::of_field`] and friends). And only where they differ from the file's own:
/// most elements inherit everything (a whole-tree check holds a table for every editions file
/// of both revisions, so this is most of the table's memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFeatures {
    file: Values,
    /// Elements whose values differ from `file`, sorted by path (few: a binary search over
    /// short slices, no hashing).
    differing: Vec<(Vec<i32>, Values)>,
}

impl FileFeatures {
    /// Resolves every element of `file`, written in `edition`.
    pub fn resolve(edition: Edition, file: &FileDescriptor) -> FileFeatures {
        let features = Features::of_file(edition, file);
        let mut table = FileFeatures {
            file: features.values(),
            differing: Vec::new(),
        };
        for message in file.messages() {
            table.message(&features, &message, None);
        }
        for enum_ in file.enums() {
            table.insert(enum_.path(), features.clone().enum_(&enum_));
        }
        for extension in file.extensions() {
            table.insert(extension.path(), features.clone().extension(&extension));
        }
        table.differing.sort_by(|a, b| a.0.cmp(&b.0));
        table
    }

    /// The resolved values of the element at `path` (`[]` for the file itself), which must be an
    /// element of the file that carries features: the file, a message, oneof, enum, field or
    /// extension (enum values, services and methods do not).
    pub fn get(&self, path: &[i32]) -> Values {
        match self
            .differing
            .binary_search_by(|(p, _)| p.as_slice().cmp(path))
        {
            Ok(at) => self.differing[at].1,
            Err(_) => self.file,
        }
    }

    fn insert(&mut self, path: &[i32], features: Features) {
        let values = features.values();
        if values != self.file {
            self.differing.push((path.to_vec(), values));
        }
    }

    /// Resolves a message and what it declares; `map_owner` is the map field's features when
    /// the message is that field's synthetic entry (its key and value take them).
    fn message(
        &mut self,
        scope: &Features,
        message: &MessageDescriptor,
        map_owner: Option<&Features>,
    ) {
        let features = scope.clone().message(message);
        let oneofs: Vec<(OneofDescriptor, Features)> = message
            .oneofs()
            .map(|oneof| {
                let resolved = features.clone().oneof(&oneof);
                self.insert(oneof.path(), resolved.clone());
                (oneof, resolved)
            })
            .collect();
        let mut map_fields = Vec::new();
        for field in message.fields() {
            let oneof = field.containing_oneof().filter(|o| !o.is_synthetic());
            let scope = match (map_owner, oneof) {
                (Some(owner), _) => owner,
                (None, Some(oneof)) => oneofs
                    .iter()
                    .find(|(o, _)| *o == oneof)
                    .map_or(&features, |(_, f)| f),
                (None, None) => &features,
            };
            let resolved = scope.clone().field(&field);
            if let (true, Kind::Message(entry)) = (field.is_map(), field.kind()) {
                map_fields.push((entry, resolved.clone()));
            }
            self.insert(field.path(), resolved);
        }
        for child in message.child_messages() {
            let owner = map_fields.iter().find(|(e, _)| *e == child).map(|(_, f)| f);
            self.message(&features, &child, owner);
        }
        for enum_ in message.child_enums() {
            self.insert(enum_.path(), features.clone().enum_(&enum_));
        }
        for extension in message.child_extensions() {
            self.insert(extension.path(), features.clone().extension(&extension));
        }
        self.insert(message.path(), features);
    }
}

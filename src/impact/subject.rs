//! Which element a finding is about, found from its location: the innermost declaration (message,
//! enum, service, RPC, extension) whose span holds the finding's span. A field and an enum value
//! stand for the type whose data holds them; an extension for itself (the RPCs that set it as an
//! option) and for the message it extends; anything outside every declaration (a file option, a
//! deleted file) for the whole file.

use std::collections::HashMap;

use prost_reflect::{ExtensionDescriptor, FileDescriptor, MessageDescriptor};

use crate::finding::{Location, Span};
use crate::schema::{Element, Schema};

/// What an impact is computed for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A message or enum, by full name.
    Type(String),
    /// An extension (a custom option among them), by full name, with the full name of the
    /// message it extends.
    Extension { name: String, extendee: String },
    /// An RPC, by full name.
    Method(String),
    /// A service, by full name.
    Service(String),
    /// Everything a file declares, by the file's name.
    File(String),
}

/// The declarations of the files looked at so far, each with its span.
#[derive(Default)]
pub struct Subjects {
    by_file: HashMap<String, Vec<(Span, Subject)>>,
}

impl Subjects {
    /// The element `at` points into, in `schema` (the revision `at` is in).
    pub fn at(&mut self, schema: &Schema, at: &Location) -> Subject {
        let whole_file = || Subject::File(at.path.clone());
        let Some(span) = at.span else {
            return whole_file();
        };
        let Some(file) = schema.pool().get_file_by_name(&at.path) else {
            return whole_file();
        };
        let declarations = self
            .by_file
            .entry(at.path.clone())
            .or_insert_with(|| declarations(schema, &file));
        declarations
            .iter()
            .filter(|(outer, _)| contains(outer, &span))
            // Declarations nest: the innermost holding the span starts last (ends first).
            .max_by_key(|(outer, _)| {
                (
                    outer.start_line,
                    outer.start_column,
                    std::cmp::Reverse((outer.end_line, outer.end_column)),
                )
            })
            .map_or_else(whole_file, |(_, subject)| subject.clone())
    }

    /// Every type and service a file declares.
    pub fn in_file(&mut self, schema: &Schema, name: &str) -> Vec<Subject> {
        let Some(file) = schema.pool().get_file_by_name(name) else {
            return Vec::new();
        };
        let mut out: Vec<Subject> = self
            .by_file
            .entry(name.to_owned())
            .or_insert_with(|| declarations(schema, &file))
            .iter()
            .map(|(_, s)| s.clone())
            .filter(|s| {
                matches!(
                    s,
                    Subject::Type(_) | Subject::Service(_) | Subject::Extension { .. }
                )
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn contains(outer: &Span, inner: &Span) -> bool {
    (outer.start_line, outer.start_column) <= (inner.start_line, inner.start_column)
        && (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)
}

/// Every declaration of `file` with a span, and what it stands for.
fn declarations(schema: &Schema, file: &FileDescriptor) -> Vec<(Span, Subject)> {
    let mut out = Vec::new();
    let mut add = |element: &dyn Element, subject: Subject| {
        if let Some(span) = schema.span(file, element.path()) {
            out.push((span, subject));
        }
    };
    for service in file.services() {
        add(&service, Subject::Service(service.full_name().to_owned()));
        for method in service.methods() {
            add(&method, Subject::Method(method.full_name().to_owned()));
        }
    }
    let type_of = |name: &str| Subject::Type(name.to_owned());
    let extension_of = |extension: &ExtensionDescriptor| Subject::Extension {
        name: extension.full_name().to_owned(),
        extendee: extension.containing_message().full_name().to_owned(),
    };
    for extension in file.extensions() {
        add(&extension, extension_of(&extension));
    }
    let mut enums: Vec<_> = file.enums().collect();
    let mut stack: Vec<MessageDescriptor> = file.messages().collect();
    while let Some(message) = stack.pop() {
        if message.is_map_entry() {
            continue;
        }
        let subject = type_of(message.full_name());
        add(&message, subject.clone());
        for field in message.fields() {
            add(&field, subject.clone());
        }
        for extension in message.child_extensions() {
            add(&extension, extension_of(&extension));
        }
        enums.extend(message.child_enums());
        stack.extend(message.child_messages());
    }
    for enum_ in enums {
        let subject = type_of(enum_.full_name());
        add(&enum_, subject.clone());
        for value in enum_.values() {
            add(&value, subject.clone());
        }
    }
    out
}

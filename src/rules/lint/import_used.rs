//! IMPORT_USED: every import is used (buf's BASIC category). An import is used when the file
//! refers to something it declares, directly or through the files it imports publicly: a field's
//! message or enum type, an RPC's request or response, an extension's extendee or type, or a
//! custom option set anywhere in the file.

use std::collections::BTreeSet;

use prost_reflect::{DynamicMessage, FileDescriptor, Kind, MessageDescriptor, ReflectMessage};

use super::LintCtx;

/// `FileDescriptorProto.dependency`: the source path of the n-th import is `[3, n]`.
const DEPENDENCY: i32 = 3;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let used = referenced_files(file);
    let proto = file.file_descriptor_proto();
    for (index, dependency) in file.dependencies().enumerate() {
        // What a public import re-exports counts for the file that imports it.
        let mut reachable = vec![dependency.clone()];
        let mut seen = BTreeSet::new();
        let mut is_used = false;
        while let Some(next) = reachable.pop() {
            if !seen.insert(next.name().to_owned()) {
                continue;
            }
            if used.contains(next.name()) {
                is_used = true;
                break;
            }
            reachable.extend(next.public_dependencies());
        }
        if is_used {
            continue;
        }
        let name = proto
            .dependency
            .get(index)
            .map_or(dependency.name(), String::as_str);
        let at = ctx.schema.locate_path(file, &[DEPENDENCY, index as i32]);
        ctx.report(
            format!("Import \"{name}\" is not used."),
            at,
            format!("file:{}#{name}", file.name()),
        );
    }
}

/// The files that declare something `file` refers to.
fn referenced_files(file: &FileDescriptor) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let add_kind = |used: &mut BTreeSet<String>, kind: Kind| match kind {
        Kind::Message(m) => {
            used.insert(m.parent_file().name().to_owned());
        }
        Kind::Enum(e) => {
            used.insert(e.parent_file().name().to_owned());
        }
        _ => {}
    };
    let mut options = vec![file.options()];
    let mut messages: Vec<MessageDescriptor> = file.messages().collect();
    for extension in file.extensions() {
        used.insert(
            extension
                .containing_message()
                .parent_file()
                .name()
                .to_owned(),
        );
        add_kind(&mut used, extension.kind());
        options.push(extension.options());
    }
    while let Some(message) = messages.pop() {
        options.push(message.options());
        for field in message.fields() {
            add_kind(&mut used, field.kind());
            options.push(field.options());
        }
        for oneof in message.oneofs() {
            options.push(oneof.options());
        }
        for extension in message.child_extensions() {
            used.insert(
                extension
                    .containing_message()
                    .parent_file()
                    .name()
                    .to_owned(),
            );
            add_kind(&mut used, extension.kind());
            options.push(extension.options());
        }
        for enum_ in message.child_enums() {
            options.push(enum_.options());
            options.extend(enum_.values().map(|v| v.options()));
        }
        messages.extend(message.child_messages());
    }
    for enum_ in file.enums() {
        options.push(enum_.options());
        options.extend(enum_.values().map(|v| v.options()));
    }
    for service in file.services() {
        options.push(service.options());
        for method in service.methods() {
            used.insert(method.input().parent_file().name().to_owned());
            used.insert(method.output().parent_file().name().to_owned());
            options.push(method.options());
        }
    }
    for message in &options {
        custom_options(message, &mut used);
    }
    used
}

/// The files declaring the custom options set in an options message (and in the messages those
/// options hold).
fn custom_options(options: &DynamicMessage, used: &mut BTreeSet<String>) {
    for (extension, value) in options.extensions() {
        used.insert(extension.parent_file().name().to_owned());
        if let Some(inner) = value.as_message() {
            used.insert(inner.descriptor().parent_file().name().to_owned());
        }
    }
}

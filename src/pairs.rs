//! Pairing, done once per check: files by path; packages by name; messages, enums and services by
//! fully-qualified name; fields by number within a paired message; extension fields by (extended
//! message, number); enum values by number within a paired enum; methods by name within a paired
//! service. Each pair kind is walked once and every enabled rule of that kind is called on it.
//! Rules never re-pair.

use std::collections::BTreeMap;

use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, ExtensionDescriptor, FileDescriptor, MessageDescriptor,
    MethodDescriptor, ServiceDescriptor,
};

use protox::file::FileResolver;

use crate::finding::Finding;
use crate::registry::{Check, Enabled, EnumValueCheck, FileCheck, PackageCheck, PairCheck};
use crate::rules::Ctx;
use crate::schema::field::AnyField;
use crate::schema::Schema;

/// A file path present in at least one revision.
pub struct FilePair<'a> {
    pub name: &'a str,
    pub old: Option<&'a FileDescriptor>,
    pub new: Option<&'a FileDescriptor>,
}

/// A package name present in at least one revision, with its files on each side (sorted by
/// name; empty where the package does not exist).
pub struct PackagePair<'a> {
    pub name: &'a str,
    pub old: Vec<&'a FileDescriptor>,
    pub new: Vec<&'a FileDescriptor>,
}

/// The values an enum gives one number in each revision (several with `allow_alias`).
pub struct EnumValuePair<'a> {
    pub number: i32,
    pub old_enum: &'a EnumDescriptor,
    pub new_enum: &'a EnumDescriptor,
    pub old: Vec<EnumValueDescriptor>,
    pub new: Vec<EnumValueDescriptor>,
}

/// The enabled rules sorted by the pair kind they read, found once per check: a pair is offered
/// only to the rules of its kind, and a kind that no enabled rule reads is not walked at all.
#[derive(Default)]
struct ByKind<'r> {
    file: Vec<(&'r Enabled, FileCheck)>,
    package: Vec<(&'r Enabled, PackageCheck)>,
    service: Vec<(&'r Enabled, PairCheck<ServiceDescriptor>)>,
    method: Vec<(&'r Enabled, PairCheck<MethodDescriptor>)>,
    message: Vec<(&'r Enabled, PairCheck<MessageDescriptor>)>,
    field: Vec<(&'r Enabled, PairCheck<AnyField>)>,
    enum_: Vec<(&'r Enabled, PairCheck<EnumDescriptor>)>,
    enum_value: Vec<(&'r Enabled, EnumValueCheck)>,
}

impl<'r> ByKind<'r> {
    fn new(rules: &'r [Enabled]) -> Self {
        let mut by = ByKind::default();
        for rule in rules {
            match rule.check {
                Check::File(f) => by.file.push((rule, f)),
                Check::Package(f) => by.package.push((rule, f)),
                Check::Service(f) => by.service.push((rule, f)),
                Check::Method(f) => by.method.push((rule, f)),
                Check::Message(f) => by.message.push((rule, f)),
                Check::Field(f) => by.field.push((rule, f)),
                Check::Enum(f) => by.enum_.push((rule, f)),
                Check::EnumValue(f) => by.enum_value.push((rule, f)),
                Check::Lint(_) | Check::History(..) => {}
            }
        }
        by
    }
}

/// Runs every enabled rule over every pair of the two revisions.
pub fn run(old: &Schema, new: &Schema, rules: &[Enabled]) -> Vec<Finding> {
    let by = ByKind::new(rules);
    let mut findings = Vec::new();
    let added = crate::rules::breaking::renames::Added::default();
    // Calls each rule of a kind with its own context; `$call` receives the rule's function.
    macro_rules! each {
        ($rules:expr, |$f:ident, $ctx:ident| $call:expr) => {
            for (rule, $f) in &$rules {
                let $ctx = &mut Ctx::new(rule, old, new, &mut findings, &added);
                $call;
            }
        };
    }

    let old_files = still_compared(old, new);
    if !by.file.is_empty() {
        let mut names: Vec<&str> = old_files
            .iter()
            .copied()
            .chain(new.files())
            .map(|f| f.name())
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let pair = FilePair {
                name,
                old: old_files.iter().copied().find(|f| f.name() == name),
                new: new.file(name),
            };
            each!(by.file, |f, ctx| f(ctx, &pair));
        }
    }

    if !by.package.is_empty() {
        let mut packages: BTreeMap<&str, PackagePair> = BTreeMap::new();
        for (is_new, files) in [
            (false, old_files.clone()),
            (true, new.files().iter().collect()),
        ] {
            for file in files {
                let pair = packages
                    .entry(file.package_name())
                    .or_insert_with(|| PackagePair {
                        name: file.package_name(),
                        old: Vec::new(),
                        new: Vec::new(),
                    });
                if is_new {
                    pair.new.push(file);
                } else {
                    pair.old.push(file);
                }
            }
        }
        for pair in packages.values() {
            each!(by.package, |f, ctx| f(ctx, pair));
        }
    }

    if !by.service.is_empty() || !by.method.is_empty() {
        let new_services = services(new);
        for (name, old_service) in &services(old) {
            let Some(new_service) = new_services.get(name) else {
                continue;
            };
            each!(by.service, |f, ctx| f(ctx, old_service, new_service));
            if by.method.is_empty() {
                continue;
            }
            for old_method in old_service.methods() {
                let Some(new_method) = new_service
                    .methods()
                    .find(|m| m.name() == old_method.name())
                else {
                    continue;
                };
                each!(by.method, |f, ctx| f(ctx, &old_method, &new_method));
            }
        }
    }

    let wants_messages = !by.message.is_empty() || !by.field.is_empty();
    let wants_enums = !by.enum_.is_empty() || !by.enum_value.is_empty();
    if wants_messages || wants_enums {
        let old_messages = messages(old);
        let new_messages = messages(new);
        if wants_messages {
            for (name, old_message) in &old_messages {
                let Some(new_message) = new_messages.get(name) else {
                    continue;
                };
                each!(by.message, |f, ctx| f(ctx, old_message, new_message));
                if by.field.is_empty() {
                    continue;
                }
                for old_field in old_message.fields() {
                    let Some(new_field) = new_message.get_field(old_field.number()) else {
                        continue;
                    };
                    let pair = (AnyField::Field(old_field), AnyField::Field(new_field));
                    each!(by.field, |f, ctx| f(ctx, &pair.0, &pair.1));
                }
            }
        }
        if wants_enums {
            let new_enums = enums(new, &new_messages);
            for (name, old_enum) in &enums(old, &old_messages) {
                let Some(new_enum) = new_enums.get(name) else {
                    continue;
                };
                each!(by.enum_, |f, ctx| f(ctx, old_enum, new_enum));
                if by.enum_value.is_empty() {
                    continue;
                }
                let new_values = values_by_number(new_enum);
                for (number, old_values) in values_by_number(old_enum) {
                    let Some(new_values) = new_values.get(&number) else {
                        continue;
                    };
                    let pair = EnumValuePair {
                        number,
                        old_enum,
                        new_enum,
                        old: old_values,
                        new: new_values.clone(),
                    };
                    each!(by.enum_value, |f, ctx| f(ctx, &pair));
                }
            }
        }
    }

    if !by.field.is_empty() {
        let new_extensions = extensions(new);
        for (key, old_extension) in extensions(old) {
            let Some(new_extension) = new_extensions.get(&key) else {
                continue;
            };
            let pair = (
                AnyField::Extension(old_extension),
                AnyField::Extension(new_extension.clone()),
            );
            each!(by.field, |f, ctx| f(ctx, &pair.0, &pair.1));
        }
    }

    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    findings
}

/// The previous revision's checked files that are compared with the current one: all but a
/// vendored copy of a well-known type (`google/protobuf/empty.proto`) that the module stopped
/// shipping. Its imports now resolve to the copy protoc, buf and protoguard provide, so the file,
/// its package and its messages still exist (buf reports nothing either).
fn still_compared<'s>(old: &'s Schema, new: &Schema) -> Vec<&'s FileDescriptor> {
    old.files()
        .iter()
        .filter(|f| new.file(f.name()).is_some() || !is_well_known(f.name()))
        .collect()
}

/// Returns `true` if `name` is a well-known type file every compiler provides.
fn is_well_known(name: &str) -> bool {
    name.starts_with("google/protobuf/")
        && protox::file::GoogleFileResolver::new()
            .open_file(name)
            .is_ok()
}

/// Every message (nested ones too) of the checked files, by full name. Map entry messages are
/// left out: they are synthesized from a map field, whose own type change is what is reported.
pub fn messages(schema: &Schema) -> BTreeMap<String, MessageDescriptor> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<MessageDescriptor> =
        schema.files().iter().flat_map(|f| f.messages()).collect();
    while let Some(message) = stack.pop() {
        if message.is_map_entry() {
            continue;
        }
        stack.extend(message.child_messages());
        out.insert(message.full_name().to_owned(), message);
    }
    out
}

/// Every extension field the checked files declare (at file level or nested in a message), by
/// the full name of the message it extends and its number: the field's identity on the wire,
/// whatever scope declares it. Custom options (extensions of `google.protobuf.*Options`) are
/// extensions like any other.
fn extensions(schema: &Schema) -> BTreeMap<(String, u32), ExtensionDescriptor> {
    let mut out = BTreeMap::new();
    for file in schema.files() {
        let mut stack: Vec<MessageDescriptor> = file.messages().collect();
        let mut found: Vec<ExtensionDescriptor> = file.extensions().collect();
        while let Some(message) = stack.pop() {
            stack.extend(message.child_messages());
            found.extend(message.child_extensions());
        }
        for extension in found {
            let key = (
                extension.containing_message().full_name().to_owned(),
                extension.number(),
            );
            out.insert(key, extension);
        }
    }
    out
}

/// Every service of the checked files, by full name.
fn services(schema: &Schema) -> BTreeMap<String, ServiceDescriptor> {
    schema
        .files()
        .iter()
        .flat_map(|f| f.services())
        .map(|s| (s.full_name().to_owned(), s))
        .collect()
}

/// Every enum (nested ones too) of the checked files, by full name.
fn enums(
    schema: &Schema,
    messages: &BTreeMap<String, MessageDescriptor>,
) -> BTreeMap<String, EnumDescriptor> {
    let mut out = BTreeMap::new();
    for file in schema.files() {
        out.extend(file.enums().map(|e| (e.full_name().to_owned(), e)));
    }
    for message in messages.values() {
        out.extend(message.child_enums().map(|e| (e.full_name().to_owned(), e)));
    }
    out
}

/// An enum's values grouped by number, each group in declaration order. (prost-reflect's
/// `values()` is sorted by number, so the order comes from the descriptor proto.)
pub fn values_by_number(enum_: &EnumDescriptor) -> BTreeMap<i32, Vec<EnumValueDescriptor>> {
    let mut out: BTreeMap<i32, Vec<EnumValueDescriptor>> = BTreeMap::new();
    for proto in &enum_.enum_descriptor_proto().value {
        if let Some(value) = enum_.get_value_by_name(proto.name()) {
            out.entry(value.number()).or_default().push(value);
        }
    }
    out
}

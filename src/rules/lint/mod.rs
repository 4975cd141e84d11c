//! Lint rules: judgements of one revision, one file each. A rule is a small `check` function over
//! one kind of element (a file, a message, a field, …) or over the whole revision (rules that
//! compare files with each other: packages and directories). [`run`] walks the revision once and
//! offers each element to the rules that read its kind.
//!
//! Every finding also names the element it is about ([`Linted::element`]): its full name, or the
//! file path or package for file and package rules. `lint --against` matches findings of two
//! revisions by rule and element, never by line, so moved lines do not make old findings new.

mod comment;
pub mod naming;
mod naming_rule;
pub mod options;
mod package_option;
mod rpc_standard_name;
mod rpc_streaming;
pub mod version;
mod zero_value;

pub mod comment_enum;
pub mod comment_enum_value;
pub mod comment_field;
pub mod comment_message;
pub mod comment_oneof;
pub mod comment_rpc;
pub mod comment_service;
pub mod directory_same_package;
pub mod enum_first_value_zero;
pub mod enum_no_allow_alias;
pub mod enum_pascal_case;
pub mod enum_value_prefix;
pub mod enum_value_upper_snake_case;
pub mod enum_zero_value_no_alias;
pub mod enum_zero_value_not_assigned;
pub mod enum_zero_value_suffix;
pub mod enum_zero_value_unset_name;
pub mod field_closed_enum_default_zero;
pub mod field_lower_snake_case;
pub mod field_not_required;
pub mod file_lower_snake_case;
pub mod import_no_public;
pub mod import_used;
pub mod message_pascal_case;
pub mod oneof_lower_snake_case;
pub mod package_defined;
pub mod package_directory_match;
pub mod package_lower_snake_case;
pub mod package_no_import_cycle;
pub mod package_same_csharp_namespace;
pub mod package_same_directory;
pub mod package_same_go_package;
pub mod package_same_java_multiple_files;
pub mod package_same_java_package;
pub mod package_same_php_namespace;
pub mod package_same_ruby_package;
pub mod package_same_swift_prefix;
pub mod package_version_suffix;
pub mod protovalidate;
pub mod rpc_no_client_streaming;
pub mod rpc_no_server_streaming;
pub mod rpc_pascal_case;
pub mod rpc_request_response_unique;
pub mod rpc_request_standard_name;
pub mod rpc_response_standard_name;
pub mod service_pascal_case;
pub mod service_suffix;
pub mod stable_package_no_import_unstable;
pub mod syntax_specified;

use std::sync::atomic::{AtomicUsize, Ordering};

use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, FileDescriptor, MessageDescriptor, MethodDescriptor,
    OneofDescriptor, ServiceDescriptor,
};

use crate::finding::{Finding, Kind, Location, Severity};
use crate::registry::{Check, Enabled};
use crate::schema::field::AnyField;
use crate::schema::Schema;

pub use options::LintOptions;

/// A check over the whole revision.
pub type SchemaCheck = fn(&mut LintCtx);
/// A check over one element of a revision.
pub type ElementCheck<T> = fn(&mut LintCtx, &T);

/// A lint rule's check function, by the kind of element it reads.
#[derive(Clone, Copy)]
pub enum LintCheck {
    /// The whole revision at once: rules that compare files (packages, directories, imports).
    Schema(SchemaCheck),
    File(ElementCheck<FileDescriptor>),
    Message(ElementCheck<MessageDescriptor>),
    /// A field of a message or an extension field (buf lints both as fields).
    Field(ElementCheck<AnyField>),
    Oneof(ElementCheck<OneofDescriptor>),
    Enum(ElementCheck<EnumDescriptor>),
    EnumValue(ElementCheck<EnumValueDescriptor>),
    Service(ElementCheck<ServiceDescriptor>),
    Method(ElementCheck<MethodDescriptor>),
}

impl LintCheck {
    /// Returns `true` if the rule compares files with each other, so that a change-based lint
    /// must see every file of the packages a change touches.
    pub fn reads_whole_revision(self) -> bool {
        matches!(self, LintCheck::Schema(_))
    }
}

/// A finding with the element it is about, for matching findings across revisions.
#[derive(Debug, Clone)]
pub struct Linted {
    pub finding: Finding,
    /// The element's identity: a full name (`acme.v1.User.email`), `file:<path>`, or
    /// `package:<name>`, optionally followed by `#` and a detail that tells apart several
    /// findings of one rule on one element (an import, an option).
    pub element: String,
}

/// What a lint rule sees: the revision, the configured options, and where its findings go.
pub struct LintCtx<'a> {
    pub schema: &'a Schema,
    pub options: &'a LintOptions,
    rule: &'static str,
    severity: Severity,
    help: Option<&'static str>,
    findings: &'a mut Vec<Linted>,
}

impl<'a> LintCtx<'a> {
    fn new(
        schema: &'a Schema,
        options: &'a LintOptions,
        rule: &Enabled,
        findings: &'a mut Vec<Linted>,
    ) -> Self {
        LintCtx {
            schema,
            options,
            rule: rule.id,
            severity: rule.severity,
            help: rule.help,
            findings,
        }
    }

    /// Reports a finding at `at` about `element` (see [`Linted::element`]). Returns the finding
    /// so that a rule can give more specific help.
    pub fn report(&mut self, message: String, at: Location, element: String) -> &mut Finding {
        self.findings.push(Linted {
            finding: Finding {
                rule: self.rule,
                severity: self.severity,
                message,
                location: at,
                previous: None,
                help: self.help.map(str::to_owned),
                kind: Kind::Other,
                label: "here",
                fix: None,
                impact: None,
            },
            element,
        });
        &mut self.findings.last_mut().expect("just pushed").finding
    }
}

/// The enabled lint rules sorted by the element kind they read.
#[derive(Default)]
struct ByKind<'r> {
    schema: Vec<(&'r Enabled, SchemaCheck)>,
    file: Vec<(&'r Enabled, ElementCheck<FileDescriptor>)>,
    message: Vec<(&'r Enabled, ElementCheck<MessageDescriptor>)>,
    field: Vec<(&'r Enabled, ElementCheck<AnyField>)>,
    oneof: Vec<(&'r Enabled, ElementCheck<OneofDescriptor>)>,
    enum_: Vec<(&'r Enabled, ElementCheck<EnumDescriptor>)>,
    enum_value: Vec<(&'r Enabled, ElementCheck<EnumValueDescriptor>)>,
    service: Vec<(&'r Enabled, ElementCheck<ServiceDescriptor>)>,
    method: Vec<(&'r Enabled, ElementCheck<MethodDescriptor>)>,
}

impl<'r> ByKind<'r> {
    fn new(rules: &'r [Enabled]) -> Self {
        let mut by = ByKind::default();
        for rule in rules {
            let Check::Lint(check) = rule.check else {
                continue;
            };
            match check {
                LintCheck::Schema(f) => by.schema.push((rule, f)),
                LintCheck::File(f) => by.file.push((rule, f)),
                LintCheck::Message(f) => by.message.push((rule, f)),
                LintCheck::Field(f) => by.field.push((rule, f)),
                LintCheck::Oneof(f) => by.oneof.push((rule, f)),
                LintCheck::Enum(f) => by.enum_.push((rule, f)),
                LintCheck::EnumValue(f) => by.enum_value.push((rule, f)),
                LintCheck::Service(f) => by.service.push((rule, f)),
                LintCheck::Method(f) => by.method.push((rule, f)),
            }
        }
        by
    }
}

/// Runs every enabled lint rule over the checked files of one revision. Map entry messages
/// (generated for `map<K, V>` fields) and the synthetic oneofs of proto3 `optional` fields are
/// not written by the user and are not offered to rules, as in buf.
///
/// The work is split into jobs: each whole-revision rule (PACKAGE_SAME_*, the cycle and
/// uniqueness rules) on its own, then runs of files. One thread per available core (at most 8)
/// takes the next job until none is left, and the findings are joined in job order: the result
/// is the same as one pass (whole-revision rules first, then the files in order). Most of a
/// file's cost is locating its findings (see [`Schema::span_index`]), which is per file, so it
/// divides well; a whole-revision rule runs beside the files instead of before them.
pub fn run(schema: &Schema, rules: &[Enabled], options: &LintOptions) -> Vec<Linted> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    run_on(schema, rules, options, cores.clamp(1, 8))
}

/// [`run`] on at most `threads` threads (fewer for a small schema: one per 16 files).
fn run_on(
    schema: &Schema,
    rules: &[Enabled],
    options: &LintOptions,
    threads: usize,
) -> Vec<Linted> {
    let by = ByKind::new(rules);
    let files = schema.files();
    let threads = threads.min((files.len() / 16).max(1));
    // About eight runs per thread, so that a thread that drew slow files is not left alone.
    let batches: Vec<&[FileDescriptor]> = files
        .chunks(files.len().div_ceil(threads * 8).max(16))
        .collect();
    let jobs = by.schema.len() + batches.len();
    let run_job = |job: usize, found: &mut Vec<Linted>| match by.schema.get(job) {
        Some((rule, f)) => f(&mut LintCtx::new(schema, options, rule, found)),
        None => {
            for file in batches[job - by.schema.len()] {
                lint_file(schema, &by, options, file, found);
            }
        }
    };
    if threads == 1 {
        let mut findings = Vec::new();
        for job in 0..jobs {
            run_job(job, &mut findings);
        }
        return findings;
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            if job >= jobs {
                return done;
            }
            let mut found = Vec::new();
            run_job(job, &mut found);
            done.push((job, found));
        }
    };
    let mut done: Vec<(usize, Vec<Linted>)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            let theirs = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            done.extend(theirs);
        }
        done
    });
    done.sort_unstable_by_key(|(job, _)| *job);
    done.into_iter().flat_map(|(_, found)| found).collect()
}

/// Runs the element rules over one file and what it declares.
fn lint_file(
    schema: &Schema,
    by: &ByKind,
    options: &LintOptions,
    file: &FileDescriptor,
    findings: &mut Vec<Linted>,
) {
    macro_rules! each {
        ($rules:expr, |$f:ident, $ctx:ident| $call:expr) => {
            for (rule, $f) in &$rules {
                let $ctx = &mut LintCtx::new(schema, options, rule, findings);
                $call;
            }
        };
    }
    each!(by.file, |f, ctx| f(ctx, file));
    for extension in file.extensions() {
        let field = AnyField::Extension(extension);
        each!(by.field, |f, ctx| f(ctx, &field));
    }
    let mut messages: Vec<MessageDescriptor> = file.messages().collect();
    let mut enums: Vec<EnumDescriptor> = file.enums().collect();
    while let Some(message) = messages.pop() {
        if message.is_map_entry() {
            continue;
        }
        each!(by.message, |f, ctx| f(ctx, &message));
        for field in message.fields() {
            let field = AnyField::Field(field);
            each!(by.field, |f, ctx| f(ctx, &field));
        }
        for extension in message.child_extensions() {
            let field = AnyField::Extension(extension);
            each!(by.field, |f, ctx| f(ctx, &field));
        }
        for oneof in message.oneofs().filter(|o| !o.is_synthetic()) {
            each!(by.oneof, |f, ctx| f(ctx, &oneof));
        }
        messages.extend(message.child_messages());
        enums.extend(message.child_enums());
    }
    for enum_ in &enums {
        each!(by.enum_, |f, ctx| f(ctx, enum_));
        for value in enum_.values() {
            each!(by.enum_value, |f, ctx| f(ctx, &value));
        }
    }
    for service in file.services() {
        each!(by.service, |f, ctx| f(ctx, &service));
        for method in service.methods() {
            each!(by.method, |f, ctx| f(ctx, &method));
        }
    }
}

/// The directory of a module-relative path (`acme/v1/user.proto` → `acme/v1`; empty at the
/// root).
pub(crate) fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::{run_on, LintOptions};
    use crate::check::Selection;
    use crate::compile::{compile, CompileOptions, Spans};
    use crate::config::Config;
    use crate::finding::Side;
    use crate::input::{Content, Snapshot, Sources};
    use crate::registry::RuleKind;

    /// The jobs of several threads, joined, are one pass over the schema: the same findings in
    /// the same order, whole-revision rules (PACKAGE_SAME_GO_PACKAGE here) included.
    #[test]
    fn threads_find_what_one_pass_finds() {
        let mut sources = Sources::default();
        let mut names = BTreeSet::new();
        for i in 0..90 {
            let (package, go) = (i % 7, i % 3);
            let name = format!("acme/p{package}/v1/file_{i}.proto");
            let text = format!(
                "syntax = \"proto3\";\npackage acme.p{package}.v1;\noption go_package = \"x{go}\";\n\
                 message bad_{i} {{ string BadField = 1; }}\n\
                 service S{i} {{ rpc get(bad_{i}) returns (bad_{i}); }}\n"
            );
            sources.insert(name.clone(), text.into_bytes());
            names.insert(name);
        }
        let snapshot = Arc::new(Snapshot {
            label: "test".to_owned(),
            content: Content::Sources(sources),
        });
        let options = CompileOptions {
            spans: Spans::Kept { comments: true },
            read_ahead: false,
            parses: None,
        };
        let schema = compile(snapshot, Side::Current, &names, &[], options).expect("compiles");
        let rules = Selection::default()
            .resolve_in(RuleKind::Lint, &Config::default())
            .expect("the default rules");
        let lint = LintOptions::default();
        let one = format!("{:?}", run_on(&schema, &rules, &lint, 1));
        for threads in [2, 3, 8] {
            let many = run_on(&schema, &rules, &lint, threads);
            assert!(many.len() > 400, "{}", many.len());
            assert!(many
                .iter()
                .any(|l| l.finding.rule == "PACKAGE_SAME_GO_PACKAGE"));
            assert_eq!(one, format!("{many:?}"), "{threads} threads");
        }
    }
}

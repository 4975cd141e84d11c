//! The single table of rules, one per kind ([`BREAKING`], [`LINT`]): each ID, its check function
//! and its documentation file under `rules/<kind>/`. Metadata (categories, default severity,
//! summary) is read from the documentation's TOML front matter, so categories are data, not code.
//! Rule IDs are unique across kinds, so a finding's rule names its kind too.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use prost_reflect::{EnumDescriptor, MessageDescriptor, MethodDescriptor, ServiceDescriptor};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::history::Scope;
use crate::pairs::{EnumValuePair, FilePair, PackagePair};
use crate::rules::lint::LintCheck;
use crate::rules::{breaking, lint, Ctx};
use crate::schema::field::AnyField;

/// A rule's check function, by the kind of pair it reads.
#[derive(Clone, Copy)]
pub enum Check {
    File(FileCheck),
    Package(PackageCheck),
    Service(PairCheck<ServiceDescriptor>),
    Method(PairCheck<MethodDescriptor>),
    Message(PairCheck<MessageDescriptor>),
    /// Fields paired by number within a message, and extension fields by (extended message,
    /// number).
    Field(PairCheck<AnyField>),
    Enum(PairCheck<EnumDescriptor>),
    EnumValue(EnumValueCheck),
    /// A lint rule: reads one revision, not a pair.
    Lint(LintCheck),
    /// Reads the current revision against the history ledger of the previous one (a git
    /// revision); does not run without one. The scope says which elements it asks the ledger
    /// about, so that the ledger is built only for those.
    History(HistoryCheck, crate::history::Scope),
}

pub type FileCheck = fn(&mut Ctx, &FilePair);
pub type PackageCheck = fn(&mut Ctx, &PackagePair);
pub type EnumValueCheck = fn(&mut Ctx, &EnumValuePair);
pub type HistoryCheck = fn(&mut Ctx, &crate::history::Read);
/// A check over an element paired by name or number: (previous, current).
pub type PairCheck<T> = fn(&mut Ctx, &T, &T);

pub struct Rule {
    pub id: &'static str,
    /// The rule's documentation: TOML front matter between `+++` lines, then Markdown.
    pub doc: &'static str,
    pub check: Check,
}

macro_rules! breaking {
    ($($id:ident => $kind:ident($module:ident $(, $arg:expr)?)),* $(,)?) => {
        &[$(Rule {
            id: stringify!($id),
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/breaking/", stringify!($id), ".md")),
            check: Check::$kind(breaking::$module::check $(, $arg)?),
        }),*]
    };
}

/// Every breaking rule.
pub static BREAKING: &[Rule] = breaking![
    FILE_NO_DELETE => File(file_no_delete),
    MESSAGE_NO_DELETE => File(message_no_delete),
    ENUM_NO_DELETE => File(enum_no_delete),
    FIELD_NO_DELETE => Message(field_no_delete),
    FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED => Message(field_no_delete_unless_number_reserved),
    FIELD_NO_DELETE_UNLESS_NAME_RESERVED => Message(field_no_delete_unless_name_reserved),
    ENUM_VALUE_NO_DELETE => Enum(enum_value_no_delete),
    ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED => Enum(enum_value_no_delete_unless_number_reserved),
    ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED => Enum(enum_value_no_delete_unless_name_reserved),
    RESERVED_MESSAGE_NO_DELETE => Message(reserved_message_no_delete),
    RESERVED_ENUM_NO_DELETE => Enum(reserved_enum_no_delete),
    FIELD_SAME_NAME => Field(field_same_name),
    FIELD_SAME_JSON_NAME => Field(field_same_json_name),
    ENUM_VALUE_SAME_NAME => EnumValue(enum_value_same_name),
    FIELD_SAME_TYPE => Field(field_same_type),
    FIELD_WIRE_COMPATIBLE_TYPE => Field(field_wire_compatible_type),
    FIELD_WIRE_JSON_COMPATIBLE_TYPE => Field(field_wire_json_compatible_type),
    FIELD_SAME_CARDINALITY => Field(field_same_cardinality),
    FIELD_WIRE_COMPATIBLE_CARDINALITY => Field(field_wire_compatible_cardinality),
    FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY => Field(field_wire_json_compatible_cardinality),
    FIELD_SAME_ONEOF => Field(field_same_oneof),
    ONEOF_NO_DELETE => Message(oneof_no_delete),
    ENUM_DEFAULT_VALUE_SAME => Enum(enum_default_value_same),
    FIELD_NUMBER_NO_REUSE => History(field_number_no_reuse, Scope::AddedMembers),
    ENUM_VALUE_NUMBER_NO_REUSE => History(enum_value_number_no_reuse, Scope::AddedMembers),
    FIELD_NAME_NO_REUSE => History(field_name_no_reuse, Scope::AddedMembers),
    ENUM_VALUE_NAME_NO_REUSE => History(enum_value_name_no_reuse, Scope::AddedMembers),
    FIELD_RETIRED_RESERVED => History(field_retired_reserved, Scope::TouchedDeclarations),
    ENUM_VALUE_RETIRED_RESERVED => History(enum_value_retired_reserved, Scope::TouchedDeclarations),
    SERVICE_NO_DELETE => File(service_no_delete),
    EXTENSION_NO_DELETE => File(extension_no_delete),
    FILE_SAME_PACKAGE => File(file_same_package),
    FILE_SAME_SYNTAX => File(file_same_syntax),
    FILE_SAME_GO_PACKAGE => File(file_same_go_package),
    FILE_SAME_JAVA_PACKAGE => File(file_same_java_package),
    FILE_SAME_JAVA_MULTIPLE_FILES => File(file_same_java_multiple_files),
    FILE_SAME_JAVA_OUTER_CLASSNAME => File(file_same_java_outer_classname),
    FILE_SAME_CSHARP_NAMESPACE => File(file_same_csharp_namespace),
    FILE_SAME_OBJC_CLASS_PREFIX => File(file_same_objc_class_prefix),
    FILE_SAME_PHP_CLASS_PREFIX => File(file_same_php_class_prefix),
    FILE_SAME_PHP_METADATA_NAMESPACE => File(file_same_php_metadata_namespace),
    FILE_SAME_PHP_NAMESPACE => File(file_same_php_namespace),
    FILE_SAME_RUBY_PACKAGE => File(file_same_ruby_package),
    FILE_SAME_SWIFT_PREFIX => File(file_same_swift_prefix),
    FILE_SAME_OPTIMIZE_FOR => File(file_same_optimize_for),
    FILE_SAME_CC_ENABLE_ARENAS => File(file_same_cc_enable_arenas),
    FILE_SAME_CC_GENERIC_SERVICES => File(file_same_cc_generic_services),
    FILE_SAME_JAVA_GENERIC_SERVICES => File(file_same_java_generic_services),
    FILE_SAME_PY_GENERIC_SERVICES => File(file_same_py_generic_services),
    PACKAGE_NO_DELETE => Package(package_no_delete),
    PACKAGE_MESSAGE_NO_DELETE => Package(package_message_no_delete),
    PACKAGE_ENUM_NO_DELETE => Package(package_enum_no_delete),
    PACKAGE_SERVICE_NO_DELETE => Package(package_service_no_delete),
    PACKAGE_EXTENSION_NO_DELETE => Package(package_extension_no_delete),
    RPC_NO_DELETE => Service(rpc_no_delete),
    RPC_SAME_REQUEST_TYPE => Method(rpc_same_request_type),
    RPC_SAME_RESPONSE_TYPE => Method(rpc_same_response_type),
    RPC_SAME_CLIENT_STREAMING => Method(rpc_same_client_streaming),
    RPC_SAME_SERVER_STREAMING => Method(rpc_same_server_streaming),
    RPC_SAME_IDEMPOTENCY_LEVEL => Method(rpc_same_idempotency_level),
    MESSAGE_SAME_REQUIRED_FIELDS => Message(message_same_required_fields),
    MESSAGE_SAME_JSON_FORMAT => Message(message_same_json_format),
    MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR => Message(message_no_remove_standard_descriptor_accessor),
    MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT => Message(message_same_message_set_wire_format),
    EXTENSION_MESSAGE_NO_DELETE => Message(extension_message_no_delete),
    ENUM_SAME_TYPE => Enum(enum_same_type),
    ENUM_SAME_JSON_FORMAT => Enum(enum_same_json_format),
    FIELD_SAME_DEFAULT => Field(field_same_default),
    FIELD_SAME_CPP_STRING_TYPE => Field(field_same_cpp_string_type),
    FIELD_SAME_JSTYPE => Field(field_same_jstype),
    FIELD_SAME_UTF8_VALIDATION => Field(field_same_utf8_validation),
    FIELD_SAME_JAVA_UTF8_VALIDATION => Field(field_same_java_utf8_validation),
];

macro_rules! lint {
    ($($id:ident => $kind:ident($module:ident)),* $(,)?) => {
        &[$(Rule {
            id: stringify!($id),
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/lint/", stringify!($id), ".md")),
            check: Check::Lint(LintCheck::$kind(lint::$module::check)),
        }),*]
    };
}

/// Every lint rule.
pub static LINT: &[Rule] = lint![
    DIRECTORY_SAME_PACKAGE => Schema(directory_same_package),
    PACKAGE_DEFINED => File(package_defined),
    PACKAGE_DIRECTORY_MATCH => File(package_directory_match),
    PACKAGE_NO_IMPORT_CYCLE => Schema(package_no_import_cycle),
    PACKAGE_SAME_DIRECTORY => Schema(package_same_directory),
    ENUM_FIRST_VALUE_ZERO => Enum(enum_first_value_zero),
    ENUM_NO_ALLOW_ALIAS => Enum(enum_no_allow_alias),
    ENUM_PASCAL_CASE => Enum(enum_pascal_case),
    ENUM_VALUE_UPPER_SNAKE_CASE => EnumValue(enum_value_upper_snake_case),
    FIELD_LOWER_SNAKE_CASE => Field(field_lower_snake_case),
    FIELD_NOT_REQUIRED => Field(field_not_required),
    IMPORT_NO_PUBLIC => File(import_no_public),
    IMPORT_USED => File(import_used),
    MESSAGE_PASCAL_CASE => Message(message_pascal_case),
    ONEOF_LOWER_SNAKE_CASE => Oneof(oneof_lower_snake_case),
    PACKAGE_LOWER_SNAKE_CASE => File(package_lower_snake_case),
    PACKAGE_SAME_CSHARP_NAMESPACE => Schema(package_same_csharp_namespace),
    PACKAGE_SAME_GO_PACKAGE => Schema(package_same_go_package),
    PACKAGE_SAME_JAVA_MULTIPLE_FILES => Schema(package_same_java_multiple_files),
    PACKAGE_SAME_JAVA_PACKAGE => Schema(package_same_java_package),
    PACKAGE_SAME_PHP_NAMESPACE => Schema(package_same_php_namespace),
    PACKAGE_SAME_RUBY_PACKAGE => Schema(package_same_ruby_package),
    PACKAGE_SAME_SWIFT_PREFIX => Schema(package_same_swift_prefix),
    RPC_PASCAL_CASE => Method(rpc_pascal_case),
    SERVICE_PASCAL_CASE => Service(service_pascal_case),
    SYNTAX_SPECIFIED => File(syntax_specified),
    ENUM_VALUE_PREFIX => EnumValue(enum_value_prefix),
    ENUM_ZERO_VALUE_SUFFIX => Enum(enum_zero_value_suffix),
    FILE_LOWER_SNAKE_CASE => File(file_lower_snake_case),
    PACKAGE_VERSION_SUFFIX => File(package_version_suffix),
    PROTOVALIDATE => Message(protovalidate),
    RPC_REQUEST_RESPONSE_UNIQUE => Schema(rpc_request_response_unique),
    RPC_REQUEST_STANDARD_NAME => Method(rpc_request_standard_name),
    RPC_RESPONSE_STANDARD_NAME => Method(rpc_response_standard_name),
    SERVICE_SUFFIX => Service(service_suffix),
    COMMENT_ENUM => Enum(comment_enum),
    COMMENT_ENUM_VALUE => EnumValue(comment_enum_value),
    COMMENT_FIELD => Field(comment_field),
    COMMENT_MESSAGE => Message(comment_message),
    COMMENT_ONEOF => Oneof(comment_oneof),
    COMMENT_RPC => Method(comment_rpc),
    COMMENT_SERVICE => Service(comment_service),
    RPC_NO_CLIENT_STREAMING => Method(rpc_no_client_streaming),
    RPC_NO_SERVER_STREAMING => Method(rpc_no_server_streaming),
    STABLE_PACKAGE_NO_IMPORT_UNSTABLE => File(stable_package_no_import_unstable),
    ENUM_ZERO_VALUE_UNSET_NAME => Enum(enum_zero_value_unset_name),
    ENUM_ZERO_VALUE_NO_ALIAS => Enum(enum_zero_value_no_alias),
    ENUM_ZERO_VALUE_NOT_ASSIGNED => Field(enum_zero_value_not_assigned),
    FIELD_CLOSED_ENUM_DEFAULT_ZERO => Field(field_closed_enum_default_zero),
];

/// Rule IDs buf has retired, and the rules that replaced them: accepted wherever an ID is, so an
/// existing configuration keeps working.
pub static DEPRECATED: &[(&str, &[&str])] = &[
    ("FIELD_SAME_CTYPE", &["FIELD_SAME_CPP_STRING_TYPE"]),
    (
        "FIELD_SAME_LABEL",
        &[
            "FIELD_SAME_CARDINALITY",
            "FIELD_WIRE_COMPATIBLE_CARDINALITY",
            "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        ],
    ),
    (
        "FILE_SAME_JAVA_STRING_CHECK_UTF8",
        &["FIELD_SAME_JAVA_UTF8_VALIDATION"],
    ),
    ("FILE_SAME_PHP_GENERIC_SERVICES", &[]),
    // Lint: weak imports are no longer supported by protobuf; buf 1.75 keeps the ID and checks
    // nothing.
    ("IMPORT_NO_WEAK", &[]),
];

/// The categories breaking rules belong to, strictest first.
pub const BREAKING_CATEGORIES: &[&str] =
    &["FILE", "PACKAGE", "WIRE_JSON", "WIRE", "CSR", "HISTORY"];

/// The categories lint rules belong to: buf's three nested levels (each contains the one before),
/// buf's two extra categories, and protoguard's own enum zero-value family.
pub const LINT_CATEGORIES: &[&str] = &[
    "MINIMAL",
    "BASIC",
    "STANDARD",
    "COMMENTS",
    "UNARY_RPC",
    "ENUM_ZERO_VALUE",
];

/// buf's older lint category names, accepted wherever a category is, and the categories or rule
/// IDs each stands for (`buf config ls-lint-rules --version v1beta1` of buf 1.75). `DEFAULT` is
/// buf's name for `STANDARD` before v2; the others are v1beta1's finer categories.
pub static LINT_CATEGORY_ALIASES: &[(&str, &[&str])] = &[
    ("DEFAULT", &["STANDARD"]),
    (
        "FILE_LAYOUT",
        &[
            "DIRECTORY_SAME_PACKAGE",
            "PACKAGE_DIRECTORY_MATCH",
            "PACKAGE_SAME_DIRECTORY",
        ],
    ),
    (
        "PACKAGE_AFFINITY",
        &[
            "PACKAGE_SAME_CSHARP_NAMESPACE",
            "PACKAGE_SAME_GO_PACKAGE",
            "PACKAGE_SAME_JAVA_MULTIPLE_FILES",
            "PACKAGE_SAME_JAVA_PACKAGE",
            "PACKAGE_SAME_PHP_NAMESPACE",
            "PACKAGE_SAME_RUBY_PACKAGE",
            "PACKAGE_SAME_SWIFT_PREFIX",
        ],
    ),
    (
        "SENSIBLE",
        &["ENUM_NO_ALLOW_ALIAS", "IMPORT_NO_PUBLIC", "PACKAGE_DEFINED"],
    ),
    ("STYLE_BASIC", STYLE_BASIC),
    ("STYLE_DEFAULT", STYLE_DEFAULT),
    ("STYLE_STANDARD", STYLE_DEFAULT),
    ("OTHER", &["ENUM_FIRST_VALUE_ZERO"]),
];

const STYLE_BASIC: &[&str] = &[
    "ENUM_PASCAL_CASE",
    "ENUM_VALUE_UPPER_SNAKE_CASE",
    "FIELD_LOWER_SNAKE_CASE",
    "MESSAGE_PASCAL_CASE",
    "ONEOF_LOWER_SNAKE_CASE",
    "PACKAGE_LOWER_SNAKE_CASE",
    "RPC_PASCAL_CASE",
    "SERVICE_PASCAL_CASE",
];

const STYLE_DEFAULT: &[&str] = &[
    "ENUM_PASCAL_CASE",
    "ENUM_VALUE_UPPER_SNAKE_CASE",
    "FIELD_LOWER_SNAKE_CASE",
    "MESSAGE_PASCAL_CASE",
    "ONEOF_LOWER_SNAKE_CASE",
    "PACKAGE_LOWER_SNAKE_CASE",
    "RPC_PASCAL_CASE",
    "SERVICE_PASCAL_CASE",
    "ENUM_VALUE_PREFIX",
    "ENUM_ZERO_VALUE_SUFFIX",
    "FILE_LOWER_SNAKE_CASE",
    "PACKAGE_VERSION_SUFFIX",
    "RPC_REQUEST_RESPONSE_UNIQUE",
    "RPC_REQUEST_STANDARD_NAME",
    "RPC_RESPONSE_STANDARD_NAME",
    "SERVICE_SUFFIX",
];

/// The two kinds of rules. IDs and categories are unique across kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// Compares two revisions (`protoguard breaking`).
    Breaking,
    /// Judges one revision (`protoguard lint`).
    Lint,
}

impl RuleKind {
    /// The kind as written in front matter and configuration section names.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Breaking => "breaking",
            RuleKind::Lint => "lint",
        }
    }

    pub fn rules(self) -> &'static [Rule] {
        match self {
            RuleKind::Breaking => BREAKING,
            RuleKind::Lint => LINT,
        }
    }

    pub fn categories(self) -> &'static [&'static str] {
        match self {
            RuleKind::Breaking => BREAKING_CATEGORIES,
            RuleKind::Lint => LINT_CATEGORIES,
        }
    }

    /// Older category names this kind accepts, with what each stands for.
    pub fn category_aliases(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            RuleKind::Breaking => &[],
            RuleKind::Lint => LINT_CATEGORY_ALIASES,
        }
    }

    /// What runs when nothing is configured, as buf does: FILE for breaking, STANDARD for lint.
    pub fn default_use(self) -> &'static str {
        match self {
            RuleKind::Breaking => "FILE",
            RuleKind::Lint => "STANDARD",
        }
    }

    /// Returns `true` if `name` is a category of this kind or an older name of one.
    pub fn is_category(self, name: &str) -> bool {
        self.categories().contains(&name) || self.category_aliases().iter().any(|(a, _)| *a == name)
    }
}

/// Every rule of both kinds, breaking first.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    BREAKING.iter().chain(LINT)
}

/// What the front matter of a rule's documentation says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    pub kind: String,
    pub categories: Vec<String>,
    pub default: Severity,
    pub since: String,
    pub summary: String,
    #[serde(default)]
    pub fix: Option<String>,
    #[serde(default)]
    pub relaxes: Vec<String>,
}

impl Rule {
    /// The parsed front matter. The documentation is embedded and checked by tests, so a parse
    /// failure here is a build defect.
    pub fn meta(&self) -> &'static Meta {
        static METAS: OnceLock<HashMap<&'static str, Meta>> = OnceLock::new();
        let metas = METAS.get_or_init(|| {
            all()
                .map(|r| {
                    let meta = parse_front_matter(r.doc)
                        .unwrap_or_else(|e| panic!("rules/.../{}.md: {e}", r.id));
                    (r.id, meta)
                })
                .collect()
        });
        &metas[self.id]
    }

    /// The rule's kind, from its front matter.
    pub fn kind(&self) -> RuleKind {
        if self.meta().kind == "lint" {
            RuleKind::Lint
        } else {
            RuleKind::Breaking
        }
    }

    /// The Markdown body (without front matter).
    pub fn body(&self) -> &'static str {
        split_front_matter(self.doc).map_or(self.doc, |(_, body)| body)
    }

    /// The first paragraph of *How to evolve safely* (breaking) or *How to fix* (lint),
    /// unwrapped: the help shown with a finding when the rule has nothing more specific to say.
    pub fn help(&self) -> Option<&'static str> {
        static HELPS: OnceLock<HashMap<&'static str, Option<String>>> = OnceLock::new();
        let helps = HELPS.get_or_init(|| {
            all()
                .map(|r| {
                    let help = r
                        .section("How to evolve safely")
                        .or_else(|| r.section("How to fix"))
                        .and_then(|s| s.split("\n\n").next())
                        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
                    (r.id, help)
                })
                .collect()
        });
        helps[self.id].as_deref()
    }

    /// The text of a `## Heading` section of the documentation.
    pub fn section(&self, heading: &str) -> Option<&'static str> {
        section(self.body(), heading)
    }
}

pub fn split_front_matter(doc: &str) -> Option<(&str, &str)> {
    let rest = doc.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    Some((&rest[..end], &rest[end + 5..]))
}

pub fn parse_front_matter(doc: &str) -> std::result::Result<Meta, String> {
    let (front, _) = split_front_matter(doc).ok_or("missing +++ front matter")?;
    toml::from_str(front).map_err(|e| e.to_string())
}

/// The text under `## heading`, up to the next `## `.
pub fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = body.find(&marker)? + marker.len();
    let rest = &body[start..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
    Some(rest[..end].trim())
}

/// A rule of either kind by ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id == id)
}

/// A rule of one kind by ID.
pub fn find_in(kind: RuleKind, id: &str) -> Option<&'static Rule> {
    kind.rules().iter().find(|r| r.id == id)
}

/// A rule chosen to run, with its effective severity.
#[derive(Clone, Copy)]
pub struct Enabled {
    pub id: &'static str,
    pub severity: Severity,
    pub help: Option<&'static str>,
    pub check: Check,
    /// Selected by its ID or by a category other than WIRE and WIRE_JSON: generated code must
    /// keep compiling, not only data keep reading. A rule uses it to leave out an event that
    /// breaks only generated code when it runs for the encodings alone.
    pub generated_code: bool,
}

/// A severity as configured: a finding's severity, or `off` to drop the rule.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Findings fail the check (exit code 1).
    Error,
    /// Findings are reported but do not fail the check.
    Warning,
    /// The rule does not run.
    Off,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Off => "off",
        }
    }
}

/// Returns `true` if `name` is a breaking rule ID, a category, or a deprecated buf rule ID.
pub fn is_known(name: &str) -> bool {
    is_known_in(RuleKind::Breaking, name)
}

/// Returns `true` if `name` is a rule ID or category of `kind`, or a deprecated buf rule ID that
/// stands for rules of `kind` (or for none).
pub fn is_known_in(kind: RuleKind, name: &str) -> bool {
    kind.is_category(name) || find_in(kind, name).is_some() || deprecated_in(kind, name).is_some()
}

/// The replacements of a deprecated ID of `kind`. A retired ID that stands for no rule belongs
/// to the kind buf retired it from.
fn deprecated_in(kind: RuleKind, name: &str) -> Option<&'static [&'static str]> {
    const RETIRED_LINT: &[&str] = &["IMPORT_NO_WEAK"];
    DEPRECATED
        .iter()
        .find(|(id, _)| *id == name)
        .filter(|(id, replacements)| match replacements.first() {
            Some(first) => find_in(kind, first).is_some(),
            None => RETIRED_LINT.contains(id) == (kind == RuleKind::Lint),
        })
        .map(|(_, r)| *r)
}

/// Rule IDs and categories whose name resembles `name`, closest first, for "did you mean" help:
/// those at the smallest edit distance (ignoring case) if it is small, else those that contain it.
pub fn similar(name: &str) -> Vec<&'static str> {
    similar_in(RuleKind::Breaking, name)
}

/// Like [`similar`], among the rules and categories of `kind`.
pub fn similar_in(kind: RuleKind, name: &str) -> Vec<&'static str> {
    let wanted = name.to_ascii_uppercase();
    let names = || {
        kind.categories()
            .iter()
            .copied()
            .chain(kind.rules().iter().map(|r| r.id))
    };
    let scored: Vec<(usize, &'static str)> = names().map(|n| (distance(&wanted, n), n)).collect();
    let best = scored.iter().map(|(d, _)| *d).min().unwrap_or(usize::MAX);
    if best <= (wanted.len() / 4).max(2) {
        return scored
            .into_iter()
            .filter(|(d, _)| *d == best)
            .map(|(_, n)| n)
            .take(3)
            .collect();
    }
    names()
        .filter(|n| wanted.len() > 3 && n.contains(&wanted))
        .take(3)
        .collect()
}

/// Levenshtein distance over bytes (rule names are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, y) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(x != y);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Expands rule IDs, categories and deprecated IDs into the rule IDs they stand for. `where_`
/// names the source of the names for error messages.
pub fn expand(names: &[String], where_: &str) -> Result<BTreeSet<&'static str>> {
    expand_in(RuleKind::Breaking, names, where_)
}

/// Like [`expand`], for the rules of `kind` (with its older category names).
pub fn expand_in(kind: RuleKind, names: &[String], where_: &str) -> Result<BTreeSet<&'static str>> {
    let mut ids = BTreeSet::new();
    for name in names {
        if kind.categories().contains(&name.as_str()) {
            ids.extend(
                kind.rules()
                    .iter()
                    .filter(|r| r.meta().categories.contains(name))
                    .map(|r| r.id),
            );
        } else if let Some((_, members)) = kind.category_aliases().iter().find(|(a, _)| a == name) {
            let members: Vec<String> = members.iter().map(|m| (*m).to_owned()).collect();
            // Members not implemented yet are skipped, as retired IDs are.
            let known: Vec<String> = members
                .into_iter()
                .filter(|m| kind.categories().contains(&m.as_str()) || find_in(kind, m).is_some())
                .collect();
            ids.extend(expand_in(kind, &known, where_)?);
        } else if let Some(rule) = find_in(kind, name) {
            ids.insert(rule.id);
        } else if let Some(replacements) = deprecated_in(kind, name) {
            ids.extend(
                replacements
                    .iter()
                    .filter_map(|r| find_in(kind, r))
                    .map(|r| r.id),
            );
        } else {
            let other = match kind {
                RuleKind::Breaking => RuleKind::Lint,
                RuleKind::Lint => RuleKind::Breaking,
            };
            let help = if is_known_in(other, name) {
                format!(
                    "'{name}' is a {} rule or category; it belongs in the [{}] section",
                    other.name(),
                    other.name()
                )
            } else {
                format!(
                    "categories are {}; `protoguard rules` lists every rule ID",
                    kind.categories().join(", ")
                )
            };
            return Err(Error::with_help(
                format!(
                    "{where_}: unknown {} rule or category '{name}'",
                    kind.name()
                ),
                help,
            ));
        }
    }
    Ok(ids)
}

/// Resolves `use` and `except` lists (rule IDs or categories) into the rules to run, at their
/// default severities. `where_` names the source of the lists for error messages.
pub fn select(uses: &[String], except: &[String], where_: &str) -> Result<Vec<Enabled>> {
    select_with(uses, except, &BTreeMap::new(), where_)
}

/// Like [`select`], with a severity table (rule ID, deprecated ID or category → level). A rule's
/// own entry wins over a deprecated ID that stands for it, which wins over its categories'; among
/// its categories, the one listed later in [`BREAKING_CATEGORIES`] (the narrower) wins. `off`
/// drops the rule. The table never enables a rule that `uses` does not select.
pub fn select_with(
    uses: &[String],
    except: &[String],
    severity: &BTreeMap<String, Level>,
    where_: &str,
) -> Result<Vec<Enabled>> {
    select_in(RuleKind::Breaking, uses, except, severity, where_)
}

/// Like [`select_with`], for the rules of `kind`.
pub fn select_in(
    kind: RuleKind,
    uses: &[String],
    except: &[String],
    severity: &BTreeMap<String, Level>,
    where_: &str,
) -> Result<Vec<Enabled>> {
    let used = expand_in(kind, uses, where_)?;
    let beyond_encodings: Vec<String> = uses
        .iter()
        .filter(|u| !["WIRE", "WIRE_JSON"].contains(&u.as_str()))
        .cloned()
        .collect();
    let for_code = expand_in(kind, &beyond_encodings, where_)?;
    let excepted = expand_in(kind, except, where_)?;
    let keys: Vec<String> = severity.keys().cloned().collect();
    expand_in(kind, &keys, where_)?;
    Ok(kind
        .rules()
        .iter()
        .filter(|r| used.contains(r.id) && !excepted.contains(r.id))
        .filter_map(|r| {
            let severity = match level(r, severity) {
                Some(Level::Off) => return None,
                Some(Level::Error) => Severity::Error,
                Some(Level::Warning) => Severity::Warning,
                None => r.meta().default,
            };
            Some(Enabled {
                id: r.id,
                severity,
                help: r.help(),
                check: r.check,
                generated_code: for_code.contains(r.id),
            })
        })
        .collect())
}

/// The configured level of one rule, if any entry in the table applies to it.
fn level(rule: &Rule, table: &BTreeMap<String, Level>) -> Option<Level> {
    if table.is_empty() {
        return None;
    }
    if let Some(level) = table.get(rule.id) {
        return Some(*level);
    }
    let alias = DEPRECATED
        .iter()
        .filter(|(_, replacements)| replacements.contains(&rule.id))
        .find_map(|(id, _)| table.get(*id));
    if let Some(level) = alias {
        return Some(*level);
    }
    let categories = &rule.meta().categories;
    rule.kind()
        .categories()
        .iter()
        .rev()
        .filter(|c| categories.iter().any(|own| own == *c))
        .find_map(|c| table.get(*c))
        .copied()
}

//! A deterministic synthetic Protobuf corpus for benchmarks, shaped like googleapis: thousands of
//! files in nested packages (`acme/<area>/<service>/<version>/<stem>.proto`), a few shared "common
//! type" packages most files import, proto3 with about 10% proto2, comment-heavy messages with all
//! scalar types, nested types, maps, oneofs, `optional`, reserved ranges and names, enums, services
//! with unary and streaming rpcs, file/field/method options and googleapis-style custom options.
//! Imports only point at files with a lower index, so the import graph is a DAG.
//!
//! It writes `OUT/previous/` and `OUT/current/`: current is previous with M injected breaking
//! changes and M harmless edits, each on a different file, listed in `OUT/mutations.txt` with the
//! rules buf (category FILE) is expected to report. The same arguments give byte-identical output:
//! randomness comes from a self-contained splitmix64, one stream per file, so a file's content does
//! not depend on how much randomness other files used.
//!
//! ```text
//! cargo run --release --example gen_corpus -- OUT_DIR [--files N] [--seed S] [--mutations M]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_corpus OUT_DIR [--files N (default 3000)] [--seed S (default 1)] [--mutations M (default 40)]";

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gen_corpus: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let previous = generate(options.files, options.seed);
    let (current, log) = mutate(&previous, options.seed, options.mutations);
    match write(&options, &previous, &current, &log) {
        Ok(bytes) => {
            let breaking = log.iter().filter(|m| m.breaking).count();
            println!(
                "gen_corpus: wrote {} files ({:.1} MB, {:.1} KB/file on average) to {}/previous, \
                 {} files to {}/current; {} breaking changes and {} harmless edits in {}/mutations.txt",
                previous.files.len(),
                bytes as f64 / 1e6,
                bytes as f64 / 1e3 / previous.files.len() as f64,
                options.out.display(),
                current.files.len(),
                options.out.display(),
                breaking,
                log.len() - breaking,
                options.out.display(),
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen_corpus: {err}");
            ExitCode::from(1)
        }
    }
}

struct Options {
    out: PathBuf,
    files: usize,
    seed: u64,
    mutations: usize,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut out = None;
        let mut options = Options {
            out: PathBuf::new(),
            files: 3000,
            seed: 1,
            mutations: 40,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| format!("{name} needs a value"))?
                    .parse::<u64>()
                    .map_err(|err| format!("{name}: {err}"))
            };
            match arg.as_str() {
                "--files" => options.files = value("--files")? as usize,
                "--seed" => options.seed = value("--seed")?,
                "--mutations" => options.mutations = value("--mutations")? as usize,
                "-h" | "--help" => return Err("help".to_owned()),
                _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
                _ if out.is_none() => out = Some(PathBuf::from(arg)),
                _ => return Err(format!("unexpected argument {arg}")),
            }
        }
        options.out = out.ok_or("OUT_DIR is required")?;
        if options.files < 2 {
            return Err("--files must be at least 2".to_owned());
        }
        Ok(options)
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        ((self.next() >> 11) % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, usize)]) -> T {
        let total: usize = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        unreachable!()
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. The lists that name top-level types, nested types and enum suffixes are disjoint,
// so generated names cannot shadow each other across scopes.

#[rustfmt::skip]
const AREAS: &[&str] = &[
    "billing", "compute", "storage", "identity", "analytics", "messaging", "logging", "monitoring",
    "networking", "security", "search", "media", "payments", "inventory", "shipping", "catalog",
    "support", "ads", "maps", "workflows", "devices", "healthcare", "retail", "travel",
];
#[rustfmt::skip]
const SERVICES: &[&str] = &[
    "ledger", "invoicing", "accounts", "instances", "disks", "buckets", "objects", "keys", "tokens",
    "sessions", "reports", "dashboards", "queues", "topics", "streams", "alerts", "metrics",
    "traces", "routes", "firewalls", "policies", "audits", "indexing", "queries", "videos",
    "images", "transfers", "refunds", "stock", "warehouses", "carriers", "parcels", "products",
    "listings", "tickets", "campaigns", "places", "jobs", "sensors", "records",
];
const VERSIONS: &[(&str, usize)] = &[
    ("v1", 50),
    ("v1beta1", 20),
    ("v2", 15),
    ("v1alpha", 10),
    ("v3", 5),
];
const COMMON: &[&str] = &["type", "rpc", "longrunning", "common.v1"];
/// File stems, as CamelCase nouns (none ends in "s", so [`plural`] is enough).
#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "Widget", "Gadget", "Account", "Budget", "Invoice", "Instance", "Disk", "Snapshot", "Bucket",
    "Blob", "Key", "Token", "Session", "Report", "Dashboard", "Queue", "Topic", "Stream", "Alert",
    "Metric", "Trace", "Route", "Firewall", "Policy", "Audit", "Query", "Video", "Image",
    "Transfer", "Refund", "Shipment", "Warehouse", "Carrier", "Parcel", "Product", "Listing",
    "Ticket", "Campaign", "Place", "Job", "Sensor", "Record", "Profile", "Tenant", "Project",
    "Folder", "Document", "Channel", "Endpoint", "Cluster", "Node", "Volume", "Network", "Subnet",
    "Gateway", "Certificate", "Domain", "Order", "Cart", "Coupon", "Customer", "Vendor", "Contract",
    "Payment", "Schedule", "Task", "Pipeline", "Build", "Release", "Artifact", "Model", "Dataset",
    "Experiment", "Device", "Fleet", "Zone", "Region", "Quota", "Workspace", "Review", "Rating",
    "Asset", "Money", "Date", "Interval", "Color", "Locale", "Currency",
];
#[rustfmt::skip]
const MESSAGE_SUFFIXES: &[&str] = &[
    "Spec", "Details", "Settings", "Summary", "Metadata", "Config", "Stats", "Info", "Options",
    "Event", "Revision", "Binding", "Reference", "Usage", "Limits", "Template", "Selector",
    "Window", "Digest", "Preview", "Change", "Mapping",
];
#[rustfmt::skip]
const ENUM_SUFFIXES: &[&str] = &[
    "State", "Kind", "Tier", "Mode", "Phase", "Level", "Visibility", "Priority", "Category",
    "Format",
];
#[rustfmt::skip]
const NESTED_MESSAGES: &[&str] = &[
    "Condition", "Rule", "Threshold", "Attempt", "Step", "Source", "Target", "Range", "Bound",
    "Label", "Hint", "Note", "Part", "Slot", "Segment",
];
#[rustfmt::skip]
const NESTED_ENUMS: &[&str] = &[
    "Reason", "Action", "Strategy", "Outcome", "Trigger", "Severity",
];
#[rustfmt::skip]
const ENUM_WORDS: &[&str] = &[
    "ACTIVE", "INACTIVE", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "DELETED",
    "SUSPENDED", "ARCHIVED", "DRAFT", "PUBLISHED", "EXPIRED", "BLOCKED", "QUEUED", "RETRYING",
    "PAUSED", "STANDARD", "PREMIUM", "BASIC", "ENTERPRISE", "LOW", "MEDIUM", "HIGH", "CRITICAL",
    "PUBLIC", "PRIVATE", "INTERNAL", "MANUAL", "AUTOMATIC", "DAILY", "WEEKLY", "MONTHLY", "CSV",
    "AVRO", "PARQUET", "YAML", "XML", "STAGED", "VERIFIED", "REJECTED", "DEGRADED", "HEALTHY",
];
/// Words field names are made of. No protobuf keyword, and no "json", "alias", "legacy" or "old",
/// which generated json_names and reserved names use.
#[rustfmt::skip]
const FIELD_WORDS: &[&str] = &[
    "display", "title", "description", "create", "update", "expire", "time", "count", "size",
    "total", "page", "token", "filter", "order", "parent", "owner", "region", "zone", "label",
    "tag", "state", "reason", "code", "source", "target", "version", "revision", "etag", "uid",
    "priority", "weight", "score", "ratio", "limit", "quota", "usage", "enabled", "active", "retry",
    "backoff", "timeout", "interval", "start", "end", "offset", "cursor", "email", "phone",
    "address", "city", "country", "currency", "amount", "price", "cost", "discount", "tax", "unit",
    "quantity", "sku", "url", "uri", "path", "host", "port", "protocol", "scheme", "format",
    "encoding", "checksum", "hash", "signature", "secret", "role", "member", "user", "account",
    "project", "folder", "tenant", "status", "error", "warning", "detail", "summary", "notes",
    "annotation", "capacity", "replica", "shard", "partition", "lease", "deadline", "window",
    "threshold", "budget", "latency", "throughput", "region", "locale", "timezone",
];
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "current", "effective", "primary", "default", "maximum", "minimum", "regional", "global",
    "human-readable", "unique", "stable", "immutable", "server-assigned", "user-provided",
    "canonical", "optional", "billing", "requested", "observed", "desired",
];
#[rustfmt::skip]
const PAST: &[&str] = &[
    "created", "updated", "deleted", "validated", "replicated", "archived", "processed",
    "scheduled", "approved", "rotated", "exported", "restored",
];
#[rustfmt::skip]
const GERUNDS: &[&str] = &[
    "creating", "updating", "listing", "filtering", "sorting", "validating", "exporting",
    "importing", "reconciling", "scheduling", "routing", "billing",
];
const SCALARS: &[(&str, usize)] = &[
    ("string", 28),
    ("int32", 12),
    ("int64", 12),
    ("bool", 10),
    ("double", 5),
    ("float", 4),
    ("uint32", 4),
    ("uint64", 4),
    ("bytes", 5),
    ("sint32", 2),
    ("sint64", 2),
    ("fixed32", 2),
    ("fixed64", 2),
    ("sfixed32", 2),
    ("sfixed64", 2),
];
const MAP_KEYS: &[(&str, usize)] = &[
    ("string", 70),
    ("int32", 6),
    ("int64", 6),
    ("uint32", 4),
    ("uint64", 4),
    ("bool", 2),
    ("sint32", 2),
    ("fixed64", 2),
];
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "syntax", "import", "weak", "public", "package", "option", "message", "enum", "service", "rpc",
    "returns", "stream", "extend", "extensions", "reserved", "to", "max", "oneof", "map",
    "optional", "required", "repeated", "group", "true", "false", "inf", "nan", "edition",
];
const LICENSE: &str = "\
// Copyright 2025 Acme Corp.
//
// Licensed under the Apache License, Version 2.0 (the \"License\");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an \"AS IS\" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
";
const ANNOTATIONS_PATH: &str = "acme/api/annotations.proto";
const ANNOTATIONS: &str = r#"syntax = "proto3";

package acme.api;

import "google/protobuf/descriptor.proto";

option go_package = "github.com/acme/apis/go/api/annotations;annotations";
option java_multiple_files = true;
option java_outer_classname = "AnnotationsProto";
option java_package = "com.acme.api";

extend google.protobuf.MethodOptions {
  // How the method is exposed over HTTP/JSON.
  HttpRule http = 72295728;
}

extend google.protobuf.FieldOptions {
  // How the field behaves in requests and responses.
  repeated FieldBehavior field_behavior = 1052 [packed = false];
}

extend google.protobuf.MessageOptions {
  // The resource a message describes.
  ResourceDescriptor resource = 1053;
}

// The HTTP mapping of an rpc.
message HttpRule {
  // A GET path template.
  string get = 2;
  // A PUT path template.
  string put = 3;
  // A POST path template.
  string post = 4;
  // A DELETE path template.
  string delete = 5;
  // A PATCH path template.
  string patch = 6;
  // The request field that is the HTTP body, or "*".
  string body = 7;
}

// How a field behaves.
enum FieldBehavior {
  // Not specified.
  FIELD_BEHAVIOR_UNSPECIFIED = 0;
  // The field is optional.
  OPTIONAL = 1;
  // The field is required.
  REQUIRED = 2;
  // The field is set by the server only.
  OUTPUT_ONLY = 3;
  // The field is read from requests only.
  INPUT_ONLY = 4;
  // The field cannot change once set.
  IMMUTABLE = 5;
}

// A resource type and its name patterns.
message ResourceDescriptor {
  // The resource type, e.g. "acme.example/Widget".
  string type = 1;
  // Resource name patterns.
  repeated string pattern = 2;
}
"#;

// ---------------------------------------------------------------------------------------------
// Model: just enough structure to render valid .proto text and to mutate it.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Proto2,
    Proto3,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    /// No label: a proto3 singular field, a oneof member or a map.
    Implicit,
    Optional,
    Required,
    Repeated,
}

#[derive(Clone, PartialEq, Eq)]
enum Ty {
    Scalar(&'static str),
    /// A message or enum: its full name, how it is written here, and whether it is an enum.
    Named {
        full: String,
        shown: String,
        is_enum: bool,
    },
    Map(&'static str, Box<Ty>),
}

impl Ty {
    fn named(full: &str, shown: &str, is_enum: bool) -> Ty {
        Ty::Named {
            full: full.to_owned(),
            shown: shown.to_owned(),
            is_enum,
        }
    }

    fn render(&self) -> String {
        match self {
            Ty::Scalar(s) => (*s).to_owned(),
            Ty::Named { shown, .. } => shown.clone(),
            Ty::Map(key, value) => format!("map<{key}, {}>", value.render()),
        }
    }

    fn full(&self) -> Option<&str> {
        match self {
            Ty::Named { full, .. } => Some(full),
            Ty::Map(_, value) => value.full(),
            Ty::Scalar(_) => None,
        }
    }
}

#[derive(Clone)]
struct Field {
    name: String,
    number: u32,
    label: Label,
    ty: Ty,
    options: Vec<String>,
    comment: Vec<String>,
}

#[derive(Clone)]
struct Oneof {
    name: String,
    comment: Vec<String>,
    fields: Vec<Field>,
}

#[derive(Clone)]
enum Member {
    Field(Field),
    Oneof(Oneof),
}

#[derive(Clone, Default)]
struct Message {
    name: String,
    comment: Vec<String>,
    options: Vec<String>,
    members: Vec<Member>,
    messages: Vec<Message>,
    enums: Vec<Enum>,
    reserved_numbers: Vec<(u32, u32)>,
    reserved_names: Vec<String>,
    extensions: Option<String>,
}

impl Message {
    fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().flat_map(|m| match m {
            Member::Field(f) => std::slice::from_ref(f).iter(),
            Member::Oneof(o) => o.fields.iter(),
        })
    }

    /// The smallest number above every field, reserved number and below the extension range.
    fn next_free_number(&self) -> u32 {
        let used = self.fields().map(|f| f.number);
        let reserved = self.reserved_numbers.iter().map(|r| r.1);
        used.chain(reserved).max().unwrap_or(0) + 1
    }

    fn names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self.fields().map(|f| f.name.clone()).collect();
        for member in &self.members {
            if let Member::Oneof(o) = member {
                names.insert(o.name.clone());
            }
        }
        names.extend(self.reserved_names.iter().cloned());
        names
    }
}

#[derive(Clone)]
struct EnumValue {
    name: String,
    number: i32,
    options: Vec<String>,
    comment: Vec<String>,
}

#[derive(Clone, Default)]
struct Enum {
    name: String,
    comment: Vec<String>,
    values: Vec<EnumValue>,
    reserved_numbers: Vec<(i32, i32)>,
    reserved_names: Vec<String>,
}

#[derive(Clone)]
struct Method {
    name: String,
    input: Ty,
    output: Ty,
    client_streaming: bool,
    server_streaming: bool,
    comment: Vec<String>,
    /// `option …;` statements, possibly spanning several lines.
    options: Vec<String>,
}

#[derive(Clone)]
struct Service {
    name: String,
    comment: Vec<String>,
    methods: Vec<Method>,
}

#[derive(Clone)]
struct File {
    path: String,
    package: String,
    syntax: Syntax,
    stem: String,
    comment: Vec<String>,
    imports: BTreeSet<String>,
    options: Vec<String>,
    services: Vec<Service>,
    messages: Vec<Message>,
    enums: Vec<Enum>,
    /// A hand-written file (the custom option definitions): rendered verbatim, never mutated.
    verbatim: Option<&'static str>,
}

struct Corpus {
    files: Vec<File>,
    /// Top-level symbols per package, to name new messages without clashes.
    symbols: BTreeMap<String, BTreeSet<String>>,
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn render(file: &File) -> String {
    if let Some(text) = file.verbatim {
        return format!("{LICENSE}\n{text}");
    }
    let mut out = String::with_capacity(12_000);
    out.push_str(LICENSE);
    out.push('\n');
    let syntax = match file.syntax {
        Syntax::Proto2 => "proto2",
        Syntax::Proto3 => "proto3",
    };
    let _ = writeln!(out, "syntax = \"{syntax}\";\n");
    comment(&mut out, "", &file.comment);
    let _ = writeln!(out, "package {};\n", file.package);
    for import in &file.imports {
        let _ = writeln!(out, "import \"{import}\";");
    }
    if !file.imports.is_empty() {
        out.push('\n');
    }
    for option in &file.options {
        let _ = writeln!(out, "option {option};");
    }
    for service in &file.services {
        out.push('\n');
        render_service(&mut out, service);
    }
    for message in &file.messages {
        out.push('\n');
        render_message(&mut out, "", message);
    }
    for e in &file.enums {
        out.push('\n');
        render_enum(&mut out, "", e);
    }
    out
}

fn comment(out: &mut String, indent: &str, lines: &[String]) {
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}//");
        } else {
            let _ = writeln!(out, "{indent}// {line}");
        }
    }
}

fn render_service(out: &mut String, service: &Service) {
    comment(out, "", &service.comment);
    let _ = writeln!(out, "service {} {{", service.name);
    for (i, method) in service.methods.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        comment(out, "  ", &method.comment);
        let stream = |s: bool| if s { "stream " } else { "" };
        let _ = write!(
            out,
            "  rpc {}({}{}) returns ({}{})",
            method.name,
            stream(method.client_streaming),
            method.input.render(),
            stream(method.server_streaming),
            method.output.render()
        );
        if method.options.is_empty() {
            out.push_str(";\n");
        } else {
            out.push_str(" {\n");
            for option in &method.options {
                for line in option.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            out.push_str("  }\n");
        }
    }
    out.push_str("}\n");
}

fn render_field(out: &mut String, indent: &str, field: &Field) {
    comment(out, indent, &field.comment);
    let label = match field.label {
        Label::Implicit => "",
        Label::Optional => "optional ",
        Label::Required => "required ",
        Label::Repeated => "repeated ",
    };
    let _ = write!(
        out,
        "{indent}{label}{} {} = {}",
        field.ty.render(),
        field.name,
        field.number
    );
    if !field.options.is_empty() {
        let _ = write!(out, " [{}]", field.options.join(", "));
    }
    out.push_str(";\n");
}

fn render_message(out: &mut String, indent: &str, message: &Message) {
    comment(out, indent, &message.comment);
    let _ = writeln!(out, "{indent}message {} {{", message.name);
    let inner = format!("{indent}  ");
    for option in &message.options {
        for line in option.lines() {
            let _ = writeln!(out, "{inner}{line}");
        }
    }
    if !message.options.is_empty() {
        out.push('\n');
    }
    for e in &message.enums {
        render_enum(out, &inner, e);
        out.push('\n');
    }
    for m in &message.messages {
        render_message(out, &inner, m);
        out.push('\n');
    }
    for (i, member) in message.members.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match member {
            Member::Field(field) => render_field(out, &inner, field),
            Member::Oneof(oneof) => {
                comment(out, &inner, &oneof.comment);
                let _ = writeln!(out, "{inner}oneof {} {{", oneof.name);
                let deeper = format!("{inner}  ");
                for field in &oneof.fields {
                    render_field(out, &deeper, field);
                }
                let _ = writeln!(out, "{inner}}}");
            }
        }
    }
    if !message.reserved_numbers.is_empty() {
        let ranges: Vec<String> = message
            .reserved_numbers
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a} to {b}")
                }
            })
            .collect();
        let _ = writeln!(out, "\n{inner}reserved {};", ranges.join(", "));
    }
    if !message.reserved_names.is_empty() {
        let names: Vec<String> = message
            .reserved_names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect();
        let _ = writeln!(out, "{inner}reserved {};", names.join(", "));
    }
    if let Some(range) = &message.extensions {
        let _ = writeln!(out, "\n{inner}extensions {range};");
    }
    let _ = writeln!(out, "{indent}}}");
}

fn render_enum(out: &mut String, indent: &str, e: &Enum) {
    comment(out, indent, &e.comment);
    let _ = writeln!(out, "{indent}enum {} {{", e.name);
    let inner = format!("{indent}  ");
    for value in &e.values {
        comment(out, &inner, &value.comment);
        let _ = write!(out, "{inner}{} = {}", value.name, value.number);
        if !value.options.is_empty() {
            let _ = write!(out, " [{}]", value.options.join(", "));
        }
        out.push_str(";\n");
    }
    if !e.reserved_numbers.is_empty() {
        let ranges: Vec<String> = e
            .reserved_numbers
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a} to {b}")
                }
            })
            .collect();
        let _ = writeln!(out, "{inner}reserved {};", ranges.join(", "));
    }
    if !e.reserved_names.is_empty() {
        let names: Vec<String> = e
            .reserved_names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect();
        let _ = writeln!(out, "{inner}reserved {};", names.join(", "));
    }
    let _ = writeln!(out, "{indent}}}");
}

// ---------------------------------------------------------------------------------------------
// Names and prose

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => c,
    }
}

/// English plural of the nouns above: "Policy" -> "Policies", "Widget" -> "Widgets".
fn plural(noun: &str) -> String {
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

fn upper_snake(camel: &str) -> String {
    snake(camel).to_ascii_uppercase()
}

/// protoc rejects two proto3 fields whose names are equal once lower-cased without underscores
/// (their default JSON names would clash), so that is the key names are kept unique by.
fn json_key(name: &str) -> String {
    name.replace('_', "").to_ascii_lowercase()
}

fn sentence(rng: &mut Rng, subject: &str) -> String {
    let noun = snake(rng.word(NOUNS)).replace('_', " ");
    let other = snake(rng.word(NOUNS)).replace('_', " ");
    let adj = rng.pick(ADJECTIVES);
    let past = rng.pick(PAST);
    let gerund = rng.pick(GERUNDS);
    let word = rng.pick(FIELD_WORDS);
    let (nouns, others) = (plural(&noun), plural(&other));
    match rng.below(12) {
        0 => format!("The {adj} {word} of the {subject}, used when {gerund} {nouns}."),
        1 => format!("If unset, the server picks a {adj} {word} based on the {other} {word}."),
        2 => format!("Output only. The time at which the {subject} was last {past}."),
        3 => format!("This value is {adj} and may change after the {noun} is {past}."),
        4 => format!(
            "Must be between {} and {} characters long.",
            rng.between(1, 8),
            rng.between(32, 1024)
        ),
        5 => format!(
            "Format: `projects/{{project}}/{}/{{{}}}`.",
            nouns.replace(' ', ""),
            noun.replace(' ', "_")
        ),
        6 => {
            format!("See the {noun} documentation for how {others} are {past} and {gerund} works.")
        }
        7 => format!("Changes to this {word} apply to every {noun} in the {other}."),
        8 => format!("Required. The {adj} {subject} for {gerund} {nouns} in this {other}."),
        9 => format!(
            "When {gerund} {nouns}, the {adj} {word} is compared against the {other} {word}."
        ),
        10 => format!(
            "The {subject} is {past} asynchronously; poll the {noun} until its {word} is set."
        ),
        _ => format!("Deprecated behaviour: older clients send the {word} in the {other} instead."),
    }
}

/// Sentences wrapped at 78 columns (after indentation), like googleapis comments.
fn paragraph(rng: &mut Rng, subject: &str, sentences: usize, indent: usize) -> Vec<String> {
    let width = 78usize.saturating_sub(indent + 3).max(30);
    let mut lines = Vec::new();
    let mut line = String::new();
    for _ in 0..sentences {
        for word in sentence(rng, subject).split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Generation

struct Package {
    name: String,
    dir: String,
    area: String,
    service: String,
    version: String,
    common: bool,
    files: Vec<usize>,
}

/// What later files can use from an earlier one.
struct Export {
    path: String,
    package: String,
    syntax: Syntax,
    messages: Vec<String>,
    enums: Vec<String>,
}

const WKT: &[(&str, &str, usize)] = &[
    (
        "google.protobuf.Timestamp",
        "google/protobuf/timestamp.proto",
        40,
    ),
    (
        "google.protobuf.Duration",
        "google/protobuf/duration.proto",
        25,
    ),
    (
        "google.protobuf.FieldMask",
        "google/protobuf/field_mask.proto",
        10,
    ),
    ("google.protobuf.Struct", "google/protobuf/struct.proto", 15),
    ("google.protobuf.Value", "google/protobuf/struct.proto", 10),
];

fn wkt_import(full: &str) -> &'static str {
    match full {
        "google.protobuf.Timestamp" => "google/protobuf/timestamp.proto",
        "google.protobuf.Duration" => "google/protobuf/duration.proto",
        "google.protobuf.FieldMask" => "google/protobuf/field_mask.proto",
        "google.protobuf.Empty" => "google/protobuf/empty.proto",
        _ => "google/protobuf/struct.proto",
    }
}

fn plan_packages(files: usize, seed: u64) -> (Vec<Package>, Vec<usize>) {
    let mut rng = Rng::new(seed, 1);
    let mut packages = vec![Package {
        name: "acme.api".into(),
        dir: "acme/api".into(),
        area: "api".into(),
        service: "api".into(),
        version: String::new(),
        common: true,
        files: vec![0],
    }];
    let mut file_package = vec![0];
    // Shared types (like google/type and google/rpc): about 2% of the files, imported widely.
    let common_files = (files / 50).clamp(1, files - 1);
    for (i, name) in COMMON.iter().enumerate() {
        let share = common_files / COMMON.len() + usize::from(i < common_files % COMMON.len());
        if share == 0 {
            continue;
        }
        let index = packages.len();
        packages.push(Package {
            name: format!("acme.{name}"),
            dir: format!("acme/{}", name.replace('.', "/")),
            area: (*name).into(),
            service: (*name).into(),
            version: String::new(),
            common: true,
            files: Vec::new(),
        });
        for _ in 0..share {
            packages[index].files.push(file_package.len());
            file_package.push(index);
        }
    }
    let mut taken = BTreeSet::new();
    while file_package.len() < files {
        let (mut area, mut service, mut version);
        let mut attempts = 0;
        loop {
            area = rng.pick(AREAS).to_string();
            service = rng.pick(SERVICES).to_string();
            version = rng.weighted(VERSIONS).to_string();
            attempts += 1;
            if attempts > 40 {
                service = format!("{service}{attempts}");
            }
            if taken.insert((area.clone(), service.clone(), version.clone())) {
                break;
            }
        }
        let size = rng.weighted(&[
            (1, 10),
            (3, 15),
            (6, 20),
            (10, 25),
            (16, 15),
            (24, 10),
            (36, 5),
        ]);
        let size = rng
            .between(size.max(2) / 2, size)
            .min(files - file_package.len());
        let index = packages.len();
        packages.push(Package {
            name: format!("acme.{area}.{service}.{version}"),
            dir: format!("acme/{area}/{service}/{version}"),
            area,
            service,
            version,
            common: false,
            files: Vec::new(),
        });
        for _ in 0..size {
            packages[index].files.push(file_package.len());
            file_package.push(index);
        }
    }
    (packages, file_package)
}

fn generate(files: usize, seed: u64) -> Corpus {
    let (packages, file_package) = plan_packages(files, seed);
    let mut symbols: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stems: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut exports: Vec<Export> = Vec::with_capacity(files);
    let mut out = Vec::with_capacity(files);
    let common_last = packages
        .iter()
        .filter(|p| p.common)
        .flat_map(|p| p.files.iter().copied())
        .max()
        .unwrap_or(0);
    for index in 0..files {
        let package = &packages[file_package[index]];
        if index == 0 {
            out.push(File {
                path: ANNOTATIONS_PATH.into(),
                package: package.name.clone(),
                syntax: Syntax::Proto3,
                stem: "Annotations".into(),
                comment: Vec::new(),
                imports: BTreeSet::new(),
                options: Vec::new(),
                services: Vec::new(),
                messages: Vec::new(),
                enums: Vec::new(),
                verbatim: Some(ANNOTATIONS),
            });
            exports.push(Export {
                path: ANNOTATIONS_PATH.into(),
                package: package.name.clone(),
                syntax: Syntax::Proto3,
                messages: Vec::new(),
                enums: Vec::new(),
            });
            continue;
        }
        let mut rng = Rng::new(seed, 0x1000 + index as u64);
        let package_symbols = symbols.entry(package.name.clone()).or_default();
        let package_stems = stems.entry(package.name.clone()).or_default();
        let file = FileGen::new(
            &mut rng,
            index,
            package,
            &exports,
            common_last,
            package_symbols,
            package_stems,
        )
        .run();
        exports.push(Export {
            path: file.path.clone(),
            package: file.package.clone(),
            syntax: file.syntax,
            messages: file
                .messages
                .iter()
                .map(|m| format!("{}.{}", file.package, m.name))
                .collect(),
            enums: file
                .enums
                .iter()
                .map(|e| format!("{}.{}", file.package, e.name))
                .collect(),
        });
        out.push(file);
    }
    Corpus {
        files: out,
        symbols,
    }
}

/// Generates one file. Holds what the file's messages may reference.
struct FileGen<'a> {
    rng: &'a mut Rng,
    package: &'a Package,
    syntax: Syntax,
    stem: String,
    imports: BTreeSet<String>,
    /// Types from imported files, and the ones each import must contribute at least once.
    imported: Vec<Ty>,
    pending: Vec<Ty>,
    /// This file's own top-level types.
    local: Vec<Ty>,
    symbols: &'a mut BTreeSet<String>,
    annotations: bool,
    has_service: bool,
}

impl<'a> FileGen<'a> {
    fn new(
        rng: &'a mut Rng,
        index: usize,
        package: &'a Package,
        exports: &[Export],
        common_last: usize,
        symbols: &'a mut BTreeSet<String>,
        stems: &mut BTreeSet<String>,
    ) -> FileGen<'a> {
        let syntax = if rng.percent(10) {
            Syntax::Proto2
        } else {
            Syntax::Proto3
        };
        let mut stem = rng.pick(NOUNS).to_string();
        while stems.contains(&stem) {
            stem = format!("{}{}", rng.pick(NOUNS), rng.pick(NOUNS));
        }
        stems.insert(stem.clone());
        // Imports: earlier files of the package, shared type files, now and then another package.
        let mut chosen: BTreeSet<usize> = BTreeSet::new();
        let earlier: Vec<usize> = package
            .files
            .iter()
            .copied()
            .filter(|&f| f < index)
            .collect();
        if !earlier.is_empty() {
            for _ in 0..rng.weighted(&[(0, 30), (1, 45), (2, 25)]) {
                chosen.insert(*rng.pick(&earlier));
            }
        }
        if !package.common && common_last >= 1 && rng.percent(55) {
            for _ in 0..rng.between(1, 2) {
                chosen.insert(rng.between(1, common_last));
            }
        }
        if index > common_last + 1 && rng.percent(15) {
            let other = rng.between(common_last + 1, index - 1);
            if exports[other].package != package.name {
                chosen.insert(other);
            }
        }
        let mut imports = BTreeSet::new();
        let mut imported = Vec::new();
        let mut pending = Vec::new();
        for &i in &chosen {
            let export = &exports[i];
            imports.insert(export.path.clone());
            let shown = |full: &str| {
                if export.package == package.name {
                    full.rsplit('.').next().unwrap().to_owned()
                } else {
                    full.to_owned()
                }
            };
            let mut types: Vec<Ty> = export
                .messages
                .iter()
                .map(|m| Ty::named(m, &shown(m), false))
                .collect();
            // A proto3 message cannot use a proto2 (closed) enum; keep enums within one syntax.
            if export.syntax == syntax {
                types.extend(export.enums.iter().map(|e| Ty::named(e, &shown(e), true)));
            }
            pending.push(rng.pick(&types).clone());
            imported.extend(types);
        }
        FileGen {
            rng,
            package,
            syntax,
            stem,
            imports,
            imported,
            pending,
            local: Vec::new(),
            symbols,
            annotations: false,
            has_service: false,
        }
    }

    fn claim(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while self.symbols.contains(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.symbols.insert(candidate.clone());
        candidate
    }

    fn local_type(&self, name: &str, is_enum: bool) -> Ty {
        Ty::named(&format!("{}.{name}", self.package.name), name, is_enum)
    }

    fn run(mut self) -> File {
        let stem = self.stem.clone();
        let plural = plural(&stem);
        self.has_service = !self.package.common && self.rng.percent(35);
        // Names first, so bodies can reference any of the file's types.
        let mut enum_names = Vec::new();
        let enum_count = self.rng_count(&[(0, 30), (1, 45), (2, 25)]);
        for suffix in pick_distinct(self.rng, ENUM_SUFFIXES, enum_count) {
            enum_names.push(self.claim(format!("{stem}{suffix}")));
        }
        let main = self.claim(stem.clone());
        let mut aux_names = Vec::new();
        let aux = if self.has_service {
            self.rng_count(&[(0, 40), (1, 40), (2, 20)])
        } else {
            self.rng_count(&[(1, 55), (2, 35), (3, 10)])
        };
        for suffix in pick_distinct(self.rng, MESSAGE_SUFFIXES, aux) {
            aux_names.push(self.claim(format!("{stem}{suffix}")));
        }
        for name in &enum_names {
            self.local.push(self.local_type(name, true));
        }
        self.local.push(self.local_type(&main, false));
        for name in &aux_names {
            self.local.push(self.local_type(name, false));
        }

        let mut enums = Vec::new();
        for name in &enum_names {
            let e = self.gen_enum(name, 0);
            // Top-level enum values live in the package scope.
            for value in &e.values {
                self.symbols.insert(value.name.clone());
            }
            enums.push(e);
        }
        let mut messages = Vec::new();
        let mut services = Vec::new();
        let state = enum_names.first().cloned();
        messages.push(self.gen_resource(&main, state.as_deref()));
        for name in &aux_names {
            let n = self.rng.between(5, 12);
            let comment_subject = snake(name).replace('_', " ");
            let mut m = self.gen_message(name, n, 0);
            m.comment = self.prose(&comment_subject, 1, 2, 0);
            messages.push(m);
        }
        if self.has_service {
            let (service, rpc_messages) = self.gen_service(&main, &plural);
            messages.extend(rpc_messages);
            services.push(service);
        }
        // Every import is used at least once.
        let pending = std::mem::take(&mut self.pending);
        for ty in pending {
            let label = self.label_for(&ty);
            let resource = &mut messages[0];
            let mut names = resource.names();
            let name = fresh_field_name(self.rng, &mut names, &json_keys(resource), None);
            let number = resource.next_free_number();
            let comment = paragraph(self.rng, &name.replace('_', " "), 1, 2);
            resource.members.push(Member::Field(Field {
                name,
                number,
                label,
                ty,
                options: Vec::new(),
                comment,
            }));
        }
        for m in &messages {
            collect_imports(m, &mut self.imports);
        }
        for s in &services {
            for method in &s.methods {
                for ty in [&method.input, &method.output] {
                    if let Some(full) = ty.full() {
                        if full.starts_with("google.protobuf.") {
                            self.imports.insert(wkt_import(full).to_owned());
                        }
                    }
                }
            }
        }
        if self.annotations {
            self.imports.insert(ANNOTATIONS_PATH.to_owned());
        }
        let p = self.package;
        let leaf = if p.common {
            p.area.replace('.', "")
        } else {
            p.service.clone()
        };
        let mut options = vec![format!(
            "go_package = \"github.com/acme/apis/go/{}/{leaf}pb;{leaf}pb\"",
            p.dir.trim_start_matches("acme/")
        )];
        if self.rng.percent(80) {
            options.push("java_multiple_files = true".into());
            options.push(format!("java_outer_classname = \"{}Proto\"", stem));
        }
        options.push(format!("java_package = \"com.{}\"", p.name));
        if self.rng.percent(60) {
            let namespace: Vec<String> = p.name.split('.').map(pascal).collect();
            options.push(format!("csharp_namespace = \"{}\"", namespace.join(".")));
            options.push(format!("php_namespace = \"{}\"", namespace.join("\\\\")));
        }
        if self.rng.percent(30) {
            options.push(format!(
                "objc_class_prefix = \"A{}\"",
                p.area
                    .chars()
                    .take(2)
                    .collect::<String>()
                    .to_ascii_uppercase()
            ));
        }
        if self.rng.percent(20) {
            options.push("cc_enable_arenas = true".into());
        }
        let file_comment = if self.rng.percent(40) {
            let mut lines = paragraph(self.rng, "file", 1, 0);
            lines.insert(
                0,
                format!("This file defines the {} API surface of {}.", stem, p.name),
            );
            lines
        } else {
            Vec::new()
        };
        File {
            path: format!("{}/{}.proto", p.dir, snake(&stem)),
            package: p.name.clone(),
            syntax: self.syntax,
            stem,
            comment: file_comment,
            imports: self.imports,
            options,
            services,
            messages,
            enums,
            verbatim: None,
        }
    }

    fn rng_count(&mut self, weights: &[(usize, usize)]) -> usize {
        self.rng.weighted(weights)
    }

    /// A field's leading comment: most have one sentence, some none, a few several.
    fn field_prose(&mut self, name: &str, indent: usize) -> Vec<String> {
        let n = self.rng.weighted(&[(0, 20), (1, 60), (2, 17), (3, 3)]);
        paragraph(self.rng, &name.replace('_', " "), n, indent)
    }

    fn prose(&mut self, subject: &str, min: usize, max: usize, indent: usize) -> Vec<String> {
        let n = self.rng.between(min, max);
        paragraph(self.rng, subject, n, indent)
    }

    fn gen_enum(&mut self, name: &str, indent: usize) -> Enum {
        let prefix = upper_snake(name);
        let count = self.rng.between(3, 12);
        let words = pick_distinct(self.rng, ENUM_WORDS, count);
        let mut values = vec![EnumValue {
            name: format!("{prefix}_UNSPECIFIED"),
            number: 0,
            options: Vec::new(),
            comment: vec!["Unspecified.".into()],
        }];
        let mut number = 0;
        let mut gaps = Vec::new();
        for word in words {
            number += 1;
            if self.rng.percent(10) {
                gaps.push(number);
                number += 1;
            }
            let mut options = Vec::new();
            if self.rng.percent(5) {
                options.push("deprecated = true".to_owned());
            }
            let subject = word.to_ascii_lowercase();
            let comment = self.prose(&subject, 0, 1, indent + 2);
            values.push(EnumValue {
                name: format!("{prefix}_{word}"),
                number,
                options,
                comment,
            });
        }
        let reserved_numbers = gaps
            .iter()
            .filter(|_| self.rng.percent(70))
            .map(|&g| (g, g))
            .collect();
        let reserved_names = if self.rng.percent(20) {
            vec![format!("{prefix}_OBSOLETE")]
        } else {
            Vec::new()
        };
        let subject = snake(name).replace('_', " ");
        Enum {
            name: name.to_owned(),
            comment: self.prose(&subject, 1, 3, indent),
            values,
            reserved_numbers,
            reserved_names,
        }
    }

    fn label_for(&mut self, ty: &Ty) -> Label {
        let scalar = matches!(ty, Ty::Scalar(_));
        let is_enum = matches!(ty, Ty::Named { is_enum: true, .. });
        match self.syntax {
            Syntax::Proto3 if scalar || is_enum => self.rng.weighted(&[
                (Label::Implicit, 65),
                (Label::Repeated, 17),
                (Label::Optional, 18),
            ]),
            Syntax::Proto3 => self
                .rng
                .weighted(&[(Label::Implicit, 75), (Label::Repeated, 25)]),
            Syntax::Proto2 if scalar => self.rng.weighted(&[
                (Label::Optional, 75),
                (Label::Repeated, 18),
                (Label::Required, 7),
            ]),
            Syntax::Proto2 => self
                .rng
                .weighted(&[(Label::Optional, 80), (Label::Repeated, 20)]),
        }
    }

    /// A type for a message- or enum-typed field: what imports must contribute first, then this
    /// file's types, imported types, nested types and well-known types.
    fn named_type(&mut self, nested: &[Ty]) -> Ty {
        if let Some(ty) = self.pending.pop() {
            return ty;
        }
        loop {
            match self.rng.below(10) {
                0..=3 if !self.local.is_empty() => return self.rng.pick(&self.local).clone(),
                4..=5 if !self.imported.is_empty() => return self.rng.pick(&self.imported).clone(),
                6..=7 if !nested.is_empty() => return self.rng.pick(nested).clone(),
                8 | 9 => {
                    let full = self
                        .rng
                        .weighted(&WKT.iter().map(|(f, _, w)| (*f, *w)).collect::<Vec<_>>());
                    return Ty::named(full, full, false);
                }
                _ => {}
            }
        }
    }

    fn scalar(&mut self) -> &'static str {
        self.rng.weighted(SCALARS)
    }

    fn field_options(&mut self, ty: &Ty, label: Label, name: &str, in_oneof: bool) -> Vec<String> {
        let mut options = Vec::new();
        if self.rng.percent(4) {
            options.push("deprecated = true".to_owned());
        }
        if self.rng.percent(3) {
            options.push(format!("json_name = \"{}Alias\"", camel(name)));
        }
        if self.rng.percent(12) {
            self.annotations = true;
            let behavior = self.rng.pick(&[
                "REQUIRED",
                "OUTPUT_ONLY",
                "IMMUTABLE",
                "OPTIONAL",
                "INPUT_ONLY",
            ]);
            options.push(format!("(acme.api.field_behavior) = {behavior}"));
        }
        if self.syntax == Syntax::Proto2 {
            if let Ty::Scalar(s) = ty {
                if (label == Label::Optional || in_oneof) && self.rng.percent(10) {
                    let value = match *s {
                        "string" => format!("\"{}\"", self.rng.pick(FIELD_WORDS)),
                        "bytes" => "\"raw\"".to_owned(),
                        "bool" => "true".to_owned(),
                        "double" | "float" => "1.5".to_owned(),
                        _ => self.rng.between(1, 500).to_string(),
                    };
                    options.push(format!("default = {value}"));
                }
                if label == Label::Repeated
                    && !matches!(*s, "string" | "bytes")
                    && self.rng.percent(30)
                {
                    options.push("packed = true".to_owned());
                }
            }
        }
        options
    }

    fn gen_message(&mut self, name: &str, n_fields: usize, depth: usize) -> Message {
        let mut message = Message {
            name: name.to_owned(),
            ..Message::default()
        };
        let mut nested_types = Vec::new();
        let scope = format!("{}.{name}", self.package.name);
        if depth == 0 && self.rng.percent(25) {
            let nested_name = self.rng.pick(NESTED_ENUMS).to_string();
            let e = self.gen_enum(&nested_name, 2);
            nested_types.push(Ty::named(
                &format!("{scope}.{nested_name}"),
                &nested_name,
                true,
            ));
            message.enums.push(e);
        }
        if depth == 0 && self.rng.percent(25) {
            let nested_name = self.rng.pick(NESTED_MESSAGES).to_string();
            let n = self.rng.between(3, 8);
            let mut nested = self.gen_message_body(&nested_name, n, &[], 1);
            nested.comment = self.prose(&nested_name.to_ascii_lowercase(), 1, 2, 2);
            nested_types.push(Ty::named(
                &format!("{scope}.{nested_name}"),
                &nested_name,
                false,
            ));
            message.messages.push(nested);
        }
        let body = self.gen_message_body(name, n_fields, &nested_types, depth);
        Message {
            members: body.members,
            reserved_numbers: body.reserved_numbers,
            reserved_names: body.reserved_names,
            extensions: body.extensions,
            ..message
        }
    }

    fn gen_message_body(
        &mut self,
        name: &str,
        n_fields: usize,
        nested: &[Ty],
        depth: usize,
    ) -> Message {
        let mut message = Message {
            name: name.to_owned(),
            ..Message::default()
        };
        let mut names = BTreeSet::new();
        let mut keys = BTreeSet::new();
        let mut number = 0u32;
        let mut gaps = Vec::new();
        let mut next_number = |rng: &mut Rng| {
            number += 1;
            if rng.percent(8) {
                let skip = rng.between(1, 3) as u32;
                gaps.push((number, number + skip - 1));
                number += skip;
            }
            number
        };
        let indent = 2 + depth * 2;
        let mut has_oneof = false;
        let mut i = 0;
        while i < n_fields {
            let roll = self.rng.below(100);
            if roll < 8 && !has_oneof && depth == 0 && n_fields - i >= 2 {
                has_oneof = true;
                let oneof_name = fresh_field_name(self.rng, &mut names, &keys, None);
                let count = self.rng.between(2, 4).min(n_fields - i);
                let mut fields = Vec::new();
                for _ in 0..count {
                    let ty = if self.rng.percent(60) {
                        Ty::Scalar(self.scalar())
                    } else {
                        self.named_type(nested)
                    };
                    let field_name = fresh_field_name(self.rng, &mut names, &keys, None);
                    keys.insert(json_key(&field_name));
                    let options = self.field_options(&ty, Label::Implicit, &field_name, true);
                    if let Some(json) = json_option(&options) {
                        keys.insert(json);
                    }
                    let comment = self.field_prose(&field_name, indent + 2);
                    fields.push(Field {
                        name: field_name,
                        number: next_number(self.rng),
                        label: Label::Implicit,
                        ty,
                        options,
                        comment,
                    });
                }
                i += count;
                let comment = paragraph(self.rng, &oneof_name.replace('_', " "), 1, indent);
                message.members.push(Member::Oneof(Oneof {
                    name: oneof_name,
                    comment,
                    fields,
                }));
                continue;
            }
            let (ty, label) = if roll < 13 {
                let key = self.rng.weighted(MAP_KEYS);
                let value = if self.rng.percent(60) {
                    Ty::Scalar(self.scalar())
                } else {
                    self.named_type(nested)
                };
                (Ty::Map(key, Box::new(value)), Label::Implicit)
            } else if roll < 35 {
                let ty = self.named_type(nested);
                let label = self.label_for(&ty);
                (ty, label)
            } else {
                let ty = Ty::Scalar(self.scalar());
                let label = self.label_for(&ty);
                (ty, label)
            };
            let field_name = fresh_field_name(self.rng, &mut names, &keys, None);
            keys.insert(json_key(&field_name));
            let options = self.field_options(&ty, label, &field_name, false);
            if let Some(json) = json_option(&options) {
                keys.insert(json);
            }
            let comment = self.field_prose(&field_name, indent);
            message.members.push(Member::Field(Field {
                name: field_name,
                number: next_number(self.rng),
                label,
                ty,
                options,
                comment,
            }));
            i += 1;
        }
        message.reserved_numbers = gaps.into_iter().filter(|_| self.rng.percent(60)).collect();
        if self.rng.percent(20) {
            for _ in 0..self.rng.between(1, 2) {
                let prefix = if self.rng.percent(50) {
                    "legacy"
                } else {
                    "old"
                };
                let reserved = format!("{prefix}_{}", self.rng.pick(FIELD_WORDS));
                if !message.reserved_names.contains(&reserved) {
                    message.reserved_names.push(reserved);
                }
            }
        }
        if self.syntax == Syntax::Proto2 && depth == 0 && self.rng.percent(20) {
            message.extensions = Some(if self.rng.percent(50) {
                "1000 to max".to_owned()
            } else {
                "500 to 599".to_owned()
            });
        }
        message
    }

    /// The file's main resource: googleapis-style standard fields, then random ones.
    fn gen_resource(&mut self, name: &str, state: Option<&str>) -> Message {
        // Most resources are mid-sized, a few are large (googleapis has some with 30+ fields).
        let (lo, hi) = self
            .rng
            .weighted(&[((8, 14), 60), ((15, 22), 30), ((23, 30), 10)]);
        let n = self.rng.between(lo, hi);
        let mut message = self.gen_message(name, n.saturating_sub(6), 0);
        let mut standard: Vec<(String, Ty, Label, Vec<String>)> = vec![(
            "name".into(),
            Ty::Scalar("string"),
            self.plain_label(),
            if self.rng.percent(50) {
                self.annotations = true;
                vec!["(acme.api.field_behavior) = IMMUTABLE".to_owned()]
            } else {
                Vec::new()
            },
        )];
        standard.push((
            "display_name".into(),
            Ty::Scalar("string"),
            self.plain_label(),
            Vec::new(),
        ));
        if self.rng.percent(70) {
            let ts = Ty::named(
                "google.protobuf.Timestamp",
                "google.protobuf.Timestamp",
                false,
            );
            self.annotations = true;
            for n in ["create_time", "update_time"] {
                standard.push((
                    n.into(),
                    ts.clone(),
                    self.plain_label(),
                    vec!["(acme.api.field_behavior) = OUTPUT_ONLY".into()],
                ));
            }
        }
        if let Some(state) = state {
            standard.push((
                "state".into(),
                self.local_type(state, true),
                self.plain_label(),
                Vec::new(),
            ));
        }
        if self.rng.percent(50) {
            standard.push((
                "labels".into(),
                Ty::Map("string", Box::new(Ty::Scalar("string"))),
                Label::Implicit,
                Vec::new(),
            ));
        }
        standard.push((
            "etag".into(),
            Ty::Scalar("string"),
            self.plain_label(),
            Vec::new(),
        ));
        // Renumber: standard fields first, as a hand-written resource would have them.
        let mut names = message.names();
        let mut keys = json_keys(&message);
        let mut members = Vec::new();
        let shift = standard.len() as u32;
        for (field_name, ty, label, options) in standard {
            if names.contains(&field_name) || keys.contains(&json_key(&field_name)) {
                continue;
            }
            names.insert(field_name.clone());
            keys.insert(json_key(&field_name));
            let comment = self.field_prose(&field_name, 2);
            members.push(Member::Field(Field {
                name: field_name,
                number: members.len() as u32 + 1,
                label,
                ty,
                options,
                comment,
            }));
        }
        for member in &mut message.members {
            match member {
                Member::Field(f) => f.number += shift,
                Member::Oneof(o) => o.fields.iter_mut().for_each(|f| f.number += shift),
            }
        }
        for r in &mut message.reserved_numbers {
            *r = (r.0 + shift, r.1 + shift);
        }
        members.append(&mut message.members);
        message.members = members;
        let subject = snake(name).replace('_', " ");
        message.comment = self.prose(&subject, 1, 3, 0);
        if self.rng.percent(40) {
            self.annotations = true;
            let plural = plural(&snake(name));
            message.options.push(format!(
                "option (acme.api.resource) = {{\n  type: \"{}.acme.example/{name}\"\n  pattern: \"projects/{{project}}/{plural}/{{{}}}\"\n}};",
                self.package.area,
                snake(name)
            ));
        }
        if self.rng.percent(3) {
            message.options.push("option deprecated = true;".into());
        }
        message
    }

    fn plain_label(&mut self) -> Label {
        match self.syntax {
            Syntax::Proto3 => Label::Implicit,
            Syntax::Proto2 => Label::Optional,
        }
    }

    /// A request/response message: the given fields first, then random ones up to `min` fields.
    fn rpc_message(&mut self, name: &str, fixed: Vec<(&str, Ty, Label)>, min: usize) -> Message {
        let extra = min.saturating_sub(fixed.len()) + self.rng.between(0, 2);
        let mut message = self.gen_message(name, extra, 0);
        let shift = fixed.len() as u32;
        let mut names = message.names();
        let mut keys = json_keys(&message);
        let mut members = Vec::new();
        for (i, (field_name, ty, label)) in fixed.into_iter().enumerate() {
            let field_name = if names.contains(field_name) || keys.contains(&json_key(field_name)) {
                fresh_field_name(self.rng, &mut names, &keys, None)
            } else {
                names.insert(field_name.to_owned());
                field_name.to_owned()
            };
            keys.insert(json_key(&field_name));
            let mut options = Vec::new();
            if i == 0 && self.rng.percent(60) {
                self.annotations = true;
                options.push("(acme.api.field_behavior) = REQUIRED".to_owned());
            }
            let comment = self.field_prose(&field_name, 2);
            members.push(Member::Field(Field {
                name: field_name,
                number: i as u32 + 1,
                label,
                ty,
                options,
                comment,
            }));
        }
        for member in &mut message.members {
            match member {
                Member::Field(f) => f.number += shift,
                Member::Oneof(o) => o.fields.iter_mut().for_each(|f| f.number += shift),
            }
        }
        for r in &mut message.reserved_numbers {
            *r = (r.0 + shift, r.1 + shift);
        }
        members.append(&mut message.members);
        message.members = members;
        message.comment = self.prose(&snake(name).replace('_', " "), 1, 2, 0);
        message
    }

    #[allow(clippy::too_many_arguments)]
    fn push_method(
        &mut self,
        methods: &mut Vec<Method>,
        verb: &str,
        input: Ty,
        output: Ty,
        cs: bool,
        ss: bool,
        http: Option<String>,
    ) {
        let mut options = Vec::new();
        if let Some(http) = http {
            if self.rng.percent(80) {
                self.annotations = true;
                options.push(format!("option (acme.api.http) = {{\n  {http}\n}};"));
            }
        }
        if verb.starts_with("Get") && self.rng.percent(20) {
            options.push("option idempotency_level = NO_SIDE_EFFECTS;".to_owned());
        }
        if self.rng.percent(3) {
            options.push("option deprecated = true;".to_owned());
        }
        let subject = snake(verb).replace('_', " ");
        let comment = self.prose(&subject, 1, 2, 2);
        methods.push(Method {
            name: verb.to_owned(),
            input,
            output,
            client_streaming: cs,
            server_streaming: ss,
            comment,
            options,
        });
    }

    fn gen_service(&mut self, main: &str, plural: &str) -> (Service, Vec<Message>) {
        let resource = self.local_type(main, false);
        let s = |n: &'static str| Ty::Scalar(n);
        let plain = self.plain_label();
        let snake_main = snake(main);
        let snake_plural = snake(plural);
        let version = &self.package.version;
        let route = format!("/{version}/{{name=projects/*/{snake_plural}/*}}");
        let collection = format!("/{version}/{{parent=projects/*}}/{snake_plural}");
        let mut messages = Vec::new();
        let mut methods = Vec::new();
        let field_mask = Ty::named(
            "google.protobuf.FieldMask",
            "google.protobuf.FieldMask",
            false,
        );
        let timestamp = Ty::named(
            "google.protobuf.Timestamp",
            "google.protobuf.Timestamp",
            false,
        );
        let duration = Ty::named(
            "google.protobuf.Duration",
            "google.protobuf.Duration",
            false,
        );
        let empty = Ty::named("google.protobuf.Empty", "google.protobuf.Empty", false);

        let name = self.claim(format!("Get{main}Request"));
        let mut fixed = vec![("name", s("string"), plain)];
        if self.rng.percent(40) {
            fixed.push(("read_mask", field_mask.clone(), plain_message(self.syntax)));
        }
        let m = self.rpc_message(&name, fixed, 5);
        self.push_method(
            &mut methods,
            &format!("Get{main}"),
            self.local_type(&name, false),
            resource.clone(),
            false,
            false,
            Some(format!("get: \"{route}\"")),
        );
        messages.push(m);

        let req = self.claim(format!("List{plural}Request"));
        let resp = self.claim(format!("List{plural}Response"));
        let m = self.rpc_message(
            &req,
            vec![
                ("parent", s("string"), plain),
                ("page_size", s("int32"), plain),
                ("page_token", s("string"), plain),
                ("filter", s("string"), plain),
                ("order_by", s("string"), plain),
            ],
            5,
        );
        messages.push(m);
        let m = self.rpc_message(
            &resp,
            vec![
                (snake_plural.as_str(), resource.clone(), Label::Repeated),
                ("next_page_token", s("string"), plain),
                ("total_size", s("int32"), plain),
                ("unreachable", s("string"), Label::Repeated),
            ],
            5,
        );
        messages.push(m);
        self.push_method(
            &mut methods,
            &format!("List{plural}"),
            self.local_type(&req, false),
            self.local_type(&resp, false),
            false,
            false,
            Some(format!("get: \"{collection}\"")),
        );

        if self.rng.percent(80) {
            let name = self.claim(format!("Create{main}Request"));
            let id = format!("{snake_main}_id");
            let m = self.rpc_message(
                &name,
                vec![
                    ("parent", s("string"), plain),
                    (
                        snake_main.as_str(),
                        resource.clone(),
                        plain_message(self.syntax),
                    ),
                    (id.as_str(), s("string"), plain),
                    ("request_id", s("string"), plain),
                    ("validate_only", s("bool"), plain),
                ],
                5,
            );
            messages.push(m);
            self.push_method(
                &mut methods,
                &format!("Create{main}"),
                self.local_type(&name, false),
                resource.clone(),
                false,
                false,
                Some(format!("post: \"{collection}\"\n  body: \"{snake_main}\"")),
            );
        }
        if self.rng.percent(70) {
            let name = self.claim(format!("Update{main}Request"));
            let m = self.rpc_message(
                &name,
                vec![
                    (
                        snake_main.as_str(),
                        resource.clone(),
                        plain_message(self.syntax),
                    ),
                    (
                        "update_mask",
                        field_mask.clone(),
                        plain_message(self.syntax),
                    ),
                    ("allow_missing", s("bool"), plain),
                    ("etag", s("string"), plain),
                    ("request_id", s("string"), plain),
                ],
                5,
            );
            messages.push(m);
            self.push_method(
                &mut methods,
                &format!("Update{main}"),
                self.local_type(&name, false),
                resource.clone(),
                false,
                false,
                Some(format!("patch: \"{route}\"\n  body: \"*\"")),
            );
        }
        if self.rng.percent(70) {
            let name = self.claim(format!("Delete{main}Request"));
            let m = self.rpc_message(
                &name,
                vec![
                    ("name", s("string"), plain),
                    ("etag", s("string"), plain),
                    ("force", s("bool"), plain),
                    ("allow_missing", s("bool"), plain),
                    ("request_id", s("string"), plain),
                ],
                5,
            );
            messages.push(m);
            self.push_method(
                &mut methods,
                &format!("Delete{main}"),
                self.local_type(&name, false),
                empty.clone(),
                false,
                false,
                Some(format!("delete: \"{route}\"")),
            );
        }
        if self.rng.percent(25) {
            let name = self.claim(format!("Watch{plural}Request"));
            let m = self.rpc_message(
                &name,
                vec![
                    ("parent", s("string"), plain),
                    ("filter", s("string"), plain),
                    ("start_time", timestamp.clone(), plain_message(self.syntax)),
                    ("resume_token", s("bytes"), plain),
                    (
                        "heartbeat_interval",
                        duration.clone(),
                        plain_message(self.syntax),
                    ),
                ],
                5,
            );
            messages.push(m);
            self.push_method(
                &mut methods,
                &format!("Watch{plural}"),
                self.local_type(&name, false),
                resource.clone(),
                false,
                true,
                None,
            );
        }
        if self.rng.percent(15) {
            let name = self.claim(format!("Import{plural}Response"));
            let m = self.rpc_message(
                &name,
                vec![
                    ("imported_count", s("int64"), plain),
                    ("failed_count", s("int64"), plain),
                    ("errors", s("string"), Label::Repeated),
                    ("duration", duration.clone(), plain_message(self.syntax)),
                    ("finish_time", timestamp.clone(), plain_message(self.syntax)),
                ],
                5,
            );
            messages.push(m);
            self.push_method(
                &mut methods,
                &format!("Import{plural}"),
                resource.clone(),
                self.local_type(&name, false),
                true,
                false,
                None,
            );
        }
        if self.rng.percent(10) {
            let req = self.claim(format!("Sync{plural}Request"));
            let resp = self.claim(format!("Sync{plural}Response"));
            for name in [&req, &resp] {
                let m = self.rpc_message(
                    name,
                    vec![
                        ("sequence", s("uint64"), plain),
                        (snake_plural.as_str(), resource.clone(), Label::Repeated),
                        ("checkpoint", s("bytes"), plain),
                        ("sent_time", timestamp.clone(), plain_message(self.syntax)),
                        ("final", s("bool"), plain),
                    ],
                    5,
                );
                messages.push(m);
            }
            self.push_method(
                &mut methods,
                &format!("Sync{plural}"),
                self.local_type(&req, false),
                self.local_type(&resp, false),
                true,
                true,
                None,
            );
        }
        let service_name = self.claim(format!("{main}Service"));
        let subject = format!("{} service", snake(main).replace('_', " "));
        let comment = self.prose(&subject, 1, 3, 0);
        (
            Service {
                name: service_name,
                comment,
                methods,
            },
            messages,
        )
    }
}

fn plain_message(syntax: Syntax) -> Label {
    match syntax {
        Syntax::Proto3 => Label::Implicit,
        Syntax::Proto2 => Label::Optional,
    }
}

fn json_option(options: &[String]) -> Option<String> {
    options
        .iter()
        .find_map(|o| o.strip_prefix("json_name = \""))
        .map(|rest| rest.trim_end_matches('"').to_ascii_lowercase())
}

fn json_keys(message: &Message) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for field in message.fields() {
        keys.insert(json_key(&field.name));
        if let Some(json) = json_option(&field.options) {
            keys.insert(json);
        }
    }
    keys
}

/// A new snake_case name of 1-3 words, unique among `names` and by JSON key. Adds it to `names`.
fn fresh_field_name(
    rng: &mut Rng,
    names: &mut BTreeSet<String>,
    keys: &BTreeSet<String>,
    avoid: Option<&str>,
) -> String {
    loop {
        let words = rng.weighted(&[(1, 30), (2, 55), (3, 15)]);
        let mut name = String::new();
        for i in 0..words {
            if i > 0 {
                name.push('_');
            }
            name.push_str(rng.word(FIELD_WORDS));
        }
        if KEYWORDS.contains(&name.as_str())
            || names.contains(&name)
            || keys.contains(&json_key(&name))
            || avoid == Some(name.as_str())
        {
            continue;
        }
        names.insert(name.clone());
        return name;
    }
}

fn pick_distinct<'a>(rng: &mut Rng, items: &[&'a str], n: usize) -> Vec<&'a str> {
    let mut pool: Vec<&str> = items.to_vec();
    rng.shuffle(&mut pool);
    pool.truncate(n.min(items.len()));
    pool
}

fn collect_imports(message: &Message, imports: &mut BTreeSet<String>) {
    for field in message.fields() {
        if let Some(full) = field.ty.full() {
            if full.starts_with("google.protobuf.") {
                imports.insert(wkt_import(full).to_owned());
            }
        }
    }
    for nested in &message.messages {
        collect_imports(nested, imports);
    }
}

fn message_refs(message: &Message, refs: &mut BTreeSet<String>) {
    for field in message.fields() {
        if let Some(full) = field.ty.full() {
            refs.insert(full.to_owned());
        }
    }
    for nested in &message.messages {
        message_refs(nested, refs);
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    FieldDeleted,
    FieldTypeChanged,
    FieldRenumbered,
    FieldRenamed,
    EnumValueDeleted,
    EnumValueRenamed,
    MessageDeleted,
    FieldMovedIntoOneof,
    OptionalToRepeated,
    FileDeleted,
    NumberReused,
    // Harmless edits.
    CommentChanged,
    FieldAdded,
    MessageAdded,
}

const BREAKING_KINDS: &[Kind] = &[
    Kind::FieldDeleted,
    Kind::FieldTypeChanged,
    Kind::FieldRenumbered,
    Kind::FieldRenamed,
    Kind::EnumValueDeleted,
    Kind::EnumValueRenamed,
    Kind::MessageDeleted,
    Kind::FieldMovedIntoOneof,
    Kind::OptionalToRepeated,
    Kind::FileDeleted,
    Kind::NumberReused,
];
const HARMLESS_KINDS: &[Kind] = &[Kind::CommentChanged, Kind::FieldAdded, Kind::MessageAdded];

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::FieldDeleted => "field_deleted",
            Kind::FieldTypeChanged => "field_type_changed",
            Kind::FieldRenumbered => "field_renumbered",
            Kind::FieldRenamed => "field_renamed",
            Kind::EnumValueDeleted => "enum_value_deleted",
            Kind::EnumValueRenamed => "enum_value_renamed",
            Kind::MessageDeleted => "message_deleted",
            Kind::FieldMovedIntoOneof => "field_moved_into_oneof",
            Kind::OptionalToRepeated => "optional_to_repeated",
            Kind::FileDeleted => "file_deleted",
            Kind::NumberReused => "number_reused",
            Kind::CommentChanged => "comment_changed",
            Kind::FieldAdded => "field_added",
            Kind::MessageAdded => "message_added",
        }
    }
}

struct Mutation {
    breaking: bool,
    kind: Kind,
    path: String,
    element: String,
    detail: String,
    /// The rules buf reports for it at category FILE (empty for harmless edits).
    expect: String,
}

/// Everything the mutations need to know about the previous corpus to keep it compiling.
struct Facts {
    /// Full names referenced by any field or method anywhere.
    referenced: BTreeSet<String>,
    /// Paths imported by at least one file.
    imported: BTreeSet<String>,
}

fn facts(corpus: &Corpus) -> Facts {
    let mut referenced = BTreeSet::new();
    let mut imported = BTreeSet::new();
    for file in &corpus.files {
        imported.extend(file.imports.iter().cloned());
        for m in &file.messages {
            message_refs(m, &mut referenced);
        }
        for s in &file.services {
            for method in &s.methods {
                referenced.extend(method.input.full().map(str::to_owned));
                referenced.extend(method.output.full().map(str::to_owned));
            }
        }
    }
    Facts {
        referenced,
        imported,
    }
}

fn mutate(previous: &Corpus, seed: u64, count: usize) -> (Corpus, Vec<Mutation>) {
    let mut rng = Rng::new(seed, 2);
    let facts = facts(previous);
    let mut files: Vec<Option<File>> = previous.files.iter().cloned().map(Some).collect();
    let mut symbols = previous.symbols.clone();
    let mut order: Vec<usize> = (1..files.len()).collect();
    rng.shuffle(&mut order);
    let mut used = vec![false; files.len()];
    let mut log = Vec::new();
    let mut cursor = 0;
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for pass in [true, false] {
        for n in 0..count {
            let kind = if pass {
                BREAKING_KINDS[n % BREAKING_KINDS.len()]
            } else {
                HARMLESS_KINDS[n % HARMLESS_KINDS.len()]
            };
            // The next unused file, in shuffled order, on which this kind applies.
            let mut applied = false;
            for step in 0..order.len() {
                let index = order[(cursor + step) % order.len()];
                if used[index] {
                    continue;
                }
                let Some(file) = files[index].as_mut() else {
                    continue;
                };
                let mut file_rng = Rng::new(seed, 0x10_0000 + (index as u64) * 64 + n as u64);
                let package_symbols = symbols.entry(file.package.clone()).or_default();
                if let Some(mut m) = apply(kind, file, &mut file_rng, &facts, package_symbols) {
                    m.breaking = pass;
                    if kind == Kind::FileDeleted {
                        files[index] = None;
                    }
                    used[index] = true;
                    cursor = (cursor + step + 1) % order.len();
                    log.push(m);
                    applied = true;
                    break;
                }
            }
            if !applied {
                *skipped.entry(kind.id()).or_insert(0) += 1;
            }
        }
    }
    if !skipped.is_empty() {
        let list: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        eprintln!(
            "gen_corpus: every change goes to its own file and {} files cannot take them all; skipped: {}",
            files.len() - 1,
            list.join(", ")
        );
    }
    (
        Corpus {
            files: files.into_iter().flatten().collect(),
            symbols,
        },
        log,
    )
}

/// Where a direct field of a top-level message is: (message, member).
type FieldAt = (usize, usize);

fn direct_fields(file: &File, keep: impl Fn(&File, &Message, &Field) -> bool) -> Vec<FieldAt> {
    let mut out = Vec::new();
    for (mi, message) in file.messages.iter().enumerate() {
        for (fi, member) in message.members.iter().enumerate() {
            if let Member::Field(field) = member {
                if keep(file, message, field) {
                    out.push((mi, fi));
                }
            }
        }
    }
    out
}

fn field_mut(file: &mut File, at: FieldAt) -> &mut Field {
    match &mut file.messages[at.0].members[at.1] {
        Member::Field(f) => f,
        Member::Oneof(_) => unreachable!(),
    }
}

fn is_message(ty: &Ty) -> bool {
    matches!(ty, Ty::Named { is_enum: false, .. })
}

fn has_custom_json(field: &Field) -> bool {
    json_option(&field.options).is_some()
}

fn apply(
    kind: Kind,
    file: &mut File,
    rng: &mut Rng,
    facts: &Facts,
    symbols: &mut BTreeSet<String>,
) -> Option<Mutation> {
    if file.verbatim.is_some() {
        return None;
    }
    let package = file.package.clone();
    let path = file.path.clone();
    let element_of = |file: &File, at: FieldAt| {
        let message = &file.messages[at.0];
        let Member::Field(field) = &message.members[at.1] else {
            unreachable!()
        };
        format!(
            "{package}.{}.{} ({})",
            message.name, field.name, field.number
        )
    };
    let mutation = |kind: Kind, element: String, detail: String, expect: &str| Mutation {
        breaking: true,
        kind,
        path: path.clone(),
        element,
        detail,
        expect: expect.to_owned(),
    };
    match kind {
        Kind::FieldDeleted => {
            let candidates = direct_fields(file, |_, _, _| true);
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let required = field_mut(file, at).label == Label::Required;
            file.messages[at.0].members.remove(at.1);
            Some(mutation(
                kind,
                element,
                "deleted; neither number nor name reserved".into(),
                if required {
                    "FIELD_NO_DELETE MESSAGE_SAME_REQUIRED_FIELDS"
                } else {
                    "FIELD_NO_DELETE"
                },
            ))
        }
        Kind::FieldTypeChanged => {
            let candidates = direct_fields(file, |_, _, f| {
                f.ty == Ty::Scalar("int32")
                    && !f
                        .options
                        .iter()
                        .any(|o| o.starts_with("default") || o.starts_with("packed"))
            });
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            field_mut(file, at).ty = Ty::Scalar("string");
            Some(mutation(
                kind,
                element,
                "int32 -> string".into(),
                "FIELD_SAME_TYPE",
            ))
        }
        Kind::FieldRenumbered => {
            let candidates = direct_fields(file, |_, _, _| true);
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let number = file.messages[at.0].next_free_number();
            let field = field_mut(file, at);
            let old = field.number;
            field.number = number;
            // buf pairs required fields by number: a renumbered one is one deleted, one added.
            let expect = if field.label == Label::Required {
                "FIELD_NO_DELETE MESSAGE_SAME_REQUIRED_FIELDS"
            } else {
                "FIELD_NO_DELETE"
            };
            Some(mutation(
                kind,
                element,
                format!("number {old} -> {number}"),
                expect,
            ))
        }
        Kind::FieldRenamed => {
            let candidates = direct_fields(file, |_, _, _| true);
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let message = &file.messages[at.0];
            let mut names = message.names();
            let keys = json_keys(message);
            let new = fresh_field_name(rng, &mut names, &keys, None);
            let field = field_mut(file, at);
            let old = std::mem::replace(&mut field.name, new.clone());
            let expect = if has_custom_json(field) {
                "FIELD_SAME_NAME"
            } else {
                "FIELD_SAME_NAME FIELD_SAME_JSON_NAME"
            };
            Some(mutation(
                kind,
                element,
                format!("name {old} -> {new}"),
                expect,
            ))
        }
        Kind::EnumValueDeleted | Kind::EnumValueRenamed => {
            let mut candidates = Vec::new();
            for (ei, e) in file.enums.iter().enumerate() {
                for vi in 1..e.values.len() {
                    candidates.push((None, ei, vi));
                }
            }
            for (mi, m) in file.messages.iter().enumerate() {
                for (ei, e) in m.enums.iter().enumerate() {
                    for vi in 1..e.values.len() {
                        candidates.push((Some(mi), ei, vi));
                    }
                }
            }
            let (mi, ei, vi) = *rng.pick(nonempty(&candidates)?);
            let (scope, e) = match mi {
                None => (package.clone(), &mut file.enums[ei]),
                Some(mi) => (
                    format!("{package}.{}", file.messages[mi].name),
                    &mut file.messages[mi].enums[ei],
                ),
            };
            let element = format!(
                "{scope}.{}.{} ({})",
                e.name, e.values[vi].name, e.values[vi].number
            );
            if kind == Kind::EnumValueDeleted {
                e.values.remove(vi);
                Some(mutation(
                    kind,
                    element,
                    "deleted; number not reserved".into(),
                    "ENUM_VALUE_NO_DELETE",
                ))
            } else {
                let prefix = upper_snake(&e.name);
                let taken: BTreeSet<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                let fresh: Vec<&str> = ENUM_WORDS
                    .iter()
                    .copied()
                    .filter(|w| {
                        let name = format!("{prefix}_{w}");
                        !taken.contains(name.as_str()) && !symbols.contains(&name)
                    })
                    .collect();
                let new = format!("{prefix}_{}", rng.pick(nonempty(&fresh)?));
                let old = std::mem::replace(&mut e.values[vi].name, new.clone());
                if mi.is_none() {
                    symbols.insert(new.clone());
                }
                Some(mutation(
                    kind,
                    element,
                    format!("name {old} -> {new}"),
                    "ENUM_VALUE_SAME_NAME",
                ))
            }
        }
        Kind::MessageDeleted => {
            let candidates: Vec<usize> = (0..file.messages.len())
                .filter(|&i| {
                    !facts
                        .referenced
                        .contains(&format!("{package}.{}", file.messages[i].name))
                })
                .collect();
            let i = *rng.pick(nonempty(&candidates)?);
            let removed = file.messages.remove(i);
            Some(mutation(
                kind,
                format!("{package}.{}", removed.name),
                "deleted".into(),
                "MESSAGE_NO_DELETE",
            ))
        }
        Kind::FieldMovedIntoOneof => {
            let syntax = file.syntax;
            let candidates = direct_fields(file, |_, _, f| {
                !matches!(f.ty, Ty::Map(..))
                    && match syntax {
                        Syntax::Proto3 => f.label == Label::Implicit,
                        Syntax::Proto2 => f.label == Label::Optional,
                    }
            });
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let message = &mut file.messages[at.0];
            let mut names = message.names();
            let Member::Field(mut field) = message.members.remove(at.1) else {
                unreachable!()
            };
            let mut oneof_name = format!("{}_choice", field.name);
            if names.contains(&oneof_name) {
                oneof_name = fresh_field_name(rng, &mut names, &BTreeSet::new(), None);
            }
            field.label = Label::Implicit;
            let detail = format!("moved into new oneof {oneof_name}");
            // A proto3 scalar or enum field gains explicit presence inside a real oneof.
            let expect = if syntax == Syntax::Proto3 && !is_message(&field.ty) {
                "FIELD_SAME_ONEOF FIELD_SAME_CARDINALITY"
            } else {
                "FIELD_SAME_ONEOF"
            };
            message.members.insert(
                at.1,
                Member::Oneof(Oneof {
                    name: oneof_name,
                    comment: vec!["Exactly one of these is set.".into()],
                    fields: vec![field],
                }),
            );
            Some(mutation(kind, element, detail, expect))
        }
        Kind::OptionalToRepeated => {
            let candidates = direct_fields(file, |_, _, f| {
                f.label == Label::Optional && !matches!(f.ty, Ty::Map(..))
            });
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let syntax = file.syntax;
            let field = field_mut(file, at);
            field.label = Label::Repeated;
            field.options.retain(|o| !o.starts_with("default"));
            let detail = match syntax {
                Syntax::Proto2 => "proto2 optional -> repeated",
                Syntax::Proto3 => "proto3 optional -> repeated",
            };
            Some(mutation(
                kind,
                element,
                detail.into(),
                "FIELD_SAME_CARDINALITY",
            ))
        }
        Kind::FileDeleted => {
            if facts.imported.contains(&file.path) {
                return None;
            }
            Some(mutation(
                kind,
                file.path.clone(),
                "deleted".into(),
                "FILE_NO_DELETE",
            ))
        }
        Kind::NumberReused => {
            let syntax = file.syntax;
            let candidates = direct_fields(file, |_, _, f| {
                !matches!(f.ty, Ty::Map(..))
                    && match syntax {
                        Syntax::Proto3 => f.label == Label::Implicit,
                        Syntax::Proto2 => f.label == Label::Optional,
                    }
            });
            let at = *rng.pick(nonempty(&candidates)?);
            let element = element_of(file, at);
            let message = &file.messages[at.0];
            let mut names = message.names();
            let keys = json_keys(message);
            let name = fresh_field_name(rng, &mut names, &keys, None);
            let field = field_mut(file, at);
            let ty = if field.ty == Ty::Scalar("string") {
                Ty::Scalar("int64")
            } else {
                Ty::Scalar("string")
            };
            let detail = format!(
                "{} {} replaced by {} {}",
                field.ty.render(),
                field.name,
                ty.render(),
                name
            );
            // A proto3 message field has explicit presence, the scalar replacing it does not.
            let expect = if syntax == Syntax::Proto3 && is_message(&field.ty) {
                "FIELD_SAME_NAME FIELD_SAME_JSON_NAME FIELD_SAME_TYPE FIELD_SAME_CARDINALITY"
            } else {
                "FIELD_SAME_NAME FIELD_SAME_JSON_NAME FIELD_SAME_TYPE"
            };
            *field = Field {
                name,
                number: field.number,
                label: field.label,
                ty,
                options: Vec::new(),
                comment: vec!["Replaces an earlier field.".into()],
            };
            Some(mutation(kind, element, detail, expect))
        }
        Kind::CommentChanged => {
            let i = rng.below(file.messages.len().max(1));
            let message = file.messages.get_mut(i)?;
            let n = rng.between(1, 3);
            message.comment = paragraph(rng, "revised text", n, 0);
            let element = format!("{package}.{}", message.name);
            Some(Mutation {
                breaking: false,
                ..mutation(kind, element, "leading comment rewritten".into(), "")
            })
        }
        Kind::FieldAdded => {
            let i = rng.below(file.messages.len().max(1));
            let plain = plain_message(file.syntax);
            let message = file.messages.get_mut(i)?;
            let mut names = message.names();
            let keys = json_keys(message);
            let name = fresh_field_name(rng, &mut names, &keys, None);
            let number = message.next_free_number();
            let ty = Ty::Scalar(rng.weighted(SCALARS));
            let element = format!("{package}.{}.{name} ({number})", message.name);
            let detail = format!("new field {} {name} = {number}", ty.render());
            message.members.push(Member::Field(Field {
                name,
                number,
                label: plain,
                ty,
                options: Vec::new(),
                comment: vec!["Added in a later revision.".into()],
            }));
            Some(Mutation {
                breaking: false,
                ..mutation(kind, element, detail, "")
            })
        }
        Kind::MessageAdded => {
            let plain = plain_message(file.syntax);
            let mut name = format!("{}{}", file.stem, rng.pick(MESSAGE_SUFFIXES));
            let base = name.clone();
            let mut n = 2;
            while symbols.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            symbols.insert(name.clone());
            let mut names = BTreeSet::new();
            let mut keys = BTreeSet::new();
            let mut members = Vec::new();
            for number in 1..=rng.between(3, 8) as u32 {
                let field_name = fresh_field_name(rng, &mut names, &keys, None);
                keys.insert(json_key(&field_name));
                members.push(Member::Field(Field {
                    name: field_name,
                    number,
                    label: plain,
                    ty: Ty::Scalar(rng.weighted(SCALARS)),
                    options: Vec::new(),
                    comment: paragraph(rng, "added field", 1, 2),
                }));
            }
            file.messages.push(Message {
                name: name.clone(),
                comment: paragraph(rng, "new message", 2, 0),
                members,
                ..Message::default()
            });
            Some(Mutation {
                breaking: false,
                ..mutation(kind, format!("{package}.{name}"), "new message".into(), "")
            })
        }
    }
}

fn nonempty<T>(items: &[T]) -> Option<&[T]> {
    if items.is_empty() {
        None
    } else {
        Some(items)
    }
}

// ---------------------------------------------------------------------------------------------
// Output

fn write(
    options: &Options,
    previous: &Corpus,
    current: &Corpus,
    log: &[Mutation],
) -> std::io::Result<u64> {
    std::fs::create_dir_all(&options.out)?;
    let mut bytes = 0;
    for (name, corpus) in [("previous", previous), ("current", current)] {
        let dir = options.out.join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        for file in &corpus.files {
            let text = render(file);
            if name == "previous" {
                bytes += text.len() as u64;
            }
            write_file(&dir.join(&file.path), &text)?;
        }
    }
    let mut text = format!(
        "# gen_corpus --files {} --seed {} --mutations {}\n\
         # One line per injected change: class, kind, file, element, detail, and the rules buf\n\
         # (category FILE) reports for it. Elements are full names with the field or value number.\n\
         # class\tkind\tfile\telement\tdetail\texpected_rules\n",
        options.files, options.seed, options.mutations
    );
    for m in log {
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}\t{}",
            if m.breaking { "breaking" } else { "harmless" },
            m.kind.id(),
            m.path,
            m.element,
            m.detail,
            if m.expect.is_empty() { "-" } else { &m.expect }
        );
    }
    write_file(&options.out.join("mutations.txt"), &text)?;
    Ok(bytes)
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

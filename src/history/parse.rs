//! What one `.proto` blob contributes to the ledger: every message and enum it declares (by full
//! name) with their field or value numbers, names, types and lines, and what they reserve. Parse
//! only, with protox's parser (editions files lowered first): no imports, no linking, so a
//! revision that no longer compiles still counts. A blob that does not parse contributes nothing.
//! Extensions are grouped by the message they extend (the extendee), whose name is resolved
//! without linking (see [`extendee`]).

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};
use serde::{Deserialize, Serialize};

/// The declarations of one blob.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    pub elements: Vec<Declared>,
    /// The parse failed: the blob contributes nothing (counted, not an error).
    pub unparsable: bool,
}

/// What a [`Declared`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Message,
    Enum,
    /// The extensions a file declares for one extendee: `full_name` is the extendee's, each
    /// member's name the extension's full name (extensions of one extendee from several
    /// packages share its number space).
    Extensions,
}

/// One message, enum or extendee as a blob declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    pub full_name: String,
    /// The name below the package (`User.Address`), for following a package rename.
    pub relative_name: String,
    pub kind: Kind,
    pub members: Vec<DeclaredMember>,
    /// Inclusive ranges.
    pub reserved_ranges: Vec<(i32, i32)>,
    pub reserved_names: Vec<String>,
}

/// A field or enum value: number, name, type as written (`string`, `repeated acme.v1.Tag`; empty
/// for an enum value) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredMember {
    pub number: i32,
    pub name: String,
    pub type_name: String,
    pub line: u32,
    /// The field's `json_name` option, when it sets one (an extension or enum value cannot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_name: Option<String>,
}

// descriptor.proto field numbers for SourceCodeInfo paths.
const FILE_MESSAGE: i32 = 4;
const FILE_ENUM: i32 = 5;
const MESSAGE_FIELD: i32 = 2;
const MESSAGE_NESTED: i32 = 3;
const MESSAGE_ENUM: i32 = 4;
const ENUM_VALUE: i32 = 2;
const FILE_EXTENSION: i32 = 7;
const MESSAGE_EXTENSION: i32 = 6;

/// Summarises the blob at `path` with contents `bytes`.
pub fn summarise(path: &str, bytes: &[u8]) -> FileSummary {
    let Ok(text) = std::str::from_utf8(crate::input::without_bom(bytes)) else {
        return unparsable();
    };
    // Only a file that says `edition` can be an editions file: the others skip the header scan.
    let lowered = if text.contains("edition") {
        match crate::editions::lower::lower(text) {
            Ok(lowered) => lowered,
            Err(_) => return unparsable(),
        }
    } else {
        None
    };
    let source = lowered.as_ref().map_or(text, |l| l.text.as_str());
    let Ok(file) = protox_parse::parse(path, source) else {
        return unparsable();
    };
    let lines = Lines::of(&file);
    let package = file.package().to_owned();
    let mut elements = Vec::new();
    for (i, message) in file.message_type.iter().enumerate() {
        message_into(
            &mut elements,
            &lines,
            message,
            &package,
            "",
            vec![FILE_MESSAGE, i as i32],
        );
    }
    for (i, enum_) in file.enum_type.iter().enumerate() {
        enum_into(
            &mut elements,
            &lines,
            enum_,
            &package,
            "",
            vec![FILE_ENUM, i as i32],
        );
    }
    let mut extensions: Vec<(String, &prost_types::FieldDescriptorProto, Vec<i32>)> = file
        .extension
        .iter()
        .enumerate()
        .map(|(i, f)| (package.clone(), f, vec![FILE_EXTENSION, i as i32]))
        .collect();
    nested_extensions(
        &mut extensions,
        &file.message_type,
        &package,
        "",
        &[FILE_MESSAGE],
    );
    if !extensions.is_empty() {
        let declared: std::collections::HashSet<&str> =
            elements.iter().map(|e| e.full_name.as_str()).collect();
        let mut by_extendee: std::collections::BTreeMap<String, Vec<DeclaredMember>> =
            std::collections::BTreeMap::new();
        for (scope, field, path) in &extensions {
            let target = extendee(field.extendee(), scope, &package, &declared);
            by_extendee.entry(target).or_default().push(DeclaredMember {
                number: field.number(),
                name: qualify(scope, field.name()),
                type_name: field_type(field, None),
                line: lines.get(path),
                json_name: None,
            });
        }
        for (extendee, members) in by_extendee {
            elements.push(Declared {
                relative_name: extendee.clone(),
                full_name: extendee,
                kind: Kind::Extensions,
                members,
                reserved_ranges: Vec::new(),
                reserved_names: Vec::new(),
            });
        }
    }
    FileSummary {
        elements,
        unparsable: false,
    }
}

/// Collects the extensions declared inside messages (recursively), with the scope they are
/// declared in (package and enclosing messages) and their SourceCodeInfo path.
fn nested_extensions<'a>(
    out: &mut Vec<(String, &'a prost_types::FieldDescriptorProto, Vec<i32>)>,
    messages: &'a [DescriptorProto],
    package: &str,
    scope: &str,
    path: &[i32],
) {
    for (i, message) in messages.iter().enumerate() {
        let relative = format!("{scope}{}", message.name());
        let at = [path, &[i as i32]].concat();
        for (j, field) in message.extension.iter().enumerate() {
            out.push((
                qualify(package, &relative),
                field,
                [&at[..], &[MESSAGE_EXTENSION, j as i32]].concat(),
            ));
        }
        let nested_path = [&at[..], &[MESSAGE_NESTED]].concat();
        nested_extensions(
            out,
            &message.nested_type,
            package,
            &format!("{relative}."),
            &nested_path,
        );
    }
}

/// The full name of the message an extension extends, resolved without linking: a name with a
/// leading dot is already full; otherwise protoc's scope search (innermost scope first) is
/// followed as far as this file can tell, a candidate the file itself declares winning; failing
/// that, a dotted name is taken as full (`google.protobuf.FieldOptions`, by far the common
/// case) and a simple one as a message of the file's package.
pub fn extendee(
    written: &str,
    scope: &str,
    package: &str,
    declared: &std::collections::HashSet<&str>,
) -> String {
    if let Some(full) = written.strip_prefix('.') {
        return full.to_owned();
    }
    let mut at = scope;
    loop {
        let candidate = qualify(at, written);
        if declared.contains(candidate.as_str()) {
            return candidate;
        }
        match at.rfind('.') {
            Some(dot) => at = &at[..dot],
            None if !at.is_empty() => at = "",
            None => break,
        }
    }
    if written.contains('.') {
        written.to_owned()
    } else {
        qualify(package, written)
    }
}

fn unparsable() -> FileSummary {
    FileSummary {
        elements: Vec::new(),
        unparsable: true,
    }
}

fn qualify(package: &str, relative: &str) -> String {
    if package.is_empty() {
        relative.to_owned()
    } else {
        format!("{package}.{relative}")
    }
}

fn message_into(
    out: &mut Vec<Declared>,
    lines: &Lines,
    message: &DescriptorProto,
    package: &str,
    scope: &str,
    path: Vec<i32>,
) {
    let relative = format!("{scope}{}", message.name());
    let members = message
        .field
        .iter()
        .enumerate()
        .map(|(i, field)| DeclaredMember {
            number: field.number(),
            name: field.name().to_owned(),
            type_name: field_type(field, Some(message)),
            line: lines.get(&[&path[..], &[MESSAGE_FIELD, i as i32]].concat()),
            // The parser sets it only from an explicit option (protoc's default is derived
            // from the name when needed).
            json_name: field.json_name.clone(),
        })
        .collect();
    out.push(Declared {
        full_name: qualify(package, &relative),
        relative_name: relative.clone(),
        kind: Kind::Message,
        members,
        // A message's reserved range end is exclusive in the descriptor.
        reserved_ranges: message
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end() - 1))
            .collect(),
        reserved_names: message.reserved_name.clone(),
    });
    let scope = format!("{relative}.");
    for (i, nested) in message.nested_type.iter().enumerate() {
        // Map entries are part of their field, not messages of their own.
        if nested.options.as_ref().is_some_and(|o| o.map_entry()) {
            continue;
        }
        let sub = [&path[..], &[MESSAGE_NESTED, i as i32]].concat();
        message_into(out, lines, nested, package, &scope, sub);
    }
    for (i, enum_) in message.enum_type.iter().enumerate() {
        let sub = [&path[..], &[MESSAGE_ENUM, i as i32]].concat();
        enum_into(out, lines, enum_, package, &scope, sub);
    }
}

fn enum_into(
    out: &mut Vec<Declared>,
    lines: &Lines,
    enum_: &EnumDescriptorProto,
    package: &str,
    scope: &str,
    path: Vec<i32>,
) {
    let relative = format!("{scope}{}", enum_.name());
    out.push(Declared {
        full_name: qualify(package, &relative),
        relative_name: relative,
        kind: Kind::Enum,
        members: enum_
            .value
            .iter()
            .enumerate()
            .map(|(i, value)| DeclaredMember {
                number: value.number(),
                name: value.name().to_owned(),
                type_name: String::new(),
                line: lines.get(&[&path[..], &[ENUM_VALUE, i as i32]].concat()),
                json_name: None,
            })
            .collect(),
        // An enum's reserved range end is inclusive.
        reserved_ranges: enum_
            .reserved_range
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
        reserved_names: enum_.reserved_name.clone(),
    });
}

/// A field's type as written: the scalar, or the named type (as the parser resolved its
/// spelling, possibly relative), `map<K, V>` for a map, prefixed by `repeated` when repeated.
fn field_type(
    field: &prost_types::FieldDescriptorProto,
    message: Option<&DescriptorProto>,
) -> String {
    use prost_types::field_descriptor_proto::{Label, Type};
    let named = field.type_name().trim_start_matches('.');
    if let (Label::Repeated, false, Some(message)) = (field.label(), named.is_empty(), message) {
        // A map field's type is a nested entry message named after the field.
        let entry = named.rsplit('.').next().unwrap_or(named);
        if let Some(map) = message
            .nested_type
            .iter()
            .find(|n| n.name() == entry && n.options.as_ref().is_some_and(|o| o.map_entry()))
        {
            let part = |i: usize| {
                map.field
                    .get(i)
                    .map(|f| scalar_or_named(f, f.r#type()))
                    .unwrap_or_default()
            };
            return format!("map<{}, {}>", part(0), part(1));
        }
    }
    let base = scalar_or_named(field, field.r#type());
    match field.label() {
        Label::Repeated => format!("repeated {base}"),
        _ if field.r#type() == Type::Group => format!("group {base}"),
        _ => base,
    }
}

fn scalar_or_named(
    field: &prost_types::FieldDescriptorProto,
    ty: prost_types::field_descriptor_proto::Type,
) -> String {
    use prost_types::field_descriptor_proto::Type;
    if !field.type_name().is_empty() {
        return field.type_name().trim_start_matches('.').to_owned();
    }
    match ty {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
    .to_owned()
}

/// 1-based start lines by SourceCodeInfo path (borrowed from the parsed file).
struct Lines<'a>(super::state::FxMap<&'a [i32], u32>);

impl<'a> Lines<'a> {
    fn of(file: &'a FileDescriptorProto) -> Lines<'a> {
        let mut map = super::state::FxMap::default();
        if let Some(info) = &file.source_code_info {
            map.reserve(info.location.len());
            for location in &info.location {
                if let Some(&line) = location.span.first() {
                    map.entry(location.path.as_slice())
                        .or_insert(line.max(0) as u32 + 1);
                }
            }
        }
        Lines(map)
    }

    fn get(&self, path: &[i32]) -> u32 {
        self.0.get(path).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_messages_enums_maps_and_editions() {
        let summary = summarise(
            "a.proto",
            b"syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string email = 4 [json_name = \"mail\"];\n  map<string, int32> tags = 5;\n  repeated Kind kinds = 6;\n  reserved 2 to 3;\n  reserved \"old\";\n  enum Kind { KIND_UNSPECIFIED = 0; }\n}\n",
        );
        assert!(!summary.unparsable);
        let user = &summary.elements[0];
        assert_eq!(user.full_name, "acme.v1.User");
        let types: Vec<(&str, &str, u32)> = user
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.type_name.as_str(), m.line))
            .collect();
        assert_eq!(
            types,
            [
                ("email", "string", 4),
                ("tags", "map<string, int32>", 5),
                ("kinds", "repeated Kind", 6)
            ]
        );
        let json: Vec<Option<&str>> = user
            .members
            .iter()
            .map(|m| m.json_name.as_deref())
            .collect();
        assert_eq!(json, [Some("mail"), None, None]);
        assert_eq!(user.reserved_ranges, [(2, 3)]);
        assert_eq!(user.reserved_names, ["old"]);
        assert_eq!(summary.elements[1].full_name, "acme.v1.User.Kind");
        assert_eq!(summary.elements[1].kind, Kind::Enum);

        let editions = summarise(
            "b.proto",
            b"edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved b;\n}\n",
        );
        assert_eq!(editions.elements[0].members[0].name, "a");
        assert_eq!(editions.elements[0].reserved_names, ["b"]);
        assert!(summarise("c.proto", b"message {").unparsable);
    }
}

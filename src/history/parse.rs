//! What one `.proto` blob contributes to the ledger: every message and enum it declares (by full
//! name) with their field or value numbers, names, types and lines, and what they reserve. Parse
//! only, with protox's parser (editions files lowered first): no imports, no linking, so a
//! revision that no longer compiles still counts. A blob that does not parse contributes nothing.

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};
use serde::{Deserialize, Serialize};

/// The declarations of one blob.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    pub elements: Vec<Declared>,
    /// The parse failed: the blob contributes nothing (counted, not an error).
    pub unparsable: bool,
}

/// One message or enum as a blob declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    pub full_name: String,
    /// The name below the package (`User.Address`), for following a package rename.
    pub relative_name: String,
    pub is_enum: bool,
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
}

// descriptor.proto field numbers for SourceCodeInfo paths.
const FILE_MESSAGE: i32 = 4;
const FILE_ENUM: i32 = 5;
const MESSAGE_FIELD: i32 = 2;
const MESSAGE_NESTED: i32 = 3;
const MESSAGE_ENUM: i32 = 4;
const ENUM_VALUE: i32 = 2;

/// Summarises the blob at `path` with contents `bytes`.
pub fn summarise(path: &str, bytes: &[u8]) -> FileSummary {
    let Ok(text) = std::str::from_utf8(crate::input::without_bom(bytes)) else {
        return unparsable();
    };
    let lowered = match crate::editions::lower::lower(text) {
        Ok(lowered) => lowered,
        Err(_) => return unparsable(),
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
    FileSummary {
        elements,
        unparsable: false,
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
            type_name: field_type(field, message),
            line: lines.get(&[&path[..], &[MESSAGE_FIELD, i as i32]].concat()),
        })
        .collect();
    out.push(Declared {
        full_name: qualify(package, &relative),
        relative_name: relative.clone(),
        is_enum: false,
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
        is_enum: true,
        members: enum_
            .value
            .iter()
            .enumerate()
            .map(|(i, value)| DeclaredMember {
                number: value.number(),
                name: value.name().to_owned(),
                type_name: String::new(),
                line: lines.get(&[&path[..], &[ENUM_VALUE, i as i32]].concat()),
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
fn field_type(field: &prost_types::FieldDescriptorProto, message: &DescriptorProto) -> String {
    use prost_types::field_descriptor_proto::{Label, Type};
    let named = field.type_name().trim_start_matches('.');
    if field.label() == Label::Repeated && !named.is_empty() {
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

/// 1-based start lines by SourceCodeInfo path.
struct Lines(std::collections::HashMap<Vec<i32>, u32>);

impl Lines {
    fn of(file: &FileDescriptorProto) -> Lines {
        let mut map = std::collections::HashMap::new();
        if let Some(info) = &file.source_code_info {
            for location in &info.location {
                if let Some(&line) = location.span.first() {
                    map.entry(location.path.clone())
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
            b"syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string email = 4;\n  map<string, int32> tags = 5;\n  repeated Kind kinds = 6;\n  reserved 2 to 3;\n  reserved \"old\";\n  enum Kind { KIND_UNSPECIFIED = 0; }\n}\n",
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
        assert_eq!(user.reserved_ranges, [(2, 3)]);
        assert_eq!(user.reserved_names, ["old"]);
        assert_eq!(summary.elements[1].full_name, "acme.v1.User.Kind");
        assert!(summary.elements[1].is_enum);

        let editions = summarise(
            "b.proto",
            b"edition = \"2023\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved b;\n}\n",
        );
        assert_eq!(editions.elements[0].members[0].name, "a");
        assert_eq!(editions.elements[0].reserved_names, ["b"]);
        assert!(summarise("c.proto", b"message {").unparsable);
    }
}

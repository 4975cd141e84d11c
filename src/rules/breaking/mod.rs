//! Breaking rules: each compares one pair of elements from the previous and current revisions.
//! Shared wording and anchoring live here so every rule speaks the same way.

pub(crate) mod compat;
pub mod enum_default_value_same;
pub mod enum_no_delete;
pub mod enum_same_json_format;
pub mod enum_same_type;
pub mod enum_value_name_no_reuse;
pub mod enum_value_no_delete;
pub mod enum_value_no_delete_unless_name_reserved;
pub mod enum_value_no_delete_unless_number_reserved;
pub mod enum_value_number_no_reuse;
pub mod enum_value_retired_reserved;
pub mod enum_value_same_name;
pub mod extension_message_no_delete;
pub mod extension_no_delete;
pub mod field_name_no_reuse;
pub mod field_no_delete;
pub mod field_no_delete_unless_name_reserved;
pub mod field_no_delete_unless_number_reserved;
pub mod field_number_no_reuse;
pub mod field_retired_reserved;
pub mod field_same_cardinality;
pub mod field_same_cpp_string_type;
pub mod field_same_default;
pub mod field_same_java_utf8_validation;
pub mod field_same_json_name;
pub mod field_same_jstype;
pub mod field_same_name;
pub mod field_same_oneof;
pub mod field_same_type;
pub mod field_same_utf8_validation;
pub mod field_wire_compatible_cardinality;
pub mod field_wire_compatible_type;
pub mod field_wire_json_compatible_cardinality;
pub mod field_wire_json_compatible_type;
pub mod file_no_delete;
pub(crate) mod file_option;
pub mod file_same_cc_enable_arenas;
pub mod file_same_cc_generic_services;
pub mod file_same_csharp_namespace;
pub mod file_same_go_package;
pub mod file_same_java_generic_services;
pub mod file_same_java_multiple_files;
pub mod file_same_java_outer_classname;
pub mod file_same_java_package;
pub mod file_same_objc_class_prefix;
pub mod file_same_optimize_for;
pub mod file_same_package;
pub mod file_same_php_class_prefix;
pub mod file_same_php_metadata_namespace;
pub mod file_same_php_namespace;
pub mod file_same_py_generic_services;
pub mod file_same_ruby_package;
pub mod file_same_swift_prefix;
pub mod file_same_syntax;
pub(crate) mod ledger;
pub mod message_no_delete;
pub mod message_no_remove_standard_descriptor_accessor;
pub mod message_same_json_format;
pub mod message_same_message_set_wire_format;
pub mod message_same_required_fields;
pub mod oneof_no_delete;
pub mod package_enum_no_delete;
pub mod package_extension_no_delete;
pub mod package_message_no_delete;
pub mod package_no_delete;
pub mod package_service_no_delete;
pub(crate) mod renames;
pub mod reserved_enum_no_delete;
pub mod reserved_message_no_delete;
pub(crate) mod retired;
pub mod rpc_no_delete;
pub mod rpc_same_client_streaming;
pub mod rpc_same_idempotency_level;
pub mod rpc_same_request_type;
pub mod rpc_same_response_type;
pub mod rpc_same_server_streaming;
pub mod service_no_delete;
mod similar;

use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor,
};

use crate::finding::{Location, Span};
use crate::fix::Reserve;
use crate::rules::Ctx;
use crate::schema::field::FieldLike;
use crate::schema::resolved::type_name;
use crate::schema::Schema;
use compat::Sides;

// SourceCodeInfo path components (descriptor.proto field numbers) for parts of an element.
pub(crate) const NAME: i32 = 1;
pub(crate) const FIELD_LABEL: i32 = 4;
pub(crate) const FIELD_TYPE: i32 = 5;
pub(crate) const FIELD_TYPE_NAME: i32 = 6;
pub(crate) const FIELD_JSON_NAME: i32 = 10;

/// Where a message's name is in the current revision: the anchor for findings about its contents.
pub(crate) fn at_message(schema: &Schema, message: &MessageDescriptor) -> Location {
    schema.locate_part(message, &[NAME])
}

/// Where an enum's name is: the anchor for findings about its values.
pub(crate) fn at_enum(schema: &Schema, enum_: &EnumDescriptor) -> Location {
    schema.locate_part(enum_, &[NAME])
}

/// Where an option is written on an element when `written` (`sub` is its path below the element,
/// e.g. `[8, 1]` a field's `ctype`), else the element's name: the anchor for a changed option.
pub(crate) fn at_option(
    schema: &Schema,
    element: &impl crate::schema::Element,
    written: bool,
    sub: &[i32],
) -> Location {
    if written {
        schema.locate_path(element, sub)
    } else {
        schema.locate_part(element, &[NAME])
    }
}

/// Where a finding about a file as a whole stands: line 1, column 1, as buf reports it (a deleted
/// top-level element, a removed file option, a deleted file or package). The package statement
/// would read better, but then every such line differs from buf's and from tools that compare
/// with it; the old element's own frame says what was there.
pub(crate) fn at_file(schema: &Schema, file: &FileDescriptor) -> Location {
    Location {
        span: Some(FILE_START),
        ..schema.locate(file)
    }
}

/// Line 1, column 1: an empty span, as buf reports it.
const FILE_START: Span = Span {
    start_line: 1,
    start_column: 1,
    end_line: 1,
    end_column: 1,
};

/// Where the statement at `path` in `file` is (e.g. `[8, 11]` its `go_package` option), else
/// where the file starts: a statement that is not written is anchored at the file.
pub(crate) fn at_file_statement(schema: &Schema, file: &FileDescriptor, path: &[i32]) -> Location {
    match schema.span(file, path) {
        Some(span) => Location {
            span: Some(span),
            ..schema.locate(file)
        },
        None => at_file(schema, file),
    }
}

/// Where the nearest surviving ancestor of a deleted nested element is in `file`: the enclosing
/// message that still exists (by full name), else the file itself (see [`at_file`]).
pub(crate) fn at_surviving_parent(
    schema: &Schema,
    file: &FileDescriptor,
    full_name: &str,
) -> Location {
    let mut name = full_name;
    while let Some((parent, _)) = name.rsplit_once('.') {
        if let Some(message) = file.parent_pool().get_message_by_name(parent) {
            if message.parent_file() == *file {
                return at_message(schema, &message);
            }
        }
        name = parent;
    }
    at_file(schema, file)
}

/// Returns `true` if two fields have the same type: the same scalar, or the same kind of named
/// type with the same full name. A name alone is not enough: `enum T` may become `message T`.
pub(crate) fn same_type(s: Sides, old: &impl FieldLike, new: &impl FieldLike) -> bool {
    type_name(s.old, old) == type_name(s.new, new) && is_enum(old) == is_enum(new)
}

fn is_enum(field: &impl FieldLike) -> bool {
    matches!(field.kind(), Kind::Enum(_))
}

/// A changed field's two types as messages show them: their names, each qualified with `enum`
/// or `message` when the name stayed and only the kind changed.
pub(crate) fn type_names(s: Sides, old: &impl FieldLike, new: &impl FieldLike) -> (String, String) {
    let (a, b) = (type_name(s.old, old), type_name(s.new, new));
    if a != b {
        return (a, b);
    }
    let kind = |is_enum| if is_enum { "enum" } else { "message" };
    (
        format!("{} {a}", kind(is_enum(old))),
        format!("{} {b}", kind(is_enum(new))),
    )
}

/// How a field starts a sentence: `Field "acme.v1.User.email"`, with `number` followed by ` (3)`;
/// an extension always with its number and the message it extends, `Extension
/// "acme.v1.priority" (100) on message "acme.v1.Host"`, since its name says nothing of either.
pub(crate) fn subject(field: &impl FieldLike, number: bool) -> String {
    if field.is_extension() {
        format!(
            "Extension \"{}\" ({}) on message \"{}\"",
            field.full_name(),
            field.number(),
            field.containing_message().full_name()
        )
    } else if number {
        format!("Field \"{}\" ({})", field.full_name(), field.number())
    } else {
        format!("Field \"{}\"", field.full_name())
    }
}

/// `"email" (3) on message "acme.v1.User"`: how a field is named in messages.
pub(crate) fn field_phrase(field: &impl FieldLike) -> String {
    format!(
        "\"{}\" ({}) on message \"{}\"",
        field.name(),
        field.number(),
        field.containing_message().full_name()
    )
}

/// The clause a deleted field gets when a field of the same name, under a number the message did
/// not use before, took its place: the field moved to another number. Empty otherwise.
pub(crate) fn moved_number(
    s: Sides,
    field: &FieldDescriptor,
    old: &MessageDescriptor,
    new: &MessageDescriptor,
) -> String {
    let Some(now) = new.get_field_by_name(field.name()) else {
        return String::new();
    };
    if now.number() == field.number() || old.get_field(now.number()).is_some() {
        return String::new();
    }
    let same_shape = same_type(s, field, &now)
        && crate::schema::resolved::cardinality(s.old, field)
            == crate::schema::resolved::cardinality(s.new, &now);
    let json = if same_shape {
        ", though JSON, which keys fields by name, still reads it"
    } else {
        ""
    };
    format!(
        "; it moved to number {}: binary data written with number {} is no longer read into it{json}",
        now.number(),
        field.number()
    )
}

/// The clause a deleted enum value gets when a value of the same name now has a number the enum
/// did not use before: the value moved to another number. Empty otherwise.
pub(crate) fn moved_value_number(
    value: &EnumValueDescriptor,
    old: &EnumDescriptor,
    new: &EnumDescriptor,
) -> String {
    let Some(now) = new.get_value_by_name(value.name()) else {
        return String::new();
    };
    if now.number() == value.number() || old.get_value(now.number()).is_some() {
        return String::new();
    }
    format!(
        "; \"{}\" moved to number {}: binary data holding {} no longer reads as it, while JSON, which writes the name, does",
        value.name(),
        now.number(),
        value.number()
    )
}

/// `"STATUS_ACTIVE" (1) on enum "acme.v1.Status"`.
pub(crate) fn enum_value_phrase(value: &EnumValueDescriptor) -> String {
    format!(
        "\"{}\" ({}) on enum \"{}\"",
        value.name(),
        value.number(),
        value.parent_enum().full_name()
    )
}

/// The names an enum gives a number, quoted and joined: `"A"` or `"A", "B"`.
/// A `reserved` statement for `names`, spelled as `file` needs it: quoted strings in proto2 and
/// proto3, identifiers in editions files (the editions grammar: `reserved foo, bar;`).
pub(crate) fn reserved_names<'a>(
    schema: &Schema,
    file: &FileDescriptor,
    names: impl IntoIterator<Item = &'a str>,
) -> String {
    let editions = schema.edition(file).is_editions();
    let names: Vec<String> = names
        .into_iter()
        .map(|n| {
            if editions {
                n.to_owned()
            } else {
                format!("\"{n}\"")
            }
        })
        .collect();
    format!("reserved {};", names.join(", "))
}

/// The `reserved` statements for `numbers` (one each) and `names` (one for all), spelled as
/// `file` needs them; empty when both are.
pub(crate) fn reserved_statements(
    schema: &Schema,
    file: &FileDescriptor,
    numbers: &[i32],
    names: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = numbers.iter().map(|n| format!("reserved {n};")).collect();
    if !names.is_empty() {
        out.push(reserved_names(
            schema,
            file,
            names.iter().map(String::as_str),
        ));
    }
    out
}

pub(crate) fn quoted_names(values: &[EnumValueDescriptor]) -> String {
    values
        .iter()
        .map(|v| format!("\"{}\"", v.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When a number now belongs to a different field — deleted and reused in one change — the
/// sentence that says so. A field counts as different when both its name and type changed. Only
/// when the two types read different data on the wire is old data said to be misread: a rename
/// that also moves to a wire-compatible type (`int32 a` to `int64 b`) keeps the binary data
/// readable, and only code and JSON that use the old name break.
pub(crate) fn reused_number(
    ctx: &Ctx,
    old: &impl FieldLike,
    new: &impl FieldLike,
) -> Option<String> {
    let sides = Sides::of(ctx);
    let (old_type, new_type) = type_names(sides, old, new);
    // A proto2 group's type is named after the group, so renaming a group renames its type too.
    fn group(field: &impl FieldLike) -> bool {
        field.field_descriptor_proto().r#type() == prost_types::field_descriptor_proto::Type::Group
    }
    let renamed_group = group(old) && group(new);
    if old.name() == new.name() || same_type(sides, old, new) || renamed_group {
        return None;
    }
    let (what, old_name, new_name) = if new.is_extension() {
        ("Extension", old.full_name(), new.full_name())
    } else {
        ("Field", old.name(), new.name())
    };
    let consequence = match compat::type_change(sides, old, new, compat::Mode::Wire) {
        Some(_) => format!(
            "the number was reused by a different {}, so data written with the old one is misread",
            what.to_lowercase()
        ),
        None => "both name and type changed; the binary encoding of the two types is compatible, so data written before still parses, but generated code and JSON that use the old name break".to_owned(),
    };
    Some(format!(
        "{what} number {} on message \"{}\" was \"{old_name}\" ({old_type}), now \"{new_name}\" ({new_type}): {consequence}.",
        old.number(),
        new.containing_message().full_name(),
    ))
}

/// Help for a reused number: keep the new field but give it a fresh number. An extension's
/// number cannot be reserved in the message it extends, so it is only never to be reused.
pub(crate) fn reuse_help(current: &Schema, old: &impl FieldLike, new: &impl FieldLike) -> String {
    if old.is_extension() {
        return format!(
            "if this is a new extension, give it an unused number; number {} of message \"{}\" must keep meaning \"{}\" for as long as data written with it exists",
            old.number(),
            old.containing_message().full_name(),
            old.full_name()
        );
    }
    format!(
        "if this is a new field, give it an unused number, and reserve the old one: reserved {}; {}",
        old.number(),
        reserved_names(current, &new.parent_file(), [old.name()])
    )
}

/// Help for a deleted field: the `reserved` statements that keep its number and name from being
/// reused, leaving out what the current message already reserves; and the same as a fix.
pub(crate) fn reserve_help(
    schema: &Schema,
    field: &impl FieldLike,
    current: &MessageDescriptor,
) -> (String, Option<Reserve>) {
    let number = field.number();
    let mut numbers = Vec::new();
    let mut names = Vec::new();
    // A number inside an extension range cannot be reserved as well (protoc rejects the overlap).
    if !current.reserved_ranges().any(|r| r.contains(&number))
        && !current.extension_ranges().any(|r| r.contains(&number))
    {
        numbers.push(number as i32);
    }
    // A name another field now has cannot be reserved (protoc rejects the conflict).
    if !current.reserved_names().any(|n| n == field.name())
        && current.get_field_by_name(field.name()).is_none()
    {
        names.push(field.name().to_owned());
    }
    let missing = reserved_statements(schema, &current.parent_file(), &numbers, &names);
    let help = if missing.is_empty() {
        "the number and name are reserved, so they cannot be reused; if only wire and JSON compatibility matter to you, use the WIRE_JSON or WIRE category, whose deletion rules accept reserved fields".to_owned()
    } else {
        format!(
            "if the field is no longer needed, reserve what it used so that nothing can reuse it: add `{}` to message \"{}\"",
            missing.join(" "),
            current.name()
        )
    };
    (help, Reserve::new(schema, current, numbers, names))
}

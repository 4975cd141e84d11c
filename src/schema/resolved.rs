//! Resolved properties: what a field or enum *does*, whatever syntax or edition declared it.
//! Every property is read from the element's resolved features ([`crate::editions::features`]),
//! where proto2 and proto3 are rows of the editions defaults table; rules read these functions,
//! never the syntax.

use prost_reflect::{EnumDescriptor, EnumValueDescriptor, FileDescriptor, Kind, MessageDescriptor};

use super::field::FieldLike;
use super::Schema;
pub use crate::editions::features::{CppStringType, JavaUtf8Validation, JsonFormat};
use crate::editions::features::{
    EnumType, FieldPresence, MessageEncoding, RepeatedFieldEncoding, Utf8Validation, Values,
};
use crate::editions::{Edition, Features};

/// A field's resolved features with where each was set, in the revision `schema` it belongs
/// to. Resolved on each call: for explaining a finding ([`super::origin`]); decisions read
/// [`field_values`].
pub fn field_features(schema: &Schema, field: &impl FieldLike) -> Features {
    field.features(schema.edition(&field.parent_file()))
}

/// An enum's resolved features with where each was set (see [`field_features`]).
pub fn enum_features(schema: &Schema, enum_: &EnumDescriptor) -> Features {
    Features::of_enum(schema.edition(&enum_.parent_file()), enum_)
}

/// A message's resolved features with where each was set (see [`field_features`]).
pub fn message_features(schema: &Schema, message: &MessageDescriptor) -> Features {
    Features::of_message(schema.edition(&message.parent_file()), message)
}

/// A field's resolved feature values: from its editions file's table, resolved once per
/// revision, or directly for proto2 and proto3 files (whose features need no options decoded).
pub fn field_values(schema: &Schema, field: &impl FieldLike) -> Values {
    let file = field.parent_file();
    match schema.file_features(&file).map(|t| t.get(field.path())) {
        Some(values) => values,
        None => field_features(schema, field).values(),
    }
}

/// An enum's resolved feature values (see [`field_values`]).
pub fn enum_values(schema: &Schema, enum_: &EnumDescriptor) -> Values {
    match schema
        .file_features(&enum_.parent_file())
        .map(|t| t.get(enum_.path()))
    {
        Some(values) => values,
        None => enum_features(schema, enum_).values(),
    }
}

/// A message's resolved feature values (see [`field_values`]).
pub fn message_values(schema: &Schema, message: &MessageDescriptor) -> Values {
    match schema
        .file_features(&message.parent_file())
        .map(|t| t.get(message.path()))
    {
        Some(values) => values,
        None => message_features(schema, message).values(),
    }
}

/// How many values a field holds and whether presence is tracked, as buf names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// Singular with explicit presence: proto2 `optional`, proto3 `optional`, oneof members,
    /// singular message fields.
    Explicit,
    /// Singular with implicit presence: proto3 scalars without `optional`.
    Implicit,
    Required,
    Repeated,
    Map,
}

impl Cardinality {
    pub fn describe(self) -> &'static str {
        match self {
            Cardinality::Explicit => "optional with explicit presence",
            Cardinality::Implicit => "optional with implicit presence",
            Cardinality::Required => "required",
            Cardinality::Repeated => "repeated",
            Cardinality::Map => "map",
        }
    }

    /// Returns `true` for a single value (explicit or implicit presence, or required).
    pub fn is_singular(self) -> bool {
        matches!(
            self,
            Cardinality::Explicit | Cardinality::Implicit | Cardinality::Required
        )
    }
}

/// A field's cardinality: map and repeated from its declaration, singular fields from their
/// resolved `field_presence` (LEGACY_REQUIRED is required).
pub fn cardinality(schema: &Schema, field: &impl FieldLike) -> Cardinality {
    if field.is_map() {
        Cardinality::Map
    } else if field.is_list() {
        Cardinality::Repeated
    } else {
        match field_values(schema, field).field_presence {
            FieldPresence::LegacyRequired => Cardinality::Required,
            FieldPresence::Explicit => Cardinality::Explicit,
            FieldPresence::Implicit => Cardinality::Implicit,
        }
    }
}

/// How a repeated scalar is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// One length-delimited record holding all values (proto3 default for numeric types).
    Packed,
    /// One record per value.
    Expanded,
}

/// The encoding a repeated field's writer uses: its resolved `repeated_field_encoding` (an
/// explicit `[packed = …]` wins). Only numeric types can be packed.
pub fn repeated_encoding(schema: &Schema, field: &impl FieldLike) -> Encoding {
    let packable = field.is_list()
        && !field.is_map()
        && !matches!(field.kind(), Kind::String | Kind::Bytes | Kind::Message(_));
    let packed = packable
        && field_values(schema, field).repeated_field_encoding == RepeatedFieldEncoding::Packed;
    if packed {
        Encoding::Packed
    } else {
        Encoding::Expanded
    }
}

/// Returns `true` if an enum is closed: a value it does not declare is kept as an unknown field
/// instead of being stored in the field (`enum_type = CLOSED`: proto2's enums).
pub fn enum_is_closed(schema: &Schema, enum_: &EnumDescriptor) -> bool {
    enum_values(schema, enum_).enum_type == EnumType::Closed
}

/// Returns `true` if a parser rejects invalid UTF-8 in this string field
/// (`utf8_validation = VERIFY`: proto3's and editions' default).
pub fn validates_utf8(schema: &Schema, field: &impl FieldLike) -> bool {
    matches!(field.kind(), Kind::String)
        && field_values(schema, field).utf8_validation == Utf8Validation::Verify
}

/// The value an unset field of this enum reads as: the first declared value for closed enums,
/// the value numbered 0 for open ones.
pub fn enum_default(schema: &Schema, enum_: &EnumDescriptor) -> Option<EnumValueDescriptor> {
    if enum_is_closed(schema, enum_) {
        // `values()` is ordered by number; the default is the first value in declaration order.
        let first = enum_.enum_descriptor_proto().value.first()?;
        enum_.get_value_by_name(first.name())
    } else {
        enum_.values().find(|v| v.number() == 0)
    }
}

/// Returns `true` if a message field is written delimited (a proto2 group, or
/// `message_encoding = DELIMITED` in editions); map fields never are.
pub fn is_delimited(schema: &Schema, field: &impl FieldLike) -> bool {
    matches!(field.kind(), Kind::Message(_))
        && !field.is_map()
        && field_values(schema, field).message_encoding == MessageEncoding::Delimited
}

/// The field's type as a user would write it: `int32`, `acme.v1.User`, `group acme.v1.M.G`
/// (a group or a DELIMITED message field: the same wire form), `map<string, int32>`.
pub fn type_name(schema: &Schema, field: &impl FieldLike) -> String {
    if field.is_map() {
        if let Kind::Message(entry) = field.kind() {
            let key = entry.map_entry_key_field();
            let value = entry.map_entry_value_field();
            return format!(
                "map<{}, {}>",
                kind_name(schema, &key),
                kind_name(schema, &value)
            );
        }
    }
    kind_name(schema, field)
}

fn kind_name(schema: &Schema, field: &impl FieldLike) -> String {
    match field.kind() {
        Kind::Message(m) if is_delimited(schema, field) => format!("group {}", m.full_name()),
        Kind::Message(m) => m.full_name().to_owned(),
        Kind::Enum(e) => e.full_name().to_owned(),
        scalar => format!("{scalar:?}"),
    }
}

/// A message's resolved `json_format`: `ALLOW` in proto3 and editions by default,
/// `LEGACY_BEST_EFFORT` in proto2.
pub fn message_json_format(schema: &Schema, message: &MessageDescriptor) -> JsonFormat {
    message_values(schema, message).json_format
}

/// An enum's resolved `json_format`.
pub fn enum_json_format(schema: &Schema, enum_: &EnumDescriptor) -> JsonFormat {
    enum_values(schema, enum_).json_format
}

/// A field's C++ string type: its resolved `(pb.cpp).string_type` (STRING up to edition 2023,
/// VIEW from 2024), where a `ctype` option wins (`CORD` is `Cord`, `STRING_PIECE` — a view of
/// bytes owned elsewhere — is `View`).
pub fn cpp_string_type(schema: &Schema, field: &impl FieldLike) -> CppStringType {
    field_values(schema, field).cpp_string_type
}

/// The JavaScript type generated code uses for a 64-bit integer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsType {
    Normal,
    String,
    Number,
}

impl JsType {
    /// The option value's name, as `descriptor.proto` spells it.
    pub fn describe(self) -> &'static str {
        match self {
            JsType::Normal => "JS_NORMAL",
            JsType::String => "JS_STRING",
            JsType::Number => "JS_NUMBER",
        }
    }
}

/// A field's `jstype` option; unset is `JS_NORMAL`. The same option (not a feature) in every
/// syntax and edition.
pub fn js_type(field: &impl FieldLike) -> JsType {
    use prost_types::field_options::JsType as JsOption;
    let jstype = field
        .field_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.jstype)
        .and_then(|j| JsOption::try_from(j).ok());
    match jstype {
        Some(JsOption::JsString) => JsType::String,
        Some(JsOption::JsNumber) => JsType::Number,
        Some(JsOption::JsNormal) | None => JsType::Normal,
    }
}

/// A field's Java UTF-8 validation: in proto2 and proto3, `Verify` for a string field of a file
/// with `option java_string_check_utf8 = true`; in editions, the resolved
/// `(pb.java).utf8_validation` of a string field.
pub fn java_utf8_validation(schema: &Schema, field: &impl FieldLike) -> JavaUtf8Validation {
    if !matches!(field.kind(), Kind::String) {
        return JavaUtf8Validation::Default;
    }
    let file = field.parent_file();
    if schema.edition(&file).is_editions() {
        return field_values(schema, field).java_utf8_validation;
    }
    let check = file
        .file_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.java_string_check_utf8)
        .unwrap_or(false);
    if check {
        JavaUtf8Validation::Verify
    } else {
        JavaUtf8Validation::Default
    }
}

/// The syntax or edition a file declares, as written (a file without a `syntax` statement is
/// proto2). Only FILE_SAME_SYNTAX needs this; every other rule reads the resolved properties.
pub fn declared_syntax(schema: &Schema, file: &FileDescriptor) -> Edition {
    schema.edition(file)
}

//! Resolved properties: what a field or enum *does*, whatever syntax declared it. This is the only
//! place that reads a file's syntax. Under proto2 and proto3 these follow the language guide; an
//! editions front end would resolve the same properties from features.

use prost_reflect::{
    Cardinality as Label, EnumDescriptor, EnumValueDescriptor, FieldDescriptor, Kind,
    MessageDescriptor, Syntax,
};

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

pub fn cardinality(field: &FieldDescriptor) -> Cardinality {
    if field.is_map() {
        Cardinality::Map
    } else if field.is_list() {
        Cardinality::Repeated
    } else if field.cardinality() == Label::Required {
        Cardinality::Required
    } else if field.supports_presence() {
        Cardinality::Explicit
    } else {
        Cardinality::Implicit
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

/// The encoding a repeated field's writer uses. Only numeric types can be packed.
pub fn repeated_encoding(field: &FieldDescriptor) -> Encoding {
    // prost-reflect's `is_packed` misses an explicit `[packed = ...]` on protox-compiled files
    // (it sees only the syntax default), so the option is read from the descriptor itself.
    let explicit = field.field_descriptor_proto().options.as_ref();
    let packed = match explicit.and_then(|o| o.packed) {
        Some(packed) => {
            packed
                && field.is_list()
                && !matches!(field.kind(), Kind::String | Kind::Bytes | Kind::Message(_))
        }
        None => field.is_packed(),
    };
    if packed {
        Encoding::Packed
    } else {
        Encoding::Expanded
    }
}

/// Returns `true` if an enum is closed: a value it does not declare is kept as an unknown field
/// instead of being stored in the field (proto2 enums; open enums are proto3's).
pub fn enum_is_closed(enum_: &EnumDescriptor) -> bool {
    enum_.parent_file().syntax() == Syntax::Proto2
}

/// Returns `true` if a parser rejects invalid UTF-8 in this string field (proto3 strings).
pub fn validates_utf8(field: &FieldDescriptor) -> bool {
    matches!(field.kind(), Kind::String) && field.parent_file().syntax() == Syntax::Proto3
}

/// The value an unset field of this enum reads as: the first declared value for closed enums,
/// the value numbered 0 for open ones.
pub fn enum_default(enum_: &EnumDescriptor) -> Option<EnumValueDescriptor> {
    if enum_is_closed(enum_) {
        // `values()` is ordered by number; the default is the first value in declaration order.
        let first = enum_.enum_descriptor_proto().value.first()?;
        enum_.get_value_by_name(first.name())
    } else {
        enum_.values().find(|v| v.number() == 0)
    }
}

/// Returns `true` if a field is a group (delimited message encoding).
pub fn is_delimited(field: &FieldDescriptor) -> bool {
    field.is_group()
}

/// The field's type as a user would write it: `int32`, `acme.v1.User`, `group acme.v1.M.G`,
/// `map<string, int32>`.
pub fn type_name(field: &FieldDescriptor) -> String {
    if field.is_map() {
        if let Kind::Message(entry) = field.kind() {
            let key = entry.map_entry_key_field();
            let value = entry.map_entry_value_field();
            return format!("map<{}, {}>", kind_name(&key), kind_name(&value));
        }
    }
    kind_name(field)
}

fn kind_name(field: &FieldDescriptor) -> String {
    match field.kind() {
        Kind::Message(m) if field.is_group() => format!("group {}", m.full_name()),
        Kind::Message(m) => m.full_name().to_owned(),
        Kind::Enum(e) => e.full_name().to_owned(),
        scalar => format!("{scalar:?}"),
    }
}

/// Whether a message or enum promises a well-defined JSON mapping (editions feature `json_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFormat {
    /// The JSON mapping is supported, and compilers reject JSON name conflicts (proto3).
    Allow,
    /// JSON is best effort (proto2, which predates the JSON mapping).
    LegacyBestEffort,
}

impl JsonFormat {
    /// The feature value's name, as `descriptor.proto` spells it.
    pub fn describe(self) -> &'static str {
        match self {
            JsonFormat::Allow => "ALLOW",
            JsonFormat::LegacyBestEffort => "LEGACY_BEST_EFFORT",
        }
    }
}

fn json_format_of(file: &prost_reflect::FileDescriptor) -> JsonFormat {
    match file.syntax() {
        Syntax::Proto3 => JsonFormat::Allow,
        Syntax::Proto2 => JsonFormat::LegacyBestEffort,
    }
}

/// A message's JSON format: `ALLOW` in proto3, `LEGACY_BEST_EFFORT` in proto2. Editions resolve
/// the `json_format` feature (file default, overridable per message).
pub fn message_json_format(message: &MessageDescriptor) -> JsonFormat {
    json_format_of(&message.parent_file())
}

/// An enum's JSON format: `ALLOW` in proto3, `LEGACY_BEST_EFFORT` in proto2. Editions resolve the
/// `json_format` feature (file default, overridable per enum).
pub fn enum_json_format(enum_: &EnumDescriptor) -> JsonFormat {
    json_format_of(&enum_.parent_file())
}

/// The type C++ generated code uses for a string or bytes field (editions feature
/// `(pb.cpp).string_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CppStringType {
    /// `std::string` (the default).
    String,
    /// `absl::Cord`.
    Cord,
    /// `absl::string_view` accessors.
    View,
}

impl CppStringType {
    /// The feature value's name, as `cpp_features.proto` spells it.
    pub fn describe(self) -> &'static str {
        match self {
            CppStringType::String => "STRING",
            CppStringType::Cord => "CORD",
            CppStringType::View => "VIEW",
        }
    }
}

/// A field's C++ string type. proto2 and proto3 take it from the `ctype` option: `CORD` is
/// `Cord`; `STRING_PIECE`, a view of bytes owned elsewhere, is `View`; unset or `STRING` is
/// `String`. Editions resolve `(pb.cpp).string_type` (edition 2023 still accepts `ctype`).
pub fn cpp_string_type(field: &FieldDescriptor) -> CppStringType {
    use prost_types::field_options::CType;
    let ctype = field
        .field_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.ctype)
        .and_then(|c| CType::try_from(c).ok());
    match ctype {
        Some(CType::Cord) => CppStringType::Cord,
        Some(CType::StringPiece) => CppStringType::View,
        Some(CType::String) | None => CppStringType::String,
    }
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
pub fn js_type(field: &FieldDescriptor) -> JsType {
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

/// Whether Java generated code checks a string field for valid UTF-8 beyond what
/// [`validates_utf8`] already demands (editions feature `(pb.java).utf8_validation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaUtf8Validation {
    /// Java follows the field's language-independent UTF-8 validation.
    Default,
    /// Java rejects invalid UTF-8 when parsing and when setting the field.
    Verify,
}

/// A field's Java UTF-8 validation: in proto2 and proto3, `Verify` for a string field of a file
/// with `option java_string_check_utf8 = true`, else `Default`. Editions resolve
/// `(pb.java).utf8_validation` per field (the file option stays honoured where it is set).
pub fn java_utf8_validation(field: &FieldDescriptor) -> JavaUtf8Validation {
    let check = field
        .parent_file()
        .file_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.java_string_check_utf8)
        .unwrap_or(false);
    if check && matches!(field.kind(), Kind::String) {
        JavaUtf8Validation::Verify
    } else {
        JavaUtf8Validation::Default
    }
}

/// The syntax a file declares, as written: `proto2` (also when `syntax` is omitted) or `proto3`.
/// Only FILE_SAME_SYNTAX needs this; every other rule reads the resolved properties above.
pub fn declared_syntax(file: &prost_reflect::FileDescriptor) -> &'static str {
    match file.syntax() {
        Syntax::Proto2 => "proto2",
        Syntax::Proto3 => "proto3",
    }
}

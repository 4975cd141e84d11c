//! Feature resolution: what each element's features are, for every syntax. An element starts
//! from its edition's defaults (proto2 and proto3 are rows of the same table), inherits its
//! scope's resolved features (field ← oneof ← enclosing messages ← file; an enum from its message
//! or file; an extension from where it is declared, not from its extendee), and applies its own
//! `features` option. The documented overrides come last: oneof members, message-typed fields
//! and extensions always have explicit presence; a proto3 `optional`, a proto2 `required` and a
//! group say what they are; an explicit `[packed = …]` and `ctype` win over the feature.
//!
//! The defaults are those of `descriptor.proto`'s `edition_defaults` (take the largest entry not
//! after the file's edition) and of `cpp_features.proto`/`java_features.proto` for the custom
//! features `(pb.cpp)` and `(pb.java)`.

use std::sync::Arc;

use prost_reflect::{
    DynamicMessage, EnumDescriptor, ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind,
    MessageDescriptor, OneofDescriptor, Value,
};

use super::Edition;

/// `FeatureSet.field_presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPresence {
    Explicit,
    Implicit,
    LegacyRequired,
}

/// `FeatureSet.enum_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumType {
    Open,
    Closed,
}

/// `FeatureSet.repeated_field_encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatedFieldEncoding {
    Packed,
    Expanded,
}

/// `FeatureSet.utf8_validation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf8Validation {
    None,
    Verify,
}

/// `FeatureSet.message_encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageEncoding {
    LengthPrefixed,
    Delimited,
}

/// Whether a message or enum promises a well-defined JSON mapping (`FeatureSet.json_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFormat {
    /// The JSON mapping is supported, and compilers reject JSON name conflicts (proto3).
    Allow,
    /// JSON is best effort (proto2, which predates the JSON mapping).
    LegacyBestEffort,
}

/// The type C++ generated code uses for a string or bytes field (`(pb.cpp).string_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CppStringType {
    /// `std::string` (the default up to edition 2023).
    String,
    /// `absl::Cord`.
    Cord,
    /// `absl::string_view` accessors (the default from edition 2024).
    View,
}

/// Whether Java generated code checks a string field for valid UTF-8 beyond the field's
/// language-independent validation (`(pb.java).utf8_validation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaUtf8Validation {
    /// Java follows the field's language-independent UTF-8 validation.
    Default,
    /// Java rejects invalid UTF-8 when parsing and when setting the field.
    Verify,
}

/// Where a resolved feature value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The default of the file's edition (for proto2 and proto3, the syntax's behaviour).
    Default(Edition),
    /// A `features` option, at this `SourceCodeInfo` path of the file (the option itself, e.g.
    /// `[4, 0, 2, 1, 8, 21, 1]` for a field's `features.field_presence`). Shared: every element
    /// that inherits the setting holds the same path.
    Option(Arc<[i32]>),
    /// A rule of the language that no option can change (a oneof member has explicit presence)
    /// or a legacy option or label that sets it (`optional` in proto3, `[packed = true]`,
    /// `ctype`, a group), at the element's own path.
    Language(Arc<[i32]>),
}

/// One resolved feature: its value and where it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default(value: T, edition: Edition) -> Self {
        Setting {
            value,
            origin: Origin::Default(edition),
        }
    }
}

/// The resolved features of one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    pub edition: Edition,
    pub field_presence: Setting<FieldPresence>,
    pub enum_type: Setting<EnumType>,
    pub repeated_field_encoding: Setting<RepeatedFieldEncoding>,
    pub utf8_validation: Setting<Utf8Validation>,
    pub message_encoding: Setting<MessageEncoding>,
    pub json_format: Setting<JsonFormat>,
    pub cpp_string_type: Setting<CppStringType>,
    pub java_utf8_validation: Setting<JavaUtf8Validation>,
}

/// The values of an element's resolved features, without where each was set: what rules ask
/// about, small enough to keep for every element of a file (see [`FileFeatures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Values {
    pub field_presence: FieldPresence,
    pub enum_type: EnumType,
    pub repeated_field_encoding: RepeatedFieldEncoding,
    pub utf8_validation: Utf8Validation,
    pub message_encoding: MessageEncoding,
    pub json_format: JsonFormat,
    pub cpp_string_type: CppStringType,
    pub java_utf8_validation: JavaUtf8Validation,
}

// Field numbers of `features` in each options message, and of `options` in each descriptor.
const FILE_OPTIONS: i32 = 8;
const FILE_FEATURES: u32 = 50;
const MESSAGE_OPTIONS: i32 = 7;
const MESSAGE_FEATURES: u32 = 12;
const FIELD_OPTIONS: i32 = 8;
const FIELD_FEATURES: u32 = 21;
const ONEOF_OPTIONS: i32 = 2;
const ONEOF_FEATURES: u32 = 1;
const ENUM_OPTIONS: i32 = 3;
const ENUM_FEATURES: u32 = 7;

// `FeatureSet` fields and the custom feature extensions protoguard resolves.
const FIELD_PRESENCE: u32 = 1;
const ENUM_TYPE: u32 = 2;
const REPEATED_FIELD_ENCODING: u32 = 3;
const UTF8_VALIDATION: u32 = 4;
const MESSAGE_ENCODING: u32 = 5;
const JSON_FORMAT: u32 = 6;
/// `extend FeatureSet { CppFeatures cpp = 1000; }` with `string_type = 2`.
const PB_CPP: (u32, u32) = (1000, 2);
/// `extend FeatureSet { JavaFeatures java = 1001; }` with `utf8_validation = 2`.
const PB_JAVA: (u32, u32) = (1001, 2);

impl Features {
    /// The defaults of an edition: the table of `descriptor.proto`'s `edition_defaults`.
    ///
    /// | feature | proto2 | proto3 | 2023 | 2024 |
    /// |---|---|---|---|---|
    /// | field_presence | EXPLICIT | IMPLICIT | EXPLICIT | EXPLICIT |
    /// | enum_type | CLOSED | OPEN | OPEN | OPEN |
    /// | repeated_field_encoding | EXPANDED | PACKED | PACKED | PACKED |
    /// | utf8_validation | NONE | VERIFY | VERIFY | VERIFY |
    /// | message_encoding | LENGTH_PREFIXED | ← | ← | ← |
    /// | json_format | LEGACY_BEST_EFFORT | ALLOW | ALLOW | ALLOW |
    /// | (pb.cpp).string_type | STRING | STRING | STRING | VIEW |
    /// | (pb.java).utf8_validation | DEFAULT | ← | ← | ← |
    pub fn defaults(edition: Edition) -> Features {
        use Edition::*;
        let proto2 = edition == Proto2;
        Features {
            edition,
            field_presence: Setting::default(
                if edition == Proto3 {
                    FieldPresence::Implicit
                } else {
                    FieldPresence::Explicit
                },
                edition,
            ),
            enum_type: Setting::default(
                if proto2 {
                    EnumType::Closed
                } else {
                    EnumType::Open
                },
                edition,
            ),
            repeated_field_encoding: Setting::default(
                if proto2 {
                    RepeatedFieldEncoding::Expanded
                } else {
                    RepeatedFieldEncoding::Packed
                },
                edition,
            ),
            utf8_validation: Setting::default(
                if proto2 {
                    Utf8Validation::None
                } else {
                    Utf8Validation::Verify
                },
                edition,
            ),
            message_encoding: Setting::default(MessageEncoding::LengthPrefixed, edition),
            json_format: Setting::default(
                if proto2 {
                    JsonFormat::LegacyBestEffort
                } else {
                    JsonFormat::Allow
                },
                edition,
            ),
            cpp_string_type: Setting::default(
                if edition >= E2024 {
                    CppStringType::View
                } else {
                    CppStringType::String
                },
                edition,
            ),
            java_utf8_validation: Setting::default(JavaUtf8Validation::Default, edition),
        }
    }

    /// The values alone.
    pub fn values(&self) -> Values {
        Values {
            field_presence: self.field_presence.value,
            enum_type: self.enum_type.value,
            repeated_field_encoding: self.repeated_field_encoding.value,
            utf8_validation: self.utf8_validation.value,
            message_encoding: self.message_encoding.value,
            json_format: self.json_format.value,
            cpp_string_type: self.cpp_string_type.value,
            java_utf8_validation: self.java_utf8_validation.value,
        }
    }

    /// A file's features: its edition's defaults and its own `option features.… = …;`.
    pub fn of_file(edition: Edition, file: &FileDescriptor) -> Features {
        let mut features = Features::defaults(edition);
        if edition.is_editions() && file.file_descriptor_proto().options.is_some() {
            features.apply(&file.options(), &[FILE_OPTIONS], FILE_FEATURES);
        }
        features
    }

    /// A message's features: its enclosing message's (or file's), then its own.
    pub fn of_message(edition: Edition, message: &MessageDescriptor) -> Features {
        let scope = match message.parent_message() {
            Some(parent) => Features::of_message(edition, &parent),
            None => Features::of_file(edition, &message.parent_file()),
        };
        scope.message(message)
    }

    /// A oneof's features: its message's, then its own.
    pub fn of_oneof(edition: Edition, oneof: &OneofDescriptor) -> Features {
        Features::of_message(edition, oneof.parent_message()).oneof(oneof)
    }

    /// An enum's features: its enclosing message's (or file's), then its own.
    pub fn of_enum(edition: Edition, enum_: &EnumDescriptor) -> Features {
        let scope = match enum_.parent_message() {
            Some(parent) => Features::of_message(edition, &parent),
            None => Features::of_file(edition, &enum_.parent_file()),
        };
        scope.enum_(enum_)
    }

    /// A field's features, with the overrides of the language applied. The key and value of a
    /// map take the map field's features (the entry message is synthetic: it has no options of
    /// its own that a user could write).
    pub fn of_field(edition: Edition, field: &FieldDescriptor) -> Features {
        let parent = field.parent_message();
        let scope = if parent.is_map_entry() {
            map_field_of(parent).map(|owner| Features::of_field(edition, &owner))
        } else {
            None
        };
        let scope = match (scope, field.containing_oneof()) {
            (Some(owner), _) => owner,
            (None, Some(oneof)) if !oneof.is_synthetic() => Features::of_oneof(edition, &oneof),
            (None, _) => Features::of_message(edition, parent),
        };
        scope.field(field)
    }

    /// An extension's features: those of the scope it is declared in (a message or the file),
    /// never its extendee's; then its own. Extensions always have explicit presence.
    pub fn of_extension(edition: Edition, extension: &ExtensionDescriptor) -> Features {
        let scope = match extension.parent_message() {
            Some(scope) => Features::of_message(edition, &scope),
            None => Features::of_file(edition, &extension.parent_file()),
        };
        scope.extension(extension)
    }

    // One step of inheritance each: `self` is the resolved features of the element's scope. Only
    // editions files have `features` options, and an element without options has none to decode
    // (the options' bytes are decoded into a `DynamicMessage` on every `.options()` call).

    fn message(mut self, message: &MessageDescriptor) -> Features {
        if self.edition.is_editions() && message.descriptor_proto().options.is_some() {
            let path = [message.path(), &[MESSAGE_OPTIONS]].concat();
            self.apply(&message.options(), &path, MESSAGE_FEATURES);
        }
        self
    }

    fn oneof(mut self, oneof: &OneofDescriptor) -> Features {
        if self.edition.is_editions() && oneof.oneof_descriptor_proto().options.is_some() {
            let path = [oneof.path(), &[ONEOF_OPTIONS]].concat();
            self.apply(&oneof.options(), &path, ONEOF_FEATURES);
        }
        self
    }

    fn enum_(mut self, enum_: &EnumDescriptor) -> Features {
        if self.edition.is_editions() && enum_.enum_descriptor_proto().options.is_some() {
            let path = [enum_.path(), &[ENUM_OPTIONS]].concat();
            self.apply(&enum_.options(), &path, ENUM_FEATURES);
        }
        self
    }

    fn field(mut self, field: &FieldDescriptor) -> Features {
        let proto = field.field_descriptor_proto();
        if self.edition.is_editions() && proto.options.is_some() {
            let path = [field.path(), &[FIELD_OPTIONS]].concat();
            self.apply(&field.options(), &path, FIELD_FEATURES);
        }
        self.override_field(
            field.path(),
            proto,
            field.containing_oneof().is_some(),
            matches!(field.kind(), Kind::Message(_)) && !field.is_map(),
        );
        self
    }

    fn extension(mut self, extension: &ExtensionDescriptor) -> Features {
        let proto = extension.field_descriptor_proto();
        if self.edition.is_editions() && proto.options.is_some() {
            let path = [extension.path(), &[FIELD_OPTIONS]].concat();
            self.apply(&extension.options(), &path, FIELD_FEATURES);
        }
        self.override_field(extension.path(), proto, true, true);
        self
    }

    /// The rules of the language that no `features` option can change, and the legacy labels
    /// and options that decide a feature. `explicit` is `true` for elements that always track
    /// presence (oneof members, extensions, message-typed fields).
    fn override_field(
        &mut self,
        path: &[i32],
        proto: &prost_types::FieldDescriptorProto,
        always_explicit: bool,
        message_typed: bool,
    ) {
        use prost_types::field_descriptor_proto::{Label, Type};
        let path: Arc<[i32]> = path.into();
        let language = || Origin::Language(path.clone());
        if proto.label() == Label::Required {
            self.field_presence = Setting {
                value: FieldPresence::LegacyRequired,
                origin: language(),
            };
        } else if (always_explicit || message_typed || proto.proto3_optional())
            && self.field_presence.value == FieldPresence::Implicit
        {
            self.field_presence = Setting {
                value: FieldPresence::Explicit,
                origin: language(),
            };
        }
        if proto.r#type() == Type::Group {
            self.message_encoding = Setting {
                value: MessageEncoding::Delimited,
                origin: language(),
            };
        }
        let options = proto.options.as_ref();
        if let Some(packed) = options.and_then(|o| o.packed) {
            self.repeated_field_encoding = Setting {
                value: if packed {
                    RepeatedFieldEncoding::Packed
                } else {
                    RepeatedFieldEncoding::Expanded
                },
                origin: language(),
            };
        }
        if let Some(ctype) = options
            .and_then(|o| o.ctype)
            .and_then(|c| prost_types::field_options::CType::try_from(c).ok())
        {
            use prost_types::field_options::CType;
            self.cpp_string_type = Setting {
                value: match ctype {
                    CType::Cord => CppStringType::Cord,
                    CType::StringPiece => CppStringType::View,
                    CType::String => CppStringType::String,
                },
                origin: language(),
            };
        }
    }

    /// Applies the `features` field (number `features_number`) of an element's decoded options;
    /// `options_path` is the path of the element's `options`, for [`Origin::Option`].
    fn apply(&mut self, options: &DynamicMessage, options_path: &[i32], features_number: u32) {
        if !options.has_field_by_number(features_number) {
            return;
        }
        let Some(value) = options.get_field_by_number(features_number) else {
            return;
        };
        let Value::Message(set) = value.as_ref() else {
            return;
        };
        let at = |numbers: &[u32]| -> Origin {
            let mut path = options_path.to_vec();
            path.push(features_number as i32);
            path.extend(numbers.iter().map(|n| *n as i32));
            Origin::Option(path.into())
        };
        let number = |n: u32| -> Option<i32> {
            if !set.has_field_by_number(n) {
                return None;
            }
            match set.get_field_by_number(n)?.as_ref() {
                Value::EnumNumber(v) => Some(*v),
                _ => None,
            }
        };
        macro_rules! set {
            ($field:ident, $number:expr, { $($value:literal => $variant:expr),* $(,)? }) => {
                match number($number) {
                    $(Some($value) => self.$field = Setting { value: $variant, origin: at(&[$number]) },)*
                    _ => {}
                }
            };
        }
        set!(field_presence, FIELD_PRESENCE, {
            1 => FieldPresence::Explicit, 2 => FieldPresence::Implicit, 3 => FieldPresence::LegacyRequired,
        });
        set!(enum_type, ENUM_TYPE, { 1 => EnumType::Open, 2 => EnumType::Closed });
        set!(repeated_field_encoding, REPEATED_FIELD_ENCODING, {
            1 => RepeatedFieldEncoding::Packed, 2 => RepeatedFieldEncoding::Expanded,
        });
        // NONE is 3 in protobuf's descriptor.proto (what protoc, buf and protoguard's own copy
        // write); 1 is the number an older draft gave it, still in protox's bundled copy.
        set!(utf8_validation, UTF8_VALIDATION, {
            1 => Utf8Validation::None, 2 => Utf8Validation::Verify, 3 => Utf8Validation::None,
        });
        set!(message_encoding, MESSAGE_ENCODING, {
            1 => MessageEncoding::LengthPrefixed, 2 => MessageEncoding::Delimited,
        });
        set!(json_format, JSON_FORMAT, { 1 => JsonFormat::Allow, 2 => JsonFormat::LegacyBestEffort });
        for (extension, value) in set.extensions() {
            let Value::Message(custom) = value else {
                continue;
            };
            let (outer, inner) = match extension.number() {
                n if n == PB_CPP.0 && extension.full_name() == "pb.cpp" => PB_CPP,
                n if n == PB_JAVA.0 && extension.full_name() == "pb.java" => PB_JAVA,
                _ => continue,
            };
            if !custom.has_field_by_number(inner) {
                continue;
            }
            let Some(Value::EnumNumber(v)) =
                custom.get_field_by_number(inner).map(|v| v.into_owned())
            else {
                continue;
            };
            let origin = at(&[outer, inner]);
            match (outer, v) {
                (1000, 1) => {
                    self.cpp_string_type = Setting {
                        value: CppStringType::View,
                        origin,
                    }
                }
                (1000, 2) => {
                    self.cpp_string_type = Setting {
                        value: CppStringType::Cord,
                        origin,
                    }
                }
                (1000, 3) => {
                    self.cpp_string_type = Setting {
                        value: CppStringType::String,
                        origin,
                    }
                }
                (1001, 1) => {
                    self.java_utf8_validation = Setting {
                        value: JavaUtf8Validation::Default,
                        origin,
                    }
                }
                (1001, 2) => {
                    self.java_utf8_validation = Setting {
                        value: JavaUtf8Validation::Verify,
                        origin,
                    }
                }
                _ => {}
            }
        }
    }
}

/// The map field whose synthetic entry message `entry` is.
fn map_field_of(entry: &MessageDescriptor) -> Option<FieldDescriptor> {
    let owner = entry.parent_message()?;
    let found = owner
        .fields()
        .find(|f| matches!(f.kind(), Kind::Message(m) if m == *entry));
    found
}

#[path = "features/table.rs"]
mod table;
pub use table::FileFeatures;

#[cfg(test)]
#[path = "features/tests.rs"]
mod tests;

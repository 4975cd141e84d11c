//! The checks protoc makes on an editions file that a proto2 compile of its lowered text does not
//! make: they need the resolved features. Each problem names the element's path, so the caller
//! reports it at its span in the original text.

use prost_reflect::{DynamicMessage, FileDescriptor, Kind, Value};

use super::features::{EnumType, FieldPresence, Origin};
use super::{Edition, Features};

/// A rule of editions that a file breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: &'static str,
    /// The `SourceCodeInfo` path of what is wrong (an option, or an element).
    pub path: Vec<i32>,
}

/// `FileOptions.java_string_check_utf8`, which editions replace by `(pb.java).utf8_validation`.
const JAVA_STRING_CHECK_UTF8: i32 = 27;
/// `FieldDescriptorProto.options`, then `FieldOptions.ctype`.
const FIELD_OPTIONS: i32 = 8;
const CTYPE: i32 = 1;

/// Checks an editions file (compiled from its lowered text) the way protoc does; `edition_of`
/// gives the edition of any file of the pool (an imported enum's openness is its own file's).
pub fn validate(
    file: &FileDescriptor,
    edition_of: &dyn Fn(&FileDescriptor) -> Edition,
) -> Vec<Problem> {
    let edition = edition_of(file);
    let mut problems = Vec::new();
    let file_features = Features::of_file(edition, file);
    if file_features.field_presence.value == FieldPresence::LegacyRequired {
        problems.push(Problem {
            message: "LEGACY_REQUIRED is not allowed as a file default of features.field_presence"
                .to_owned(),
            help: "set [features.field_presence = LEGACY_REQUIRED] on the fields that are required",
            path: origin_path(&file_features.field_presence.origin),
        });
    }
    let file_options = file.file_descriptor_proto().options.as_ref();
    if file_options.is_some_and(|o| o.java_string_check_utf8.is_some()) {
        problems.push(Problem {
            message: "the file option \"java_string_check_utf8\" is not allowed in editions"
                .to_owned(),
            help: "set features.(pb.java).utf8_validation = VERIFY instead (import \"google/protobuf/java_features.proto\")",
            path: vec![8, JAVA_STRING_CHECK_UTF8],
        });
    }
    let messages = all_messages(file);
    let enums = file
        .enums()
        .chain(messages.iter().flat_map(|m| m.child_enums()));
    for enum_ in enums {
        let features = Features::of_enum(edition, &enum_);
        let first = enum_.enum_descriptor_proto().value.first();
        if features.enum_type.value == EnumType::Open && first.is_some_and(|v| v.number() != 0) {
            problems.push(Problem {
                message: format!(
                    "the first value of open enum \"{}\" must be zero",
                    enum_.full_name()
                ),
                help: "add a first value numbered 0 (e.g. *_UNSPECIFIED = 0), or make the enum closed with option features.enum_type = CLOSED",
                path: [enum_.path(), &[2, 0, 2]].concat(),
            });
        }
    }
    for message in &messages {
        for field in message.fields() {
            let Kind::Enum(enum_) = field.kind() else {
                continue;
            };
            let features = Features::of_field(edition, &field);
            let closed = Features::of_enum(edition_of(&enum_.parent_file()), &enum_)
                .enum_type
                .value
                == EnumType::Closed;
            if closed
                && !field.is_list()
                && features.field_presence.value == FieldPresence::Implicit
            {
                problems.push(Problem {
                    message: format!(
                        "field \"{}\" has implicit presence but its enum \"{}\" is closed",
                        field.full_name(),
                        enum_.full_name()
                    ),
                    help: "a closed enum needs explicit presence: remove features.field_presence = IMPLICIT from the field (or its scope), or make the enum open",
                    path: field.path().to_vec(),
                });
            }
        }
    }
    if edition >= Edition::E2024 {
        let extensions = file
            .extensions()
            .chain(messages.iter().flat_map(|m| m.child_extensions()));
        let fields = messages
            .iter()
            .flat_map(|m| m.fields())
            .map(|f| (f.path().to_vec(), f.field_descriptor_proto().clone()))
            .chain(extensions.map(|e| (e.path().to_vec(), e.field_descriptor_proto().clone())));
        for (path, proto) in fields {
            if proto.options.as_ref().is_some_and(|o| o.ctype.is_some()) {
                problems.push(Problem {
                    message: format!(
                        "the field option \"ctype\" of \"{}\" is not allowed in edition {}",
                        proto.name(),
                        edition.as_str()
                    ),
                    help: "set features.(pb.cpp).string_type = CORD or VIEW instead (import \"google/protobuf/cpp_features.proto\")",
                    path: [path.as_slice(), &[FIELD_OPTIONS, CTYPE]].concat(),
                });
            }
        }
    }
    problems
}

/// Checks a proto2 or proto3 file for what only editions allow: a `features` option on any
/// element is an error, as protoc reports it. `text` is the file's source: a file whose text
/// never says `features` is not searched (decoding every element's options is not free, and
/// proto2/proto3 files must not pay for editions).
pub fn validate_syntax_file(file: &FileDescriptor, text: &str) -> Vec<Problem> {
    if !text.contains("features") {
        return Vec::new();
    }
    let mut found = Vec::new();
    // The span is the option's: `SourceCodeInfo` records it at the path of the feature set
    // (`features.utf8_validation` at […, 21, 4]), not at `features` alone.
    let mut check =
        |has_options: bool, options: &dyn Fn() -> DynamicMessage, path: &[i32], features: u32| {
            if !has_options {
                return;
            }
            let options = options();
            if !options.has_field_by_number(features) {
                return;
            }
            let mut at = [path, &[features as i32]].concat();
            if let Some(Value::Message(set)) = options.get_field_by_number(features).as_deref() {
                let first = set.fields().map(|(f, _)| f.number());
                let first = first
                    .chain(set.extensions().map(|(e, _)| e.number()))
                    .next();
                at.extend(first.map(|n| n as i32));
            }
            found.push(at);
        };
    let proto = file.file_descriptor_proto();
    check(proto.options.is_some(), &|| file.options(), &[8], 50);
    let messages = all_messages(file);
    for message in &messages {
        let m = message.descriptor_proto();
        check(
            m.options.is_some(),
            &|| message.options(),
            &[message.path(), &[7]].concat(),
            12,
        );
        for field in message.fields() {
            let has = field.field_descriptor_proto().options.is_some();
            check(
                has,
                &|| field.options(),
                &[field.path(), &[FIELD_OPTIONS]].concat(),
                21,
            );
        }
        for oneof in message.oneofs() {
            let has = oneof.oneof_descriptor_proto().options.is_some();
            check(has, &|| oneof.options(), &[oneof.path(), &[2]].concat(), 1);
        }
    }
    let extensions = file
        .extensions()
        .chain(messages.iter().flat_map(|m| m.child_extensions()));
    for extension in extensions {
        let has = extension.field_descriptor_proto().options.is_some();
        check(
            has,
            &|| extension.options(),
            &[extension.path(), &[FIELD_OPTIONS]].concat(),
            21,
        );
    }
    let enums = file
        .enums()
        .chain(messages.iter().flat_map(|m| m.child_enums()));
    for enum_ in enums {
        let has = enum_.enum_descriptor_proto().options.is_some();
        check(has, &|| enum_.options(), &[enum_.path(), &[3]].concat(), 7);
        for value in enum_.values() {
            let has = value.enum_value_descriptor_proto().options.is_some();
            check(has, &|| value.options(), &[value.path(), &[3]].concat(), 2);
        }
    }
    for service in file.services() {
        let has = service.service_descriptor_proto().options.is_some();
        check(
            has,
            &|| service.options(),
            &[service.path(), &[3]].concat(),
            34,
        );
        for method in service.methods() {
            let has = method.method_descriptor_proto().options.is_some();
            check(
                has,
                &|| method.options(),
                &[method.path(), &[4]].concat(),
                35,
            );
        }
    }
    found
        .into_iter()
        .map(|path| Problem {
            message: "features are only valid under editions".to_owned(),
            help: "remove the features option, or migrate the file to editions (edition = \"2023\";) where features replace the syntax's fixed behaviour",
            path,
        })
        .collect()
}

/// Every message of a file, nested ones included (map entries too: their fields are checked
/// like any other).
fn all_messages(file: &FileDescriptor) -> Vec<prost_reflect::MessageDescriptor> {
    let mut all: Vec<_> = file.messages().collect();
    let mut i = 0;
    while i < all.len() {
        let children: Vec<_> = all[i].child_messages().collect();
        all.extend(children);
        i += 1;
    }
    all
}

fn origin_path(origin: &Origin) -> Vec<i32> {
    match origin {
        Origin::Option(path) | Origin::Language(path) => path.to_vec(),
        Origin::Default(_) => Vec::new(),
    }
}

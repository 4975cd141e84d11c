//! The checks protoc makes on an editions file that a proto2 compile of its lowered text does not
//! make: they need the resolved features. Each problem names the element's path, so the caller
//! reports it at its span in the original text.

use prost_reflect::{FileDescriptor, Kind};

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
    problems
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
        Origin::Option(path) | Origin::Language(path) => path.clone(),
        Origin::Default(_) => Vec::new(),
    }
}

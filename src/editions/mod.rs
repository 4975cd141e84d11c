//! Protobuf Editions. protox and prost-reflect only know proto2 and proto3, so an editions file
//! comes in through a front end: [`lower`] rewrites its text into an equivalent proto2 text for
//! protox (with a column map so spans still point into the original), and [`features`] resolves
//! every element's features — for every syntax, proto2 and proto3 being two more rows of the
//! defaults table. [`crate::schema::resolved`] reads those features; rules read `resolved`.

pub mod features;
pub mod lower;
mod validate;

pub use features::Features;
pub use lower::{ColumnMap, Lowered};
pub use validate::Problem;
pub use validate::{validate, validate_syntax_file};

/// The syntax or edition a file is written in, ordered as protobuf orders editions
/// (`google.protobuf.Edition`: PROTO2 998, PROTO3 999, 2023 1000, 2024 1001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    Proto2,
    Proto3,
    E2023,
    E2024,
}

impl Edition {
    /// The editions protoguard knows, as written in `edition = "…";`.
    pub const KNOWN: [&'static str; 2] = ["2023", "2024"];

    /// The edition named by an `edition = "…";` statement, if protoguard knows it.
    pub fn parse(text: &str) -> Option<Edition> {
        match text {
            "2023" => Some(Edition::E2023),
            "2024" => Some(Edition::E2024),
            _ => None,
        }
    }

    /// The edition of a `google.protobuf.Edition` number (`FileDescriptorProto.edition`).
    pub fn from_number(number: i32) -> Option<Edition> {
        match number {
            998 => Some(Edition::Proto2),
            999 => Some(Edition::Proto3),
            1000 => Some(Edition::E2023),
            1001 => Some(Edition::E2024),
            _ => None,
        }
    }

    /// Returns `true` for editions (2023 and later), `false` for proto2 and proto3.
    pub fn is_editions(self) -> bool {
        matches!(self, Edition::E2023 | Edition::E2024)
    }

    /// How a user writes it: `proto2`, `proto3`, `2023`, `2024`.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Proto2 => "proto2",
            Edition::Proto3 => "proto3",
            Edition::E2023 => "2023",
            Edition::E2024 => "2024",
        }
    }

    /// How a message names it: `syntax "proto3"`, `edition "2023"`.
    pub fn describe(self) -> String {
        if self.is_editions() {
            format!("edition \"{}\"", self.as_str())
        } else {
            format!("syntax \"{}\"", self.as_str())
        }
    }
}

/// What compiling a file taught about it that its descriptor cannot say: prost-reflect builds
/// pools for proto2/proto3 only, so an editions file is held as proto2 and its edition, column
/// map and option imports are kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdition {
    pub edition: Edition,
    /// Insertions made by lowering (empty for descriptor-set files).
    pub map: ColumnMap,
    /// Imports written `import option` (2024).
    pub option_imports: Vec<String>,
}

/// The files protoguard serves when a revision does not have them, by import name: a current
/// `descriptor.proto` (protox bundles one that predates edition 2024's features and the `(pb.go)`
/// extension number), and its own declarations of the custom features `(pb.cpp)`, `(pb.java)` and
/// `(pb.go)`.
pub const FEATURE_FILES: [(&str, &str); 4] = [
    (DESCRIPTOR_PROTO, include_str!("descriptor.proto")),
    (
        "google/protobuf/cpp_features.proto",
        include_str!("cpp_features.proto"),
    ),
    (
        "google/protobuf/java_features.proto",
        include_str!("java_features.proto"),
    ),
    (
        "google/protobuf/go_features.proto",
        include_str!("go_features.proto"),
    ),
];

/// The import name of `descriptor.proto`. A compile must open it before any other file: options
/// are resolved against the `descriptor.proto` already in the pool, else against protox's older
/// copy, which does not know every feature.
pub const DESCRIPTOR_PROTO: &str = "google/protobuf/descriptor.proto";

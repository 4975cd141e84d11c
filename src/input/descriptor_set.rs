//! Descriptor set inputs: a binary `FileDescriptorSet` as written by `protoc -o` or `buf build -o`.
//! Everything prost-reflect would panic on is checked before a pool is built, and editions files
//! (`syntax = "editions"`, which prost-reflect 0.16 cannot hold) are rewritten at the wire level
//! into proto2 files whose edition is kept aside: their features stay in the encoded options,
//! where feature resolution reads them, exactly as for a lowered source file.

use std::collections::HashMap;
use std::path::Path;

use prost::Message;

use super::{Content, DescriptorSet, Snapshot};
use crate::editions::{ColumnMap, Edition, FileEdition};
use crate::error::{Error, Result};

pub(super) fn read(path: &Path, shown: &Path) -> Result<Snapshot> {
    let bytes = std::fs::read(path).map_err(|err| {
        Error::invalid(format!(
            "{}: cannot read the descriptor set: {err}",
            shown.display()
        ))
    })?;
    let set = prost_types::FileDescriptorSet::decode(bytes.as_slice()).map_err(|err| {
        Error::with_help(
            format!("{}: not a binary FileDescriptorSet ({err})", shown.display()),
            "produce one with `protoc --include_imports --include_source_info -o FILE` or `buf build -o FILE.binpb`",
        )
    })?;
    let (encoded, editions) = validate(shown, &bytes)?;
    if set.file.is_empty() {
        return Err(Error::with_help(
            format!("{}: the descriptor set holds no files", shown.display()),
            "produce one with `protoc --include_imports --include_source_info -o FILE` or `buf build -o FILE.binpb`",
        ));
    }
    Ok(Snapshot {
        label: shown.display().to_string(),
        content: Content::Descriptors(DescriptorSet {
            imports: image_imports(&bytes),
            set,
            encoded,
            editions,
        }),
    })
}

// Images written by `buf build -o` are FileDescriptorSets whose files carry a `buf_extension`
// (field 8042) with `is_import` (field 1) set on files that are dependencies, not the module.
#[derive(Clone, PartialEq, Message)]
struct ImageLite {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct ImageFileLite {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "12")]
    syntax: Option<String>,
    /// `google.protobuf.Edition`, which prost-types 0.14 does not decode.
    #[prost(int32, optional, tag = "14")]
    edition: Option<i32>,
    /// `option_dependency`: imports used only for options (edition 2024).
    #[prost(string, repeated, tag = "15")]
    option_dependency: Vec<String>,
    #[prost(message, optional, tag = "8042")]
    buf_extension: Option<ImageFileExtensionLite>,
}

#[derive(Clone, PartialEq, Message)]
struct ImageFileExtensionLite {
    #[prost(bool, optional, tag = "1")]
    is_import: Option<bool>,
}

/// Each file's name and the bytes the pool reads.
type Encoded = Vec<(String, Vec<u8>)>;

/// Checks what the pool builder cannot report without panicking, before any pool is built,
/// and returns each file's bytes as the pool will read them, with the set's editions files.
///
/// prost-reflect 0.16 labels a file's error with the file itself, which it has not registered
/// yet when the error is about the file's `syntax`: any syntax but proto2/proto3 makes it index
/// out of bounds. And it decodes options lazily with `unwrap`, so malformed options panic later,
/// in whichever rule reads them. So every syntax value is checked here, whatever it is, and every
/// file is decoded whole (options included) against `descriptor.proto` once.
fn validate(shown: &Path, bytes: &[u8]) -> Result<(Encoded, HashMap<String, FileEdition>)> {
    let set = ImageLite::decode(bytes).map_err(|err| {
        Error::invalid(format!(
            "{}: not a binary FileDescriptorSet ({err})",
            shown.display()
        ))
    })?;
    let descriptor = prost_reflect::DescriptorPool::global()
        .get_message_by_name("google.protobuf.FileDescriptorProto")
        .expect("prost-reflect bundles descriptor.proto");
    let mut encoded = Vec::with_capacity(set.file.len());
    let mut editions = HashMap::new();
    let rebuild = "rebuild the descriptor set with protoc or buf; it may be corrupt or written by an unknown tool";
    for raw in set.file {
        let file = ImageFileLite::decode(raw.as_slice()).map_err(|err| {
            Error::with_help(
                format!(
                    "{}: a file of the set does not decode ({err})",
                    shown.display()
                ),
                rebuild,
            )
        })?;
        let name = file.name.clone().unwrap_or_default();
        if let Err(err) = prost_reflect::DynamicMessage::decode(descriptor.clone(), raw.as_slice())
        {
            return Err(Error::with_help(
                format!(
                    "{}: {name} does not decode as a FileDescriptorProto ({err})",
                    shown.display()
                ),
                rebuild,
            ));
        }
        match file.syntax.as_deref() {
            None | Some("") | Some("proto2") | Some("proto3") => encoded.push((name, raw)),
            Some("editions") => {
                let number = file.edition.unwrap_or_default();
                let edition = Edition::from_number(number)
                    .filter(|e| e.is_editions())
                    .ok_or_else(|| {
                        Error::with_help(
                            format!(
                                "{}: {name} is an editions file of edition number {number}, which protoguard does not support",
                                shown.display(),
                            ),
                            format!(
                                "protoguard knows editions {} (numbers 1000 and 1001); exclude this file or rebuild it with a supported edition",
                                Edition::KNOWN.join(" and ")
                            ),
                        )
                    })?;
                let proto2 = as_proto2(&raw).ok_or_else(|| {
                    Error::with_help(
                        format!(
                            "{}: {name} does not decode (malformed fields)",
                            shown.display()
                        ),
                        rebuild,
                    )
                })?;
                editions.insert(
                    name.clone(),
                    FileEdition {
                        edition,
                        map: ColumnMap::default(),
                        option_imports: file.option_dependency,
                    },
                );
                encoded.push((name, proto2));
            }
            Some(other) => {
                return Err(Error::with_help(
                    format!(
                        "{}: {name} declares syntax \"{other}\", which is not proto2, proto3 or editions",
                        shown.display(),
                    ),
                    rebuild,
                ));
            }
        }
    }
    Ok((encoded, editions))
}

// `FileDescriptorProto.syntax` and `.edition`.
const SYNTAX: u64 = 12;
const EDITION: u64 = 14;

/// An encoded editions `FileDescriptorProto` without its `syntax` and `edition`, which makes it a
/// proto2 file to prost-reflect; every other byte (features in options included) is kept.
/// `None` if the bytes are not a well-formed message.
fn as_proto2(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let start = rest;
        let key = varint(&mut rest)?;
        let length = match key & 7 {
            0 => {
                varint(&mut rest)?;
                0
            }
            1 => 8,
            2 => varint(&mut rest)? as usize,
            5 => 4,
            _ => return None,
        };
        rest = rest.get(length..)?;
        let field = &start[..start.len() - rest.len()];
        if key >> 3 != SYNTAX && key >> 3 != EDITION {
            out.extend_from_slice(field);
        }
    }
    Some(out)
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

fn image_imports(bytes: &[u8]) -> std::collections::BTreeSet<String> {
    let Ok(image) = ImageLite::decode(bytes) else {
        return Default::default();
    };
    image
        .file
        .iter()
        .filter_map(|f| ImageFileLite::decode(f.as_slice()).ok())
        .filter(|f| f.buf_extension.as_ref().and_then(|e| e.is_import) == Some(true))
        .filter_map(|f| f.name)
        .collect()
}

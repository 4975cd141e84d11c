//! Descriptor set inputs: a binary `FileDescriptorSet` as written by `protoc -o` or `buf build -o`.

use std::path::Path;

use prost::Message;

use super::{Content, DescriptorSet, Snapshot};
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
    validate(shown, &bytes)?;
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
    #[prost(message, optional, tag = "8042")]
    buf_extension: Option<ImageFileExtensionLite>,
}

#[derive(Clone, PartialEq, Message)]
struct ImageFileExtensionLite {
    #[prost(bool, optional, tag = "1")]
    is_import: Option<bool>,
}

/// Rejects what the pool builder cannot report without panicking, before any pool is built.
///
/// prost-reflect 0.16 labels a file's error with the file itself, which it has not registered
/// yet when the error is about the file's `syntax`: any syntax but proto2/proto3 (a buf image of
/// an editions file says `editions`) makes it index out of bounds. So every syntax value is
/// checked here, whatever it is, not only the one seen in the wild.
fn validate(shown: &Path, bytes: &[u8]) -> Result<()> {
    let Ok(set) = ImageLite::decode(bytes) else {
        return Ok(());
    };
    for file in set
        .file
        .iter()
        .filter_map(|f| ImageFileLite::decode(f.as_slice()).ok())
    {
        let name = file.name.as_deref().unwrap_or("<unnamed>");
        match file.syntax.as_deref() {
            None | Some("") | Some("proto2") | Some("proto3") => {}
            Some("editions") => {
                let edition = file
                    .edition
                    .map_or("no edition number".to_owned(), |e| format!("edition {e}"));
                return Err(Error::with_help(
                    format!(
                        "{}: {name} is an editions file ({edition}), which descriptor set inputs do not support yet",
                        shown.display(),
                    ),
                    "compare the source files instead (a directory or git revision), or exclude this file",
                ));
            }
            Some(other) => {
                return Err(Error::with_help(
                    format!(
                        "{}: {name} declares syntax \"{other}\", which is not proto2, proto3 or editions",
                        shown.display(),
                    ),
                    "rebuild the descriptor set with protoc or buf; it may be corrupt or written by an unknown tool",
                ));
            }
        }
    }
    Ok(())
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

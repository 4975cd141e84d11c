//! The PACKAGE_SAME_* family (buf's BASIC category): all files of a package give a file option
//! the same value, where leaving it unset counts as a value of its own (as in buf: generated
//! code for one package must land in one namespace). Each rule names one option; this module
//! groups, words and anchors the findings the same way for all: on every file of a package
//! that disagrees, at the file's option (or its package statement when the option is unset).

use std::collections::{BTreeMap, BTreeSet};

use prost_types::FileOptions;

use super::LintCtx;

/// `FileDescriptorProto.options`.
const OPTIONS: i32 = 8;

/// One file option: its name in `.proto`, its number in `FileOptions`, and its value as text.
pub(crate) struct PackageOption {
    pub name: &'static str,
    pub number: i32,
    pub value: fn(&FileOptions) -> Option<String>,
    /// What an unset option means, when protobuf gives it a default that generators read
    /// (`java_multiple_files`: false); `None`: unset is a value of its own.
    pub default: Option<&'static str>,
}

pub(crate) fn check(ctx: &mut LintCtx, option: &PackageOption) {
    let mut by_package: BTreeMap<&str, Vec<(&prost_reflect::FileDescriptor, Option<String>)>> =
        BTreeMap::new();
    for file in ctx.schema.files() {
        if file.package_name().is_empty() {
            continue;
        }
        let value = file
            .file_descriptor_proto()
            .options
            .as_ref()
            .and_then(option.value)
            .or_else(|| option.default.map(str::to_owned));
        by_package
            .entry(file.package_name())
            .or_default()
            .push((file, value));
    }
    for (package, files) in by_package {
        let values: BTreeSet<&Option<String>> = files.iter().map(|(_, v)| v).collect();
        if values.len() < 2 {
            continue;
        }
        let listed: Vec<String> = values
            .iter()
            .map(|v| match v {
                Some(v) => format!("\"{v}\""),
                None => "unset".to_owned(),
            })
            .collect();
        for (file, value) in &files {
            let at = ctx.schema.locate_path(*file, &[OPTIONS, option.number]);
            let shown = match value {
                Some(v) => format!("\"{v}\""),
                None => "unset".to_owned(),
            };
            ctx.report(
                format!(
                    "Option {} is {shown} here, but files of package \"{package}\" disagree: {}.",
                    option.name,
                    listed.join(", ")
                ),
                at,
                format!("file:{}", file.name()),
            );
        }
    }
}

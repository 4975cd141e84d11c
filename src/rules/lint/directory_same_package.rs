//! DIRECTORY_SAME_PACKAGE: all files of one directory declare the same package (buf's MINIMAL
//! category). Reported on every file of such a directory, as buf does, so that each file's
//! package statement shows.

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::FileDescriptor;

use super::{directory, LintCtx};

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut LintCtx) {
    let mut by_directory: BTreeMap<&str, Vec<&FileDescriptor>> = BTreeMap::new();
    for file in ctx.schema.files() {
        by_directory
            .entry(directory(file.name()))
            .or_default()
            .push(file);
    }
    for (dir, files) in by_directory {
        let packages: BTreeSet<&str> = files.iter().map(|f| f.package_name()).collect();
        if packages.len() < 2 {
            continue;
        }
        let listed: Vec<String> = packages
            .iter()
            .map(|p| {
                if p.is_empty() {
                    "no package".to_owned()
                } else {
                    format!("\"{p}\"")
                }
            })
            .collect();
        let shown = if dir.is_empty() { "." } else { dir };
        for file in files {
            let at = ctx.schema.locate_path(file, &[PACKAGE]);
            ctx.report(
                format!(
                    "Directory \"{shown}\" holds files of several packages: {}.",
                    listed.join(", ")
                ),
                at,
                format!("file:{}", file.name()),
            );
        }
    }
}

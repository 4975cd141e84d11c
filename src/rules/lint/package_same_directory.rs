//! PACKAGE_SAME_DIRECTORY: all files of one package lie in the same directory (buf's MINIMAL
//! category). Reported on every file of such a package.

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::FileDescriptor;

use super::{directory, LintCtx};

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut LintCtx) {
    let mut by_package: BTreeMap<&str, Vec<&FileDescriptor>> = BTreeMap::new();
    for file in ctx.schema.files() {
        if !file.package_name().is_empty() {
            by_package
                .entry(file.package_name())
                .or_default()
                .push(file);
        }
    }
    for (package, files) in by_package {
        let directories: BTreeSet<&str> = files.iter().map(|f| directory(f.name())).collect();
        if directories.len() < 2 {
            continue;
        }
        let listed: Vec<String> = directories
            .iter()
            .map(|d| format!("\"{}\"", if d.is_empty() { "." } else { d }))
            .collect();
        for file in files {
            let at = ctx.schema.locate_path(file, &[PACKAGE]);
            ctx.report(
                format!(
                    "Files of package \"{package}\" are spread over several directories: {}.",
                    listed.join(", ")
                ),
                at,
                format!("file:{}", file.name()),
            );
        }
    }
}

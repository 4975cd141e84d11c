//! PACKAGE_DIRECTORY_MATCH: a file of package `foo.bar.v1` lies in directory `foo/bar/v1`,
//! relative to its module root (buf's MINIMAL category).

use prost_reflect::FileDescriptor;

use super::{directory, LintCtx};

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let package = file.package_name();
    if package.is_empty() {
        return;
    }
    let expected = package.replace('.', "/");
    let actual = directory(file.name());
    if actual == expected {
        return;
    }
    let at = ctx.schema.locate_path(file, &[PACKAGE]);
    let shown = if actual.is_empty() { "." } else { actual };
    ctx.report(
        format!(
            "File \"{}\" of package \"{package}\" is in directory \"{shown}\", not \"{expected}\".",
            file.name()
        ),
        at,
        format!("file:{}", file.name()),
    );
}

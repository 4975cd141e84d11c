//! PACKAGE_VERSION_SUFFIX: a package ends in a version, `acme.user.v1` (buf's STANDARD
//! category; versions as in [`super::version`]).

use prost_reflect::FileDescriptor;

use super::version::of_package;
use super::LintCtx;

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let package = file.package_name();
    if package.is_empty() || of_package(package).is_some() {
        return;
    }
    let at = ctx.schema.locate_path(file, &[PACKAGE]);
    ctx.report(
        format!("Package \"{package}\" does not end in a version such as \"{package}.v1\"."),
        at,
        format!("file:{}#{package}", file.name()),
    );
}

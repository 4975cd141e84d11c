//! PACKAGE_LOWER_SNAKE_CASE: each component of a package name is lower_snake_case (buf's BASIC
//! category; buf words it "lower_snake.case").

use prost_reflect::FileDescriptor;

use super::naming::to_lower_snake;
use super::LintCtx;

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let package = file.package_name();
    if package.is_empty() {
        return;
    }
    let suggestion: Vec<String> = package.split('.').map(to_lower_snake).collect();
    let suggestion = suggestion.join(".");
    if suggestion == package {
        return;
    }
    let at = ctx.schema.locate_path(file, &[PACKAGE]);
    ctx.report(
        format!(
            "Package name \"{package}\" is not lower_snake_case in each component; it would be \"{suggestion}\"."
        ),
        at,
        format!("file:{}#{package}", file.name()),
    );
}

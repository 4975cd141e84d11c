//! PACKAGE_DEFINED: every file declares a package (buf's MINIMAL category).

use prost_reflect::FileDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    if !file.package_name().is_empty() {
        return;
    }
    let at = ctx.schema.locate(file);
    ctx.report(
        format!("File \"{}\" declares no package.", file.name()),
        at,
        format!("file:{}", file.name()),
    );
}

//! FILE_SAME_PACKAGE: a file keeps its `package`, so the fully-qualified names of everything it
//! declares stay the same.

use super::at_file_statement;
use crate::pairs::FilePair;
use crate::rules::Ctx;

/// `FileDescriptorProto.package`.
const PACKAGE: i32 = 2;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    if old.package_name() == new.package_name() {
        return;
    }
    let describe = |package: &str| match package {
        "" => "unset".to_owned(),
        package => format!("\"{package}\""),
    };
    let message = format!(
        "File \"{}\" changed package from {} to {}.",
        pair.name,
        describe(old.package_name()),
        describe(new.package_name()),
    );
    let at = at_file_statement(ctx.new, new, &[PACKAGE]);
    let was = at_file_statement(ctx.old, old, &[PACKAGE]);
    ctx.changed(message, at, was);
}

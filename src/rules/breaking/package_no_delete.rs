//! PACKAGE_NO_DELETE: a package that had files in the previous revision still has at least one.

use super::at_file;
use crate::pairs::PackagePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &PackagePair) {
    let ([first, ..], []) = (&pair.old[..], &pair.new[..]) else {
        return;
    };
    let message = match pair.name {
        "" => "Previously present files without a package were all deleted.".to_owned(),
        name => format!("Previously present package \"{name}\" was deleted."),
    };
    // A file still at its old path under another package means the package was renamed.
    let renamed = pair.old.iter().find_map(|old| {
        let new = ctx.new.file(old.name())?;
        let now = match new.package_name() {
            "" => "no package".to_owned(),
            package => format!("package \"{package}\""),
        };
        Some(format!(
            "file \"{}\" now declares {now}: renaming a package changes the fully-qualified name of everything in it (generated code, gRPC paths, `Any` type URLs); publish the new package next to the old one, and delete the old one only when no consumer uses it",
            new.name()
        ))
    });
    // There is no current location: the finding stands at the start of the package's first old
    // file (buf reports line 1, column 1 without a path).
    let at = at_file(ctx.old, first);
    let finding = ctx.report(message, at);
    if renamed.is_some() {
        finding.help = renamed;
    }
}

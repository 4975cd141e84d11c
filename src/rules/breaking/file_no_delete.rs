//! FILE_NO_DELETE: a file present in the previous revision is gone.

use super::at_file;
use crate::pairs::FilePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), None) = (pair.old, pair.new) else {
        return;
    };
    // There is no current location: the finding stands at the file's old path, at its start.
    let at = at_file(ctx.old, old);
    ctx.report(
        format!("Previously present file \"{}\" was deleted.", pair.name),
        at,
    );
}

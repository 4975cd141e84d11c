//! PACKAGE_EXTENSION_NO_DELETE: every extension a package declared (at file level or nested in a
//! message) is still declared somewhere in the package. Moving an extension between files of the
//! package is fine.

use super::package_message_no_delete::{
    deleted_from_package, in_current, messages, pool, still_exists,
};
use crate::pairs::PackagePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &PackagePair) {
    if !still_exists(pair) {
        return;
    }
    let top_level = pair.old.iter().flat_map(|f| f.extensions());
    let nested = messages(&pair.old)
        .into_iter()
        .flat_map(|m| m.child_extensions().collect::<Vec<_>>());
    for extension in top_level.chain(nested) {
        let now = pool(pair).get_extension_by_name(extension.full_name());
        if !now.is_some_and(|e| in_current(pair, &e.parent_file())) {
            deleted_from_package(ctx, pair, "extension", &extension, extension.full_name());
        }
    }
}

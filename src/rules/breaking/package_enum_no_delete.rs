//! PACKAGE_ENUM_NO_DELETE: every enum a package declared (top-level or nested in a message) is
//! still declared somewhere in the package. Moving an enum between files of the package is fine.

use super::package_message_no_delete::{
    deleted_from_package, in_current, messages, pool, still_exists,
};
use crate::pairs::PackagePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &PackagePair) {
    if !still_exists(pair) {
        return;
    }
    let top_level = pair.old.iter().flat_map(|f| f.enums());
    let nested = messages(&pair.old)
        .into_iter()
        .flat_map(|m| m.child_enums().collect::<Vec<_>>());
    for enum_ in top_level.chain(nested) {
        let now = pool(pair).get_enum_by_name(enum_.full_name());
        if !now.is_some_and(|e| in_current(pair, &e.parent_file())) {
            deleted_from_package(ctx, pair, "enum", &enum_, enum_.full_name());
        }
    }
}

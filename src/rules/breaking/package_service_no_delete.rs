//! PACKAGE_SERVICE_NO_DELETE: every service a package declared is still declared somewhere in
//! the package. Moving a service between files of the package is fine.

use super::package_message_no_delete::{deleted_from_package, in_current, pool, still_exists};
use crate::pairs::PackagePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &PackagePair) {
    if !still_exists(pair) {
        return;
    }
    for service in pair.old.iter().flat_map(|f| f.services()) {
        let now = pool(pair).get_service_by_name(service.full_name());
        if !now.is_some_and(|s| in_current(pair, &s.parent_file())) {
            deleted_from_package(ctx, pair, "service", &service, service.full_name());
        }
    }
}

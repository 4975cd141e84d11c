//! SERVICE_NO_DELETE: every service a file declared is still declared in that file, under the
//! same name relative to the package. Moving a service to another file counts as deleting it,
//! because generated client and server code is organised by file.

use super::message_no_delete::{deleted_from_file, name_in};
use crate::pairs::FilePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    for service in old.services() {
        let name = name_in(new, old, service.full_name());
        let now_in = new
            .parent_pool()
            .get_service_by_name(&name)
            .map(|s| s.parent_file());
        deleted_from_file(
            ctx,
            "service",
            &service,
            service.full_name(),
            now_in,
            new,
            &name,
        );
    }
}

//! RPC_NO_DELETE: every RPC of a service is still there, by name.

use prost_reflect::ServiceDescriptor;

use super::NAME;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &ServiceDescriptor, new: &ServiceDescriptor) {
    for method in old.methods() {
        if new.methods().any(|m| m.name() == method.name()) {
            continue;
        }
        ctx.deleted(
            format!(
                "Previously present RPC \"{}\" on service \"{}\" was deleted.",
                method.name(),
                new.full_name()
            ),
            ctx.new.locate_part(new, &[NAME]),
            ctx.old.locate_part(&method, &[NAME]),
        );
    }
}

//! SERVICE_PASCAL_CASE: Service names are PascalCase (buf's BASIC category).

use prost_reflect::ServiceDescriptor;

use super::naming_rule::{self, PASCAL};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, service: &ServiceDescriptor) {
    naming_rule::check(
        ctx,
        service,
        "Service",
        service.name(),
        service.full_name(),
        &PASCAL,
    );
}

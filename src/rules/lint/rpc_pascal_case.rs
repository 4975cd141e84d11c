//! RPC_PASCAL_CASE: RPC names are PascalCase (buf's BASIC category).

use prost_reflect::MethodDescriptor;

use super::naming_rule::{self, PASCAL};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, method: &MethodDescriptor) {
    naming_rule::check(
        ctx,
        method,
        "RPC",
        method.name(),
        method.full_name(),
        &PASCAL,
    );
}

//! RPC_REQUEST_STANDARD_NAME: see [`super::rpc_standard_name`] (buf's STANDARD category).

use prost_reflect::MethodDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, method: &MethodDescriptor) {
    super::rpc_standard_name::check(ctx, method, true);
}

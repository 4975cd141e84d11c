//! RPC_NO_CLIENT_STREAMING: RPCs do not stream requests (buf's UNARY_RPC category).

use prost_reflect::MethodDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, method: &MethodDescriptor) {
    super::rpc_streaming::check(ctx, method, "client", method.is_client_streaming());
}

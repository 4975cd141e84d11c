//! RPC_NO_SERVER_STREAMING: RPCs do not stream responses (buf's UNARY_RPC category).

use prost_reflect::MethodDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, method: &MethodDescriptor) {
    super::rpc_streaming::check(ctx, method, "server", method.is_server_streaming());
}

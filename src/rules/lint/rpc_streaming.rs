//! The UNARY_RPC pair (RPC_NO_CLIENT_STREAMING, RPC_NO_SERVER_STREAMING): one check, worded for
//! the side that streams.

use prost_reflect::MethodDescriptor;

use super::LintCtx;

pub(crate) fn check(ctx: &mut LintCtx, method: &MethodDescriptor, side: &str, streams: bool) {
    if !streams {
        return;
    }
    let at = ctx.schema.locate(method);
    ctx.report(
        format!("RPC \"{}\" is {side} streaming.", method.full_name()),
        at,
        method.full_name().to_owned(),
    );
}

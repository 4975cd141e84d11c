//! COMMENT_RPC: every rpc has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::MethodDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, method: &MethodDescriptor) {
    super::comment::check(ctx, method, "RPC", method.full_name());
}

//! COMMENT_ONEOF: every oneof has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::OneofDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, oneof: &OneofDescriptor) {
    super::comment::check(ctx, oneof, "Oneof", oneof.full_name());
}

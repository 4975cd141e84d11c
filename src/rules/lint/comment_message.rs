//! COMMENT_MESSAGE: every message has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::MessageDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, message: &MessageDescriptor) {
    super::comment::check(ctx, message, "Message", message.full_name());
}

//! COMMENT_ENUM: every enum has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::EnumDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    super::comment::check(ctx, enum_, "Enum", enum_.full_name());
}

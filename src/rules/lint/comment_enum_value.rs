//! COMMENT_ENUM_VALUE: every enum value has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::EnumValueDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, value: &EnumValueDescriptor) {
    super::comment::check(ctx, value, "Enum value", value.full_name());
}

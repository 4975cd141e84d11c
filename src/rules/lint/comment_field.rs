//! COMMENT_FIELD: every field has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::FieldDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, field: &FieldDescriptor) {
    super::comment::check(ctx, field, "Field", field.full_name());
}

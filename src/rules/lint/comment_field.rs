//! COMMENT_FIELD: every field has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use crate::schema::field::{AnyField, FieldLike};

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, field: &AnyField) {
    super::comment::check(ctx, field, "Field", field.full_name());
}

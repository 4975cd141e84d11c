//! FIELD_SAME_TYPE: a field keeps its exact type — the same scalar, or the same message or enum
//! by fully-qualified name — so generated code keeps compiling.

use super::compat::Sides;
use super::{
    reuse_help, reused_number, same_type, subject, type_names, FIELD_TYPE, FIELD_TYPE_NAME,
};
use crate::rules::Ctx;
use crate::schema::field::AnyField;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    if same_type(Sides::of(ctx), old, new) {
        return;
    }
    let (old_type, new_type) = type_names(Sides::of(ctx), old, new);
    let at = ctx.new.locate_part(new, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    let was = ctx.old.locate_part(old, &[FIELD_TYPE_NAME, FIELD_TYPE]);
    match reused_number(ctx, old, new) {
        Some(message) => ctx.changed(message, at, was).help = Some(reuse_help(ctx.new, old, new)),
        None => {
            ctx.changed(
                format!(
                    "{} changed type from \"{old_type}\" to \"{new_type}\".",
                    subject(new, false)
                ),
                at,
                was,
            );
        }
    }
}

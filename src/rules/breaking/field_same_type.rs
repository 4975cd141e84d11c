//! FIELD_SAME_TYPE: a field keeps its exact type — the same scalar, or the same message or enum
//! by fully-qualified name — so generated code keeps compiling.

use prost_reflect::Kind;

use super::compat::{encoding_origin, type_change, Mode, Sides};
use super::{
    reuse_help, reused_number, same_type, subject, type_names, FIELD_TYPE, FIELD_TYPE_NAME,
};
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};

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
            let same_data = renamed_type(ctx, old, new).then_some(
                "; the two types hold the same data, so binary and JSON readers are unaffected, but generated code that names the old type breaks",
            );
            ctx.changed(
                format!(
                    "{} changed type from \"{old_type}\" to \"{new_type}\"{}.{}",
                    subject(new, false),
                    same_data.unwrap_or_default(),
                    encoding_origin(Sides::of(ctx), old, new)
                ),
                at,
                was,
            );
        }
    }
}

/// Returns `true` if the field changed from one message or enum to another that reads the same
/// binary and JSON data (a renamed or moved type; see FIELD_WIRE_JSON_COMPATIBLE_TYPE).
fn renamed_type(ctx: &Ctx, old: &AnyField, new: &AnyField) -> bool {
    let kinds = (old.kind(), new.kind());
    if !matches!(
        kinds,
        (Kind::Message(_), Kind::Message(_)) | (Kind::Enum(_), Kind::Enum(_))
    ) {
        return false;
    }
    old.is_map() == new.is_map() && type_change(Sides::of(ctx), old, new, Mode::WireJson).is_none()
}

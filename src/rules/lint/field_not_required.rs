//! FIELD_NOT_REQUIRED: no field is required (buf's BASIC category): proto2 `required`, or an
//! editions field with `field_presence = LEGACY_REQUIRED` (read through the resolved
//! cardinality, never the syntax).

use crate::schema::field::{AnyField, FieldLike};

use crate::schema::resolved::{cardinality, Cardinality};

use super::LintCtx;

/// `FieldDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, field: &AnyField) {
    if cardinality(ctx.schema, field) != Cardinality::Required {
        return;
    }
    let at = ctx.schema.locate_part(field, &[NAME]);
    ctx.report(
        format!("Field \"{}\" is required.", field.full_name()),
        at,
        field.full_name().to_owned(),
    );
}

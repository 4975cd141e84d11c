//! FIELD_CLOSED_ENUM_DEFAULT_ZERO: a field of a closed enum type (proto2, or editions with
//! `enum_type = CLOSED`) reads as the zero value when unset. A closed enum's default is its first
//! declared value, or the field's `[default = …]`; when that is not zero, an unset field reads as
//! a real state. protoguard's own rule (ENUM_ZERO_VALUE category); reads the resolved openness,
//! never the syntax.

use prost_reflect::Kind;

use crate::schema::field::{AnyField, FieldLike};

use crate::schema::resolved::enum_is_closed;

use super::LintCtx;

/// `FieldDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, field: &AnyField) {
    let Kind::Enum(enum_) = field.kind() else {
        return;
    };
    if field.is_list() || !enum_is_closed(ctx.schema, &enum_) {
        return;
    }
    let default = match field.field_descriptor_proto().default_value.as_deref() {
        Some(name) => enum_.get_value_by_name(name),
        None => enum_
            .enum_descriptor_proto()
            .value
            .first()
            .and_then(|v| enum_.get_value_by_name(v.name())),
    };
    let Some(default) = default else {
        return;
    };
    if default.number() == 0 {
        return;
    }
    let at = ctx.schema.locate_part(field, &[NAME]);
    ctx.report(
        format!(
            "Field \"{}\" reads as \"{}\" ({}) when it is not set, because closed enum \"{}\" defaults to it.",
            field.full_name(),
            default.name(),
            default.number(),
            enum_.full_name()
        ),
        at,
        field.full_name().to_owned(),
    );
}

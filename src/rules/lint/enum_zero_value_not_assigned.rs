//! ENUM_ZERO_VALUE_NOT_ASSIGNED: the zero value is not written as a value on purpose: not as a
//! field's `[default = …]`, not as the value of a custom option. protoguard's own rule
//! (ENUM_ZERO_VALUE category). Writing the zero value treats it as meaningful, while on the wire
//! it is indistinguishable from "not set" (an implicit-presence field does not even serialise it).

use prost_reflect::{DynamicMessage, Kind, Value};

use crate::schema::field::{AnyField, FieldLike};

use super::LintCtx;

/// `FieldDescriptorProto.default_value`, and `.options`.
const DEFAULT_VALUE: i32 = 7;
const OPTIONS: i32 = 8;

pub fn check(ctx: &mut LintCtx, field: &AnyField) {
    if let Kind::Enum(enum_) = field.kind() {
        let default = field.field_descriptor_proto().default_value.as_deref();
        if let Some(name) = default {
            if enum_
                .get_value_by_name(name)
                .is_some_and(|v| v.number() == 0)
            {
                let at = ctx.schema.locate_part(field, &[DEFAULT_VALUE]);
                ctx.report(
                    format!(
                        "Field \"{}\" names the zero value \"{name}\" as its default, as if it meant something; it is what an unset field reads as anyway.",
                        field.full_name()
                    ),
                    at,
                    format!("{}#default", field.full_name()),
                );
            }
        }
    }
    zero_options(ctx, &field.options(), field);
}

/// Reports custom options of enum type set to their zero value on `field`.
fn zero_options(ctx: &mut LintCtx, options: &DynamicMessage, field: &AnyField) {
    for (extension, value) in options.extensions() {
        let (Kind::Enum(enum_), Value::EnumNumber(0)) = (extension.kind(), value) else {
            continue;
        };
        let name = enum_
            .get_value(0)
            .map_or_else(|| "0".to_owned(), |v| v.name().to_owned());
        let at = ctx.schema.locate_part(field, &[OPTIONS]);
        ctx.report(
            format!(
                "Option \"({})\" on field \"{}\" is set to the zero value \"{name}\", which cannot be told from the option not being set.",
                extension.full_name(),
                field.full_name()
            ),
            at,
            format!("{}#({})", field.full_name(), extension.full_name()),
        );
    }
}

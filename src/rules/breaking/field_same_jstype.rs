//! FIELD_SAME_JSTYPE: a 64-bit integer field keeps its `jstype`, the JavaScript type generated
//! code represents it with. Fields that are not 64-bit integers on both sides are left alone.

use prost_reflect::Kind;

use super::at_option;
use super::subject;
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::resolved::{js_type, JsType};

/// `FieldDescriptorProto.options`, then `FieldOptions.jstype`.
const JSTYPE: [i32; 2] = [8, 6];

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    if !is_64_bit_integer(old) || !is_64_bit_integer(new) {
        return;
    }
    let (was, now) = (js_type(old), js_type(new));
    if was == now {
        return;
    }
    let consequence = match now {
        JsType::String => "JavaScript code now receives a string instead of a number",
        JsType::Number => "JavaScript code now receives a number, which loses precision past 2^53",
        JsType::Normal => "JavaScript code now receives the default representation of the runtime",
    };
    ctx.changed(
        format!(
            "{} changed option \"jstype\" from \"{}\" to \"{}\": {consequence}.",
            subject(new, true),
            was.describe(),
            now.describe()
        ),
        at_option(ctx.new, new, has_jstype(new), &JSTYPE),
        at_option(ctx.old, old, has_jstype(old), &JSTYPE),
    );
}

fn is_64_bit_integer(field: &impl FieldLike) -> bool {
    matches!(
        field.kind(),
        Kind::Int64 | Kind::Sint64 | Kind::Uint64 | Kind::Fixed64 | Kind::Sfixed64
    )
}

fn has_jstype(field: &impl FieldLike) -> bool {
    field
        .field_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.jstype.is_some())
}

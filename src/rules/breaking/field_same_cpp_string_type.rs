//! FIELD_SAME_CPP_STRING_TYPE: a string or bytes field keeps the type C++ generated code gives it
//! (`ctype`; buf's retired FIELD_SAME_CTYPE). Moving from a view (`STRING_PIECE`) to the default
//! `std::string` is allowed, as buf allows it; every other change is reported.

use prost_reflect::Kind;

use super::at_option;
use super::subject;
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::origin::{self, FeatureValue};
use crate::schema::resolved::{cpp_string_type, CppStringType};

/// `FieldDescriptorProto.options`, then `FieldOptions.ctype`.
const CTYPE: [i32; 2] = [8, 1];

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    if !is_string_or_bytes(old) || !is_string_or_bytes(new) {
        return;
    }
    let (was, now) = (cpp_string_type(ctx.old, old), cpp_string_type(ctx.new, new));
    if was == now || (was == CppStringType::View && now == CppStringType::String) {
        return;
    }
    ctx.changed(
        format!(
            "{} changed C++ string type from \"{}\" to \"{}\": C++ code using its accessors no longer compiles.{}",
            subject(new, true),
            was.name(),
            now.name(),
            origin::fields((ctx.old, old), (ctx.new, new), |f| f.cpp_string_type)
        ),
        at_option(ctx.new, new, has_ctype(new), &CTYPE),
        at_option(ctx.old, old, has_ctype(old), &CTYPE),
    );
}

fn is_string_or_bytes(field: &impl FieldLike) -> bool {
    matches!(field.kind(), Kind::String | Kind::Bytes)
}

fn has_ctype(field: &impl FieldLike) -> bool {
    field
        .field_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.ctype.is_some())
}

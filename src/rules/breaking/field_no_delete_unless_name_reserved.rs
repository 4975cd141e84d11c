//! FIELD_NO_DELETE_UNLESS_NAME_RESERVED: the name of a field that is gone from a message is
//! reserved there, so no later field can take it and misread old JSON.

use prost_reflect::{FieldDescriptor, MessageDescriptor};

use super::compat::Sides;
use super::{at_message, field_phrase, moved_number, reserve_help, reserved_names};
use crate::fix::Reserve;
use crate::rules::Ctx;
use crate::schema::Schema;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    for field in old.fields() {
        if new.get_field(field.number()).is_some()
            || new.reserved_names().any(|n| n == field.name())
        {
            continue;
        }
        let (help, fix) = name_help(ctx.new, &field, new);
        let finding = ctx.deleted(
            format!(
                "Previously present field {} was deleted without reserving the name \"{}\"{}.",
                field_phrase(&field),
                field.name(),
                moved_number(Sides::of(ctx), &field, old, new)
            ),
            at_message(ctx.new, new),
            ctx.old.locate(&field),
        );
        finding.help = Some(help);
        finding.fix = fix;
    }
}

/// Help that is about the name, which is what this rule asks for: reserve it, or, when another
/// field has taken it, say that old JSON is read into that field (a taken name cannot be
/// reserved; protoc rejects the conflict).
fn name_help(
    schema: &Schema,
    field: &FieldDescriptor,
    current: &MessageDescriptor,
) -> (String, Option<Reserve>) {
    let (help, fix) = reserve_help(schema, field, current);
    let help = match current.get_field_by_name(field.name()) {
        Some(taker) => format!(
            "the name \"{}\" now belongs to field {}, so JSON and text-format data written with the deleted field is read into it; unless that is intended, give field {} another name and add `{}` to message \"{}\"",
            field.name(),
            taker.number(),
            taker.number(),
            reserved_names(schema, &current.parent_file(), [field.name()]),
            current.name()
        ),
        None => help,
    };
    (help, fix)
}

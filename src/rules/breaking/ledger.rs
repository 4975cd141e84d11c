//! What the rules that read the history ledger share: the fields and enum values a change adds
//! (the only members a reuse rule judges), every enum of a revision, and a field's type written
//! the way the ledger writes it.

use prost_reflect::{EnumDescriptor, EnumValueDescriptor, FieldDescriptor, MessageDescriptor};

use super::package_message_no_delete::messages;
use crate::rules::Ctx;
use crate::schema::resolved::type_name;
use crate::schema::Schema;

/// Every field of the current revision that the previous one did not have under the same
/// number and name (new, renamed or renumbered into place), with its message.
pub(crate) fn added_fields(ctx: &Ctx) -> Vec<(MessageDescriptor, FieldDescriptor)> {
    let files: Vec<_> = ctx.new.files().iter().collect();
    let mut out = Vec::new();
    for message in messages(&files) {
        let previous = ctx.old.pool().get_message_by_name(message.full_name());
        for field in message.fields() {
            let kept = previous
                .as_ref()
                .and_then(|m| m.get_field(field.number()))
                .is_some_and(|old| old.name() == field.name());
            if !kept {
                out.push((message.clone(), field));
            }
        }
    }
    out
}

/// Every enum value of the current revision that the previous one did not have under the same
/// number and name, with its enum.
pub(crate) fn added_values(ctx: &Ctx) -> Vec<(EnumDescriptor, EnumValueDescriptor)> {
    let mut out = Vec::new();
    for enum_ in enums(ctx.new) {
        let previous = ctx.old.pool().get_enum_by_name(enum_.full_name());
        for value in enum_.values() {
            // An alias shares its number: the previous value with this number and name, if any.
            let kept = previous.as_ref().is_some_and(|e| {
                e.values()
                    .any(|old| old.number() == value.number() && old.name() == value.name())
            });
            if !kept {
                out.push((enum_.clone(), value));
            }
        }
    }
    out
}

/// Every enum of `schema`'s files, top-level and nested.
pub(crate) fn enums(schema: &Schema) -> Vec<EnumDescriptor> {
    let files: Vec<_> = schema.files().iter().collect();
    let mut out: Vec<EnumDescriptor> = files.iter().flat_map(|f| f.enums()).collect();
    for message in messages(&files) {
        out.extend(message.child_enums());
    }
    out
}

/// The field's type as the ledger records it: `string`, `repeated int32`, `map<string, int32>`.
pub(crate) fn written_type(schema: &Schema, field: &FieldDescriptor) -> String {
    let name = type_name(schema, field);
    if field.is_list() {
        format!("repeated {name}")
    } else {
        name
    }
}

/// The messages of the current revision whose own declaration this change adds or alters
/// (fields, reserved statements, options, oneofs; not nested messages or enums, and not
/// comments or layout): the messages the debt rules speak about. With `all`, every message.
pub(crate) fn touched_messages(ctx: &Ctx, all: bool) -> Vec<MessageDescriptor> {
    let files: Vec<_> = ctx.new.files().iter().collect();
    let own = |m: &MessageDescriptor| {
        let mut proto = m.descriptor_proto().clone();
        proto.nested_type.clear();
        proto.enum_type.clear();
        proto
    };
    messages(&files)
        .into_iter()
        .filter(|message| {
            all || ctx
                .old
                .pool()
                .get_message_by_name(message.full_name())
                .is_none_or(|before| own(&before) != own(message))
        })
        .collect()
}

/// The enums of the current revision whose declaration this change adds or alters; with `all`,
/// every enum.
pub(crate) fn touched_enums(ctx: &Ctx, all: bool) -> Vec<EnumDescriptor> {
    enums(ctx.new)
        .into_iter()
        .filter(|enum_| {
            all || ctx
                .old
                .pool()
                .get_enum_by_name(enum_.full_name())
                .is_none_or(|before| {
                    before.enum_descriptor_proto() != enum_.enum_descriptor_proto()
                })
        })
        .collect()
}

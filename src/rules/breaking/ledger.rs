//! What the rules that read the history ledger share: the fields, enum values and extensions a
//! change adds (the only members a reuse rule judges, and the only elements a check asks the
//! ledger about: see `history::run_rules`), every enum of a revision, and a field's type written
//! the way the ledger writes it.

use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, ExtensionDescriptor, FieldDescriptor, MessageDescriptor,
};

use super::package_message_no_delete::messages;
use crate::rules::Ctx;
use crate::schema::field::FieldLike;
use crate::schema::resolved::type_name;
use crate::schema::Schema;

/// Every field of the current revision that the previous one did not have under the same
/// number and name (new, renamed or renumbered into place), with its message.
pub(crate) fn added_fields(ctx: &Ctx) -> Vec<(MessageDescriptor, FieldDescriptor)> {
    fields_added(ctx.old, ctx.new)
}

/// [`added_fields`] between two schemas.
pub(crate) fn fields_added(
    old: &Schema,
    new: &Schema,
) -> Vec<(MessageDescriptor, FieldDescriptor)> {
    let files: Vec<_> = new.files().iter().collect();
    let mut out = Vec::new();
    for message in messages(&files) {
        let previous = old.pool().get_message_by_name(message.full_name());
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
    values_added(ctx.old, ctx.new)
}

/// [`added_values`] between two schemas.
pub(crate) fn values_added(
    old: &Schema,
    new: &Schema,
) -> Vec<(EnumDescriptor, EnumValueDescriptor)> {
    let mut out = Vec::new();
    for enum_ in enums(new) {
        let previous = old.pool().get_enum_by_name(enum_.full_name());
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

/// Every extension declared in the current revision's files that the previous revision did not
/// have under the same full name, number and extendee.
pub(crate) fn extensions_added(old: &Schema, new: &Schema) -> Vec<ExtensionDescriptor> {
    let files: Vec<_> = new.files().iter().collect();
    new.pool()
        .all_extensions()
        .filter(|e| files.iter().any(|f| **f == e.parent_file()))
        .filter(|e| {
            !old.pool()
                .get_extension_by_name(e.full_name())
                .is_some_and(|was| {
                    was.number() == e.number()
                        && was.containing_message().full_name()
                            == e.containing_message().full_name()
                })
        })
        .collect()
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
pub(crate) fn written_type(schema: &Schema, field: &impl FieldLike) -> String {
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
    messages_touched(ctx.old, ctx.new, all)
}

/// [`touched_messages`] between two schemas.
pub(crate) fn messages_touched(old: &Schema, new: &Schema, all: bool) -> Vec<MessageDescriptor> {
    let files: Vec<_> = new.files().iter().collect();
    let own = |m: &MessageDescriptor| {
        let mut proto = m.descriptor_proto().clone();
        proto.nested_type.clear();
        proto.enum_type.clear();
        proto
    };
    messages(&files)
        .into_iter()
        .filter(|message| {
            all || old
                .pool()
                .get_message_by_name(message.full_name())
                .is_none_or(|before| own(&before) != own(message))
        })
        .collect()
}

/// The enums of the current revision whose declaration this change adds or alters; with `all`,
/// every enum.
pub(crate) fn touched_enums(ctx: &Ctx, all: bool) -> Vec<EnumDescriptor> {
    enums_touched(ctx.old, ctx.new, all)
}

/// [`touched_enums`] between two schemas.
pub(crate) fn enums_touched(old: &Schema, new: &Schema, all: bool) -> Vec<EnumDescriptor> {
    enums(new)
        .into_iter()
        .filter(|enum_| {
            all || old
                .pool()
                .get_enum_by_name(enum_.full_name())
                .is_none_or(|before| {
                    before.enum_descriptor_proto() != enum_.enum_descriptor_proto()
                })
        })
        .collect()
}

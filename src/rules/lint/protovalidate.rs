//! PROTOVALIDATE: protovalidate rules (`buf.validate`) that cannot work (buf's STANDARD
//! category). A rule of the wrong type for its field, bounds or lengths that reject every value,
//! `required` where it cannot hold, `ignore` that contradicts `required`, a `pattern` that is not
//! a regular expression, a CEL rule without an id or whose expression does not parse, a
//! message `oneof` rule naming fields that do not exist.
//!
//! The rules are read from the options' encoded bytes by extension number (1159 on field,
//! message and oneof options), not through the `buf.validate` descriptors, so any copy of
//! `buf/validate/validate.proto` works: buf's dependency cache, a vendored or reduced copy, an
//! older or newer protovalidate. A revision whose pool declares neither `buf.validate.field` nor
//! `buf.validate.message` cannot use them, and costs one lookup per message (most revisions: no
//! options are decoded). The check runs per message and reads its fields' rules too.

mod cel;
mod field;
mod scope;
mod values;
pub mod wire;

use std::collections::BTreeMap;

use prost::Message as _;
use prost_reflect::{FieldDescriptor, MessageDescriptor};

use crate::schema::resolved::{cardinality, Cardinality};

use super::LintCtx;
use field::Target;
use scope::Scope;
use wire::Msg;

/// The extension number of `(buf.validate.field)`, `(buf.validate.message)` and
/// `(buf.validate.oneof)`.
const EXTENSION: u32 = 1159;
/// `DescriptorProto.options`, `FieldDescriptorProto.options`.
const MESSAGE_OPTIONS: i32 = 7;
const FIELD_OPTIONS: i32 = 8;
/// `MessageRules` field numbers.
const MESSAGE_DISABLED: u32 = 1;
const MESSAGE_CEL: u32 = 3;
const MESSAGE_ONEOF: u32 = 4;
const MESSAGE_CEL_EXPRESSION: u32 = 5;

pub fn check(ctx: &mut LintCtx, message: &MessageDescriptor) {
    let pool = message.parent_pool();
    if pool.get_extension_by_name("buf.validate.field").is_none()
        && pool.get_extension_by_name("buf.validate.message").is_none()
    {
        return;
    }
    if message.descriptor_proto().options.is_some() {
        if let Some(rules) = wire::extension(&message.options().encode_to_vec(), EXTENSION) {
            check_message(ctx, message, &rules);
        }
    }
    for field in message.fields() {
        if field.field_descriptor_proto().options.is_none() {
            continue;
        }
        if let Some(rules) = wire::extension(&field.options().encode_to_vec(), EXTENSION) {
            check_field(ctx, &field, &rules);
        }
    }
}

fn check_field(ctx: &mut LintCtx, field: &FieldDescriptor, rules: &Msg) {
    let scope = Scope::new(
        field.parent_file(),
        field.path(),
        &[FIELD_OPTIONS, EXTENSION as i32],
        "(buf.validate.field)",
        format!("Field \"{}\"", field.full_name()),
        field.full_name(),
    );
    let card = cardinality(ctx.schema, field);
    let target = Target {
        kind: field.kind(),
        many: matches!(card, Cardinality::Repeated | Cardinality::Map),
        is_list: card == Cardinality::Repeated,
        is_map: card == Cardinality::Map,
        presence: card == Cardinality::Explicit,
        in_oneof: field.containing_oneof().is_some_and(|o| !o.is_synthetic()),
        type_name: crate::schema::resolved::type_name(ctx.schema, field),
    };
    field::check(ctx, &scope, rules, &target);
}

fn check_message(ctx: &mut LintCtx, message: &MessageDescriptor, rules: &Msg) {
    let scope = Scope::new(
        message.parent_file(),
        message.path(),
        &[MESSAGE_OPTIONS, EXTENSION as i32],
        "(buf.validate.message)",
        format!("Message \"{}\"", message.full_name()),
        message.full_name(),
    );
    if rules.has(MESSAGE_DISABLED) {
        scope.report(
            ctx,
            &[MESSAGE_DISABLED as i32],
            "disabled",
            format!(
                "{} uses {}, which protovalidate has removed; remove it (to skip a field, use (buf.validate.field).ignore = IGNORE_ALWAYS).",
                scope.subject,
                scope.rule("disabled")
            ),
        );
    }
    cel::check(ctx, &scope, rules, MESSAGE_CEL, MESSAGE_CEL_EXPRESSION);
    oneof_rules(ctx, &scope, message, rules);
}

/// `(buf.validate.message).oneof`: each entry names at least one field, each field once, only
/// fields of the message, and no field is in two entries.
fn oneof_rules(ctx: &mut LintCtx, scope: &Scope, message: &MessageDescriptor, rules: &Msg) {
    let mut entries_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let name = scope.rule("oneof");
    for (index, entry) in rules.messages(MESSAGE_ONEOF).iter().enumerate() {
        let at = [MESSAGE_ONEOF as i32, index as i32];
        let fields: Vec<String> = entry
            .all_bytes(1)
            .into_iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        if fields.is_empty() {
            scope.report(
                ctx,
                &at,
                &format!("oneof[{index}]"),
                format!("{} has a {name} rule that names no fields.", scope.subject),
            );
            continue;
        }
        for (i, field) in fields.iter().enumerate() {
            if fields[..i].contains(field) {
                scope.report(
                    ctx,
                    &at,
                    &format!("oneof[{index}]#{field}"),
                    format!(
                        "{} has a {name} rule that names the field \"{field}\" more than once.",
                        scope.subject
                    ),
                );
                continue;
            }
            if message.get_field_by_name(field).is_none() {
                scope.report(
                    ctx,
                    &at,
                    &format!("oneof[{index}]#{field}"),
                    format!(
                        "{} has a {name} rule that names the field \"{field}\", which the message does not have.",
                        scope.subject
                    ),
                );
                continue;
            }
            entries_of.entry(field.clone()).or_default().push(index);
        }
    }
    for (field, entries) in entries_of {
        if entries.len() < 2 {
            continue;
        }
        scope.report(
            ctx,
            &[MESSAGE_ONEOF as i32, entries[1] as i32],
            &format!("oneof#{field}"),
            format!(
                "{} names the field \"{field}\" in {} {name} rules; a field may be in one at most.",
                scope.subject,
                entries.len()
            ),
        );
    }
}

//! ENUM_VALUE_NO_DELETE: every number an enum gave a value still has a value (a renamed value,
//! or one alias of several removed, keeps its number and is not a deletion). The relaxed
//! `_UNLESS_NUMBER_RESERVED` and `_UNLESS_NAME_RESERVED` variants share [`deleted_values`].

use prost_reflect::{EnumDescriptor, EnumValueDescriptor};

use super::{at_enum, enum_value_phrase, moved_value_number, quoted_names, reserved_statements};
use crate::fix::Reserve;
use crate::pairs::values_by_number;
use crate::rules::Ctx;
use crate::schema::resolved::enum_default;
use crate::schema::Schema;

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    deleted_values(ctx, old, new, |_, _| Some(String::new()));
}

/// Reports each number of `old` that `new` has no value for. `unreserved` gets the number and its
/// previous names and returns what the deletion left unreserved, as a phrase appended to the
/// message (` without reserving the number 2`; empty when the rule does not care), or `None` if
/// the deletion is allowed.
pub(crate) fn deleted_values(
    ctx: &mut Ctx,
    old: &EnumDescriptor,
    new: &EnumDescriptor,
    unreserved: impl Fn(i32, &[EnumValueDescriptor]) -> Option<String>,
) {
    let default = enum_default(ctx.old, old).map(|v| v.number());
    for (number, mut values) in values_by_number(old) {
        if new.get_value(number).is_some() {
            continue;
        }
        // prost-reflect lists aliases of a number latest first; name them as declared (the last
        // path component is the declaration index).
        values.sort_by_key(|v| v.path().last().copied());
        let Some(unreserved) = unreserved(number, &values) else {
            continue;
        };
        let mut message = format!(
            "Previously present enum value {} was deleted{unreserved}",
            values_phrase(number, &values)
        );
        if let [value] = &values[..] {
            message.push_str(&moved_value_number(value, old, new));
        }
        if default == Some(number) {
            // Deleting the default changes what every unset field of this enum reads as.
            message
                .push_str("; it was the default of the enum, the value every unset field reads as");
        }
        message.push('.');
        let (help, fix) = reserve_help(ctx.new, number, &values, new);
        let finding = ctx.deleted(message, at_enum(ctx.new, new), ctx.old.locate(&values[0]));
        finding.help = Some(help);
        finding.fix = fix;
    }
}

/// `"STATUS_DONE" (2) on enum "acme.v1.Status"`, with aliases:
/// `"STATUS_DONE" (2, also named "STATUS_FINISHED") on enum "acme.v1.Status"`.
fn values_phrase(number: i32, values: &[EnumValueDescriptor]) -> String {
    match values {
        [value] => enum_value_phrase(value),
        [value, aliases @ ..] => format!(
            "\"{}\" ({number}, also named {}) on enum \"{}\"",
            value.name(),
            quoted_names(aliases),
            value.parent_enum().full_name()
        ),
        [] => unreachable!("a number is grouped with at least one value"),
    }
}

/// Names among `values` that `current` does not reserve.
pub(crate) fn unreserved_names(
    values: &[EnumValueDescriptor],
    current: &EnumDescriptor,
) -> Vec<EnumValueDescriptor> {
    values
        .iter()
        .filter(|v| !current.reserved_names().any(|n| n == v.name()))
        .cloned()
        .collect()
}

/// Returns `true` if `current` reserves `number`.
pub(crate) fn reserves_number(current: &EnumDescriptor, number: i32) -> bool {
    current.reserved_ranges().any(|r| r.contains(&number))
}

/// Help for a deleted value: the `reserved` statements that keep its number and names from being
/// reused, leaving out what the current enum already reserves; and the same as a fix.
fn reserve_help(
    schema: &Schema,
    number: i32,
    values: &[EnumValueDescriptor],
    current: &EnumDescriptor,
) -> (String, Option<Reserve>) {
    let numbers: Vec<i32> = if reserves_number(current, number) {
        Vec::new()
    } else {
        vec![number]
    };
    // A name another value now has cannot be reserved (protoc rejects the conflict).
    let names: Vec<String> = unreserved_names(values, current)
        .into_iter()
        .filter(|v| current.get_value_by_name(v.name()).is_none())
        .map(|v| v.name().to_owned())
        .collect();
    let missing = reserved_statements(schema, &current.parent_file(), &numbers, &names);
    let help = if missing.is_empty() {
        format!(
            "the number and {} reserved, so they cannot be reused; if only wire and JSON compatibility matter to you, use the WIRE_JSON or WIRE category, whose deletion rules accept reserved values",
            if values.len() > 1 { "names are" } else { "name are" }
        )
    } else {
        format!(
            "if the value is no longer needed, reserve what it used so that nothing can reuse it: add `{}` to enum \"{}\"",
            missing.join(" "),
            current.name()
        )
    };
    (help, Reserve::new(schema, current, numbers, names))
}

//! `(buf.validate.field)` rules: rules of the wrong type for the field, contradictory or
//! redundant bounds and lengths, `required`/`ignore` combinations that cannot hold, patterns that
//! do not compile, and the items, keys and values rules of repeated and map fields.

use prost_reflect::Kind;

use super::super::LintCtx;
use super::cel;
use super::scope::Scope;
use super::values;
use super::wire::{Msg, Scalar};

/// `FieldRules` field numbers.
const CEL: u32 = 23;
const CEL_EXPRESSION: u32 = 29;
const REQUIRED: u32 = 25;
const IGNORE: u32 = 27;
/// Rules protovalidate removed (reserved in today's `FieldRules`), with their replacement.
const REMOVED: &[(u32, &str, &str)] = &[
    (24, "skipped", "ignore = IGNORE_ALWAYS"),
    (26, "ignore_empty", "ignore = IGNORE_IF_ZERO_VALUE"),
];
/// `Ignore` values.
const IGNORE_IF_ZERO_VALUE: u64 = 1;
const IGNORE_ALWAYS: u64 = 3;

/// The member of `FieldRules`' `type` oneof: which kind of field the rules are for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Type {
    Number(Scalar),
    Bool,
    String,
    Bytes,
    Enum,
    Repeated,
    Map,
    Any,
    Duration,
    Timestamp,
    FieldMask,
}

/// `FieldRules.type`: field number, name, kind.
const TYPES: &[(u32, &str, Type)] = &[
    (1, "float", Type::Number(Scalar::Float)),
    (2, "double", Type::Number(Scalar::Double)),
    (3, "int32", Type::Number(Scalar::Int32)),
    (4, "int64", Type::Number(Scalar::Int64)),
    (5, "uint32", Type::Number(Scalar::Uint32)),
    (6, "uint64", Type::Number(Scalar::Uint64)),
    (7, "sint32", Type::Number(Scalar::Sint32)),
    (8, "sint64", Type::Number(Scalar::Sint64)),
    (9, "fixed32", Type::Number(Scalar::Fixed32)),
    (10, "fixed64", Type::Number(Scalar::Fixed64)),
    (11, "sfixed32", Type::Number(Scalar::Sfixed32)),
    (12, "sfixed64", Type::Number(Scalar::Sfixed64)),
    (13, "bool", Type::Bool),
    (14, "string", Type::String),
    (15, "bytes", Type::Bytes),
    (16, "enum", Type::Enum),
    (18, "repeated", Type::Repeated),
    (19, "map", Type::Map),
    (20, "any", Type::Any),
    (21, "duration", Type::Duration),
    (22, "timestamp", Type::Timestamp),
    (28, "field_mask", Type::FieldMask),
];

/// The value the rules apply to: the field itself, or its items, map keys or map values.
pub struct Target {
    pub kind: Kind,
    /// The field holds many values (repeated or map) and the rules are for the field itself.
    pub many: bool,
    pub is_list: bool,
    pub is_map: bool,
    /// Explicit presence (only for the field itself).
    pub presence: bool,
    /// A member of a real (not synthetic) oneof.
    pub in_oneof: bool,
    /// How messages name the value's type: `int32`, `repeated string`, `map<string, int32>`.
    pub type_name: String,
}

impl Target {
    fn element(kind: Kind) -> Target {
        let type_name = kind_name(&kind);
        Target {
            kind,
            many: false,
            is_list: false,
            is_map: false,
            presence: false,
            in_oneof: false,
            type_name,
        }
    }
}

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(m) => m.full_name().to_owned(),
        Kind::Enum(e) => e.full_name().to_owned(),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

/// Checks one `FieldRules` message for `target`.
pub fn check(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, target: &Target) {
    for &(number, name, instead) in REMOVED {
        if rules.has(number) {
            scope.report(
                ctx,
                &[number as i32],
                name,
                format!(
                    "{} uses {}, which protovalidate has removed; write {} instead.",
                    scope.subject,
                    scope.rule(name),
                    scope.rule(instead)
                ),
            );
        }
    }
    flags(ctx, scope, rules, target);
    cel::check(ctx, scope, rules, CEL, CEL_EXPRESSION);
    // `type` is a oneof: the last member written wins.
    let Some((number, name, ty)) = rules
        .fields
        .iter()
        .rev()
        .find_map(|(n, _)| TYPES.iter().find(|(t, _, _)| t == n))
        .copied()
    else {
        return;
    };
    let Some(typed) = rules.message(number) else {
        return;
    };
    let typed_scope = scope.nested(&[number as i32], name);
    match ty {
        Type::Repeated => return repeated(ctx, scope, &typed_scope, &typed, target),
        Type::Map => return map(ctx, scope, &typed_scope, &typed, target),
        _ => {}
    }
    if target.many || !matches(ty, &target.kind) {
        let what = if target.many && (target.is_map || target.is_list) {
            format!("repeated {}", target.type_name)
        } else {
            target.type_name.clone()
        };
        let help = if target.is_list && target.many {
            format!(
                "; rules for its items go in {}",
                scope.rule("repeated.items")
            )
        } else {
            String::new()
        };
        scope.report(
            ctx,
            &[number as i32],
            name,
            format!(
                "{} is of type {what} but has {} rules{help}.",
                scope.subject,
                scope.rule(name)
            ),
        );
        return;
    }
    match ty {
        Type::Number(scalar) => values::numbers(ctx, &typed_scope, &typed, scalar),
        Type::Duration => values::durations(ctx, &typed_scope, &typed),
        Type::Timestamp => values::timestamps(ctx, &typed_scope, &typed),
        Type::String => values::strings(ctx, &typed_scope, &typed),
        Type::Bytes => values::bytes(ctx, &typed_scope, &typed),
        Type::Enum => {
            values::const_alone(ctx, &typed_scope, &typed, 1);
            values::in_not_in_ints(ctx, &typed_scope, &typed, 3, 4, Scalar::Int32);
        }
        Type::Any => values::in_not_in_strings(ctx, &typed_scope, &typed, 2, 3),
        Type::FieldMask => {
            values::const_alone(ctx, &typed_scope, &typed, 1);
            values::in_not_in_strings(ctx, &typed_scope, &typed, 2, 3);
        }
        Type::Bool | Type::Repeated | Type::Map => {}
    }
}

/// `required` and `ignore`: combinations that cannot be what the author meant.
fn flags(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, target: &Target) {
    let required = rules.flag(REQUIRED);
    let ignore = rules.varint(IGNORE);
    if required && target.in_oneof {
        scope.report(
            ctx,
            &[REQUIRED as i32],
            "required",
            format!(
                "{} is in a oneof but has {}; a oneof member cannot be required (put (buf.validate.oneof).required on the oneof instead).",
                scope.subject,
                scope.rule("required")
            ),
        );
    }
    if ignore == Some(IGNORE_ALWAYS) && rules.numbers().len() > 1 {
        scope.report(
            ctx,
            &[IGNORE as i32],
            "ignore",
            format!(
                "{} has {} = IGNORE_ALWAYS, so its other rules are never applied; remove them.",
                scope.subject,
                scope.rule("ignore")
            ),
        );
    }
    if required && ignore == Some(IGNORE_IF_ZERO_VALUE) {
        scope.report(
            ctx,
            &[IGNORE as i32],
            "ignore#required",
            format!(
                "{} has both {} and {} = IGNORE_IF_ZERO_VALUE; a required field cannot be empty, so the two contradict each other.",
                scope.subject,
                scope.rule("required"),
                scope.rule("ignore")
            ),
        );
    } else if ignore == Some(IGNORE_IF_ZERO_VALUE) && target.presence {
        scope.report(
            ctx,
            &[IGNORE as i32],
            "ignore",
            format!(
                "{} tracks presence, so {} = IGNORE_IF_ZERO_VALUE is what protovalidate does anyway; remove it.",
                scope.subject,
                scope.rule("ignore")
            ),
        );
    }
}

/// Returns `true` if rules of type `ty` apply to a value of `kind`: the scalar itself, its
/// wrapper message, or the well-known type.
fn matches(ty: Type, kind: &Kind) -> bool {
    let message = match kind {
        Kind::Message(m) => Some(m.full_name()),
        _ => None,
    };
    let wrapper = |name: &str| message == Some(name);
    match ty {
        Type::Number(scalar) => match (scalar, kind) {
            (Scalar::Float, Kind::Float) | (Scalar::Double, Kind::Double) => true,
            (Scalar::Int32, Kind::Int32) | (Scalar::Int64, Kind::Int64) => true,
            (Scalar::Uint32, Kind::Uint32) | (Scalar::Uint64, Kind::Uint64) => true,
            (Scalar::Sint32, Kind::Sint32) | (Scalar::Sint64, Kind::Sint64) => true,
            (Scalar::Fixed32, Kind::Fixed32) | (Scalar::Fixed64, Kind::Fixed64) => true,
            (Scalar::Sfixed32, Kind::Sfixed32) | (Scalar::Sfixed64, Kind::Sfixed64) => true,
            (Scalar::Float, _) => wrapper("google.protobuf.FloatValue"),
            (Scalar::Double, _) => wrapper("google.protobuf.DoubleValue"),
            (Scalar::Int32, _) => wrapper("google.protobuf.Int32Value"),
            (Scalar::Int64, _) => wrapper("google.protobuf.Int64Value"),
            (Scalar::Uint32, _) => wrapper("google.protobuf.UInt32Value"),
            (Scalar::Uint64, _) => wrapper("google.protobuf.UInt64Value"),
            _ => false,
        },
        Type::Bool => matches!(kind, Kind::Bool) || wrapper("google.protobuf.BoolValue"),
        Type::String => matches!(kind, Kind::String) || wrapper("google.protobuf.StringValue"),
        Type::Bytes => matches!(kind, Kind::Bytes) || wrapper("google.protobuf.BytesValue"),
        Type::Enum => matches!(kind, Kind::Enum(_)),
        Type::Any => wrapper("google.protobuf.Any"),
        Type::Duration => wrapper("google.protobuf.Duration"),
        Type::Timestamp => wrapper("google.protobuf.Timestamp"),
        Type::FieldMask => wrapper("google.protobuf.FieldMask"),
        Type::Repeated | Type::Map => false,
    }
}

/// `RepeatedRules`: min_items 1, max_items 2, unique 3, items 4.
fn repeated(ctx: &mut LintCtx, scope: &Scope, typed: &Scope, rules: &Msg, target: &Target) {
    if !(target.many && target.is_list) {
        scope.report(
            ctx,
            &[18],
            "repeated",
            format!(
                "{} is not a repeated field ({}) but has {} rules.",
                scope.subject,
                target.type_name,
                scope.rule("repeated")
            ),
        );
        return;
    }
    if rules.flag(3) {
        if let Kind::Message(m) = &target.kind {
            if !WRAPPERS.contains(&m.full_name()) {
                typed.report(
                    ctx,
                    &[3],
                    "unique",
                    format!(
                        "{} is a repeated {} but has {}; uniqueness is only defined for scalars and wrapper types.",
                        scope.subject,
                        m.full_name(),
                        typed.rule("unique")
                    ),
                );
            }
        }
    }
    values::min_max(ctx, typed, rules, (1, "min_items"), (2, "max_items"));
    if let Some(items) = rules.message(4) {
        let items_scope = typed.nested(&[4], "items");
        required_on_element(ctx, &items_scope, &items, "repeated items");
        check(
            ctx,
            &items_scope,
            &items,
            &Target::element(target.kind.clone()),
        );
    }
}

/// `MapRules`: min_pairs 1, max_pairs 2, keys 4, values 5.
fn map(ctx: &mut LintCtx, scope: &Scope, typed: &Scope, rules: &Msg, target: &Target) {
    let entry = match &target.kind {
        Kind::Message(entry) if target.is_map => entry.clone(),
        _ => {
            scope.report(
                ctx,
                &[19],
                "map",
                format!(
                    "{} is not a map ({}) but has {} rules.",
                    scope.subject,
                    target.type_name,
                    scope.rule("map")
                ),
            );
            return;
        }
    };
    values::min_max(ctx, typed, rules, (1, "min_pairs"), (2, "max_pairs"));
    for (number, name, field) in [
        (4, "keys", entry.map_entry_key_field()),
        (5, "values", entry.map_entry_value_field()),
    ] {
        if let Some(nested) = rules.message(number) {
            let nested_scope = typed.nested(&[number as i32], name);
            required_on_element(ctx, &nested_scope, &nested, &format!("map {name}"));
            let mut element = Target::element(field.kind());
            element.type_name = format!(
                "{} (its map {name} are {})",
                target.type_name, element.type_name
            );
            check(ctx, &nested_scope, &nested, &element);
        }
    }
}

/// `required` on repeated items or map keys/values: every element is set, so it means nothing.
fn required_on_element(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, what: &str) {
    if rules.flag(REQUIRED) {
        scope.report(
            ctx,
            &[REQUIRED as i32],
            "required",
            format!(
                "{} has {}, which cannot be enforced: {what} are always set.",
                scope.subject,
                scope.rule("required")
            ),
        );
    }
}

/// The wrapper types, which (like scalars) `repeated.unique` can compare.
const WRAPPERS: &[&str] = &[
    "google.protobuf.DoubleValue",
    "google.protobuf.FloatValue",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
];

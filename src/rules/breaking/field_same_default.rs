//! FIELD_SAME_DEFAULT: a singular scalar, string, bytes or enum field keeps the value it reads as
//! when unset — its `[default = ...]`, or the type's default when none is given. Defaults are
//! compared as values, so `1.0` and `1` are the same double, and an enum default by number.

use prost_reflect::{Kind, Value};

use super::{at_option, subject};
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::resolved::enum_default;
use crate::schema::Schema;

/// `FieldDescriptorProto.default_value`.
const DEFAULT_VALUE: [i32; 1] = [7];

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    let (Some(was), Some(now)) = (
        FieldDefault::of(ctx.old, old),
        FieldDefault::of(ctx.new, new),
    ) else {
        return;
    };
    // Two zero values are the same absence of a default, whatever the types (as buf decides).
    if (was.value.is_zero() && now.value.is_zero()) || was.value.same(&now.value) {
        return;
    }
    let finding = ctx.changed(
        format!(
            "{} changed default value from {} to {}: readers of the two revisions see different values for a message that leaves it unset.",
            subject(new, true),
            was.describe(),
            now.describe()
        ),
        at_option(ctx.new, new, now.explicit, &DEFAULT_VALUE),
        at_option(ctx.old, old, was.explicit, &DEFAULT_VALUE),
    );
    finding.help = Some(if now.explicit && !was.explicit {
        format!(
            "keep the previous default: remove `[default = {}]` from field \"{}\" ({})",
            now.literal,
            new.name(),
            new.number()
        )
    } else {
        format!(
            "keep the previous default by declaring it: `[default = {}]` on field \"{}\" ({})",
            was.literal,
            new.name(),
            new.number()
        )
    });
}

/// What an unset field reads as, and how to write it.
struct FieldDefault {
    value: Comparable,
    /// As a `.proto` file writes it after `default =`.
    literal: String,
    /// The field declares `[default = ...]`.
    explicit: bool,
}

impl FieldDefault {
    /// `None` for fields that cannot have a default: repeated fields, maps and messages.
    fn of(schema: &Schema, field: &impl FieldLike) -> Option<FieldDefault> {
        if field.is_list() || field.is_map() {
            return None;
        }
        let explicit = field.field_descriptor_proto().default_value.is_some();
        let (value, literal) = match (field.kind(), field.default_value()) {
            (Kind::Message(_), _) => return None,
            // An explicit enum default names a value; otherwise the enum decides.
            (Kind::Enum(_), Value::EnumNumber(n)) if explicit => (
                Comparable::Int(n.into()),
                field.field_descriptor_proto().default_value().to_owned(),
            ),
            (Kind::Enum(enum_), _) => {
                let value = enum_default(schema, &enum_)?;
                (
                    Comparable::Int(value.number().into()),
                    value.name().to_owned(),
                )
            }
            (_, Value::Bool(b)) => (Comparable::Int(b.into()), b.to_string()),
            (_, Value::I32(n)) => (Comparable::Int(n.into()), n.to_string()),
            (_, Value::I64(n)) => (Comparable::Int(n.into()), n.to_string()),
            (_, Value::U32(n)) => (Comparable::Int(n.into()), n.to_string()),
            (_, Value::U64(n)) => (Comparable::Int(n.into()), n.to_string()),
            (_, Value::F32(x)) => (
                Comparable::F32(x),
                float_literal(x.into(), &format!("{x:?}")),
            ),
            (_, Value::F64(x)) => (Comparable::F64(x), float_literal(x, &format!("{x:?}"))),
            (_, Value::String(s)) => {
                let literal = quote(s.chars().map(Ok));
                (Comparable::Bytes(s.into_bytes()), literal)
            }
            (_, Value::Bytes(b)) => {
                let literal = quote(
                    b.iter()
                        .map(|&b| if b.is_ascii() { Ok(b.into()) } else { Err(b) }),
                );
                (Comparable::Bytes(b.to_vec()), literal)
            }
            _ => return None,
        };
        Some(FieldDefault {
            value,
            literal,
            explicit,
        })
    }

    fn describe(&self) -> String {
        if self.explicit {
            self.literal.clone()
        } else {
            format!("{} (implicit)", self.literal)
        }
    }
}

/// A default reduced to what buf compares: string and bytes by content; bool, integers and
/// enum numbers as exact integers; floats as themselves.
enum Comparable {
    Bytes(Vec<u8>),
    Int(i128),
    F32(f32),
    F64(f64),
}

impl Comparable {
    /// Returns `true` for the zero value of its type. `-0.0` and NaN are not zero (as in Go).
    fn is_zero(&self) -> bool {
        match self {
            Comparable::Bytes(b) => b.is_empty(),
            Comparable::Int(n) => *n == 0,
            Comparable::F32(x) => x.to_bits() == 0,
            Comparable::F64(x) => x.to_bits() == 0,
        }
    }

    /// Returns `true` if both are the same value. A float changed to a double (or back) compares
    /// at float precision, so `0.1` stays `0.1`; NaN equals NaN.
    fn same(&self, other: &Comparable) -> bool {
        use Comparable::*;
        match (self, other) {
            (Bytes(a), Bytes(b)) => a == b,
            (Bytes(_), _) | (_, Bytes(_)) => false,
            (F32(a), F64(b)) | (F64(b), F32(a)) => (a.is_nan() && b.is_nan()) || *a == *b as f32,
            (a, b) => match (a.number(), b.number()) {
                (Number::NaN, Number::NaN) => true,
                (Number::Int(a), Number::Int(b)) => a == b,
                (Number::Float(a), Number::Float(b)) => a == b,
                (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                    f.is_finite() && f.fract() == 0.0 && f.abs() < 1e38 && f as i128 == i
                }
                _ => false,
            },
        }
    }

    fn number(&self) -> Number {
        match *self {
            Comparable::Int(n) => Number::Int(n),
            Comparable::F32(x) if x.is_nan() => Number::NaN,
            Comparable::F64(x) if x.is_nan() => Number::NaN,
            Comparable::F32(x) => Number::Float(x.into()),
            Comparable::F64(x) => Number::Float(x),
            Comparable::Bytes(_) => Number::NaN,
        }
    }
}

enum Number {
    Int(i128),
    Float(f64),
    NaN,
}

/// A float as `.proto` writes it: `inf`, `-inf`, `nan`, else Rust's shortest round-trip form.
fn float_literal(x: f64, shortest: &str) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        shortest.to_owned()
    }
}

/// A string or bytes value as a `.proto` string literal: characters as they are, control
/// characters and raw bytes (`Err`) escaped. A single quote is escaped too, so that messages never
/// contain one.
fn quote(units: impl Iterator<Item = Result<char, u8>>) -> String {
    let mut out = String::from("\"");
    for unit in units {
        match unit {
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\r') => out.push_str("\\r"),
            Ok('\t') => out.push_str("\\t"),
            Ok(c) if c == '\'' || c.is_ascii_control() => {
                out.push_str(&format!("\\x{:02X}", u32::from(c)))
            }
            Ok(c) => out.push(c),
            Err(b) => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::Comparable::*;

    #[test]
    fn compares_values_across_types_as_buf_does() {
        assert!(Int(1).same(&F64(1.0)));
        assert!(!Int(1).same(&F64(1.5)));
        assert!(Int(u64::MAX.into()).same(&Int(u64::MAX.into())));
        assert!(
            !Int(i64::MAX.into()).same(&F64(i64::MAX as f64)),
            "no rounding"
        );
        assert!(F32(0.1).same(&F64(0.1)), "float widened to double");
        assert!(!F64(0.1).same(&F64(0.1000001)));
        assert!(F64(f64::NAN).same(&F32(f32::NAN)));
        assert!(!F64(f64::NAN).same(&F64(0.0)));
        assert!(F64(-0.0).same(&F64(0.0)));
        assert!(
            !Bytes(b"1".to_vec()).same(&Int(1)),
            "a string never equals a number"
        );
    }

    #[test]
    fn zero_is_the_zero_value_of_the_type() {
        assert!(Int(0).is_zero() && F64(0.0).is_zero() && Bytes(Vec::new()).is_zero());
        assert!(!F64(-0.0).is_zero() && !F32(f32::NAN).is_zero());
    }
}

//! ENUM_ZERO_VALUE_NO_ALIAS: no other value shares number 0 (`allow_alias` making
//! `X_UNSPECIFIED = 0; X_ACTIVE = 0;`). protoguard's own rule (ENUM_ZERO_VALUE category).

use prost_reflect::EnumDescriptor;

use super::zero_value::zero;
use super::LintCtx;

/// `EnumValueDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    let Some(zero) = zero(enum_) else {
        return;
    };
    for alias in enum_
        .values()
        .filter(|v| v.number() == 0 && v.name() != zero.name())
    {
        let at = ctx.schema.locate_part(&alias, &[NAME]);
        ctx.report(
            format!(
                "Value \"{}\" of enum \"{}\" aliases the zero value \"{}\", so setting it cannot be told from leaving the field unset.",
                alias.name(),
                enum_.full_name(),
                zero.name()
            ),
            at,
            alias.full_name().to_owned(),
        );
    }
}

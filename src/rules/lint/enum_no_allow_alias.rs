//! ENUM_NO_ALLOW_ALIAS: enums do not set `allow_alias` (buf's BASIC category).

use prost_reflect::EnumDescriptor;

use super::LintCtx;

/// `EnumDescriptorProto.options` and `EnumOptions.allow_alias`.
const OPTIONS: i32 = 3;
const ALLOW_ALIAS: i32 = 2;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    let allowed = enum_
        .enum_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.allow_alias)
        .unwrap_or(false);
    if !allowed {
        return;
    }
    let at = ctx.schema.locate_path(enum_, &[OPTIONS, ALLOW_ALIAS]);
    ctx.report(
        format!(
            "Enum \"{}\" sets allow_alias, so one number has several names.",
            enum_.full_name()
        ),
        at,
        enum_.full_name().to_owned(),
    );
}

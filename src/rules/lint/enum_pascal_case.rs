//! ENUM_PASCAL_CASE: Enum names are PascalCase (buf's BASIC category).

use prost_reflect::EnumDescriptor;

use super::naming_rule::{self, PASCAL};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, enum_: &EnumDescriptor) {
    naming_rule::check(ctx, enum_, "Enum", enum_.name(), enum_.full_name(), &PASCAL);
}

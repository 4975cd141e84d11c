//! ENUM_VALUE_SAME_NAME: PLACEHOLDER — not implemented yet.

use crate::pairs::EnumValuePair;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _pair: &EnumValuePair) {}

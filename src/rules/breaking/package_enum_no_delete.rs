//! PACKAGE_ENUM_NO_DELETE: PLACEHOLDER — not implemented yet.

use crate::pairs::PackagePair;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _pair: &PackagePair) {}

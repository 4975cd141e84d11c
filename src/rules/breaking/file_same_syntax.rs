//! FILE_SAME_SYNTAX: PLACEHOLDER — not implemented yet.

use crate::pairs::FilePair;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _pair: &FilePair) {}

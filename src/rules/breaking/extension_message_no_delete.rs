//! EXTENSION_MESSAGE_NO_DELETE: PLACEHOLDER — not implemented yet.

use prost_reflect::MessageDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &MessageDescriptor, _new: &MessageDescriptor) {}

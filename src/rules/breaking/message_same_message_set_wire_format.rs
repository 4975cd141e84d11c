//! MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT: PLACEHOLDER — not implemented yet.

use prost_reflect::MessageDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &MessageDescriptor, _new: &MessageDescriptor) {}

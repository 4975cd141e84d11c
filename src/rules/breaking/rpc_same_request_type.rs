//! RPC_SAME_REQUEST_TYPE: PLACEHOLDER — not implemented yet.

use prost_reflect::MethodDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &MethodDescriptor, _new: &MethodDescriptor) {}

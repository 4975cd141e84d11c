//! RPC_NO_DELETE: PLACEHOLDER — not implemented yet.

use prost_reflect::ServiceDescriptor;

use crate::rules::Ctx;

pub fn check(_ctx: &mut Ctx, _old: &ServiceDescriptor, _new: &ServiceDescriptor) {}

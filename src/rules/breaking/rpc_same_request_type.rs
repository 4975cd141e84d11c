//! RPC_SAME_REQUEST_TYPE: an RPC keeps its request message, by fully-qualified name.

use prost_reflect::MethodDescriptor;

use crate::rules::Ctx;

// MethodDescriptorProto.input_type: the SourceCodeInfo path part of the request type.
const INPUT_TYPE: i32 = 2;

pub fn check(ctx: &mut Ctx, old: &MethodDescriptor, new: &MethodDescriptor) {
    let (was, now) = (old.input(), new.input());
    if was.full_name() == now.full_name() {
        return;
    }
    ctx.changed(
        format!(
            "RPC \"{}\" changed request type from \"{}\" to \"{}\".",
            new.full_name(),
            was.full_name(),
            now.full_name()
        ),
        ctx.new.locate_part(new, &[INPUT_TYPE]),
        ctx.old.locate_part(old, &[INPUT_TYPE]),
    );
}

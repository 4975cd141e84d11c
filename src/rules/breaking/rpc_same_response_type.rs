//! RPC_SAME_RESPONSE_TYPE: an RPC keeps its response message, by fully-qualified name.

use prost_reflect::MethodDescriptor;

use crate::rules::Ctx;

// MethodDescriptorProto.output_type: the SourceCodeInfo path part of the response type.
const OUTPUT_TYPE: i32 = 3;

pub fn check(ctx: &mut Ctx, old: &MethodDescriptor, new: &MethodDescriptor) {
    let (was, now) = (old.output(), new.output());
    if was.full_name() == now.full_name() {
        return;
    }
    ctx.changed(
        format!(
            "RPC \"{}\" changed response type from \"{}\" to \"{}\".",
            new.full_name(),
            was.full_name(),
            now.full_name()
        ),
        ctx.new.locate_part(new, &[OUTPUT_TYPE]),
        ctx.old.locate_part(old, &[OUTPUT_TYPE]),
    );
}

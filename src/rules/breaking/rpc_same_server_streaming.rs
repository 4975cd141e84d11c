//! RPC_SAME_SERVER_STREAMING: an RPC's response side stays a single message or stays a stream.

use prost_reflect::MethodDescriptor;

use super::rpc_same_client_streaming::changed_kind;
use crate::rules::Ctx;

// MethodDescriptorProto.output_type and .server_streaming: SourceCodeInfo path parts.
const OUTPUT_TYPE: i32 = 3;
const SERVER_STREAMING: i32 = 6;

pub fn check(ctx: &mut Ctx, old: &MethodDescriptor, new: &MethodDescriptor) {
    if old.is_server_streaming() == new.is_server_streaming() {
        return;
    }
    let consequence = if new.is_server_streaming() {
        "callers now receive a stream of responses instead of a single one"
    } else {
        "callers now receive a single response instead of a stream"
    };
    // The `stream` keyword where there is one, else the response type it would precede.
    let parts = [SERVER_STREAMING, OUTPUT_TYPE];
    ctx.changed(
        changed_kind(old, new, consequence),
        ctx.new.locate_part(new, &parts),
        ctx.old.locate_part(old, &parts),
    );
}

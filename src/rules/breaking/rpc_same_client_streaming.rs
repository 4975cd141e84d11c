//! RPC_SAME_CLIENT_STREAMING: an RPC's request side stays a single message or stays a stream.
//! The call-kind wording here is shared with RPC_SAME_SERVER_STREAMING.

use prost_reflect::MethodDescriptor;

use crate::rules::Ctx;

// MethodDescriptorProto.input_type and .client_streaming: SourceCodeInfo path parts.
const INPUT_TYPE: i32 = 2;
const CLIENT_STREAMING: i32 = 5;

pub fn check(ctx: &mut Ctx, old: &MethodDescriptor, new: &MethodDescriptor) {
    if old.is_client_streaming() == new.is_client_streaming() {
        return;
    }
    let consequence = if new.is_client_streaming() {
        "callers must now send a stream of requests instead of a single one"
    } else {
        "callers must now send a single request instead of a stream"
    };
    // The `stream` keyword where there is one, else the request type it would precede.
    let parts = [CLIENT_STREAMING, INPUT_TYPE];
    ctx.changed(
        changed_kind(old, new, consequence),
        ctx.new.locate_part(new, &parts),
        ctx.old.locate_part(old, &parts),
    );
}

/// How an RPC is called, in gRPC's terms.
pub(crate) fn call_kind(method: &MethodDescriptor) -> &'static str {
    match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, false) => "unary",
        (true, false) => "client streaming",
        (false, true) => "server streaming",
        (true, true) => "bidirectional streaming",
    }
}

/// `RPC "acme.v1.S.M" changed from unary to server streaming: <consequence>, so ...`.
pub(crate) fn changed_kind(
    old: &MethodDescriptor,
    new: &MethodDescriptor,
    consequence: &str,
) -> String {
    format!(
        "RPC \"{}\" changed from {} to {}: {consequence}, so every generated client stub and server handler for it changes signature.",
        new.full_name(),
        call_kind(old),
        call_kind(new)
    )
}

//! RPC_REQUEST_STANDARD_NAME and RPC_RESPONSE_STANDARD_NAME: an RPC's request is named
//! `<Method>Request` or `<Service><Method>Request` (and the response likewise), so that each RPC
//! owns its messages and can evolve them alone. `google.protobuf.Empty` passes when the options
//! allow it, and so does a message that is both request and response when
//! `rpc_allow_same_request_response` is set, as in buf.

use prost_reflect::{MessageDescriptor, MethodDescriptor};

use super::LintCtx;

/// `MethodDescriptorProto.input_type` and `.output_type`.
const INPUT_TYPE: i32 = 2;
const OUTPUT_TYPE: i32 = 3;

pub(crate) const EMPTY: &str = "google.protobuf.Empty";

pub(crate) fn check(ctx: &mut LintCtx, method: &MethodDescriptor, request: bool) {
    let (message, kind, part, allow_empty): (MessageDescriptor, &str, i32, bool) = if request {
        (
            method.input(),
            "Request",
            INPUT_TYPE,
            ctx.options.rpc_allow_google_protobuf_empty_requests,
        )
    } else {
        (
            method.output(),
            "Response",
            OUTPUT_TYPE,
            ctx.options.rpc_allow_google_protobuf_empty_responses,
        )
    };
    if allow_empty && message.full_name() == EMPTY {
        return;
    }
    if ctx.options.rpc_allow_same_request_response
        && method.input().full_name() == method.output().full_name()
    {
        return;
    }
    let short = format!("{}{kind}", method.name());
    let long = format!("{}{}{kind}", method.parent_service().name(), method.name());
    if message.name() == short || message.name() == long {
        return;
    }
    let at = ctx.schema.locate_part(method, &[part]);
    ctx.report(
        format!(
            "{kind} type \"{}\" of RPC \"{}\" is not named \"{short}\" or \"{long}\".",
            message.full_name(),
            method.full_name()
        ),
        at,
        method.full_name().to_owned(),
    );
}

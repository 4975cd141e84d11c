//! RPC_REQUEST_RESPONSE_UNIQUE: each message is the request or response of one RPC only, and an
//! RPC's request and response differ (buf's STANDARD category). Sharing a message between RPCs
//! ties their evolution together. `google.protobuf.Empty` may be shared when the options allow
//! it, and request = response when `rpc_allow_same_request_response` is set, as in buf.
//! Uses are counted over every checked file of the revision.

use std::collections::BTreeMap;

use prost_reflect::MethodDescriptor;

use super::rpc_standard_name::EMPTY;
use super::LintCtx;

pub fn check(ctx: &mut LintCtx) {
    // Every use of a message as request or response, in file and declaration order.
    let mut uses: BTreeMap<String, Vec<MethodDescriptor>> = BTreeMap::new();
    for file in ctx.schema.files() {
        for service in file.services() {
            for method in service.methods() {
                let (input, output) = (method.input(), method.output());
                let same = input.full_name() == output.full_name();
                if same && !ctx.options.rpc_allow_same_request_response {
                    let at = ctx.schema.locate(&method);
                    ctx.report(
                        format!(
                            "RPC \"{}\" takes and returns the same message \"{}\".",
                            method.full_name(),
                            input.full_name()
                        ),
                        at,
                        format!("{}#same", method.full_name()),
                    );
                }
                let allowed = |name: &str, allow: bool| name == EMPTY && allow;
                if !allowed(
                    input.full_name(),
                    ctx.options.rpc_allow_google_protobuf_empty_requests,
                ) {
                    uses.entry(input.full_name().to_owned())
                        .or_default()
                        .push(method.clone());
                }
                if !same
                    && !allowed(
                        output.full_name(),
                        ctx.options.rpc_allow_google_protobuf_empty_responses,
                    )
                {
                    uses.entry(output.full_name().to_owned())
                        .or_default()
                        .push(method.clone());
                }
            }
        }
    }
    for (message, methods) in uses {
        if methods.len() < 2 {
            continue;
        }
        let names: Vec<String> = methods
            .iter()
            .map(|m| format!("\"{}\"", m.full_name()))
            .collect();
        for method in &methods {
            let at = ctx.schema.locate(method);
            ctx.report(
                format!(
                    "Message \"{message}\" is the request or response of several RPCs: {}.",
                    names.join(", ")
                ),
                at,
                format!("{}#{message}", method.full_name()),
            );
        }
    }
}

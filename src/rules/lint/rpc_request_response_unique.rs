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
        for method in &methods {
            let others: Vec<&MethodDescriptor> = methods.iter().filter(|m| *m != method).collect();
            let at = ctx.schema.locate(method);
            ctx.report(
                format!(
                    "Message \"{message}\" is also the request or response of {}.",
                    listed(&others)
                ),
                at,
                format!("{}#{message}", method.full_name()),
            );
        }
    }
}

/// How many other RPCs a finding names: a message shared by thousands of RPCs (an `Empty` in a
/// large tree) would otherwise make every one of its findings list all of them.
const LISTED: usize = 3;

/// `"a.S.M1"`, `"a.S.M1" and "a.S.M2"`, … `"a.S.M1", "a.S.M2", "a.S.M3" and 5 other RPCs`.
fn listed(methods: &[&MethodDescriptor]) -> String {
    let quoted = |m: &&MethodDescriptor| format!("\"{}\"", m.full_name());
    let names: Vec<String> = methods.iter().take(LISTED).map(quoted).collect();
    let rest = methods.len().saturating_sub(LISTED);
    match (names.split_last(), rest) {
        (None, _) => "no other RPC".to_owned(),
        (Some((last, [])), 0) => format!("RPC {last}"),
        (Some((last, init)), 0) => format!("RPCs {} and {last}", init.join(", ")),
        (Some(_), 1) => format!("RPCs {} and 1 other RPC", names.join(", ")),
        (Some(_), rest) => format!("RPCs {} and {rest} other RPCs", names.join(", ")),
    }
}

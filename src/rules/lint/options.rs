//! The options of lint rules, as buf.yaml's `lint:` section spells them (and protoguard.toml's
//! `[lint]` section, with the same names).

/// Options that change what lint rules accept. The defaults are buf's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// The suffix ENUM_ZERO_VALUE_SUFFIX requires of an enum's zero value (`_UNSPECIFIED`).
    pub enum_zero_value_suffix: String,
    /// Let RPC_REQUEST_RESPONSE_UNIQUE, RPC_REQUEST_STANDARD_NAME and RPC_RESPONSE_STANDARD_NAME
    /// accept one message as both request and response.
    pub rpc_allow_same_request_response: bool,
    /// Let RPCs take `google.protobuf.Empty` as request.
    pub rpc_allow_google_protobuf_empty_requests: bool,
    /// Let RPCs return `google.protobuf.Empty`.
    pub rpc_allow_google_protobuf_empty_responses: bool,
    /// The suffix SERVICE_SUFFIX requires of service names (`Service`).
    pub service_suffix: String,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            enum_zero_value_suffix: "_UNSPECIFIED".to_owned(),
            rpc_allow_same_request_response: false,
            rpc_allow_google_protobuf_empty_requests: false,
            rpc_allow_google_protobuf_empty_responses: false,
            service_suffix: "Service".to_owned(),
        }
    }
}

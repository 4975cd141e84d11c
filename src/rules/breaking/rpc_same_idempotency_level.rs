//! RPC_SAME_IDEMPOTENCY_LEVEL: an RPC keeps its `idempotency_level` option (unset is
//! `IDEMPOTENCY_UNKNOWN`), which clients and proxies use to decide how a call may be sent and
//! retried.

use prost_reflect::MethodDescriptor;
use prost_types::method_options::IdempotencyLevel;

use super::NAME;
use crate::finding::Location;
use crate::rules::Ctx;
use crate::schema::Schema;

// MethodDescriptorProto.options and MethodOptions.idempotency_level: SourceCodeInfo path parts.
const OPTIONS: i32 = 4;
const IDEMPOTENCY_LEVEL: i32 = 34;

pub fn check(ctx: &mut Ctx, old: &MethodDescriptor, new: &MethodDescriptor) {
    let (was, now) = (level(old), level(new));
    if was == now {
        return;
    }
    let effect = if was == Some(IdempotencyLevel::NoSideEffects) {
        "clients that send it as an HTTP GET, as Connect allows for calls without side effects, are now refused"
    } else if now == Some(IdempotencyLevel::NoSideEffects) {
        "clients generated from the new definition may send it as an HTTP GET (Connect), which servers built from the old one refuse"
    } else {
        "clients and proxies use it to decide whether a failed call may be retried"
    };
    let name = |l: Option<IdempotencyLevel>| l.map_or("IDEMPOTENCY_UNKNOWN", |l| l.as_str_name());
    ctx.changed(
        format!(
            "RPC \"{}\" changed option \"idempotency_level\" from \"{}\" to \"{}\": {effect}.",
            new.full_name(),
            name(was),
            name(now)
        ),
        at_level(ctx.new, new),
        at_level(ctx.old, old),
    );
}

/// The method's idempotency level; unset and `IDEMPOTENCY_UNKNOWN` are the same, as in buf.
fn level(method: &MethodDescriptor) -> Option<IdempotencyLevel> {
    let options = method.method_descriptor_proto().options.as_ref()?;
    match options.idempotency_level() {
        IdempotencyLevel::IdempotencyUnknown => None,
        level => Some(level),
    }
}

/// The option where it is written, else the RPC's name.
fn at_level(schema: &Schema, method: &MethodDescriptor) -> Location {
    let set = method
        .method_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.idempotency_level.is_some());
    if set {
        schema.locate_path(method, &[OPTIONS, IDEMPOTENCY_LEVEL])
    } else {
        schema.locate_part(method, &[NAME])
    }
}

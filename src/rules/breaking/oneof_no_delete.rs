//! ONEOF_NO_DELETE: every real oneof of a message still exists by name. The synthetic oneof
//! that wraps a proto3 `optional` field is not a oneof to users and is left out on both sides.

use prost_reflect::MessageDescriptor;

use super::{at_message, NAME};
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    for oneof in old.oneofs().filter(|o| !o.is_synthetic()) {
        if new
            .oneofs()
            .any(|o| !o.is_synthetic() && o.name() == oneof.name())
        {
            continue;
        }
        // Where the members went tells a rename from a dissolved oneof.
        let mut now_in: Vec<String> = Vec::new();
        let mut outside: Vec<String> = Vec::new();
        for field in oneof.fields() {
            let Some(current) = new.get_field(field.number()) else {
                continue;
            };
            match current.containing_oneof().filter(|o| !o.is_synthetic()) {
                Some(o) if !now_in.contains(&o.name().to_owned()) => {
                    now_in.push(o.name().to_owned())
                }
                Some(_) => {}
                None => outside.push(format!("\"{}\"", current.name())),
            }
        }
        let consequence = match (&now_in[..], &outside[..]) {
            ([renamed], []) => format!(
                "; its fields are now in oneof \"{renamed}\", so the generated accessors and case enum change name"
            ),
            ([], [field]) => format!("; its field {field} remains, now outside any oneof"),
            ([], [_, ..]) => format!(
                "; its fields {} remain, now outside any oneof, so they no longer exclude each other",
                outside.join(", ")
            ),
            _ => String::new(),
        };
        ctx.deleted(
            format!(
                "Previously present oneof \"{}\" on message \"{}\" was deleted{consequence}.",
                oneof.name(),
                old.full_name()
            ),
            at_message(ctx.new, new),
            ctx.old.locate_part(&oneof, &[NAME]),
        );
    }
}

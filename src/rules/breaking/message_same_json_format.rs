//! MESSAGE_SAME_JSON_FORMAT: a message that supports the JSON mapping keeps supporting it. Only a
//! change away from `ALLOW` is reported: gaining JSON support takes nothing away.

use prost_reflect::MessageDescriptor;

use super::at_message;
use crate::rules::Ctx;
use crate::schema::origin::{self, FeatureValue};
use crate::schema::resolved::{message_json_format, JsonFormat};

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    let (was, now) = (
        message_json_format(ctx.old, old),
        message_json_format(ctx.new, new),
    );
    if was != JsonFormat::Allow || now == JsonFormat::Allow {
        return;
    }
    ctx.changed(
        format!(
            "Message \"{}\" changed JSON format from \"{}\" to \"{}\": its JSON mapping is no longer guaranteed.{}",
            new.full_name(),
            was.name(),
            now.name(),
            origin::messages((ctx.old, old), (ctx.new, new), |f| f.json_format)
        ),
        at_message(ctx.new, new),
        at_message(ctx.old, old),
    );
}

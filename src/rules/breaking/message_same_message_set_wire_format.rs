//! MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT: a message keeps its `message_set_wire_format` option, which
//! decides whether its extensions are written in the legacy MessageSet encoding.

use prost_reflect::MessageDescriptor;

use super::at_option;
use crate::rules::Ctx;

/// `DescriptorProto.options`, then `MessageOptions.message_set_wire_format`.
const OPTION: [i32; 2] = [7, 1];

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    let (was, now) = (option(old), option(new));
    if was.unwrap_or(false) == now.unwrap_or(false) {
        return;
    }
    let consequence = if now.unwrap_or(false) {
        "its extensions are now written as MessageSet items, which readers of the previous revision cannot parse"
    } else {
        "its extensions are now written as ordinary fields, which readers of the previous revision cannot parse"
    };
    ctx.changed(
        format!(
            "Message \"{}\" changed option \"message_set_wire_format\" from \"{}\" to \"{}\": {consequence}.",
            new.full_name(),
            was.unwrap_or(false),
            now.unwrap_or(false)
        ),
        at_option(ctx.new, new, now.is_some(), &OPTION),
        at_option(ctx.old, old, was.is_some(), &OPTION),
    );
}

fn option(message: &MessageDescriptor) -> Option<bool> {
    message
        .descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.message_set_wire_format)
}

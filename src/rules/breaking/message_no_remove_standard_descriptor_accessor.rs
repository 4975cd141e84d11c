//! MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR: a message does not start setting
//! `no_standard_descriptor_accessor = true`, which removes the `descriptor()` accessor from
//! generated code. Only false or unset to true is reported: adding the accessor back is safe.

use prost_reflect::MessageDescriptor;

use super::at_option;
use crate::rules::Ctx;

/// `DescriptorProto.options`, then `MessageOptions.no_standard_descriptor_accessor`.
const OPTION: [i32; 2] = [7, 2];

pub fn check(ctx: &mut Ctx, old: &MessageDescriptor, new: &MessageDescriptor) {
    let (was, now) = (option(old), option(new));
    if was.unwrap_or(false) || !now.unwrap_or(false) {
        return;
    }
    ctx.changed(
        format!(
            "Message \"{}\" changed option \"no_standard_descriptor_accessor\" from \"false\" to \"true\": generated code no longer has its standard descriptor accessor.",
            new.full_name()
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
        .and_then(|o| o.no_standard_descriptor_accessor)
}

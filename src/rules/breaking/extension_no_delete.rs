//! EXTENSION_NO_DELETE: every extension a file declared (at file level or nested in a message)
//! is still declared in that file, under the same name relative to the package.

use prost_reflect::{ExtensionDescriptor, MessageDescriptor};

use super::message_no_delete::{deleted_from_file, name_in};
use crate::pairs::FilePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    let mut extensions: Vec<ExtensionDescriptor> = old.extensions().collect();
    let mut messages: Vec<MessageDescriptor> = old.messages().collect();
    while let Some(message) = messages.pop() {
        messages.extend(message.child_messages());
        extensions.extend(message.child_extensions());
    }
    for extension in extensions {
        let name = name_in(new, old, extension.full_name());
        let now_in = new
            .parent_pool()
            .get_extension_by_name(&name)
            .map(|e| e.parent_file());
        deleted_from_file(
            ctx,
            "extension",
            &extension,
            extension.full_name(),
            now_in,
            new,
            &name,
        );
    }
}

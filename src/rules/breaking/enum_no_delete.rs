//! ENUM_NO_DELETE: every enum a file declared (top-level or nested in a message) is still
//! declared in that file, under the same name relative to the package.

use prost_reflect::{EnumDescriptor, MessageDescriptor};

use super::message_no_delete::{deleted_from_file, name_in};
use crate::pairs::FilePair;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    let mut enums: Vec<EnumDescriptor> = old.enums().collect();
    let mut messages: Vec<MessageDescriptor> = old.messages().collect();
    while let Some(message) = messages.pop() {
        messages.extend(message.child_messages());
        enums.extend(message.child_enums());
    }
    for enum_ in enums {
        let name = name_in(new, old, enum_.full_name());
        let now_in = new
            .parent_pool()
            .get_enum_by_name(&name)
            .map(|e| e.parent_file());
        deleted_from_file(ctx, "enum", &enum_, enum_.full_name(), now_in, new, &name);
    }
}

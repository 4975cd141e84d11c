//! MESSAGE_PASCAL_CASE: Message names are PascalCase (buf's BASIC category).

use prost_reflect::MessageDescriptor;

use super::naming_rule::{self, PASCAL};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, message: &MessageDescriptor) {
    naming_rule::check(
        ctx,
        message,
        "Message",
        message.name(),
        message.full_name(),
        &PASCAL,
    );
}

//! FILE_SAME_SYNTAX: a file keeps its syntax (proto2, proto3 or editions), which decides presence,
//! enum openness, defaults and UTF-8 validation for everything in it.

use super::at_file_statement;
use crate::pairs::FilePair;
use crate::rules::Ctx;
use crate::schema::resolved::declared_syntax;

/// `FileDescriptorProto.syntax`.
const SYNTAX: i32 = 12;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    // A file without a `syntax` statement is proto2, as protoc and buf read it.
    let (was, now) = (declared_syntax(ctx.old, old), declared_syntax(ctx.new, new));
    // As buf: the syntax is `editions` for every edition, so moving from one edition to the next
    // is not a syntax change; what the new edition's defaults change is reported by the rule
    // that covers each property (FIELD_SAME_CPP_STRING_TYPE for 2023 -> 2024).
    if was == now || (was.is_editions() && now.is_editions()) {
        return;
    }
    let message = if was.is_editions() || now.is_editions() {
        format!(
            "File \"{}\" changed from {} to {}.",
            pair.name,
            was.describe(),
            now.describe()
        )
    } else {
        format!(
            "File \"{}\" changed syntax from \"{}\" to \"{}\".",
            pair.name,
            was.as_str(),
            now.as_str()
        )
    };
    let at = at_file_statement(ctx.new, new, &[SYNTAX]);
    let before = at_file_statement(ctx.old, old, &[SYNTAX]);
    ctx.changed(message, at, before);
}

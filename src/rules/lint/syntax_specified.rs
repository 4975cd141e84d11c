//! SYNTAX_SPECIFIED: every file states its syntax or edition (buf's BASIC category). A file
//! without a `syntax` statement is proto2 by default, silently.

use prost_reflect::FileDescriptor;

use super::LintCtx;

/// `FileDescriptorProto.syntax` and `.edition`: their source locations exist only when the
/// statement is written, which is what this rule asks (the descriptor's value does not tell an
/// explicit `proto2` from a missing statement).
const SYNTAX: i32 = 12;
const EDITION: i32 = 14;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    if ctx.schema.source(file.name()).is_none() {
        // A descriptor set has no text to tell whether the statement was written.
        return;
    }
    if ctx.schema.span(file, &[SYNTAX]).is_some() || ctx.schema.span(file, &[EDITION]).is_some() {
        return;
    }
    let at = ctx.schema.locate(file);
    ctx.report(
        format!(
            "File \"{}\" states no syntax, so it is read as proto2.",
            file.name()
        ),
        at,
        format!("file:{}", file.name()),
    );
}

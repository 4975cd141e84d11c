//! FILE_LOWER_SNAKE_CASE: file names are lower_snake_case, `user_profile.proto` (buf's STANDARD
//! category). Only the base name is judged; directories are PACKAGE_DIRECTORY_MATCH's business.

use prost_reflect::FileDescriptor;

use crate::finding::{Location, Span};

use super::naming::{is_lower_snake, to_lower_snake};
use super::LintCtx;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let base = file.name().rsplit('/').next().unwrap_or_default();
    let stem = base.strip_suffix(".proto").unwrap_or(base);
    if is_lower_snake(stem) {
        return;
    }
    let suggestion = format!("{}.proto", to_lower_snake(stem));
    // A file name has no place in the text: the finding points at the start, as buf's does.
    let at = Location {
        side: ctx.schema.side,
        path: file.name().to_owned(),
        span: Some(Span {
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 1,
        }),
    };
    ctx.report(
        format!("File name \"{base}\" is not lower_snake_case; it would be \"{suggestion}\"."),
        at,
        format!("file:{}", file.name()),
    );
}

//! The COMMENTS family (COMMENT_ENUM, COMMENT_FIELD, …): an element has a leading comment that
//! documents it. Each rule names its element kind; this module finds the comment and reports
//! the same way for all, at the element, as buf does. A comment that holds nothing but ignore
//! directives (`buf:lint:ignore …`, `protoguard:ignore …`) documents nothing. Elements of a file
//! compiled without source info (a descriptor set without it) are not judged.

use crate::filter::parse_line;
use crate::schema::Element;

use super::LintCtx;

/// Reports `element` (a `what`, e.g. "Message") unless it has a documenting leading comment.
pub(crate) fn check(ctx: &mut LintCtx, element: &impl Element, what: &str, full_name: &str) {
    let file = element.file();
    let documented = ctx
        .schema
        .with_leading_comment(&file, element.path(), |leading| {
            leading.is_some_and(|comment| {
                comment
                    .lines()
                    .any(|line| !line.trim().is_empty() && parse_line(line).is_none())
            })
        });
    let Some(documented) = documented else {
        return;
    };
    if documented {
        return;
    }
    let at = ctx.schema.locate(element);
    ctx.report(
        format!("{what} \"{full_name}\" has no comment documenting it."),
        at,
        full_name.to_owned(),
    );
}

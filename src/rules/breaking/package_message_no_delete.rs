//! PACKAGE_MESSAGE_NO_DELETE: every message a package declared (nested ones too) is still
//! declared somewhere in the package. Moving a message between files of the package is fine.
//! The walking and anchoring here are shared with the other PACKAGE_*_NO_DELETE rules.

use prost_reflect::{DescriptorPool, FileDescriptor, MessageDescriptor};

use super::{at_file, at_message, NAME};
use crate::finding::Location;
use crate::pairs::PackagePair;
use crate::rules::Ctx;
use crate::schema::{Element, Schema};

pub fn check(ctx: &mut Ctx, pair: &PackagePair) {
    if !still_exists(pair) {
        return;
    }
    for message in messages(&pair.old) {
        let now = pool(pair).get_message_by_name(message.full_name());
        if !now.is_some_and(|m| in_current(pair, &m.parent_file())) {
            deleted_from_package(ctx, pair, "message", &message, message.full_name());
        }
    }
}

/// Returns `true` if the package had files and still has: PACKAGE_NO_DELETE reports the rest.
pub(crate) fn still_exists(pair: &PackagePair) -> bool {
    !pair.old.is_empty() && !pair.new.is_empty()
}

/// The current revision's pool (`pair.new` must not be empty).
pub(crate) fn pool<'a>(pair: &PackagePair<'a>) -> &'a DescriptorPool {
    pair.new[0].parent_pool()
}

/// Returns `true` if `file` is one of the package's current files.
pub(crate) fn in_current(pair: &PackagePair, file: &FileDescriptor) -> bool {
    pair.new.contains(&file)
}

/// Every message of `files`, nested ones too. Map entries are left out: they are synthesized
/// from map fields, whose changes other rules report.
pub(crate) fn messages(files: &[&FileDescriptor]) -> Vec<MessageDescriptor> {
    let mut out = Vec::new();
    let mut stack: Vec<MessageDescriptor> = files.iter().flat_map(|f| f.messages()).collect();
    while let Some(message) = stack.pop() {
        if message.is_map_entry() {
            continue;
        }
        stack.extend(message.child_messages());
        out.push(message);
    }
    out
}

/// Reports an element of the package that no current file of the package declares.
pub(crate) fn deleted_from_package(
    ctx: &mut Ctx,
    pair: &PackagePair,
    kind: &str,
    element: &impl Element,
    full_name: &str,
) {
    let package = match pair.name {
        "" => "the files without a package".to_owned(),
        name => format!("package \"{name}\""),
    };
    let at = anchor(ctx.new, pair, full_name, element.file().name());
    let renamed = super::renames::renamed(ctx, kind, full_name).unwrap_or_default();
    ctx.deleted(
        format!("Previously present {kind} \"{full_name}\" was deleted from {package}{renamed}."),
        at,
        ctx.old.locate_part(element, &[NAME]),
    );
}

/// Where a deleted element of the package is shown: its nearest enclosing message that still
/// exists in the package, else the start of the file it was in if that file is still in the
/// package, else that of the package's first current file.
fn anchor(schema: &Schema, pair: &PackagePair, full_name: &str, old_file: &str) -> Location {
    let mut name = full_name;
    while let Some((parent, _)) = name.rsplit_once('.') {
        if let Some(message) = pool(pair).get_message_by_name(parent) {
            if in_current(pair, &message.parent_file()) {
                return at_message(schema, &message);
            }
        }
        name = parent;
    }
    let file = pair
        .new
        .iter()
        .find(|f| f.name() == old_file)
        .unwrap_or(&pair.new[0]);
    at_file(schema, file)
}

//! MESSAGE_NO_DELETE: every message a file declared (nested ones too) is still declared in that
//! file, under the same name relative to the package. Moving a message to another file counts as
//! deleting it, because generated code is organised by file.

use prost_reflect::{FileDescriptor, MessageDescriptor};

use super::{at_surviving_parent, NAME};
use crate::pairs::FilePair;
use crate::rules::Ctx;
use crate::schema::Element;

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    let mut stack: Vec<MessageDescriptor> = old.messages().collect();
    while let Some(message) = stack.pop() {
        // Map entries are synthesized from map fields; a changed map field is reported there.
        if message.is_map_entry() {
            continue;
        }
        stack.extend(message.child_messages());
        let name = name_in(new, old, message.full_name());
        let now_in = new
            .parent_pool()
            .get_message_by_name(&name)
            .map(|m| m.parent_file());
        deleted_from_file(
            ctx,
            "message",
            &message,
            message.full_name(),
            now_in,
            new,
            &name,
        );
    }
}

/// The full name `full_name` of `old` file has in `new` file: the same name relative to the
/// package (buf pairs a file's elements that way, so a package rename alone is not a deletion).
pub(crate) fn name_in(new: &FileDescriptor, old: &FileDescriptor, full_name: &str) -> String {
    let relative = match old.package_name() {
        "" => full_name,
        package => full_name
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(full_name),
    };
    match new.package_name() {
        "" => relative.to_owned(),
        package => format!("{package}.{relative}"),
    }
}

/// Reports a message or enum of the previous file that the current file no longer declares.
/// `now_in` is the file that now declares `new_name`, if any.
pub(crate) fn deleted_from_file(
    ctx: &mut Ctx,
    kind: &str,
    element: &impl Element,
    old_name: &str,
    now_in: Option<FileDescriptor>,
    new: &FileDescriptor,
    new_name: &str,
) {
    let moved_to = match now_in {
        Some(file) if file == *new => return,
        Some(file) => Some(file),
        None => None,
    };
    let at = at_surviving_parent(ctx.new, new, new_name);
    let was = ctx.old.locate_part(element, &[NAME]);
    match moved_to {
        None => {
            let renamed = super::renames::renamed(ctx, kind, old_name).unwrap_or_default();
            ctx.deleted(
                format!(
                    "Previously present {kind} \"{old_name}\" was deleted from file \"{}\"{renamed}.",
                    new.name()
                ),
                at,
                was,
            );
        }
        Some(file) => {
            ctx.deleted(
                format!(
                    "Previously present {kind} \"{old_name}\" was moved from file \"{}\" to \"{}\".",
                    new.name(),
                    file.name()
                ),
                at,
                was,
            )
            .help = Some(format!(
                "code generated per file looks for the {kind} where it was: consumers must now import \"{}\" (and, in languages such as Java or Python, refer to a different class or module); keep it in \"{}\" unless every consumer can follow the move",
                file.name(),
                new.name()
            ));
        }
    }
}

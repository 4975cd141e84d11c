//! The `FILE_SAME_*` option family: a file option keeps its value between revisions. Each rule of
//! the family names one option of `google.protobuf.FileOptions` and how to read it; this module
//! compares, words and anchors the finding the same way for all of them.
//!
//! As buf does, a boolean or enum option is compared after protobuf's default is applied, so
//! leaving it unset and setting it to its default are the same (`java_multiple_files` unset is
//! `false`, `optimize_for` unset is `SPEED`, `cc_enable_arenas` unset is `true`). String options
//! follow what their code generator does with an unset option: see [`Unset`].

use prost_types::FileOptions;

use super::at_file_statement;
use crate::pairs::FilePair;
use crate::rules::Ctx;

/// `FileDescriptorProto.options`: the first component of a file option's source path.
const FILE_OPTIONS: i32 = 8;

/// One file option: its name as written in `.proto`, its field number in `FileOptions`
/// (descriptor.proto), how to read its explicit value as text, and what leaving it unset means.
pub(crate) struct FileOption {
    pub name: &'static str,
    pub number: i32,
    /// The value written in the file, `None` when the option is not set.
    pub value: fn(&FileOptions) -> Option<String>,
    pub unset: Unset,
}

/// What an option that is not set means to the code generators that read it.
pub(crate) enum Unset {
    /// The default descriptor.proto declares (boolean and enum options).
    Default(&'static str),
    /// The empty string: the generator reads only the value, so `""` and unset are the same
    /// (`go_package`, `php_class_prefix`).
    Empty,
    /// Whatever the generator derives, usually from the package or file name; any explicit value,
    /// `""` included, overrides it, so unset equals no explicit value. buf reads unset as `""`
    /// here too; protoguard does not, because the generators check presence (`has_java_package()`).
    Derived,
}

impl FileOption {
    fn explicit(&self, options: Option<&FileOptions>) -> Option<String> {
        options.and_then(self.value)
    }

    /// What generators act on, as far as it can be told without deriving: `None` stands for a
    /// derived value.
    fn resolved<'a>(&self, explicit: Option<&'a str>) -> Option<&'a str> {
        match self.unset {
            Unset::Default(default) => Some(explicit.unwrap_or(default)),
            Unset::Empty => Some(explicit.unwrap_or("")),
            Unset::Derived => explicit,
        }
    }

    /// `"value"`, `"false" (the default)` or `unset`, as shown in messages.
    fn describe(&self, explicit: Option<&str>) -> String {
        match (explicit, &self.unset) {
            (Some(value), _) => format!("\"{value}\""),
            (None, Unset::Default(default)) => format!("\"{default}\" (the default)"),
            (None, Unset::Empty | Unset::Derived) => "unset".to_owned(),
        }
    }
}

/// Reports a file present in both revisions whose option resolves to a different value.
pub(crate) fn check(ctx: &mut Ctx, pair: &FilePair, option: &FileOption) {
    let (Some(old), Some(new)) = (pair.old, pair.new) else {
        return;
    };
    let was = option.explicit(old.file_descriptor_proto().options.as_ref());
    let now = option.explicit(new.file_descriptor_proto().options.as_ref());
    let (was, now) = (was.as_deref(), now.as_deref());
    if option.resolved(was) == option.resolved(now) {
        return;
    }
    let message = format!(
        "File option \"{}\" changed from {} to {}.",
        option.name,
        option.describe(was),
        option.describe(now),
    );
    // At the option statement on each side; where it is not written, at the file's start.
    let path = [FILE_OPTIONS, option.number];
    let at = at_file_statement(ctx.new, new, &path);
    let before = at_file_statement(ctx.old, old, &path);
    let finding = ctx.changed(message, at, before);
    // An option that was not written has no old place worth a frame: the message says "unset".
    if was.is_none() {
        finding.previous = None;
    }
}

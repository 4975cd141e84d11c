//! FILE_SAME_OBJC_CLASS_PREFIX: the file option `objc_class_prefix` keeps its value, so generated
//! Objective-C classes keep their names.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "objc_class_prefix",
    number: 36,
    value: |o| o.objc_class_prefix.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

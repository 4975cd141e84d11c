//! FILE_SAME_SWIFT_PREFIX: the file option `swift_prefix` keeps its value, so generated Swift types
//! keep their names.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "swift_prefix",
    number: 39,
    value: |o| o.swift_prefix.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

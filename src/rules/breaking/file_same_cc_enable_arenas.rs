//! FILE_SAME_CC_ENABLE_ARENAS: the file option `cc_enable_arenas` keeps its value, so generated C++
//! keeps its arena support.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "cc_enable_arenas",
    number: 31,
    value: |o| o.cc_enable_arenas.map(|v| v.to_string()),
    unset: Unset::Default("true"),
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

//! FILE_SAME_JAVA_MULTIPLE_FILES: the file option `java_multiple_files` keeps its value, so
//! generated Java types stay top-level or nested as before.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "java_multiple_files",
    number: 10,
    value: |o| o.java_multiple_files.map(|v| v.to_string()),
    unset: Unset::Default("false"),
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

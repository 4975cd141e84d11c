//! FILE_SAME_JAVA_PACKAGE: the file option `java_package` keeps its value, so generated Java
//! classes stay in their package.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "java_package",
    number: 1,
    value: |o| o.java_package.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

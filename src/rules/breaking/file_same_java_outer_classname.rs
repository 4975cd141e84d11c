//! FILE_SAME_JAVA_OUTER_CLASSNAME: the file option `java_outer_classname` keeps its value, so the
//! generated Java outer class keeps its name.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "java_outer_classname",
    number: 8,
    value: |o| o.java_outer_classname.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

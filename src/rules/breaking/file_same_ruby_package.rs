//! FILE_SAME_RUBY_PACKAGE: the file option `ruby_package` keeps its value, so generated Ruby
//! classes stay in their module.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "ruby_package",
    number: 45,
    value: |o| o.ruby_package.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

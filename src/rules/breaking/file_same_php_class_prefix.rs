//! FILE_SAME_PHP_CLASS_PREFIX: the file option `php_class_prefix` keeps its value, so generated PHP
//! classes keep their names.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "php_class_prefix",
    number: 40,
    value: |o| o.php_class_prefix.clone(),
    unset: Unset::Empty,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

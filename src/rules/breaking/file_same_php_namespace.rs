//! FILE_SAME_PHP_NAMESPACE: the file option `php_namespace` keeps its value, so generated PHP
//! classes stay in their namespace.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "php_namespace",
    number: 41,
    value: |o| o.php_namespace.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

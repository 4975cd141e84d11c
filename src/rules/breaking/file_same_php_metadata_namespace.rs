//! FILE_SAME_PHP_METADATA_NAMESPACE: the file option `php_metadata_namespace` keeps its value, so
//! the generated PHP metadata class stays where it was.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "php_metadata_namespace",
    number: 44,
    value: |o| o.php_metadata_namespace.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

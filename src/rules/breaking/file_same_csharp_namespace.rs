//! FILE_SAME_CSHARP_NAMESPACE: the file option `csharp_namespace` keeps its value, so generated C#
//! types stay in their namespace.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "csharp_namespace",
    number: 37,
    value: |o| o.csharp_namespace.clone(),
    unset: Unset::Derived,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

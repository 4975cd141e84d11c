//! FILE_SAME_GO_PACKAGE: the file option `go_package` keeps its value, so Go code keeps its import
//! path and package name.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "go_package",
    number: 11,
    value: |o| o.go_package.clone(),
    unset: Unset::Empty,
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

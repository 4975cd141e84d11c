//! FILE_SAME_OPTIMIZE_FOR: the file option `optimize_for` keeps its value, so generated code keeps
//! the runtime (full or lite) it was built for.

use prost_types::file_options::OptimizeMode;

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "optimize_for",
    number: 9,
    value: |o| {
        o.optimize_for.map(|mode| {
            OptimizeMode::try_from(mode)
                .map_or_else(|_| mode.to_string(), |m| m.as_str_name().to_owned())
        })
    },
    unset: Unset::Default("SPEED"),
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

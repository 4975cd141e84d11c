//! FILE_SAME_CC_GENERIC_SERVICES: the file option `cc_generic_services` keeps its value, so
//! generated C++ keeps (or keeps lacking) generic service stubs.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "cc_generic_services",
    number: 16,
    value: |o| o.cc_generic_services.map(|v| v.to_string()),
    unset: Unset::Default("false"),
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

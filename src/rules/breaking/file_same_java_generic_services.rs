//! FILE_SAME_JAVA_GENERIC_SERVICES: the file option `java_generic_services` keeps its value, so
//! generated Java keeps (or keeps lacking) generic service stubs.

use super::file_option::{self, FileOption, Unset};
use crate::pairs::FilePair;
use crate::rules::Ctx;

const OPTION: FileOption = FileOption {
    name: "java_generic_services",
    number: 17,
    value: |o| o.java_generic_services.map(|v| v.to_string()),
    unset: Unset::Default("false"),
};

pub fn check(ctx: &mut Ctx, pair: &FilePair) {
    file_option::check(ctx, pair, &OPTION);
}

//! PACKAGE_SAME_JAVA_MULTIPLE_FILES: all files of a package give `java_multiple_files` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "java_multiple_files",
    number: 10,
    value: |o| o.java_multiple_files.map(|v| v.to_string()),
    default: Some("false"),
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

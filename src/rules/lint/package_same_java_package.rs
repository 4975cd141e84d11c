//! PACKAGE_SAME_JAVA_PACKAGE: all files of a package give `java_package` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "java_package",
    number: 1,
    value: |o| o.java_package.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

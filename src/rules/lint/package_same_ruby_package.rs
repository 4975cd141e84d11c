//! PACKAGE_SAME_RUBY_PACKAGE: all files of a package give `ruby_package` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "ruby_package",
    number: 45,
    value: |o| o.ruby_package.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

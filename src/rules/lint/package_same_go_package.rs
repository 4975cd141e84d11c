//! PACKAGE_SAME_GO_PACKAGE: all files of a package give `go_package` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "go_package",
    number: 11,
    value: |o| o.go_package.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

//! PACKAGE_SAME_SWIFT_PREFIX: all files of a package give `swift_prefix` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "swift_prefix",
    number: 39,
    value: |o| o.swift_prefix.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

//! PACKAGE_SAME_CSHARP_NAMESPACE: all files of a package give `csharp_namespace` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "csharp_namespace",
    number: 37,
    value: |o| o.csharp_namespace.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

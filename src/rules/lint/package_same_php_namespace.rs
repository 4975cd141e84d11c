//! PACKAGE_SAME_PHP_NAMESPACE: all files of a package give `php_namespace` the same value (see [`super::package_option`]).

use super::package_option::{self, PackageOption};
use super::LintCtx;

const OPTION: PackageOption = PackageOption {
    name: "php_namespace",
    number: 41,
    value: |o| o.php_namespace.clone(),
    default: None,
};

pub fn check(ctx: &mut LintCtx) {
    package_option::check(ctx, &OPTION);
}

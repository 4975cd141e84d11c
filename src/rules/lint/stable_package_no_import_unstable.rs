//! STABLE_PACKAGE_NO_IMPORT_UNSTABLE: a file of a stable package (`acme.v1`) does not import a
//! file of an unstable one (`acme.v1beta1`, `acme.v1test`). In no buf category: it runs only
//! when selected by ID.

use prost_reflect::FileDescriptor;

use super::version::{of_package, Version};
use super::LintCtx;

/// `FileDescriptorProto.dependency`: the source path of the n-th import is `[3, n]`.
const DEPENDENCY: i32 = 3;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    if of_package(file.package_name()) != Some(Version::Stable) {
        return;
    }
    for (index, dependency) in file.dependencies().enumerate() {
        if of_package(dependency.package_name()) != Some(Version::Unstable) {
            continue;
        }
        let at = ctx.schema.locate_path(file, &[DEPENDENCY, index as i32]);
        ctx.report(
            format!(
                "Stable package \"{}\" imports \"{}\" of unstable package \"{}\".",
                file.package_name(),
                dependency.name(),
                dependency.package_name()
            ),
            at,
            format!("file:{}#{}", file.name(), dependency.name()),
        );
    }
}

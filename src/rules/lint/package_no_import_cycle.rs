//! PACKAGE_NO_IMPORT_CYCLE: packages do not import each other in a cycle (buf's MINIMAL
//! category). Files of one package may import each other; an import from package A to package B
//! is an edge A → B, and every import that lies on a cycle of such edges is reported at the
//! import statement. The graph is built from every file the compilation loaded (imports
//! included), so a cycle through a file outside the checked set is still seen.

use std::collections::{BTreeMap, BTreeSet};

use super::LintCtx;

/// `FileDescriptorProto.dependency`: the source path of the n-th import is `[3, n]`.
const DEPENDENCY: i32 = 3;

pub fn check(ctx: &mut LintCtx) {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in ctx.schema.pool().files() {
        let from = file.package_name();
        for dependency in file.dependencies() {
            let to = dependency.package_name();
            if to != from {
                edges
                    .entry(from.to_owned())
                    .or_default()
                    .insert(to.to_owned());
            }
        }
    }
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.extend(edges.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    };
    for file in ctx.schema.files() {
        let from = file.package_name();
        for (index, dependency) in file.dependencies().enumerate() {
            let to = dependency.package_name();
            if to == from || !reaches(to, from) {
                continue;
            }
            let at = ctx.schema.locate_path(file, &[DEPENDENCY, index as i32]);
            ctx.report(
                format!(
                    "Import \"{}\" makes package \"{from}\" depend on \"{to}\", which depends back on \"{from}\".",
                    dependency.name()
                ),
                at,
                format!("package:{from}#{to}"),
            );
        }
    }
}

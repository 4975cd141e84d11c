//! What configuration leaves out by place: `ignore` and `ignore_only` paths, and unstable
//! packages. As in buf, a finding is left out when either of its locations (current or previous)
//! is, so a deleted file is matched at its old path.

use std::collections::BTreeMap;

use crate::finding::{Finding, Location, Side};
use crate::schema::Schema;

use super::FilterSettings;

/// The configured paths, split into components once.
pub(crate) struct PathFilter<'a> {
    ignore: Vec<Vec<&'a str>>,
    only: BTreeMap<&'a str, Vec<Vec<&'a str>>>,
    unstable: bool,
}

impl<'a> PathFilter<'a> {
    pub fn new(settings: &'a FilterSettings) -> Self {
        PathFilter {
            ignore: settings.ignore.iter().map(|p| components(p)).collect(),
            only: settings
                .ignore_only
                .iter()
                .map(|(id, paths)| (id.as_str(), paths.iter().map(|p| components(p)).collect()))
                .collect(),
            unstable: settings.ignore_unstable_packages,
        }
    }

    /// Returns `true` if the configuration leaves the finding out.
    pub fn excludes(&self, finding: &Finding, old: &Schema, new: &Schema) -> bool {
        std::iter::once(&finding.location)
            .chain(&finding.previous)
            .any(|location| {
                self.excludes_path(finding.rule, &location.path)
                    || (self.unstable && in_unstable_package(location, old, new))
            })
    }

    /// Returns `true` if every finding in the file is left out, whatever its rule.
    pub fn excludes_file(&self, path: &str, schema: &Schema) -> bool {
        self.ignore.iter().any(|p| contains(p, path))
            || (self.unstable && unstable_file(schema, path))
    }

    fn excludes_path(&self, rule: &str, path: &str) -> bool {
        self.ignore.iter().any(|p| contains(p, path))
            || self
                .only
                .get(rule)
                .is_some_and(|paths| paths.iter().any(|p| contains(p, path)))
    }
}

/// A path's components, without empty and `.` ones (`./acme//v1/` is `acme/v1`).
fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Returns `true` if `path` is the configured path or lies below it, comparing whole components
/// (`acme/v1` contains `acme/v1/user.proto`, not `acme/v10/user.proto`). The empty path (`.`)
/// is the module root and contains everything.
fn contains(configured: &[&str], path: &str) -> bool {
    let mut path = path.split('/').filter(|c| !c.is_empty() && *c != ".");
    configured.iter().all(|c| path.next() == Some(c))
}

/// Returns `true` if `configured` (a module-relative file or directory) contains `path`.
pub fn path_matches(configured: &str, path: &str) -> bool {
    contains(&components(configured), path)
}

fn in_unstable_package(location: &Location, old: &Schema, new: &Schema) -> bool {
    let schema = match location.side {
        Side::Previous => old,
        Side::Current => new,
    };
    unstable_file(schema, &location.path)
}

/// Returns `true` if the file's package is unstable (see [`is_unstable_package`]).
fn unstable_file(schema: &Schema, path: &str) -> bool {
    match schema.file(path) {
        Some(file) => is_unstable_package(file.package_name()),
        None => schema
            .pool()
            .get_file_by_name(path)
            .is_some_and(|f| is_unstable_package(f.package_name())),
    }
}

/// Returns `true` if the package's last component is an unstable version, as buf's
/// `ignore_unstable_packages` reads it (buf's `protoversion` package): `v\d+test.*`,
/// `v\d+(alpha|beta)\d*` or `v\d+p\d+(alpha|beta)\d*`, where every number is at least 1, in a
/// package of at least two components (`foo.v1beta1`, not `v1beta1` alone).
pub fn is_unstable_package(package: &str) -> bool {
    let Some((_, last)) = package.rsplit_once('.') else {
        return false;
    };
    let Some(version) = last.strip_prefix('v') else {
        return false;
    };
    if let Some((major, _suffix)) = version.split_once("test") {
        return positive(major);
    }
    let (alpha, beta) = (version.contains("alpha"), version.contains("beta"));
    let level = match (alpha, beta) {
        (true, false) => "alpha",
        (false, true) => "beta",
        // Stable (`v1`), or not a version at all (`v1alphabeta`).
        _ => return false,
    };
    let Some((before, after)) = version.split_once(level) else {
        return false;
    };
    let minor_ok = after.is_empty() || positive(after);
    let major_ok = match before.split_once('p') {
        Some((major, patch)) => positive(major) && positive(patch),
        None => positive(before),
    };
    minor_ok && major_ok
}

/// Returns `true` if `s` is a decimal number from 1 to `i32::MAX` (as buf parses it).
fn positive(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i32>().is_ok_and(|n| n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_match_by_component() {
        assert!(path_matches("acme/v1", "acme/v1/user.proto"));
        assert!(path_matches("acme/v1/", "acme/v1/user.proto"));
        assert!(path_matches("./acme//v1", "acme/v1/deep/user.proto"));
        assert!(path_matches("acme", "acme/v1/user.proto"));
        assert!(!path_matches("acme/v1", "acme/v10/user.proto"));
        assert!(!path_matches("acme/v", "acme/v1/user.proto"));
        assert!(!path_matches("acme/v1/user", "acme/v1/user.proto"));
        assert!(!path_matches("other", "acme/v1/user.proto"));
        assert!(!path_matches("acme/v1/user.proto/x", "acme/v1/user.proto"));
    }

    #[test]
    fn files_match_exactly() {
        assert!(path_matches("acme/v1/user.proto", "acme/v1/user.proto"));
        assert!(!path_matches("acme/v1/user.proto", "acme/v1/user.proto2"));
        assert!(!path_matches("acme/v1/user.pro", "acme/v1/user.proto"));
        assert!(path_matches("acme\\v1\\user.proto", "acme/v1/user.proto"));
    }

    #[test]
    fn the_root_contains_everything() {
        assert!(path_matches(".", "acme/v1/user.proto"));
        assert!(path_matches("", "user.proto"));
    }

    #[test]
    fn unstable_versions_as_buf_reads_them() {
        for package in [
            "foo.v1alpha1",
            "foo.v1beta1",
            "foo.v2beta12",
            "foo.v1alpha",
            "foo.v1beta",
            "foo.bar.v1test",
            "foo.v1testfoo",
            "foo.v1test_2",
            "foo.v1p1alpha1",
            "foo.v1p2beta",
            "a.b.c.v10beta3",
        ] {
            assert!(is_unstable_package(package), "{package}");
        }
    }

    #[test]
    fn stable_and_unversioned_packages_are_not_unstable() {
        for package in [
            "",
            "foo",
            "v1beta1",
            "foo.v1",
            "foo.v1beta1.bar",
            "foo.v0beta1",
            "foo.v0test",
            "foo.vtest",
            "foo.valpha1",
            "foo.v1alpha0",
            "foo.v1gamma1",
            "foo.v1alphabeta",
            "foo.v1p0beta1",
            "foo.v1pbeta1",
            "foo.V1beta1",
            "foo.v1beta1x",
            "foo.beta1",
            "foo.v+1beta1",
            "foo.v99999999999beta1",
        ] {
            assert!(!is_unstable_package(package), "{package:?}");
        }
    }
}

//! Package versions as buf reads them: the last component of a package is `v<major>` (stable),
//! optionally followed by `alpha`/`beta` with an optional number, possibly after a `p<patch>`
//! (`v1p1beta1`), or by `test` and anything (unstable). Major, patch and pre-release numbers
//! start at 1 (`v0` and `v1beta0` are malformed), as in buf 1.75.

/// How the last component of a package reads as a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Stable,
    Unstable,
}

/// The version a package ends in, if its last component is a well-formed version.
pub fn of_package(package: &str) -> Option<Version> {
    parse(package.rsplit('.').next()?)
}

fn parse(component: &str) -> Option<Version> {
    let rest = component.strip_prefix('v')?;
    let (major, rest) = number(rest)?;
    if major == 0 {
        return None;
    }
    if rest.is_empty() {
        return Some(Version::Stable);
    }
    if rest.starts_with("test") {
        return Some(Version::Unstable);
    }
    let rest = match rest.strip_prefix('p') {
        Some(after) => {
            let (patch, after) = number(after)?;
            if patch == 0 {
                return None;
            }
            after
        }
        None => rest,
    };
    let after = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))?;
    if after.is_empty() {
        return Some(Version::Unstable);
    }
    match number(after)? {
        (n, "") if n > 0 => Some(Version::Unstable),
        _ => None,
    }
}

/// A leading decimal number and what follows it.
fn number(text: &str) -> Option<(u64, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    Some((text[..end].parse().ok()?, &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The readings buf 1.75 gives (PACKAGE_VERSION_SUFFIX on each as the last component).
    #[test]
    fn versions_read_as_buf_reads_them() {
        for ok in ["v1", "v10", "v01", "v1p1beta1"] {
            assert!(parse(ok).is_some(), "{ok}");
        }
        assert_eq!(parse("v1"), Some(Version::Stable));
        for unstable in [
            "v1beta",
            "v1beta1",
            "v1alpha2",
            "v1test",
            "v1testfoo",
            "v1p1beta1",
        ] {
            assert_eq!(parse(unstable), Some(Version::Unstable), "{unstable}");
        }
        for bad in ["v0", "v1p1", "v2gamma", "V1", "v1beta0", "v1_1", "v", "foo"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}

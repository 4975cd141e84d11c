//! Stable fingerprints for findings, shared by SARIF (`partialFingerprints`) and GitLab code
//! quality (`fingerprint`). Both systems match a finding across runs by its fingerprint, so the
//! inputs and the hash are frozen: rule ID, path and message, never line numbers (a finding that
//! moves because lines were added above it is the same finding). Findings that agree on all three
//! are told apart by their order of occurrence. The hash is 128-bit FNV-1a, written out here
//! rather than taken from a crate so that it cannot change under us; collisions only matter among
//! one repository's findings, where 128 bits are plenty.

use crate::finding::Finding;

/// The fingerprint of each finding, in order: 32 lowercase hex digits.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .enumerate()
        .map(|(i, finding)| {
            let occurrence = findings[..i]
                .iter()
                .filter(|f| {
                    f.rule == finding.rule
                        && f.location.path == finding.location.path
                        && f.message == finding.message
                })
                .count();
            let mut hash = Fnv1a128::new();
            hash.write(finding.rule.as_bytes());
            hash.write(&[0]);
            hash.write(finding.location.path.as_bytes());
            hash.write(&[0]);
            hash.write(finding.message.as_bytes());
            if occurrence > 0 {
                hash.write(&[0]);
                hash.write(occurrence.to_string().as_bytes());
            }
            format!("{:032x}", hash.finish())
        })
        .collect()
}

struct Fnv1a128(u128);

impl Fnv1a128 {
    const OFFSET_BASIS: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;

    fn new() -> Self {
        Fnv1a128(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u128::from(*byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u128 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::finding;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        // From the FNV reference (draft-eastlake-fnv): FNV-1a 128 of "" and of "a".
        let hash = |s: &str| {
            let mut h = Fnv1a128::new();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(hash("a"), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn fingerprints_are_stable_and_ignore_lines() {
        let a = finding("FIELD_NO_DELETE", "a.proto", 4, "Gone.");
        let moved = finding("FIELD_NO_DELETE", "a.proto", 40, "Gone.");
        let other = finding("FIELD_NO_DELETE", "b.proto", 4, "Gone.");
        let [fa, fm, fo]: [String; 3] =
            [&a, &moved, &other].map(|f| fingerprints(std::slice::from_ref(f)).remove(0));
        assert_eq!(fa, fm);
        assert_ne!(fa, fo);
        // Frozen: GitLab and GitHub match findings across runs by this value.
        assert_eq!(fa, "758cf737b471e385cd2cf4c0775c7723");
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let a = finding("FIELD_NO_DELETE", "a.proto", 4, "Gone.");
        let b = finding("FIELD_NO_DELETE", "a.proto", 9, "Gone.");
        let prints = fingerprints(&[a.clone(), b]);
        assert_ne!(prints[0], prints[1]);
        assert_eq!(prints[0], fingerprints(&[a])[0]);
    }
}

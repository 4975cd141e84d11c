//! "Probably renamed": a deleted message or enum whose shape is close to, but not the same as,
//! that of exactly one added type. Only the deletion finding's wording uses it; no verdict does
//! (wire and JSON compatibility are decided by identical structure alone, see
//! [`super::compat::same_data`]).
//!
//! The measure, per pair (deleted type `D` of the previous revision, added type `A` of the
//! current one, both of the same kind):
//!
//! - the members are compared by number: a message's fields, an enum's values;
//! - `M` is the number of distinct numbers either side has, `N` the number of those whose member
//!   matches on both sides. A field matches when it has the same name, the same cardinality
//!   (singular, repeated or map) and the same type: the same scalar kind, or the same message or
//!   enum, where a type the current revision no longer has and a type the previous one did not
//!   have count as the same (types renamed together, as `User.Address` with `User`). An enum value
//!   matches when it has the same name once each enum's own prefix is taken off
//!   (`ROLE_ADMIN` in `Role` and `ACCOUNT_ROLE_ADMIN` in `AccountRole` are both `ADMIN`);
//! - the pair is **similar** when `N ≥ 3` and `N / M ≥ 3/4`: a renamed message that also gained
//!   or lost one field of four, or changed one of four. Fewer than three matching members is too
//!   little evidence (most request messages share `string name = 1`).
//!
//! A claim is made only for an unambiguous best match: `A` is the one most similar type to `D`
//! (by `N / M`, then by `N`; a tie with another added type is no claim), and `D` is the one most
//! similar deleted type to `A` in the same way. Both sides come from the same pair of revisions.
//!
//! Cost: computed once per check, on the first deletion that asks, over deleted × added types
//! of each kind only; pairs whose sizes alone rule out `N / M ≥ 3/4` are skipped, and past
//! [`MAX_PAIRS`] pairs of a kind no claim of that kind is made.

use std::collections::HashMap;

use prost_reflect::{EnumDescriptor, Kind, MessageDescriptor};

use crate::rules::lint::naming::to_upper_snake;
use crate::schema::Schema;

/// How many (deleted, added) pairs of one kind are compared at most.
pub const MAX_PAIRS: usize = 50_000;
/// The fewest matching members that count as evidence.
const MIN_MATCHING: usize = 3;

/// One type's members, by number, in a form cheap to compare.
struct Shape {
    name: String,
    members: Vec<(i64, Member)>,
}

#[derive(PartialEq, Eq)]
struct Member {
    name: String,
    /// Fields: 0 singular, 1 repeated, 2 map. Values: 0.
    cardinality: u8,
    ty: Ty,
}

#[derive(PartialEq, Eq)]
enum Ty {
    /// An enum value, or a scalar field (its kind's name).
    Plain(&'static str),
    /// A message or enum field: which of the two, the type's full name, and whether it is on one
    /// side only (gone from the current revision, or new in it).
    Named(&'static str, String, bool),
}

impl Member {
    fn matches(&self, other: &Member) -> bool {
        self.name == other.name
            && self.cardinality == other.cardinality
            && match (&self.ty, &other.ty) {
                (Ty::Named(kind, a, one_side), Ty::Named(other_kind, b, other_side)) => {
                    kind == other_kind && (a == b || (*one_side && *other_side))
                }
                (a, b) => a == b,
            }
    }
}

/// How similar two types are: `matching` of `of` members match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub matching: usize,
    pub of: usize,
}

impl Score {
    fn strong(self) -> bool {
        self.matching >= MIN_MATCHING && 4 * self.matching >= 3 * self.of
    }

    /// Orders by `matching / of`, then by `matching`.
    fn cmp_key(self, other: Score) -> std::cmp::Ordering {
        (self.matching * other.of)
            .cmp(&(other.matching * self.of))
            .then(self.matching.cmp(&other.matching))
    }
}

/// The best match of each deleted type that has an unambiguous one: deleted full name → (added
/// full name, score).
#[derive(Default)]
pub struct Matches {
    by_deleted: HashMap<String, (String, Score)>,
}

impl Matches {
    /// Compares the `deleted` and `added` messages and enums (`old` and `new` are the revisions
    /// they come from).
    pub fn build(
        old: &Schema,
        new: &Schema,
        (deleted_messages, added_messages): (&[MessageDescriptor], &[MessageDescriptor]),
        (deleted_enums, added_enums): (&[EnumDescriptor], &[EnumDescriptor]),
    ) -> Matches {
        let mut by_deleted = HashMap::new();
        let message_shape = |m: &MessageDescriptor, other: &Schema| message_shape(m, other);
        let deleted: Vec<Shape> = deleted_messages
            .iter()
            .map(|m| message_shape(m, new))
            .collect();
        let added: Vec<Shape> = added_messages
            .iter()
            .map(|m| message_shape(m, old))
            .collect();
        best_pairs(&deleted, &added, &mut by_deleted);
        let deleted: Vec<Shape> = deleted_enums.iter().map(enum_shape).collect();
        let added: Vec<Shape> = added_enums.iter().map(enum_shape).collect();
        best_pairs(&deleted, &added, &mut by_deleted);
        Matches { by_deleted }
    }

    /// The added type the deleted type `name` was probably renamed to, and how similar they are.
    pub fn of(&self, name: &str) -> Option<(&str, Score)> {
        self.by_deleted
            .get(name)
            .map(|(added, score)| (added.as_str(), *score))
    }
}

/// Records in `out` every deleted shape's unambiguous mutual best match.
fn best_pairs(deleted: &[Shape], added: &[Shape], out: &mut HashMap<String, (String, Score)>) {
    if deleted.is_empty() || added.is_empty() || deleted.len() * added.len() > MAX_PAIRS {
        return;
    }
    let mut strong: Vec<(usize, usize, Score)> = Vec::new();
    for (d, old) in deleted.iter().enumerate() {
        for (a, new) in added.iter().enumerate() {
            let (small, large) = if old.members.len() < new.members.len() {
                (old.members.len(), new.members.len())
            } else {
                (new.members.len(), old.members.len())
            };
            // N ≤ the smaller size and M ≥ the larger one.
            if small < MIN_MATCHING || 4 * small < 3 * large {
                continue;
            }
            let score = score(old, new);
            if score.strong() {
                strong.push((d, a, score));
            }
        }
    }
    // The one best of `candidates` by score, if no other ties with it.
    fn unique_best(candidates: impl Iterator<Item = (usize, Score)>) -> Option<usize> {
        let mut best: Option<(usize, Score, bool)> = None;
        for (i, score) in candidates {
            best = match best {
                None => Some((i, score, true)),
                Some((j, top, unique)) => match score.cmp_key(top) {
                    std::cmp::Ordering::Greater => Some((i, score, true)),
                    std::cmp::Ordering::Equal => Some((j, top, false)),
                    std::cmp::Ordering::Less => Some((j, top, unique)),
                },
            };
        }
        best.filter(|(_, _, unique)| *unique).map(|(i, _, _)| i)
    }
    for (d, old) in deleted.iter().enumerate() {
        let mine = strong.iter().filter(|(x, _, _)| *x == d);
        let Some(a) = unique_best(mine.map(|(_, a, s)| (*a, *s))) else {
            continue;
        };
        let theirs = strong.iter().filter(|(_, y, _)| *y == a);
        if unique_best(theirs.map(|(d, _, s)| (*d, *s))) != Some(d) {
            continue;
        }
        let score = strong
            .iter()
            .find(|(x, y, _)| (*x, *y) == (d, a))
            .map(|(_, _, s)| *s)
            .expect("the best match is among the strong pairs");
        out.insert(old.name.clone(), (added[a].name.clone(), score));
    }
}

/// How many members of `old` and `new` match, of how many numbers in all.
fn score(old: &Shape, new: &Shape) -> Score {
    let (mut i, mut j) = (0, 0);
    let (mut matching, mut of) = (0, 0);
    let (a, b) = (&old.members, &new.members);
    while i < a.len() || j < b.len() {
        of += 1;
        match (a.get(i), b.get(j)) {
            (Some((x, f)), Some((y, g))) if x == y => {
                matching += usize::from(f.matches(g));
                i += 1;
                j += 1;
            }
            (Some((x, _)), Some((y, _))) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
    }
    Score { matching, of }
}

/// `message`'s fields; `other` is the revision it is not in, to tell which field types are on
/// one side only.
fn message_shape(message: &MessageDescriptor, other: &Schema) -> Shape {
    let pool = other.pool();
    let mut members: Vec<(i64, Member)> = message
        .fields()
        .map(|field| {
            let cardinality = if field.is_map() {
                2
            } else {
                u8::from(field.is_list())
            };
            let kind = field.kind();
            let named =
                |name: &str, exists: bool| Ty::Named(scalar_name(&kind), name.to_owned(), !exists);
            let ty = match &kind {
                Kind::Message(m) => named(
                    m.full_name(),
                    pool.get_message_by_name(m.full_name()).is_some(),
                ),
                Kind::Enum(e) => named(
                    e.full_name(),
                    pool.get_enum_by_name(e.full_name()).is_some(),
                ),
                kind => Ty::Plain(scalar_name(kind)),
            };
            let member = Member {
                name: field.name().to_owned(),
                cardinality,
                ty,
            };
            (i64::from(field.number()), member)
        })
        .collect();
    members.sort_by_key(|(number, _)| *number);
    Shape {
        name: message.full_name().to_owned(),
        members,
    }
}

/// `enum_`'s values, named without the enum's prefix. Aliases (two names for one number) keep
/// the first.
fn enum_shape(enum_: &EnumDescriptor) -> Shape {
    let prefix = format!("{}_", to_upper_snake(enum_.name()));
    let mut members: Vec<(i64, Member)> = enum_
        .values()
        .map(|value| {
            let name = value.name();
            let member = Member {
                name: name.strip_prefix(&prefix).unwrap_or(name).to_owned(),
                cardinality: 0,
                ty: Ty::Plain(""),
            };
            (i64::from(value.number()), member)
        })
        .collect();
    members.sort_by_key(|(number, _)| *number);
    members.dedup_by_key(|(number, _)| *number);
    Shape {
        name: enum_.full_name().to_owned(),
        members,
    }
}

/// The kind's name as written in a .proto file (`message` and `enum` for named types).
fn scalar_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(_) => "message",
        Kind::Enum(_) => "enum",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(name: &str, members: &[(i64, &str)]) -> Shape {
        Shape {
            name: name.to_owned(),
            members: members
                .iter()
                .map(|(n, field)| {
                    let member = Member {
                        name: (*field).to_owned(),
                        cardinality: 0,
                        ty: Ty::Plain("string"),
                    };
                    (*n, member)
                })
                .collect(),
        }
    }

    fn matches(deleted: &[Shape], added: &[Shape]) -> Vec<(String, String, usize, usize)> {
        let mut out = HashMap::new();
        best_pairs(deleted, added, &mut out);
        let mut out: Vec<_> = out
            .into_iter()
            .map(|(d, (a, s))| (d, a, s.matching, s.of))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn one_field_added_to_three_is_similar() {
        let d = shape("D", &[(1, "a"), (2, "b"), (3, "c")]);
        let a = shape("A", &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        assert_eq!(score(&d, &a), Score { matching: 3, of: 4 });
        assert_eq!(
            matches(&[d], &[a]),
            vec![("D".to_owned(), "A".to_owned(), 3, 4)]
        );
    }

    #[test]
    fn two_of_three_is_too_little() {
        let d = shape("D", &[(1, "a"), (2, "b"), (3, "c")]);
        let a = shape("A", &[(1, "a"), (2, "x"), (3, "c")]);
        assert_eq!(score(&d, &a), Score { matching: 2, of: 3 });
        assert!(matches(&[d], &[a]).is_empty());
    }

    #[test]
    fn a_renumbered_member_counts_twice_against() {
        let d = shape("D", &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        let a = shape("A", &[(1, "a"), (2, "b"), (3, "c"), (5, "d")]);
        assert_eq!(score(&d, &a), Score { matching: 3, of: 5 });
    }

    #[test]
    fn ties_and_shared_targets_are_no_claim() {
        let d = shape("D", &[(1, "a"), (2, "b"), (3, "c")]);
        let a = shape("A", &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        let b = shape("B", &[(1, "a"), (2, "b"), (3, "c"), (4, "e")]);
        assert!(matches(&[d], &[a, b]).is_empty());

        // Two deleted types whose best is the same added one: the closer one gets it.
        let abc: Vec<(i64, &str)> = (1..=8)
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
            .collect();
        let a = shape("A", &abc);
        let d = shape("D", &abc[..7]);
        let e = shape("E", &abc[..6]);
        assert_eq!(score(&e, &a), Score { matching: 6, of: 8 });
        assert_eq!(
            matches(&[e, d], &[a]),
            vec![("D".to_owned(), "A".to_owned(), 7, 8)]
        );
    }

    #[test]
    fn the_better_ratio_wins() {
        let d = shape("D", &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        let close = shape("Close", &[(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]);
        let far = shape("Far", &[(1, "a"), (2, "b"), (3, "c"), (4, "x"), (5, "e")]);
        assert_eq!(
            matches(&[d], &[far, close]),
            vec![("D".to_owned(), "Close".to_owned(), 4, 5)]
        );
    }
}

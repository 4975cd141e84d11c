//! The retired-not-reserved debt that FIELD_RETIRED_RESERVED and ENUM_VALUE_RETIRED_RESERVED
//! report: per number a message or enum had in the ledger under names that are gone, what the
//! current revision leaves free for a later change to reuse.

use std::collections::BTreeMap;

use prost_reflect::FileDescriptor;

use crate::fix::{Named, Reserve};
use crate::history::{Element, Member};
use crate::rules::Ctx;

/// What one retired number left unreserved.
pub(crate) struct Debt<'a> {
    /// Its latest retired owner (name, type, last seen).
    pub last: &'a Member,
    /// The number, unless the current revision reserves it or cannot (a member or an extension
    /// range has it).
    pub number: Option<i32>,
    /// Retired names it had that are neither reserved nor used by a member now, oldest first.
    pub names: Vec<String>,
}

/// What the current revision of `element` can reuse: per number a retired member had (one not
/// declared at the previous revision under that number and name), the number if `number_free`
/// says it is free and the names `name_free` says are free. Numbers with nothing free are left
/// out.
pub(crate) fn debts<'a>(
    element: &'a Element,
    number_free: impl Fn(i32) -> bool,
    name_free: impl Fn(&str) -> bool,
) -> Vec<Debt<'a>> {
    let mut by_number: BTreeMap<i32, Vec<&Member>> = BTreeMap::new();
    for member in element.members.iter().filter(|m| !m.present) {
        by_number.entry(member.number).or_default().push(member);
    }
    let mut out = Vec::new();
    for (number, members) in by_number {
        let Some(last) = members.iter().copied().max_by_key(|m| m.last.commit.time) else {
            continue;
        };
        let mut names: Vec<String> = Vec::new();
        for member in &members {
            // A name a member still has under another number is not retired.
            let alive = element
                .members
                .iter()
                .any(|m| m.present && m.name == member.name);
            if !alive && name_free(&member.name) && !names.contains(&member.name) {
                names.push(member.name.clone());
            }
        }
        let number = number_free(number).then_some(number);
        if number.is_some() || !names.is_empty() {
            out.push(Debt {
                last,
                number,
                names,
            });
        }
    }
    out
}

/// What a debt leaves unreserved, for a message: `its number and name are not reserved`,
/// `its name is not reserved`, `its number and the former name "a" are not reserved`, …
pub(crate) fn unreserved(debt: &Debt) -> String {
    let names: Vec<String> = debt.names.iter().map(|n| format!("\"{n}\"")).collect();
    let own_name_only = debt.names.len() == 1 && debt.names[0] == debt.last.name;
    let names_part = match names.len() {
        0 => None,
        _ if own_name_only => Some("name".to_owned()),
        1 => Some(format!("former name {}", names[0])),
        _ => Some(format!("former names {}", names.join(", "))),
    };
    match (debt.number.is_some(), names_part) {
        (true, None) => "its number is not reserved".to_owned(),
        (true, Some(n)) if own_name_only => format!("its number and {n} are not reserved"),
        (true, Some(n)) => format!("its number and the {n} are not reserved"),
        (false, Some(n)) if debt.names.len() > 1 => format!("the {n} are not reserved"),
        (false, Some(n)) if own_name_only => format!("its {n} is not reserved"),
        (false, Some(n)) => format!("the {n} is not reserved"),
        (false, None) => String::new(),
    }
}

/// Reports each debt of `target` (a message or enum of the current revision) at its declaration,
/// with `describe` giving the start of the message (`Field "nickname" (3, string)`), a help that
/// names the `reserved` statements, and the same as a fix.
pub(crate) fn report<T>(
    ctx: &mut Ctx,
    target: &T,
    file: &FileDescriptor,
    debts: Vec<Debt>,
    describe: impl Fn(&Member) -> String,
) where
    T: crate::schema::Element + Named,
{
    let (kind, member) = if target.is_enum() {
        ("enum", "value")
    } else {
        ("message", "field")
    };
    let at = ctx.new.locate_part(target, &[super::NAME]);
    for debt in debts {
        let past = debt.last;
        let text = format!(
            "{} on {kind} \"{}\" was last seen in {}, {}, and {}: a later change can reuse it.",
            describe(past),
            target.full_name(),
            past.last.commit.short(),
            past.last.commit.date(),
            unreserved(&debt),
        );
        let numbers: Vec<i32> = debt.number.into_iter().collect();
        let statements = super::reserved_statements(ctx.new, file, &numbers, &debt.names);
        let short = target.full_name().rsplit('.').next().unwrap_or_default();
        let fix = Reserve::new(ctx.new, target, numbers, debt.names);
        let finding = ctx.report(text, at.clone());
        finding.help = Some(format!(
            "reserve it so that no later {member} can take it: add `{}` to {kind} \"{short}\" (protoguard breaking --fix does it)",
            statements.join(" "),
        ));
        finding.fix = fix;
    }
}

#[cfg(test)]
mod tests {
    use super::{debts, unreserved};
    use crate::history::{CommitRef, Element, Member, Seen};

    fn member(number: i32, name: &str, time: i64, present: bool) -> Member {
        let seen = Seen {
            commit: CommitRef {
                id: format!("{time:040}"),
                time,
            },
            path: "a.proto".into(),
            line: 1,
        };
        Member {
            number,
            name: name.into(),
            type_name: "string".into(),
            first: seen.clone(),
            last: seen,
            present,
            json_name: None,
        }
    }

    #[test]
    fn each_retired_number_names_what_is_still_free() {
        let element = Element {
            members: vec![
                member(1, "id", 1, true),
                // 3 had two names; "b" came back under 9, so only "a" and the number are free.
                member(3, "a", 1, false),
                member(3, "b", 2, false),
                member(9, "b", 3, true),
                // 4 is renamed: the number is in use, the old name is not.
                member(4, "old", 1, false),
                member(4, "new", 2, true),
                // 5 is reserved by number and name already.
                member(5, "gone", 1, false),
            ],
            ..Element::default()
        };
        let found = debts(&element, |n| ![1, 4, 5, 9].contains(&n), |n| n != "gone");
        let said: Vec<(i32, String, String)> = found
            .iter()
            .map(|d| (d.last.number, d.last.name.clone(), unreserved(d)))
            .collect();
        assert_eq!(
            said,
            [
                (
                    3,
                    "b".to_owned(),
                    "its number and the former name \"a\" are not reserved".to_owned()
                ),
                (4, "old".to_owned(), "its name is not reserved".to_owned()),
            ]
        );
    }
}

//! `protoguard history` output: a summary per message and enum (numbers in use, retired,
//! reserved, and retired but not reserved), or the whole ledger as JSON for other tools.

use std::cell::RefCell;
use std::io::{self, Write};
use std::iter::Peekable;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{Element, Ledger, Member, JSON_VERSION};

/// An element of the ledger as the renderers take them, in the ledger's order (see
/// [`super::walk::visit`]): whether it is an extendee, its full name, and the element.
pub type Entry = (bool, String, Element);

/// The summary of `head` (how far back the ledger goes, see [`reach`]) and `elements`, written
/// as they come.
pub fn render_text(
    head: &Ledger,
    elements: &mut dyn Iterator<Item = Entry>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "{}", reach(head))?;
    for (extension, name, element) in elements {
        text_element(&name, &element, extension, out)?;
    }
    Ok(())
}

fn text_element(
    name: &str,
    element: &Element,
    extension: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    if extension {
        writeln!(out, "extensions of {name}")?;
    } else {
        let kind = if element.is_enum { "enum" } else { "message" };
        let gone = if element.present { "" } else { ", deleted" };
        writeln!(out, "{kind} {name}{gone}")?;
    }
    if !element.former_names.is_empty() {
        writeln!(out, "  formerly:  {}", element.former_names.join(", "))?;
    }
    let in_use: Vec<String> = element
        .members
        .iter()
        .filter(|m| m.present)
        .map(|m| format!("{} {}", m.number, m.name))
        .collect();
    if !in_use.is_empty() {
        writeln!(out, "  in use:    {}", in_use.join(", "))?;
    }
    let retired = element.retired();
    if !retired.is_empty() {
        let list: Vec<String> = retired.iter().map(|m| retired_member(m)).collect();
        writeln!(out, "  retired:   {}", list.join(", "))?;
    }
    let reused = reused(element);
    if !reused.is_empty() {
        writeln!(out, "  reused:    {}", reused.join(", "))?;
    }
    let reserved = reserved(element);
    if !reserved.is_empty() {
        writeln!(out, "  reserved:  {reserved}")?;
    }
    // An extension number cannot be reserved: no debt to show.
    let debt = if extension { Vec::new() } else { debt(element) };
    if !debt.is_empty() {
        writeln!(out, "  retired, not reserved: {}", debt.join(", "))?;
    }
    Ok(())
}

/// How far back the ledger reaches, one sentence.
pub fn reach(ledger: &Ledger) -> String {
    let (Some(head), Some(oldest)) = (&ledger.head, &ledger.oldest) else {
        return "The history is empty: no commit was walked.".to_owned();
    };
    let mut text = format!(
        "History of {} ({}): {} first-parent commit{} back to {} ({})",
        head.short(),
        head.date(),
        ledger.commits,
        if ledger.commits == 1 { "" } else { "s" },
        oldest.short(),
        oldest.date()
    );
    if ledger.shallow {
        text.push_str(", where this shallow clone's history ends; fetch more (git fetch --deepen=N or --unshallow) to look further back");
    }
    if ledger.unparsable > 0 {
        text.push_str(&format!(
            "; {} file version{} did not parse and count for nothing",
            ledger.unparsable,
            if ledger.unparsable == 1 { "" } else { "s" }
        ));
    }
    if ledger.unreadable > 0 {
        let first = ledger
            .first_unreadable
            .as_ref()
            .map(|s| format!(" (first: {} at {})", s.path, s.commit.short()))
            .unwrap_or_default();
        text.push_str(&format!(
            "; {} file version{} could not be read{first}, so the ledger does not see what they changed (a partial clone whose remote did not provide them: fetch them, or clone without --filter, to complete it)",
            ledger.unreadable,
            if ledger.unreadable == 1 { "" } else { "s" }
        ));
    }
    text.push('.');
    text
}

fn retired_member(m: &Member) -> String {
    let ty = if m.type_name.is_empty() {
        String::new()
    } else {
        format!("{}, ", m.type_name)
    };
    format!(
        "{} {} ({ty}until {} {})",
        m.number,
        m.name,
        m.last.commit.short(),
        m.last.commit.date()
    )
}

/// Numbers in use at the head that an earlier, retired member had under another name:
/// `2 age (was email, string, until 3f2a91c 2025-03-02)`.
fn reused(element: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for now in element.members.iter().filter(|m| m.present) {
        for past in element.past_owners(now) {
            let ty = if past.type_name.is_empty() {
                String::new()
            } else {
                format!("{}, ", past.type_name)
            };
            out.push(format!(
                "{} {} (was {}, {ty}until {} {})",
                now.number,
                now.name,
                past.name,
                past.last.commit.short(),
                past.last.commit.date()
            ));
        }
    }
    out
}

fn reserved(element: &Element) -> String {
    let ranges: Vec<(i64, i64)> = element
        .reserved_ranges
        .iter()
        .map(|&(a, b)| (a.into(), b.into()))
        .collect();
    let max = if element.is_enum {
        crate::fix::ENUM_MAX
    } else {
        crate::fix::FIELD_MAX
    };
    let mut parts = vec![crate::fix::render_ranges(&ranges, max)];
    parts.retain(|p| !p.is_empty());
    parts.extend(element.reserved_names.iter().map(|n| format!("\"{n}\"")));
    parts.join(", ")
}

/// Retired numbers and names the head does not reserve: `4 "nickname"`, `name "nick"`.
pub fn debt(element: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for m in element.retired() {
        let number = !element.reserves_number(m.number);
        let name = !element.reserves_name(&m.name) && !name_in_use(element, &m.name);
        match (number, name) {
            (true, true) => out.push(format!("{} \"{}\"", m.number, m.name)),
            (true, false) => out.push(m.number.to_string()),
            (false, true) => out.push(format!("\"{}\"", m.name)),
            (false, false) => {}
        }
    }
    out
}

/// Returns `true` if a member at the head has `name`.
pub fn name_in_use(element: &Element, name: &str) -> bool {
    element.members.iter().any(|m| m.present && m.name == name)
}

/// The whole ledger, versioned (see docs/history.md): `head`'s fields, then `elements` as they
/// come, grouped into the `elements` and `extensions` maps. The same JSON as serialising the
/// whole [`Ledger`] (a test holds them together), without holding it.
pub fn render_json(
    head: &Ledger,
    elements: &mut dyn Iterator<Item = Entry>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = Streamed {
        head,
        elements: RefCell::new(elements.peekable()),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

struct Streamed<'a, 'i> {
    head: &'a Ledger,
    elements: RefCell<Peekable<&'i mut dyn Iterator<Item = Entry>>>,
}

impl Serialize for Streamed<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let head = self.head;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", &JSON_VERSION)?;
        map.serialize_entry("head", &head.head)?;
        map.serialize_entry("oldest", &head.oldest)?;
        map.serialize_entry("commits", &head.commits)?;
        map.serialize_entry("shallow", &head.shallow)?;
        map.serialize_entry("unparsable", &head.unparsable)?;
        map.serialize_entry("unreadable", &head.unreadable)?;
        if let Some(first) = &head.first_unreadable {
            map.serialize_entry("first_unreadable", first)?;
        }
        for (key, extension) in [("elements", false), ("extensions", true)] {
            let group = Group {
                extension,
                elements: &self.elements,
            };
            map.serialize_entry(key, &group)?;
        }
        map.end()
    }
}

/// The run of elements (`extension` false) or extendees (true) next in the stream, as a map.
struct Group<'s, 'i> {
    extension: bool,
    elements: &'s RefCell<Peekable<&'i mut dyn Iterator<Item = Entry>>>,
}

impl Serialize for Group<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let mut elements = self.elements.borrow_mut();
        while let Some((_, name, element)) = elements.next_if(|e| e.0 == self.extension) {
            map.serialize_entry(&name, &element)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed JSON is the serialised ledger, field for field.
    #[test]
    fn streamed_json_is_the_whole_ledger_serialised() {
        #[derive(Serialize)]
        struct Document<'a> {
            version: u32,
            #[serde(flatten)]
            ledger: &'a Ledger,
        }
        let commit = super::super::CommitRef {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            time: 1_700_000_000,
        };
        let seen = super::super::Seen {
            commit: commit.clone(),
            path: "a.proto".into(),
            line: 3,
        };
        let member = Member {
            number: 4,
            name: "old".into(),
            type_name: "string".into(),
            first: seen.clone(),
            last: seen.clone(),
            present: false,
            json_name: Some("was".into()),
        };
        let element = Element {
            members: vec![member],
            reserved_ranges: vec![(5, 6)],
            ..Element::default()
        };
        for first_unreadable in [None, Some(seen.clone())] {
            let mut ledger = Ledger {
                head: Some(commit.clone()),
                oldest: Some(commit.clone()),
                commits: 1,
                unreadable: usize::from(first_unreadable.is_some()),
                first_unreadable,
                ..Ledger::default()
            };
            let head = ledger.clone();
            for empty in [true, false] {
                if !empty {
                    ledger.elements.insert("p.A".into(), element.clone());
                    ledger.elements.insert("p.B".into(), Element::default());
                    ledger.extensions.insert("p.A".into(), element.clone());
                }
                let mut entries = ledger
                    .elements
                    .iter()
                    .map(|(n, e)| (false, n.clone(), e.clone()))
                    .chain(
                        ledger
                            .extensions
                            .iter()
                            .map(|(n, e)| (true, n.clone(), e.clone())),
                    );
                let mut streamed = Vec::new();
                render_json(&head, &mut entries, &mut streamed).unwrap();
                let mut whole = serde_json::to_vec_pretty(&Document {
                    version: JSON_VERSION,
                    ledger: &ledger,
                })
                .unwrap();
                whole.push(b'\n');
                assert_eq!(
                    String::from_utf8(streamed).unwrap(),
                    String::from_utf8(whole).unwrap()
                );
            }
        }
    }
}

//! `protoguard history` output: a summary per message and enum (numbers in use, retired,
//! reserved, and retired but not reserved), or the whole ledger as JSON for other tools.

use std::io::{self, Write};

use serde::Serialize;

use super::{Element, Ledger, Member, JSON_VERSION};

/// The summary. `reach` says how far back the ledger goes (and why no further).
pub fn render_text(ledger: &Ledger, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", reach(ledger))?;
    let extensions = ledger.extensions.iter().map(|(n, e)| (n, e, true));
    for (name, element, extension) in ledger
        .elements
        .iter()
        .map(|(n, e)| (n, e, false))
        .chain(extensions)
    {
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

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    #[serde(flatten)]
    ledger: &'a Ledger,
}

/// The whole ledger, versioned (see docs/history.md).
pub fn render_json(ledger: &Ledger, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            version: JSON_VERSION,
            ledger,
        },
    )?;
    writeln!(out)
}

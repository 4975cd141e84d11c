//! What the ledger says about a number in the current revision: the member that had it before
//! under another name and is gone (retired), and how its data reads under the new member.

use super::{Element, Ledger, Member};

/// The latest retired owner of `number` in element `full_name` whose name was not `name`: the
/// past field or value that data written with this number belongs to.
pub fn past_owner<'a>(
    ledger: &'a Ledger,
    full_name: &str,
    number: i32,
    name: &str,
) -> Option<(&'a Element, &'a Member)> {
    past_owner_in(ledger.elements.get(full_name)?, number, name)
}

/// The latest retired extension of extendee `extendee` (the full name of the message extended)
/// that had `number` under another full name than `name`.
pub fn past_extension_owner<'a>(
    ledger: &'a Ledger,
    extendee: &str,
    number: i32,
    name: &str,
) -> Option<(&'a Element, &'a Member)> {
    past_owner_in(ledger.extensions.get(extendee)?, number, name)
}

fn past_owner_in<'a>(
    element: &'a Element,
    number: i32,
    name: &str,
) -> Option<(&'a Element, &'a Member)> {
    // A name that still holds the number at the previous revision is no reuse across history.
    if element
        .members
        .iter()
        .any(|m| m.number == number && m.present)
    {
        return None;
    }
    element
        .members
        .iter()
        .filter(|m| m.number == number && m.name != name && !m.present)
        .max_by_key(|m| m.last.commit.time)
        .map(|m| (element, m))
}

/// The latest retired member of element `full_name` that used one of `keys` as its JSON or
/// text-format key under a number other than `number`: a past owner of a name (or, with `json`,
/// of its JSON name: the `json_name` it set, else the one protoc derives from the name) that data written back then is now decoded into the
/// member with `number`. Returns the member and the key the two share. A key a member still has
/// at the previous revision is no reuse across history (a rename or renumbering in this change
/// is what the two-revision rules judge).
pub fn past_name_owner<'a>(
    ledger: &'a Ledger,
    full_name: &str,
    number: i32,
    keys: &[&str],
    json: bool,
) -> Option<(&'a Member, String)> {
    let element = ledger.elements.get(full_name)?;
    let keys_of = |m: &Member| {
        let mut own = vec![m.name.clone()];
        if json {
            own.push(m.json_key());
        }
        own
    };
    let shared = |m: &Member| keys_of(m).into_iter().find(|k| keys.contains(&k.as_str()));
    if element
        .members
        .iter()
        .any(|m| m.present && shared(m).is_some())
    {
        return None;
    }
    element
        .members
        .iter()
        .filter(|m| m.number != number && !m.present)
        .filter_map(|m| Some((m, shared(m)?)))
        .max_by_key(|(m, _)| m.last.commit.time)
}

/// The JSON name protoc gives a field that sets no `json_name`: underscores dropped and the
/// letter after each one upper-cased (`old_email` → `oldEmail`), as descriptor.cc's ToJsonName.
pub fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The smallest number above every number `element` ever used, reserved, or `current` has: a
/// number that is safe to give a new member.
pub fn next_free(element: &Element, current: impl IntoIterator<Item = i32>) -> i32 {
    element
        .members
        .iter()
        .map(|m| m.number)
        .chain(element.reserved_ranges.iter().map(|r| r.1.min(536_870_910)))
        .chain(current)
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

/// Returns `true` if data written with a field of type `old` still parses as a field of type
/// `new` (both as the ledger writes types: `string`, `repeated int32`, `acme.v1.Tag`): the same
/// wire encoding, per the language guide's compatible groups. A named type is only known to
/// match itself (the ledger does not link, so it cannot tell an enum from a message).
pub fn wire_compatible(old: &str, new: &str) -> bool {
    let class = |t: &str| -> String {
        let t = t.strip_prefix("repeated ").unwrap_or(t);
        match t {
            "int32" | "int64" | "uint32" | "uint64" | "bool" | "enum" => "varint".into(),
            "sint32" | "sint64" => "zigzag".into(),
            "fixed32" | "sfixed32" => "fixed32".into(),
            "fixed64" | "sfixed64" => "fixed64".into(),
            "float" => "float".into(),
            "double" => "double".into(),
            "string" | "bytes" => "bytes".into(),
            // A named type: an enum (varint) or a message (length-delimited); the ledger does
            // not know which, so only the same name is known to match.
            other => format!("named:{other}"),
        }
    };
    old == new || class(old) == class(new)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_names_follow_protoc() {
        assert_eq!(super::default_json_name("old_email"), "oldEmail");
        assert_eq!(super::default_json_name("id"), "id");
        assert_eq!(super::default_json_name("a__b_"), "aB");
        assert_eq!(super::default_json_name("x_1y"), "x1y");
    }
}

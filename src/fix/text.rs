//! Where and how `reserved` numbers and names are written into one message or enum: the body is
//! read with the project's lexer (comments and strings skipped exactly), an existing `reserved`
//! statement of the same kind is extended, else a new statement goes after the other kind's or
//! before the closing brace, indented like the members around it, with the file's line ending.
//! Nothing outside the statements touched is rewritten: comments, blank lines and the rest of the
//! layout stay as they are.

use std::collections::BTreeSet;

use crate::scan::{Kind, Lexer, Token};

/// One replacement of a byte range of the text (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// What one message or enum is missing.
pub(crate) struct Wanted<'a> {
    pub numbers: &'a BTreeSet<i32>,
    pub names: &'a [String],
    /// Names are identifiers (editions) rather than quoted strings (proto2, proto3).
    pub identifiers: bool,
    /// The element is an enum: `max` means 2^31-1 and numbers may be negative.
    pub is_enum: bool,
}

/// The largest field number; what `max` means in a message's `reserved` range.
pub(crate) const FIELD_MAX: i64 = 536_870_911;
/// The largest enum value number; what `max` means in an enum's `reserved` range.
pub(crate) const ENUM_MAX: i64 = i32::MAX as i64;

/// A statement directly inside the body: its byte range (through `;`, or through `}` for a
/// block), its first word, and where its last token before `;` ends.
#[derive(Debug, Clone, Copy)]
struct Statement {
    start: usize,
    end: usize,
    /// End of the first token (`reserved`).
    keyword_end: usize,
    /// End of the last token before the closing `;`.
    last_end: usize,
    reserved: Option<Reserved>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reserved {
    Numbers,
    Names,
}

/// The body of a message or enum: its braces and the statements directly in it.
struct Body {
    close: usize,
    statements: Vec<Statement>,
}

/// The edits that add `wanted` to the element declared at `decl` (byte range of the whole
/// declaration in `text`, from its keyword through its closing brace). Errors say why the
/// declaration could not be read (the caller names file and element).
pub(crate) fn reserve(
    text: &str,
    decl: (usize, usize),
    wanted: &Wanted,
) -> Result<Vec<Edit>, String> {
    let body = body(text, decl)?;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let find = |kind| {
        body.statements
            .iter()
            .rev()
            .find(|s| s.reserved == Some(kind))
            .copied()
    };
    let max = if wanted.is_enum { ENUM_MAX } else { FIELD_MAX };
    let mut edits = Vec::new();
    // New statements, to be placed together.
    let mut new: Vec<String> = Vec::new();
    if !wanted.numbers.is_empty() {
        let ranges: Vec<(i64, i64)> = wanted
            .numbers
            .iter()
            .map(|&n| (n.into(), n.into()))
            .collect();
        match find(Reserved::Numbers) {
            Some(existing) => edits.push(extend_numbers(text, &existing, ranges, max)),
            None => new.push(format!(
                "reserved {};",
                render_ranges(&coalesce(ranges), max)
            )),
        }
    }
    if !wanted.names.is_empty() {
        let spelled: Vec<String> = wanted
            .names
            .iter()
            .map(|n| {
                if wanted.identifiers {
                    n.clone()
                } else {
                    format!("\"{n}\"")
                }
            })
            .collect();
        match find(Reserved::Names) {
            Some(existing) => edits.push(Edit {
                start: existing.last_end,
                end: existing.last_end,
                text: format!(", {}", spelled.join(", ")),
            }),
            None => new.push(format!("reserved {};", spelled.join(", "))),
        }
    }
    if new.is_empty() {
        return Ok(edits);
    }
    // After a reserved statement of the other kind when there is one, else before the brace.
    let anchor = body
        .statements
        .iter()
        .rev()
        .find(|s| s.reserved.is_some())
        .copied();
    let indent = member_indent(text, &body);
    let edit = match anchor {
        Some(stmt) if owns_line(text, stmt.start) && rest_of_line_is_free(text, stmt.end) => {
            let at = line_end(text, stmt.end);
            Edit {
                start: at,
                end: at,
                text: new.iter().map(|s| format!("{indent}{s}{eol}")).collect(),
            }
        }
        Some(stmt) => Edit {
            start: stmt.end,
            end: stmt.end,
            text: new.iter().map(|s| format!(" {s}")).collect(),
        },
        None if owns_line(text, body.close) => {
            let at = line_start(text, body.close);
            Edit {
                start: at,
                end: at,
                text: new.iter().map(|s| format!("{indent}{s}{eol}")).collect(),
            }
        }
        None => {
            // A body on one line: `{ int32 a = 1; }` or `{}`.
            let spaced = text[..body.close].ends_with([' ', '\t']);
            let lead = if spaced { "" } else { " " };
            Edit {
                start: body.close,
                end: body.close,
                text: format!("{lead}{} ", new.join(" ")),
            }
        }
    };
    edits.push(edit);
    Ok(edits)
}

/// Adds `ranges` to an existing numbers statement. A statement on one line without comments is
/// rewritten with its ranges and the new ones coalesced; otherwise the new ranges are appended
/// before its `;`, so comments and line breaks the user wrote stay where they are.
fn extend_numbers(text: &str, stmt: &Statement, ranges: Vec<(i64, i64)>, max: i64) -> Edit {
    let content = &text[stmt.keyword_end..stmt.last_end];
    let plain = !content.contains('\n') && !content.contains('/');
    if plain {
        if let Some(existing) = parse_ranges(content, max) {
            let mut all = existing;
            all.extend(ranges);
            return Edit {
                start: stmt.start,
                end: stmt.last_end,
                text: format!("reserved {}", render_ranges(&coalesce(all), max)),
            };
        }
    }
    Edit {
        start: stmt.last_end,
        end: stmt.last_end,
        text: format!(", {}", render_ranges(&coalesce(ranges), max)),
    }
}

/// `4, 7 to 9, 100 to max` as inclusive ranges; `None` if anything else is written there.
fn parse_ranges(content: &str, max: i64) -> Option<Vec<(i64, i64)>> {
    content
        .split(',')
        .map(|item| {
            let words: Vec<&str> = item.split_whitespace().collect();
            match words[..] {
                [n] => parse_int(n).map(|n| (n, n)),
                [a, "to", "max"] => Some((parse_int(a)?, max)),
                [a, "to", b] => Some((parse_int(a)?, parse_int(b)?)),
                _ => None,
            }
        })
        .collect()
}

/// A protobuf integer literal: decimal, `0x` hexadecimal or `0` octal, optionally negative.
fn parse_int(word: &str) -> Option<i64> {
    let (negative, digits) = match word.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, word),
    };
    let value = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if negative { -value } else { value })
}

/// Sorted, with overlapping and adjacent ranges merged.
fn coalesce(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// `4, 7 to 9, 100 to max`: inclusive ranges as a `reserved` statement lists them (`max` for
/// the kind's largest number).
pub(crate) fn render_ranges(ranges: &[(i64, i64)], max: i64) -> String {
    ranges
        .iter()
        .map(|&(a, b)| match b {
            _ if a == b => a.to_string(),
            _ if b == max => format!("{a} to max"),
            _ => format!("{a} to {b}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the body of the declaration at `decl`: its braces and the statements directly in it.
fn body(text: &str, decl: (usize, usize)) -> Result<Body, String> {
    let (from, to) = decl;
    let src = text
        .as_bytes()
        .get(from..to)
        .ok_or("the declaration is not where the compiler put it")?;
    let mut lexer = Lexer::new(src);
    let byte = |t: &Token| src[t.start];
    // The opening brace of the body.
    loop {
        let token = lexer
            .next()
            .ok_or("the declaration has no body in braces")?;
        if token.kind == Kind::Punct(b'{') {
            break;
        }
    }
    let mut statements = Vec::new();
    let mut depth = 1usize;
    let mut brackets = 0usize;
    // The statement being read: its first token, its keyword and its tokens so far.
    let mut open: Option<(Token, Option<Token>)> = None;
    let mut last: Option<Token> = None;
    // Whether the block that started at depth 1 is a value (`= { … }`) rather than a body.
    let mut value_block = false;
    while let Some(token) = lexer.next() {
        match token.kind {
            Kind::Punct(b'{') => {
                if depth == 1 {
                    value_block = brackets > 0
                        || last.is_some_and(|l| l.kind == Kind::Punct(b'=') || byte(&l) == b':');
                }
                depth += 1;
            }
            Kind::Punct(b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Ok(Body {
                        close: from + token.start,
                        statements,
                    });
                }
                if depth == 1 && !value_block {
                    if let Some((first, _)) = open.take() {
                        statements.push(Statement {
                            start: from + first.start,
                            end: from + token.end,
                            keyword_end: from + first.end,
                            last_end: from + token.end,
                            reserved: None,
                        });
                    }
                    last = None;
                    continue;
                }
            }
            Kind::Punct(b';') if depth == 1 => {
                if let Some((first, second)) = open.take() {
                    let word = &src[first.start..first.end];
                    let reserved = (first.kind == Kind::Ident && word == b"reserved")
                        .then(|| match second.map(|s| (s.kind, byte(&s))) {
                            Some((Kind::Str | Kind::Ident, _)) => Some(Reserved::Names),
                            Some((Kind::Other, b'0'..=b'9' | b'-')) => Some(Reserved::Numbers),
                            _ => None,
                        })
                        .flatten();
                    statements.push(Statement {
                        start: from + first.start,
                        end: from + token.end,
                        keyword_end: from + first.end,
                        last_end: from + last.map_or(first.end, |l| l.end),
                        reserved,
                    });
                }
                last = None;
                continue;
            }
            Kind::Other if depth == 1 && byte(&token) == b'[' => brackets += 1,
            Kind::Other if depth == 1 && byte(&token) == b']' => {
                brackets = brackets.saturating_sub(1)
            }
            _ => {}
        }
        if depth == 1 || open.is_none() {
            match &mut open {
                None if depth == 1 => open = Some((token, None)),
                Some((_, second @ None)) => *second = Some(token),
                _ => {}
            }
        }
        last = Some(token);
    }
    Err("the declaration's closing brace was not found".to_owned())
}

/// Returns `true` if only spaces and tabs come before `at` on its line.
fn owns_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// Returns `true` if nothing but spaces, tabs or a `//` comment follows `at` on its line.
fn rest_of_line_is_free(text: &str, at: usize) -> bool {
    let rest = text[at..line_end(text, at)].trim();
    rest.is_empty() || rest.starts_with("//")
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Just past the end of the line holding `at` (past its `\n`), or the end of the text.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

fn indent_of(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The indentation of the body's members: that of the last member on a line of its own, else
/// the closing brace's plus one step of the file's indentation.
fn member_indent(text: &str, body: &Body) -> String {
    if let Some(stmt) = body
        .statements
        .iter()
        .rev()
        .find(|s| owns_line(text, s.start))
    {
        return indent_of(text, stmt.start).to_owned();
    }
    format!("{}{}", indent_of(text, body.close), indent_step(text))
}

/// One step of indentation as the file writes it: a tab, or the first indented line's spaces
/// (two when nothing is indented).
fn indent_step(text: &str) -> String {
    for line in text.lines() {
        let content = line.trim_start_matches([' ', '\t']);
        if content.is_empty() || content.len() == line.len() {
            continue;
        }
        let lead = &line[..line.len() - content.len()];
        if lead.starts_with('\t') {
            return "\t".to_owned();
        }
        return lead.to_owned();
    }
    "  ".to_owned()
}

/// `text` with `edits` applied (non-overlapping; at one position, in the order given).
pub(crate) fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, e)| (e.start, *i));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (_, edit) in sorted {
        out.push_str(&text[at..edit.start.max(at)]);
        out.push_str(&edit.text);
        at = edit.end.max(at);
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds numbers and names to the first message or enum of `text`.
    fn fix(text: &str, numbers: &[i32], names: &[&str], identifiers: bool) -> String {
        let start = text
            .find("message ")
            .or_else(|| text.find("enum "))
            .unwrap();
        let end = text.rfind('}').unwrap() + 1;
        let numbers: BTreeSet<i32> = numbers.iter().copied().collect();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let wanted = Wanted {
            numbers: &numbers,
            names: &names,
            identifiers,
            is_enum: text[start..].starts_with("enum"),
        };
        apply(text, &reserve(text, (start, end), &wanted).unwrap())
    }

    #[test]
    fn a_new_statement_goes_before_the_brace_indented_like_the_members() {
        let text = "message M {\n    string a = 1; // keep\n}\n";
        assert_eq!(
            fix(text, &[4, 7, 8, 9], &["email"], false),
            "message M {\n    string a = 1; // keep\n    reserved 4, 7 to 9;\n    reserved \"email\";\n}\n"
        );
    }

    #[test]
    fn merges_into_existing_statements_and_coalesces() {
        let text = "message M {\n  reserved 2, 5 to 6;\n  reserved \"old\";\n  int32 a = 1;\n}\n";
        assert_eq!(
            fix(text, &[3, 4, 7, 10], &["b"], false),
            "message M {\n  reserved 2 to 7, 10;\n  reserved \"old\", \"b\";\n  int32 a = 1;\n}\n"
        );
    }

    #[test]
    fn a_statement_with_comments_is_appended_to_not_rewritten() {
        let text = "message M {\n  reserved 2, /* legacy */ 3;\n  int32 a = 1;\n}\n";
        assert_eq!(
            fix(text, &[4], &[], false),
            "message M {\n  reserved 2, /* legacy */ 3, 4;\n  int32 a = 1;\n}\n"
        );
    }

    #[test]
    fn names_go_after_the_numbers_statement_when_there_is_one() {
        let text = "message M {\n\tint32 a = 1;\n\treserved 2;\n\tint32 c = 3;\n}\n";
        assert_eq!(
            fix(text, &[], &["b"], true),
            "message M {\n\tint32 a = 1;\n\treserved 2;\n\treserved b;\n\tint32 c = 3;\n}\n"
        );
    }

    #[test]
    fn one_line_messages_crlf_and_max() {
        assert_eq!(
            fix("message M { int32 a = 1; }", &[2], &["b"], false),
            "message M { int32 a = 1; reserved 2; reserved \"b\"; }"
        );
        assert_eq!(
            fix("message M {}", &[1], &[], false),
            "message M { reserved 1; }"
        );
        assert_eq!(
            fix("message M {\r\n  int32 a = 1;\r\n}\r\n", &[2], &[], false),
            "message M {\r\n  int32 a = 1;\r\n  reserved 2;\r\n}\r\n"
        );
        assert_eq!(
            fix("message M {\n  reserved 10 to max;\n}\n", &[9], &[], false),
            "message M {\n  reserved 9 to max;\n}\n"
        );
        assert_eq!(
            fix(
                "enum E {\n  A = 0;\n  reserved -3, 0x10;\n}\n",
                &[-2, 15],
                &[],
                false
            ),
            "enum E {\n  A = 0;\n  reserved -3 to -2, 15 to 16;\n}\n"
        );
    }

    #[test]
    fn nested_blocks_and_option_values_are_not_members() {
        let text = "message M {\n  option (x) = { a: 1 };\n  message N {\n    reserved 5;\n  }\n  int32 a = 1 [(y) = { b: 2 }];\n}\n";
        assert_eq!(
            fix(text, &[2], &[], false),
            "message M {\n  option (x) = { a: 1 };\n  message N {\n    reserved 5;\n  }\n  int32 a = 1 [(y) = { b: 2 }];\n  reserved 2;\n}\n"
        );
    }
}

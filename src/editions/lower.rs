//! Lowering: an editions file's text rewritten into an equivalent proto2 text that protox can
//! compile, keeping every `features` option as written (protox's bundled `descriptor.proto` knows
//! the core `FeatureSet`), so that feature resolution reads them from the compiled options.
//!
//! What changes, token by token (on the project's lexer, so comments and strings are never
//! touched): the `edition` statement is blanked (no `syntax` statement means proto2); the 2024
//! visibility keywords `export`/`local` are blanked, and `import option` becomes a plain import;
//! `optional ` is inserted before a singular field without a label in a message or `extend`
//! block (not in a oneof); identifier names in `reserved` are quoted. Blanking keeps every offset;
//! the insertions are recorded in a [`ColumnMap`], so every span protox reports against the
//! lowered text maps back exactly onto the original. Labels, groups and `packed` that editions
//! forbid are reported here with their span, as protoc does.

use crate::scan::{Kind, Lexer, Token};

use super::Edition;

/// Where text was inserted into one file, so positions in the lowered text map back onto the
/// original. Insertions never contain a newline: lines are the same in both texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// `(original byte offset, 0-based line, original byte column, inserted length)`, sorted by
    /// offset. The text is inserted before the original byte at that offset.
    inserts: Vec<(usize, u32, u32, u32)>,
}

impl ColumnMap {
    /// Returns `true` if nothing was inserted (the lowered text has the original's offsets).
    pub fn is_empty(&self) -> bool {
        self.inserts.is_empty()
    }

    /// The original byte offset of a byte offset in the lowered text. An offset inside inserted
    /// text maps to the original byte the insertion precedes.
    pub fn original_offset(&self, lowered: usize) -> usize {
        let mut shift = 0usize;
        for &(at, _, _, len) in &self.inserts {
            let start = at + shift;
            if lowered < start {
                break;
            }
            if lowered < start + len as usize {
                return at;
            }
            shift += len as usize;
        }
        lowered - shift
    }

    /// The original byte column of a 0-based line and byte column of the lowered text.
    pub fn original_column(&self, line: u32, lowered: u32) -> u32 {
        let first = self.inserts.partition_point(|i| i.1 < line);
        let mut shift = 0u32;
        for &(_, l, col, len) in &self.inserts[first..] {
            if l != line {
                break;
            }
            let start = col + shift;
            if lowered < start {
                break;
            }
            if lowered < start + len {
                return col;
            }
            shift += len;
        }
        lowered - shift
    }
}

/// An editions file made ready for protox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowered {
    pub edition: Edition,
    /// The proto2 text protox compiles.
    pub text: String,
    pub map: ColumnMap,
    /// Imports written `import option "…";` (2024): needed only for options.
    pub option_imports: Vec<String>,
}

/// A construct the lowering refuses, with its byte range in the original text and a remedy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    pub message: String,
    pub help: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    File,
    Message,
    Extend,
    Oneof,
    Enum,
    /// A service or an rpc body: statements, but nothing to lower.
    Other,
    /// The braces of an aggregate option value (`= { a: 1 b { c: 2 } }`): not statements.
    Value,
}

/// Lowers `source` if it is an editions file. Returns `Ok(None)` for a proto2/proto3 file (which
/// protox reads as it is), the lowered text for an editions file, and an error for an unknown
/// edition or a construct editions forbid.
pub fn lower(source: &str) -> Result<Option<Lowered>, LowerError> {
    // Every source file comes through here: a file that never says `edition` (proto2, proto3)
    // is let through after one substring search instead of a scan of its tokens.
    if !source.contains("edition") {
        return Ok(None);
    }
    // A well-formed editions file says so in its first statement: four tokens, not a scan of
    // the whole file (which finds an `edition` statement wherever it is, to refuse it there).
    let name = match leading_edition(source) {
        Some(name) => name,
        None => match crate::scan::scan(source.as_bytes()).edition {
            Some((name, _, _)) => name,
            None => return Ok(None),
        },
    };
    let mut out = Lowering {
        src: source,
        bytes: source.as_bytes().to_vec(),
        inserts: Vec::new(),
        option_imports: Vec::new(),
    };
    let edition = out.run(&name)?;
    Ok(Some(out.finish(edition)))
}

/// The edition named by a file's first statement when it is `edition = "…";`.
fn leading_edition(source: &str) -> Option<String> {
    let bytes = crate::input::without_bom(source.as_bytes());
    let mut lexer = Lexer::new(bytes);
    let keyword = lexer.next()?;
    if keyword.kind != Kind::Ident || &bytes[keyword.start..keyword.end] != b"edition" {
        return None;
    }
    if !lexer.next().is_some_and(|t| t.kind == Kind::Punct(b'=')) {
        return None;
    }
    let first = lexer.next();
    let name = lexer.string_value(first)?;
    lexer
        .next()
        .is_some_and(|t| t.kind == Kind::Punct(b';'))
        .then_some(name)
}

struct Lowering<'a> {
    src: &'a str,
    /// The original bytes with blanked ranges replaced by spaces.
    bytes: Vec<u8>,
    /// `(original offset, text)`, in increasing offset.
    inserts: Vec<(usize, &'static str)>,
    option_imports: Vec<String>,
}

impl<'a> Lowering<'a> {
    fn word(&self, token: &Token) -> &'a str {
        &self.src[token.start..token.end]
    }

    fn byte(&self, token: &Token) -> u8 {
        self.src.as_bytes()[token.start]
    }

    fn blank(&mut self, start: usize, end: usize) {
        for b in &mut self.bytes[start..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }

    fn error(&self, token: &Token, message: String, help: &str) -> LowerError {
        LowerError {
            message,
            help: help.to_owned(),
            start: token.start,
            end: token.end,
        }
    }

    fn run(&mut self, declared: &str) -> Result<Edition, LowerError> {
        let mut lexer = Lexer::new(self.src.as_bytes());
        let mut stack = vec![Block::File];
        let mut edition = None;
        // The first token of the current statement, and whether the next token starts one.
        let mut first: Option<Token> = None;
        let mut at_start = true;
        // Inside a `reserved` statement whose entries are names (identifiers).
        let mut reserved_names = false;
        // Inside `[ … ]` of a field or value: option names, never fields.
        let mut brackets = 0usize;
        let mut previous: Option<Token> = None;
        while let Some(token) = lexer.next() {
            let after = previous.replace(token);
            let block = *stack.last().expect("the file block is never popped");
            if at_start {
                at_start = false;
                first = Some(token);
                reserved_names = false;
                if token.kind == Kind::Ident && !matches!(block, Block::Other | Block::Value) {
                    match (block, self.word(&token)) {
                        (Block::File, "edition") => {
                            let found = self.edition_statement(&mut lexer, &token, declared)?;
                            edition = Some(found);
                            at_start = true;
                            continue;
                        }
                        (Block::File, "import") => {
                            let mut peek = lexer.clone();
                            if let Some(next) = peek.next() {
                                if next.kind == Kind::Ident && self.word(&next) == "option" {
                                    self.blank(next.start, next.end);
                                    lexer = peek;
                                    let mut ahead = lexer.clone();
                                    let value = ahead.next();
                                    if let Some(name) = ahead.string_value(value) {
                                        self.option_imports.push(name);
                                    }
                                }
                            }
                        }
                        (Block::File | Block::Message, "export" | "local") => {
                            self.blank(token.start, token.end);
                            // The statement really starts at the next token.
                            at_start = true;
                            continue;
                        }
                        (Block::Message | Block::Enum, "reserved") => {
                            let next = lexer.clone().next();
                            if let Some(name) = next.filter(|t| t.kind == Kind::Str) {
                                return Err(self.error(
                                    &name,
                                    "reserved names must be identifiers in editions, not string literals".to_owned(),
                                    "remove the quotes: reserved foo, bar;",
                                ));
                            }
                            reserved_names = next.is_some_and(|t| t.kind == Kind::Ident);
                        }
                        (
                            Block::Message | Block::Extend | Block::Oneof,
                            "optional" | "required",
                        ) => {
                            let word = self.word(&token);
                            return Err(self.error(
                                &token,
                                format!("label \"{word}\" is not allowed in editions"),
                                if word == "optional" {
                                    "remove the label: fields have explicit presence by default in editions (features.field_presence)"
                                } else {
                                    "remove the label and set [features.field_presence = LEGACY_REQUIRED]"
                                },
                            ));
                        }
                        (Block::Message | Block::Extend | Block::Oneof, "group") => {
                            return Err(self.error(
                                &token,
                                "groups are not allowed in editions".to_owned(),
                                "declare a message and a field of that type with [features.message_encoding = DELIMITED]",
                            ));
                        }
                        _ => {}
                    }
                }
                if matches!(block, Block::Message | Block::Extend)
                    && self.is_unlabelled_field(&token, &lexer)
                {
                    self.inserts.push((token.start, "optional "));
                }
            } else if reserved_names && token.kind == Kind::Ident {
                self.inserts.push((token.start, "\""));
                self.inserts.push((token.end, "\""));
            }
            match token.kind {
                Kind::Punct(b'{') => {
                    let value = block == Block::Value
                        || brackets > 0
                        || after.is_some_and(|t| {
                            t.kind == Kind::Punct(b'=')
                                || (t.kind == Kind::Other && self.byte(&t) == b':')
                        });
                    let opened = match first {
                        _ if value => Block::Value,
                        Some(f) if f.kind == Kind::Ident && block != Block::Other => {
                            match self.word(&f) {
                                "message" => Block::Message,
                                "enum" => Block::Enum,
                                "oneof" => Block::Oneof,
                                "extend" => Block::Extend,
                                _ => Block::Other,
                            }
                        }
                        _ => Block::Other,
                    };
                    stack.push(opened);
                    at_start = opened != Block::Value;
                }
                // A stray `}` at the top level is protox's error to report; like the scanner,
                // treat what follows as a new statement.
                Kind::Punct(b'}') => {
                    let closed = if stack.len() > 1 { stack.pop() } else { None };
                    at_start = closed != Some(Block::Value);
                }
                Kind::Punct(b';') if brackets == 0 => at_start = true,
                Kind::Other => match self.byte(&token) {
                    b'[' => brackets += 1,
                    b']' => brackets = brackets.saturating_sub(1),
                    _ => {}
                },
                _ => {}
            }
            if token.kind == Kind::Ident && self.word(&token) == "packed" && brackets > 0 {
                let next = lexer.clone().next();
                if next.is_some_and(|t| t.kind == Kind::Punct(b'=')) {
                    return Err(self.error(
                        &token,
                        "the field option \"packed\" is not allowed in editions".to_owned(),
                        "use [features.repeated_field_encoding = PACKED] or EXPANDED",
                    ));
                }
            }
        }
        // The scanner and this loop agree on statement starts; should they ever not, the file
        // is refused rather than compiled as proto2.
        edition.ok_or_else(|| LowerError {
            message: "the edition statement could not be read".to_owned(),
            help: "write `edition = \"2023\";` as the first statement of the file".to_owned(),
            start: 0,
            end: 0,
        })
    }

    /// Reads and blanks `edition = "…";` (the `edition` token already read).
    fn edition_statement(
        &mut self,
        lexer: &mut Lexer,
        keyword: &Token,
        declared: &str,
    ) -> Result<Edition, LowerError> {
        let edition = Edition::parse(declared).ok_or_else(|| LowerError {
            message: format!("edition \"{declared}\" is not supported"),
            help: format!(
                "protoguard knows editions {}; use one of them, or syntax = \"proto2\"/\"proto3\"",
                Edition::KNOWN.join(" and ")
            ),
            start: keyword.start,
            end: statement_end(self.src, keyword.start),
        })?;
        let mut end = keyword.end;
        while let Some(t) = lexer.next() {
            end = t.end;
            if t.kind == Kind::Punct(b';') {
                break;
            }
        }
        self.blank(keyword.start, end);
        Ok(edition)
    }

    /// Returns `true` if the statement starting at `first` is a field without a label:
    /// `[.]Type[.Nested]* name = …`.
    fn is_unlabelled_field(&self, first: &Token, lexer: &Lexer) -> bool {
        const KEYWORDS: &[&str] = &[
            "message",
            "enum",
            "oneof",
            "extend",
            "option",
            "reserved",
            "extensions",
            "map",
            "repeated",
            "optional",
            "required",
            "group",
            "export",
            "local",
        ];
        if first.kind == Kind::Ident && KEYWORDS.contains(&self.word(first)) {
            return false;
        }
        let mut peek = lexer.clone();
        let mut words = vec![*first];
        loop {
            match peek.next() {
                Some(t) if t.kind == Kind::Punct(b'=') => break,
                Some(t) if matches!(t.kind, Kind::Ident | Kind::Other) && words.len() < 64 => {
                    words.push(t)
                }
                _ => return false,
            }
        }
        let dot = |t: &Token| t.kind == Kind::Other && self.byte(t) == b'.';
        let ident = |i: usize| words.get(i).is_some_and(|t| t.kind == Kind::Ident);
        let mut i = usize::from(dot(&words[0]));
        if !ident(i) {
            return false;
        }
        i += 1;
        while i + 1 < words.len() && dot(&words[i]) {
            if !ident(i + 1) {
                return false;
            }
            i += 2;
        }
        i + 1 == words.len() && ident(i)
    }

    fn finish(self, edition: Edition) -> Lowered {
        let mut inserts = self.inserts;
        inserts.sort_by_key(|(at, _)| *at);
        let mut text = String::with_capacity(self.bytes.len() + inserts.len() * 9);
        let mut map = ColumnMap::default();
        let mut from = 0;
        let (mut line, mut line_start) = (0u32, 0usize);
        for (at, insert) in &inserts {
            let before = &self.bytes[from..*at];
            // Blanking only turns ASCII bytes of tokens into spaces, so every piece between
            // token boundaries stays valid UTF-8.
            push_utf8(&mut text, before);
            text.push_str(insert);
            // Counted with whole-slice scans (vectorised), not byte by byte.
            line += before.iter().filter(|&&b| b == b'\n').count() as u32;
            if let Some(last) = before.iter().rposition(|&b| b == b'\n') {
                line_start = from + last + 1;
            }
            map.inserts
                .push((*at, line, (*at - line_start) as u32, insert.len() as u32));
            from = *at;
        }
        push_utf8(&mut text, &self.bytes[from..]);
        Lowered {
            edition,
            text,
            map,
            option_imports: self.option_imports,
        }
    }
}

/// Appends bytes that are valid UTF-8 by construction (see [`Lowering::finish`]); checked, with
/// replacement characters should that ever not hold.
fn push_utf8(text: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(valid) => text.push_str(valid),
        Err(_) => text.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// The end of the statement starting at `start`: just past its `;`, or the end of the line.
fn statement_end(src: &str, start: usize) -> usize {
    let rest = &src[start..];
    match (rest.find(';'), rest.find('\n')) {
        (Some(semi), Some(nl)) if semi < nl => start + semi + 1,
        (_, Some(nl)) => start + nl,
        (Some(semi), None) => start + semi + 1,
        (None, None) => src.len(),
    }
}

#[cfg(test)]
#[path = "lower/tests.rs"]
mod tests;

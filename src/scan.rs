//! A light scanner for the top-level statements that decide how files relate: `import`s and the
//! `syntax`/`edition` declaration. It skips comments and strings exactly, but does not parse: it
//! lets the planner see a whole tree's import graph at a fraction of a parse's cost, and lets
//! editions files be refused with a precise location before protox sees them.

/// What the scanner found at the top level of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Imported file names, in order.
    pub imports: Vec<String>,
    /// `edition = "…"`: the edition and its 1-based line and column.
    pub edition: Option<(String, u32, u32)>,
    /// The `package` name, if declared.
    pub package: Option<String>,
}

/// Scans `source` for top-level `import` and `edition` statements.
pub fn scan(source: &[u8]) -> Header {
    // Past a byte-order mark, which protoc skips; columns count from after it.
    let source = crate::input::without_bom(source);
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut header = Header::default();
    let mut depth = 0usize;
    let mut at_statement_start = true;
    while let Some(token) = lexer.next() {
        match token.kind {
            Kind::Punct(b'{') => {
                depth += 1;
                at_statement_start = true;
            }
            Kind::Punct(b'}') => {
                depth = depth.saturating_sub(1);
                at_statement_start = true;
            }
            Kind::Punct(b';') => at_statement_start = true,
            Kind::Ident if depth == 0 && at_statement_start => {
                at_statement_start = false;
                match &source[token.start..token.end] {
                    b"import" => {
                        let mut next = lexer.next();
                        if let Some(t) = &next {
                            let word = &source[t.start..t.end];
                            if t.kind == Kind::Ident && (word == b"weak" || word == b"public") {
                                next = lexer.next();
                            }
                        }
                        if let Some(name) = lexer.string_value(next) {
                            header.imports.push(name);
                        }
                    }
                    b"package" => {
                        let mut name = String::new();
                        while let Some(t) = lexer.next() {
                            match t.kind {
                                Kind::Ident | Kind::Other => {
                                    name.push_str(&String::from_utf8_lossy(&source[t.start..t.end]))
                                }
                                _ => break,
                            }
                        }
                        header.package = Some(name);
                        at_statement_start = true;
                    }
                    b"edition" => {
                        let (line, column) = (token.line, token.column);
                        if lexer.next().is_some_and(|t| t.kind == Kind::Punct(b'=')) {
                            let next = lexer.next();
                            if let Some(value) = lexer.string_value(next) {
                                header.edition = Some((value, line, column));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => at_statement_start = false,
        }
    }
    header
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    Str,
    Punct(u8),
    Other,
}

/// One token: its kind, byte range and 1-based line and (byte) column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// The tokenizer shared by the scanner and the editions lowering: identifiers, strings (either
/// quote, with escapes), the punctuation that shapes statements, and single other bytes;
/// comments and whitespace skipped exactly.
#[derive(Clone)]
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    pub(crate) fn next(&mut self) -> Option<Token> {
        self.skip_trivia();
        let start = self.pos;
        let &byte = self.src.get(start)?;
        let line = self.line;
        let column = (start - self.line_start) as u32 + 1;
        let kind = match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while self
                    .src
                    .get(self.pos)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    self.pos += 1;
                }
                Kind::Ident
            }
            b'"' | b'\'' => {
                self.pos += 1;
                while let Some(&b) = self.src.get(self.pos) {
                    self.pos += 1;
                    match b {
                        b'\\' => self.pos += 1,
                        b'\n' => {
                            // An unterminated string ends at the line; protox reports it.
                            self.newline();
                            break;
                        }
                        _ if b == byte => break,
                        _ => {}
                    }
                }
                Kind::Str
            }
            b'{' | b'}' | b';' | b'=' => {
                self.pos += 1;
                Kind::Punct(byte)
            }
            _ => {
                self.pos += 1;
                Kind::Other
            }
        };
        Some(Token {
            kind,
            start,
            end: self.pos.min(self.src.len()),
            line,
            column,
        })
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    fn skip_trivia(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.newline();
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'/' if self.src.get(self.pos + 1) == Some(&b'/') => {
                    while self.src.get(self.pos).is_some_and(|b| *b != b'\n') {
                        self.pos += 1;
                    }
                }
                b'/' if self.src.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    while self.pos < self.src.len() && !self.src[self.pos..].starts_with(b"*/") {
                        if self.src[self.pos] == b'\n' {
                            self.pos += 1;
                            self.newline();
                        } else {
                            self.pos += 1;
                        }
                    }
                    self.pos = (self.pos + 2).min(self.src.len());
                }
                _ => return,
            }
        }
    }

    /// The value of a string token and any adjacent ones (`"a" "b"` is `"ab"`), unescaping the
    /// simple escapes; `None` if `first` is not a string.
    pub(crate) fn string_value(&mut self, first: Option<Token>) -> Option<String> {
        let first = first.filter(|t| t.kind == Kind::Str)?;
        let mut value = unquote(&self.src[first.start..first.end]);
        loop {
            let save = (self.pos, self.line, self.line_start);
            match self.next() {
                Some(t) if t.kind == Kind::Str => {
                    value.push_str(&unquote(&self.src[t.start..t.end]))
                }
                _ => {
                    (self.pos, self.line, self.line_start) = save;
                    return Some(value);
                }
            }
        }
    }
}

fn unquote(token: &[u8]) -> String {
    let inner = if token.len() >= 2 && token[token.len() - 1] == token[0] {
        &token[1..token.len() - 1]
    } else {
        &token[1.min(token.len())..]
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter();
    while let Some(&b) = bytes.next() {
        if b == b'\\' {
            match bytes.next() {
                Some(b'n') => out.push(b'\n'),
                Some(b't') => out.push(b'\t'),
                Some(&other) => out.push(other),
                None => {}
            }
        } else {
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_imports_and_skips_comments_and_nested_statements() {
        let src = br#"
// import "commented.proto";
/* import "block.proto"; */
syntax = "proto3";
import "a/b.proto";
import public "c" ".proto";
import weak 'd.proto';
message M { string import = 1; option (x) = "import \"e.proto\";"; }
"#;
        let header = scan(src);
        assert_eq!(header.imports, ["a/b.proto", "c.proto", "d.proto"]);
        assert_eq!(header.package, None);
        assert_eq!(header.edition, None);
    }

    #[test]
    fn finds_edition_with_its_position() {
        let header =
            scan(b"// header\n  edition = \"2023\";\npackage acme . v1;\nimport \"x.proto\";");
        assert_eq!(header.edition, Some(("2023".to_owned(), 2, 3)));
        assert_eq!(header.package.as_deref(), Some("acme.v1"));
        assert_eq!(header.imports, ["x.proto"]);
    }
}

//! Generated inputs for the editions front end, run by `cargo test` for a bounded number of cases
//! (`PROTOGUARD_GENERATED_CASES` raises it): a deterministic generator in the spirit of proptest,
//! since cargo-fuzz cannot run in CI.
//!
//! 1. Valid proto3 files, rewritten as the equivalent `edition = "2023"` file, compile to the same
//!    resolved properties for every field and enum.
//! 2. Arbitrary edits of the seed corpus (testdata/editions/fuzz) and of generated files never
//!    make lowering or compiling panic, and every lowered offset maps into the original text.

mod common;

use std::collections::HashMap;

use prost_reflect::{DescriptorPool, Kind};
use protoguard::editions::features::Features;
use protoguard::editions::lower::lower;
use protoguard::editions::{Edition, FEATURE_FILES};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

/// xorshift64*: small, deterministic, good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn cases() -> u64 {
    std::env::var("PROTOGUARD_GENERATED_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

const SCALARS: [&str; 8] = [
    "int32", "int64", "uint32", "sint64", "fixed32", "double", "bool", "string",
];

/// A proto3 file and its edition 2023 equivalent.
fn generate(rng: &mut Rng) -> (String, String) {
    let mut p3 = String::from("syntax = \"proto3\";\n\npackage gen.v1;\n\n");
    let mut ed = String::from(
        "edition = \"2023\";\n\npackage gen.v1;\n\noption features.field_presence = IMPLICIT;\n\n",
    );
    let both = |p3: &mut String, ed: &mut String, text: &str| {
        p3.push_str(text);
        ed.push_str(text);
    };
    both(
        &mut p3,
        &mut ed,
        "enum Kind {\n  KIND_UNSPECIFIED = 0;\n  KIND_ONE = 1;\n}\n\n",
    );
    let messages = 1 + rng.below(3);
    for m in 0..messages {
        both(&mut p3, &mut ed, &format!("message M{m} {{\n"));
        for f in 0..1 + rng.below(7) {
            let number = f + 1;
            let ty = match rng.below(10) {
                0 => "Kind".to_owned(),
                1 => "bytes".to_owned(),
                2 => format!("M{}", rng.below(messages)),
                _ => SCALARS[rng.below(SCALARS.len())].to_owned(),
            };
            let name = format!("f{f}");
            // Several fields on one line now and then, and a comment with braces.
            let end = if rng.chance(20) { " " } else { "\n  " };
            let comment = if rng.chance(15) { "/* } { */ " } else { "" };
            match rng.below(6) {
                0 => {
                    p3.push_str(&format!("  {comment}optional {ty} {name} = {number};{end}"));
                    ed.push_str(&format!(
                        "  {comment}{ty} {name} = {number} [features.field_presence = EXPLICIT];{end}"
                    ));
                }
                1 => both(
                    &mut p3,
                    &mut ed,
                    &format!("  {comment}repeated {ty} {name} = {number};{end}"),
                ),
                2 => both(
                    &mut p3,
                    &mut ed,
                    &format!("  map<string, {ty}> {name} = {number};{end}"),
                ),
                3 => {
                    both(
                        &mut p3,
                        &mut ed,
                        &format!("  oneof o{f} {{ {ty} {name} = {number}; }}\n"),
                    );
                }
                _ => both(
                    &mut p3,
                    &mut ed,
                    &format!("  {comment}{ty} {name} = {number};{end}"),
                ),
            }
        }
        if rng.chance(30) {
            both(
                &mut p3,
                &mut ed,
                "\n  message Nested { string s = 1; repeated int32 r = 2; }\n  Nested nested = 100;\n",
            );
        }
        both(&mut p3, &mut ed, "\n}\n\n");
    }
    (p3, ed)
}

struct Files(HashMap<String, String>);

impl FileResolver for Files {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Some((_, text)) = FEATURE_FILES.iter().find(|(n, _)| *n == name) {
            return File::from_source(name, text);
        }
        match self.0.get(name) {
            Some(text) => File::from_source(name, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Lowers (when an editions file) and compiles `text` as `gen.proto`.
fn compile(text: &str) -> Result<(DescriptorPool, Edition), String> {
    let (edition, source) = match lower(text).map_err(|e| e.message)? {
        Some(lowered) => (lowered.edition, lowered.text),
        None => (Edition::Proto3, text.to_owned()),
    };
    let mut chain = ChainFileResolver::new();
    chain.add(Files(HashMap::from([("gen.proto".to_owned(), source)])));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.open_file("gen.proto").map_err(|e| e.to_string())?;
    Ok((compiler.descriptor_pool(), edition))
}

/// Every field's resolved properties, by full name, in a comparable form.
fn resolved(pool: &DescriptorPool, edition: Edition) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for message in pool.all_messages() {
        for field in message.fields() {
            let f = Features::of_field(edition, &field);
            let delimited = matches!(field.kind(), Kind::Message(_))
                && f.message_encoding.value
                    == protoguard::editions::features::MessageEncoding::Delimited;
            out.push((
                field.full_name().to_owned(),
                format!(
                    "{:?} {:?} {:?} {:?} list={} map={} delimited={delimited}",
                    f.field_presence.value,
                    f.repeated_field_encoding.value,
                    f.utf8_validation.value,
                    f.cpp_string_type.value,
                    field.is_list(),
                    field.is_map(),
                ),
            ));
        }
    }
    for enum_ in pool.all_enums() {
        let f = Features::of_enum(edition, &enum_);
        out.push((
            enum_.full_name().to_owned(),
            format!("{:?} {:?}", f.enum_type.value, f.json_format.value),
        ));
    }
    out.sort();
    out
}

#[test]
fn generated_proto3_and_its_editions_form_resolve_the_same() {
    let mut rng = Rng(0x5eed_0001);
    for case in 0..cases() {
        let (p3, ed) = generate(&mut rng);
        let (pool3, e3) = compile(&p3).unwrap_or_else(|e| panic!("case {case}: {e}\n{p3}"));
        let (pool_ed, e_ed) = compile(&ed).unwrap_or_else(|e| panic!("case {case}: {e}\n{ed}"));
        assert_eq!(e3, Edition::Proto3);
        assert_eq!(e_ed, Edition::E2023);
        assert_eq!(
            resolved(&pool3, e3),
            resolved(&pool_ed, e_ed),
            "case {case}:\n{p3}\n{ed}"
        );
    }
}

/// One random edit: insert, delete or replace a few bytes with characters that matter to a
/// lexer (braces, quotes, comment starts, newlines, non-ASCII text).
fn mutate(rng: &mut Rng, text: &str) -> String {
    const PIECES: [&str; 16] = [
        "{",
        "}",
        "\"",
        "'",
        "/*",
        "*/",
        "//",
        "\n",
        ";",
        "=",
        "é",
        "optional ",
        "[",
        "]",
        "<",
        "edition = \"2023\";",
    ];
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 => {
                let piece = PIECES[rng.below(PIECES.len())];
                chars.splice(at..at, piece.chars());
            }
            1 if at < chars.len() => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                chars.drain(at..end);
            }
            _ if at < chars.len() => {
                chars[at] = PIECES[rng.below(PIECES.len())].chars().next().unwrap();
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn arbitrary_edits_never_panic_and_offsets_map_into_the_original() {
    let dir = common::repo_root().join("testdata/editions/fuzz");
    let mut seeds: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..8 {
        seeds.push(generate(&mut rng).1);
    }
    for case in 0..cases() * 4 {
        let seed = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        let result = std::panic::catch_unwind(|| {
            if let Ok(Some(lowered)) = lower(&text) {
                for offset in 0..=lowered.text.len() {
                    assert!(lowered.map.original_offset(offset) <= text.len());
                }
            }
            let _ = compile(&text);
        });
        assert!(result.is_ok(), "case {case} panicked on:\n{text}");
    }
}

//! Lowering round trips: the lowered text is proto2 protox compiles, and every position maps
//! back onto the original text, including on lines where text was inserted.

use super::*;

fn lowered(text: &str) -> Lowered {
    lower(text).expect("lowers").expect("an editions file")
}

#[test]
fn proto2_and_proto3_files_are_not_lowered() {
    assert_eq!(
        lower("syntax = \"proto3\";\nmessage M { int32 a = 1; }\n"),
        Ok(None)
    );
    assert_eq!(lower("message M { optional int32 a = 1; }\n"), Ok(None));
}

#[test]
fn blanks_the_edition_and_labels_singular_fields() {
    let text = "edition = \"2023\";\npackage p;\nmessage M { int32 a = 1; repeated int32 b = 2; .p.M c = 3; map<string, int32> d = 4; p.M e = 5; }\n";
    let out = lowered(text);
    assert_eq!(out.edition, Edition::E2023);
    assert_eq!(
        out.text,
        "                 \npackage p;\nmessage M { optional int32 a = 1; repeated int32 b = 2; optional .p.M c = 3; map<string, int32> d = 4; optional p.M e = 5; }\n"
    );
}

#[test]
fn oneofs_enums_options_and_services_are_left_alone() {
    let text = r#"edition = "2023";
message M {
  oneof o { int32 a = 1; string b = 2; }
  option (x) = { a: 1 b { c: 2 } };
  enum E { E_UNSPECIFIED = 0; }
  int32 f = 3 [(y) = { k: "}" }, deprecated = true];
}
service S { rpc Get(M) returns (M) { option (z) = { a: 1 }; } }
"#;
    let out = lowered(text);
    assert!(
        out.text.contains("oneof o { int32 a = 1; string b = 2; }"),
        "{}",
        out.text
    );
    assert!(out.text.contains("E_UNSPECIFIED = 0;"));
    assert!(
        out.text.contains("  optional int32 f = 3 [(y)"),
        "{}",
        out.text
    );
    assert_eq!(out.text.matches("optional").count(), 1, "{}", out.text);
}

#[test]
fn comments_and_strings_with_braces_and_non_ascii_text() {
    let text = "edition = \"2023\";\n// message X { int32 no = 1; }\nmessage Ünï { /* } */ string s = 1 [default = \"{ int32 y = 2; }\"]; // ü }\n  bytes b = 2; }\n";
    let out = lowered(text);
    assert!(out.text.contains("// message X { int32 no = 1; }"));
    assert!(
        out.text.contains("/* } */ optional string s = 1"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("  optional bytes b = 2; }"),
        "{}",
        out.text
    );
    assert_eq!(out.text.matches("optional").count(), 2);
}

#[test]
fn nested_blocks_and_extend() {
    let text = "edition = \"2023\";\nmessage A { message B { message C { int32 x = 1; } C c = 1; } extensions 10 to 20; }\nextend A { int32 e = 10; }\n";
    let out = lowered(text);
    assert!(
        out.text
            .contains("message C { optional int32 x = 1; } optional C c = 1; }"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("extend A { optional int32 e = 10; }"),
        "{}",
        out.text
    );
}

#[test]
fn reserved_names_are_quoted_and_2024_keywords_blanked() {
    let text = "edition = \"2024\";\nimport option \"o.proto\";\nexport message M { reserved foo, bar; reserved 1 to 3, 9 to max; local enum E { E_ZERO = 0; reserved OLD; } }\n";
    let out = lowered(text);
    assert_eq!(out.edition, Edition::E2024);
    assert_eq!(out.option_imports, ["o.proto"]);
    assert!(
        out.text.contains("import        \"o.proto\";"),
        "{}",
        out.text
    );
    assert!(out.text.contains("       message M { reserved \"foo\", \"bar\"; reserved 1 to 3, 9 to max;       enum E { E_ZERO = 0; reserved \"OLD\"; } }"), "{}", out.text);
}

#[test]
fn positions_map_back_on_lines_with_insertions() {
    let text = "edition = \"2023\";\nmessage M { int32 a = 1; int32 b = 2; reserved x; }\n";
    let out = lowered(text);
    // Every original token is found at its mapped position.
    for word in ["int32 a", "int32 b", "reserved", "; }"] {
        let original = text.find(word).unwrap();
        let in_lowered = out.text.find(word).unwrap();
        assert_eq!(out.map.original_offset(in_lowered), original, "{word}");
        let line_start = text[..original].rfind('\n').unwrap() + 1;
        let lowered_line_start = out.text[..in_lowered].rfind('\n').unwrap() + 1;
        assert_eq!(
            out.map
                .original_column(1, (in_lowered - lowered_line_start) as u32),
            (original - line_start) as u32,
            "{word}"
        );
    }
    // A position inside inserted text maps to the token it was inserted before.
    let inserted = out.text.find("optional").unwrap();
    assert_eq!(
        out.map.original_offset(inserted + 3),
        text.find("int32 a").unwrap()
    );
}

#[test]
fn refusals_have_spans() {
    let err = lower("edition = \"2025\";\nmessage M {}\n").unwrap_err();
    assert_eq!((err.start, err.end), (0, 17));
    assert!(err.message.contains("2025"), "{}", err.message);
    let text = "edition = \"2023\";\nmessage M { optional int32 a = 1; }\n";
    let err = lower(text).unwrap_err();
    assert_eq!(&text[err.start..err.end], "optional");
    let text = "edition = \"2023\";\nmessage M { repeated int32 a = 1 [packed = true]; }\n";
    let err = lower(text).unwrap_err();
    assert_eq!(&text[err.start..err.end], "packed");
    let text = "edition = \"2023\";\nmessage M { group G = 1 {} }\n";
    assert!(lower(text).unwrap_err().message.contains("groups"));
    // Editions reserve identifiers; a string literal is protoc's error too.
    for block in ["message M", "enum E"] {
        let text = format!("edition = \"2023\";\n{block} {{ reserved \"a\", \"b\"; }}\n");
        let err = lower(&text).unwrap_err();
        assert_eq!(&text[err.start..err.end], "\"a\"");
        assert!(err.message.contains("identifiers"), "{}", err.message);
    }
    // Numbers and identifiers stay allowed.
    lower("edition = \"2023\";\nmessage M { reserved 1 to 3; reserved a, b; }\n").unwrap();
}

#[test]
fn statements_after_a_service_with_aggregate_options_are_lowered() {
    // Found by the benchmark corpus: a service whose rpc has an aggregate option closed three
    // blocks in a row, and the message after it was not recognised as a statement.
    let text = "edition = \"2023\";\nservice S {\n  rpc Get(M) returns (M) {\n    option (h) = {\n      get: \"/v1/{name=*}\"\n      body: \"*\"\n    };\n  }\n}\nmessage M {\n  enum E { E_ZERO = 0; reserved OLD; }\n  int32 a = 1;\n}\n";
    let out = lowered(text);
    assert!(out.text.contains("reserved \"OLD\";"), "{}", out.text);
    assert!(out.text.contains("  optional int32 a = 1;"), "{}", out.text);
}

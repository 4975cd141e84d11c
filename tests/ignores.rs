//! What is left out of the report: inline `protoguard:ignore` comments (whole-command tests over
//! previous/ and current/ trees), and configured path ignores and unstable packages (through the
//! library, with `FilterSettings` built directly).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use protoguard::check::{self, Settings};
use protoguard::config::Config;
use protoguard::filter::FilterSettings;
use protoguard::input::Source;

/// A temporary directory holding the given files (paths relative to it).
fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// `protoguard breaking current --against previous` with `rules` enabled by protoguard.toml.
fn breaking(dir: &Path, rules: &[&str], extra: &[&str]) -> Output {
    let uses: Vec<String> = rules.iter().map(|r| format!("\"{r}\"")).collect();
    fs::write(
        dir.join("protoguard.toml"),
        format!("[breaking]\nuse = [{}]\n", uses.join(", ")),
    )
    .unwrap();
    Command::cargo_bin("protoguard")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["breaking", "current", "--against", "previous"])
        .args(extra)
        .output()
        .unwrap()
}

/// Runs a text-format check and returns the exit code and the finding lines.
#[track_caller]
fn text(dir: &Path, rules: &[&str], extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--format", "text"];
    args.extend_from_slice(extra);
    let output = breaking(dir, rules, &args);
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !err.contains("panicked") && output.status.code() != Some(2),
        "could not run:\n{out}{err}"
    );
    (output.status.code().unwrap(), out)
}

const PREVIOUS: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string id = 1;
  int32 age = 2;
  string email = 3;
  message Address {
    int32 zip = 1;
  }
}
"#;

/// `PREVIOUS` with `age` and `Address.zip` changed to int64, and `comment` lines above `User`,
/// `age` and `zip` (each may be empty).
fn current(on_user: &str, on_age: &str, on_zip: &str) -> String {
    format!(
        r#"syntax = "proto3";

package acme.v1;
{on_user}
message User {{
  string id = 1;
{on_age}
  int64 age = 2;
  string email = 3;
  message Address {{
{on_zip}
    int64 zip = 1;
  }}
}}
"#
    )
}

fn user_case(current_text: &str) -> TempDir {
    tree(&[
        ("previous/acme/v1/user.proto", PREVIOUS),
        ("current/acme/v1/user.proto", current_text),
    ])
}

#[test]
fn without_ignores_both_changes_are_reported() {
    let dir = user_case(&current("", "", ""));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("FIELD_SAME_TYPE").count(), 2, "{out}");
}

#[test]
fn an_ignore_on_a_field_silences_that_field_only() {
    let dir = user_case(&current(
        "",
        "  // protoguard:ignore FIELD_SAME_TYPE ages never exceeded int32",
        "",
    ));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"acme.v1.User.Address.zip\""), "{out}");
}

#[test]
fn a_trailing_ignore_counts_too() {
    let source = current("", "", "").replace(
        "  int64 age = 2;\n",
        "  int64 age = 2; // protoguard:ignore FIELD_SAME_TYPE ages never exceeded int32\n",
    );
    let dir = user_case(&source);
    let (_, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert!(!out.contains("\"acme.v1.User.age\""), "{out}");
}

#[test]
fn an_ignore_names_its_rules_only() {
    let dir = user_case(&current(
        "",
        "  // protoguard:ignore FIELD_SAME_NAME wrong rule",
        "",
    ));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1);
    assert_eq!(out.matches("FIELD_SAME_TYPE").count(), 2, "{out}");
}

#[test]
fn an_ignore_on_a_message_covers_its_fields_and_nested_messages() {
    let dir = user_case(&current(
        "// protoguard:ignore FIELD_SAME_TYPE, FIELD_NO_DELETE User is not released yet",
        "",
        "",
    ));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn an_ignore_on_a_nested_message_does_not_cover_its_parent() {
    let source = current("", "", "").replace(
        "  message Address {\n",
        "  // protoguard:ignore FIELD_SAME_TYPE zip codes fit\n  message Address {\n",
    );
    let dir = user_case(&source);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"acme.v1.User.age\""), "{out}");
}

#[test]
fn an_ignore_on_the_package_statement_covers_the_whole_file() {
    let source = current("", "", "").replace(
        "package acme.v1;",
        "// protoguard:ignore FIELD_SAME_TYPE the whole file is being rewritten\npackage acme.v1;",
    );
    let dir = user_case(&source);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_deletion_is_silenced_by_an_ignore_on_its_parent() {
    let dir = tree(&[
        ("previous/acme/v1/user.proto", PREVIOUS),
        (
            "current/acme/v1/user.proto",
            &PREVIOUS.replace("  string email = 3;\n", "").replace(
                "message User {",
                "// protoguard:ignore FIELD_NO_DELETE email moved to Contact\nmessage User {",
            ),
        ),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_NO_DELETE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_deletion_is_silenced_by_an_ignore_on_the_deleted_element_in_the_previous_revision() {
    let previous = PREVIOUS.replace(
        "  string email = 3;\n",
        "  // protoguard:ignore FIELD_NO_DELETE never populated\n  string email = 3;\n",
    );
    let deleted = PREVIOUS.replace("  string email = 3;\n", "");
    let dir = tree(&[
        ("previous/acme/v1/user.proto", &previous),
        ("current/acme/v1/user.proto", &deleted),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_NO_DELETE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));

    // Without the comment in the previous revision the deletion is reported.
    let dir = tree(&[
        ("previous/acme/v1/user.proto", PREVIOUS),
        ("current/acme/v1/user.proto", &deleted),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_NO_DELETE"], &[]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_deleted_message_is_silenced_by_its_ignore_in_the_previous_revision() {
    let previous = format!(
        "{PREVIOUS}\n// protoguard:ignore MESSAGE_NO_DELETE experiment over\nmessage Trial {{\n  string id = 1;\n}}\n"
    );
    let dir = tree(&[
        ("previous/acme/v1/user.proto", &previous),
        ("current/acme/v1/user.proto", PREVIOUS),
    ]);
    let (code, out) = text(dir.path(), &["MESSAGE_NO_DELETE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_deleted_file_is_silenced_by_an_ignore_on_its_package_in_the_previous_revision() {
    let trial = "syntax = \"proto3\";\n\n// protoguard:ignore FILE_NO_DELETE never released\npackage acme.trial;\n\nmessage Trial {\n  string id = 1;\n}\n";
    let dir = tree(&[
        ("previous/acme/v1/user.proto", PREVIOUS),
        ("previous/acme/trial/trial.proto", trial),
        ("current/acme/v1/user.proto", PREVIOUS),
    ]);
    let (code, out) = text(dir.path(), &["FILE_NO_DELETE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn an_ignore_in_the_previous_revision_does_not_excuse_a_change() {
    let previous = PREVIOUS.replace(
        "  int32 age = 2;\n",
        "  // protoguard:ignore FIELD_SAME_TYPE an older change\n  int32 age = 2;\n",
    );
    let dir = tree(&[
        ("previous/acme/v1/user.proto", &previous),
        ("current/acme/v1/user.proto", &current("", "", "")),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1);
    assert!(out.contains("\"acme.v1.User.age\""), "{out}");
}

#[test]
fn an_ignore_follows_its_message_into_another_file() {
    let moved = |comment: &str| {
        format!(
            "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {{\n  string id = 1;\n{comment}\n  int64 age = 2;\n  string email = 3;\n  message Address {{\n    int32 zip = 1;\n  }}\n}}\n"
        )
    };
    let rest = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage Other {\n  string id = 1;\n}\n";
    let previous_rest = format!("{PREVIOUS}\nmessage Other {{\n  string id = 1;\n}}\n");
    let with = moved("  // protoguard:ignore FIELD_SAME_TYPE ages never exceeded int32");
    let dir = tree(&[
        ("previous/acme/v1/user.proto", &previous_rest),
        ("current/acme/v1/user.proto", rest),
        ("current/acme/v1/people.proto", &with),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));

    // The same move without the comment: the change is found in the new file.
    let without = moved("");
    let dir = tree(&[
        ("previous/acme/v1/user.proto", &previous_rest),
        ("current/acme/v1/user.proto", rest),
        ("current/acme/v1/people.proto", &without),
    ]);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("acme/v1/people.proto:"), "{out}");
}

#[test]
fn an_ignore_without_reason_silences_and_warns() {
    let dir = user_case(&current("// protoguard:ignore FIELD_SAME_TYPE", "", ""));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 0, "warnings alone exit 0: {out}");
    assert_eq!(
        out,
        "acme/v1/user.proto:4:4: warning: IGNORE_WITHOUT_REASON Inline ignore of \"FIELD_SAME_TYPE\" gives no reason.\n"
    );

    let json = breaking(dir.path(), &["FIELD_SAME_TYPE"], &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["rule"], "IGNORE_WITHOUT_REASON");
    assert_eq!(findings[0]["severity"], "warning");
}

#[test]
fn an_unknown_rule_id_warns_and_silences_nothing() {
    let dir = user_case(&current(
        "",
        "  // protoguard:ignore FIELD_SAME_TYP ages never exceeded int32",
        "",
    ));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches(": FIELD_SAME_TYPE ").count(), 2, "{out}");
    assert!(
        out.contains("acme/v1/user.proto:7:6: warning: UNKNOWN_IGNORE_RULE Inline ignore names \"FIELD_SAME_TYP\", which is not a protoguard rule.\n"),
        "{out}"
    );
    let human = breaking(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("did you mean FIELD_SAME_TYPE?"), "{human}");
}

#[test]
fn a_buf_lint_ignore_does_not_silence_breaking_rules() {
    let dir = user_case(&current("// buf:lint:ignore FIELD_SAME_TYPE", "", ""));
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE"], &[]);
    assert_eq!(code, 1);
    assert_eq!(out.matches(": FIELD_SAME_TYPE ").count(), 2, "{out}");
    assert!(!out.contains("IGNORE"), "{out}");
}

#[test]
fn unused_ignores_are_reported_with_the_flag_only() {
    let source = current(
        "",
        "  // protoguard:ignore FIELD_SAME_TYPE ages never exceeded int32",
        "    // protoguard:ignore FIELD_SAME_TYPE zip codes fit",
    )
    .replace(
        "  string id = 1;\n",
        "  // protoguard:ignore FIELD_SAME_NAME, FIELD_NO_DELETE left over\n  string id = 1;\n",
    );
    let dir = user_case(&source);
    let (code, out) = text(dir.path(), &["FIELD_SAME_TYPE", "FIELD_SAME_NAME"], &[]);
    assert_eq!((code, out.as_str()), (0, ""));

    let (code, out) = text(
        dir.path(),
        &["FIELD_SAME_TYPE", "FIELD_SAME_NAME"],
        &["--report-unused-ignores"],
    );
    assert_eq!(code, 0, "warnings alone exit 0: {out}");
    assert_eq!(
        out,
        "acme/v1/user.proto:6:6: warning: UNUSED_IGNORE Inline ignore of \"FIELD_NO_DELETE\" silenced nothing: the rule is not enabled.\n\
         acme/v1/user.proto:6:6: warning: UNUSED_IGNORE Inline ignore of \"FIELD_SAME_NAME\" silenced nothing.\n"
    );
}

#[test]
fn unused_ignores_are_looked_for_in_every_compared_file() {
    let quiet = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage Quiet {\n  // protoguard:ignore FIELD_SAME_TYPE left over\n  string id = 1;\n  string added = 2;\n}\n";
    let dir = tree(&[
        ("previous/acme/v1/user.proto", PREVIOUS),
        ("current/acme/v1/user.proto", PREVIOUS),
        (
            "previous/acme/v1/quiet.proto",
            &quiet.replace("  string added = 2;\n", ""),
        ),
        ("current/acme/v1/quiet.proto", quiet),
    ]);
    let (code, out) = text(
        dir.path(),
        &["FIELD_SAME_TYPE"],
        &["--report-unused-ignores"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "acme/v1/quiet.proto:6:6: warning: UNUSED_IGNORE Inline ignore of \"FIELD_SAME_TYPE\" silenced nothing.\n"
    );
}

// Configured ignores, through the library.

/// Runs a check of `dir`'s previous/ and current/ trees and returns `path RULE` per finding.
fn check_with(dir: &Path, rules: &[&str], filter: FilterSettings) -> Vec<String> {
    let mut settings = Settings::new(
        dir.to_owned(),
        Source::Directory("current".into()),
        Source::Directory("previous".into()),
        Config::default(),
    );
    settings.selection.uses = rules.iter().map(|r| r.to_string()).collect();
    settings.filter = Some(filter);
    let outcome = check::breaking(&settings).unwrap_or_else(|e| panic!("{e:?}"));
    outcome
        .findings
        .iter()
        .map(|f| format!("{} {}", f.location.path, f.rule))
        .collect()
}

/// The same change (a field's type) in several files, and one deleted file.
fn many_files() -> TempDir {
    let file = |package: &str, ty: &str| {
        format!("syntax = \"proto3\";\n\npackage {package};\n\nmessage M {{\n  {ty} a = 1;\n  string b = 2;\n}}\n")
    };
    let mut files = Vec::new();
    for (path, package) in [
        ("acme/legacy/a.proto", "acme.legacy"),
        ("acme/legacy2/a.proto", "acme.legacy2"),
        ("acme/v1/a.proto", "acme.v1"),
        ("acme/v1beta1/a.proto", "acme.v1beta1"),
        ("acme/v2test/a.proto", "acme.v2test"),
    ] {
        files.push((format!("previous/{path}"), file(package, "int32")));
        files.push((format!("current/{path}"), file(package, "int64")));
    }
    files.push((
        "previous/acme/gone/g.proto".to_owned(),
        file("acme.gone", "int32"),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    tree(&refs)
}

const RULES: &[&str] = &["FIELD_SAME_TYPE", "FILE_NO_DELETE"];

#[test]
fn without_configured_ignores_everything_is_reported() {
    let dir = many_files();
    assert_eq!(
        check_with(dir.path(), RULES, FilterSettings::default()),
        [
            "acme/gone/g.proto FILE_NO_DELETE",
            "acme/legacy/a.proto FIELD_SAME_TYPE",
            "acme/legacy2/a.proto FIELD_SAME_TYPE",
            "acme/v1/a.proto FIELD_SAME_TYPE",
            "acme/v1beta1/a.proto FIELD_SAME_TYPE",
            "acme/v2test/a.proto FIELD_SAME_TYPE",
        ]
    );
}

#[test]
fn ignored_directories_and_files_match_whole_components() {
    let dir = many_files();
    let filter = FilterSettings {
        ignore: vec![
            "acme/legacy".to_owned(),
            "./acme/v1/a.proto".to_owned(),
            "acme/v2".to_owned(),
        ],
        ..Default::default()
    };
    assert_eq!(
        check_with(dir.path(), RULES, filter),
        [
            "acme/gone/g.proto FILE_NO_DELETE",
            "acme/legacy2/a.proto FIELD_SAME_TYPE",
            "acme/v1beta1/a.proto FIELD_SAME_TYPE",
            "acme/v2test/a.proto FIELD_SAME_TYPE",
        ]
    );
}

#[test]
fn a_deleted_file_is_matched_at_its_old_path() {
    let dir = many_files();
    let filter = FilterSettings {
        ignore: vec!["acme/gone/".to_owned()],
        ..Default::default()
    };
    let findings = check_with(dir.path(), RULES, filter);
    assert!(!findings.iter().any(|f| f.contains("gone")), "{findings:?}");
    assert_eq!(findings.len(), 5);
}

#[test]
fn ignore_only_leaves_out_one_rule_in_its_paths() {
    let dir = many_files();
    let filter = FilterSettings {
        ignore_only: BTreeMap::from([
            ("FIELD_SAME_TYPE".to_owned(), vec!["acme".to_owned()]),
            ("FIELD_SAME_NAME".to_owned(), vec!["acme/gone".to_owned()]),
        ]),
        ..Default::default()
    };
    assert_eq!(
        check_with(dir.path(), RULES, filter),
        ["acme/gone/g.proto FILE_NO_DELETE"]
    );
}

#[test]
fn unstable_packages_are_left_out_when_asked() {
    let dir = many_files();
    let filter = FilterSettings {
        ignore_unstable_packages: true,
        ..Default::default()
    };
    assert_eq!(
        check_with(dir.path(), RULES, filter),
        [
            "acme/gone/g.proto FILE_NO_DELETE",
            "acme/legacy/a.proto FIELD_SAME_TYPE",
            "acme/legacy2/a.proto FIELD_SAME_TYPE",
            "acme/v1/a.proto FIELD_SAME_TYPE",
        ]
    );
}

#[test]
fn a_finding_is_left_out_when_its_previous_location_is_in_an_unstable_package() {
    // As buf does, both locations' packages count: the file left v1beta1 for v1 and dropped a
    // message on the way; the deletion is shown in the v1 file but stood in a v1beta1 one.
    let dir = tree(&[
        (
            "previous/acme/a.proto",
            "syntax = \"proto3\";\n\npackage acme.v1beta1;\n\nmessage Old {\n  string a = 1;\n}\n",
        ),
        (
            "current/acme/a.proto",
            "syntax = \"proto3\";\n\npackage acme.v1;\n",
        ),
    ]);
    let filter = FilterSettings {
        ignore_unstable_packages: true,
        ..Default::default()
    };
    assert!(check_with(dir.path(), &["MESSAGE_NO_DELETE"], filter).is_empty());
    assert_eq!(
        check_with(
            dir.path(),
            &["MESSAGE_NO_DELETE"],
            FilterSettings::default()
        ),
        ["acme/a.proto MESSAGE_NO_DELETE"]
    );
}

#[test]
fn configured_ignores_apply_to_ignore_warnings_too() {
    let with_no_reason = "syntax = \"proto3\";\n\npackage acme.legacy;\n\nmessage M {\n  // protoguard:ignore FIELD_SAME_TYPE\n  int64 a = 1;\n}\n";
    let dir = tree(&[
        (
            "previous/acme/legacy/a.proto",
            &with_no_reason
                .replace("int64", "int32")
                .replace("  // protoguard:ignore FIELD_SAME_TYPE\n", ""),
        ),
        ("current/acme/legacy/a.proto", with_no_reason),
    ]);
    assert_eq!(
        check_with(dir.path(), &["FIELD_SAME_TYPE"], FilterSettings::default()),
        ["acme/legacy/a.proto IGNORE_WITHOUT_REASON"]
    );
    let filter = FilterSettings {
        ignore_only: BTreeMap::from([(
            "IGNORE_WITHOUT_REASON".to_owned(),
            vec!["acme/legacy".to_owned()],
        )]),
        ..Default::default()
    };
    assert!(check_with(dir.path(), &["FIELD_SAME_TYPE"], filter).is_empty());
}

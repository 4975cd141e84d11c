//! Configuration, end to end: protoguard.toml (every key), buf.yaml v1 and v2 (one and two
//! modules), buf.work.yaml v1, discovery, precedence (flags over protoguard.toml over buf.yaml
//! over defaults), invalid configuration (file:line:column, exit 2), `protoguard init`, and the
//! committed JSON schema. Each test builds a real git repository: the working tree is compared
//! with `HEAD`.
//!
//! The tests of `ignore`, `ignore_only` and `ignore_unstable_packages` (names starting with
//! `filter_`) check what is reported, so they pass once src/filter.rs applies the settings.

mod common;

use common::{all_output, expect_code, git, protoguard, write};

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

const USER_V1: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string id = 1;
  string email = 2;
  int32 age = 3;
  string nickname = 4;
}
"#;

/// Deletes `email` (FIELD_NO_DELETE), changes `age`'s type (FIELD_SAME_TYPE) and renames
/// `nickname` (FIELD_SAME_NAME, FIELD_SAME_JSON_NAME).
const USER_V2: &str = r#"syntax = "proto3";

package acme.v1;

message User {
  string id = 1;
  int64 age = 3;
  string nick = 4;
}
"#;

const LEGACY_V1: &str =
    "syntax = \"proto3\";\npackage acme.legacy;\nmessage Old {\n  string a = 1;\n  string b = 2;\n}\n";
const LEGACY_V2: &str =
    "syntax = \"proto3\";\npackage acme.legacy;\nmessage Old {\n  string a = 1;\n}\n";
const BETA_V1: &str =
    "syntax = \"proto3\";\npackage acme.v1alpha1;\nmessage Beta {\n  string x = 1;\n  string y = 2;\n}\n";
const BETA_V2: &str =
    "syntax = \"proto3\";\npackage acme.v1alpha1;\nmessage Beta {\n  string x = 1;\n}\n";

/// A second module that imports the first: it compiles only when both are roots.
const API_V1: &str = "syntax = \"proto3\";\npackage acme.api.v1;\nimport \"acme/v1/user.proto\";\nmessage GetUserResponse {\n  acme.v1.User user = 1;\n  string etag = 2;\n}\n";
const API_V2: &str = "syntax = \"proto3\";\npackage acme.api.v1;\nimport \"acme/v1/user.proto\";\nmessage GetUserResponse {\n  acme.v1.User user = 1;\n}\n";

const USER: &str = "acme/v1/user.proto";
const LEGACY: &str = "acme/legacy/old.proto";
const BETA: &str = "acme/v1alpha1/beta.proto";
// Findings name files by the path a user opens: relative to the repository root.
const P_USER: &str = "proto/acme/v1/user.proto";
const P_LEGACY: &str = "proto/acme/legacy/old.proto";
const P_BETA: &str = "proto/acme/v1alpha1/beta.proto";
const P_API: &str = "api/acme/api/v1/service.proto";
const API: &str = "acme/api/v1/service.proto";

/// A repository whose `HEAD` holds the first version of the files under `proto/` (and `api/` with
/// `with_api`) and whose working tree holds the breaking second version.
fn repo(with_api: bool) -> TempDir {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    let mut files = vec![
        (format!("proto/{USER}"), USER_V1, USER_V2),
        (format!("proto/{LEGACY}"), LEGACY_V1, LEGACY_V2),
        (format!("proto/{BETA}"), BETA_V1, BETA_V2),
    ];
    if with_api {
        files.push((format!("api/{API}"), API_V1, API_V2));
    }
    for (name, v1, _) in &files {
        write(&path.join(name), v1);
    }
    git(path, &["add", "-A"]);
    git(path, &["commit", "-q", "-m", "v1"]);
    for (name, _, v2) in &files {
        write(&path.join(name), v2);
    }
    dir
}

/// A finding as (rule, severity, path).
type Found = BTreeSet<(String, String, String)>;

/// Runs a JSON check and returns the exit code and the findings.
#[track_caller]
fn check(dir: &Path, extra: &[&str]) -> (i32, Found) {
    let mut args = vec!["breaking", "--against", "HEAD", "--format", "json"];
    args.extend_from_slice(extra);
    let output = protoguard(dir, &args);
    let all = all_output(&output);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit code {code}:\n{all}");
    let doc: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{all}"));
    let found = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (code, found)
}

fn has(found: &Found, rule: &str, path: &str) -> bool {
    found.iter().any(|(r, _, p)| r == rule && p == path)
}

fn rules_in(found: &Found) -> BTreeSet<&str> {
    found.iter().map(|(r, _, _)| r.as_str()).collect()
}

fn paths_in(found: &Found) -> BTreeSet<&str> {
    found.iter().map(|(_, _, p)| p.as_str()).collect()
}

fn severity_of<'a>(found: &'a Found, rule: &str, path: &str) -> Option<&'a str> {
    found
        .iter()
        .find(|(r, _, p)| r == rule && p == path)
        .map(|(_, s, _)| s.as_str())
}

// ---------------------------------------------------------------------------------------------
// protoguard.toml: [module]

#[test]
fn module_roots_make_import_names_relative_to_the_root() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n",
    );
    let (code, found) = check(dir, &[]);
    assert_eq!(code, 1);
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    assert!(has(&found, "FIELD_NO_DELETE", P_LEGACY), "{found:?}");
    // `root` is the one-root spelling of the same thing.
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroot = \"./proto/\"\n",
    );
    assert_eq!(check(dir, &[]).1, found);
    // Without a root, the top is the root and names keep the directory.
    fs::remove_file(dir.join("protoguard.toml")).unwrap();
    let (_, top) = check(dir, &[]);
    assert!(
        has(&top, "FIELD_NO_DELETE", &format!("proto/{USER}")),
        "{top:?}"
    );
}

#[test]
fn several_roots_form_one_module() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\", \"api\"]\n",
    );
    let (code, found) = check(dir, &[]);
    assert_eq!(code, 1);
    assert!(has(&found, "FIELD_NO_DELETE", P_API), "{found:?}");
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    // The staged index is read with the same roots.
    git(dir, &["add", "-A"]);
    let (_, staged) = check(dir, &["--staged"]);
    assert_eq!(staged, found);
    // Without the second root, api/ is not checked; without the first, the import fails.
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"api\"]\n",
    );
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("acme/v1/user.proto"), "{all}");
}

#[test]
fn the_same_import_name_under_two_roots_is_an_error_naming_both() {
    let repo = repo(false);
    let dir = repo.path();
    write(&dir.join(format!("vendor/{USER}")), USER_V1);
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\", \"vendor\"]\n",
    );
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains(&format!("proto/{USER}")) && all.contains(&format!("vendor/{USER}")),
        "{all}"
    );
    // The index reader refuses it the same way.
    git(dir, &["add", "-A"]);
    let output = protoguard(dir, &["breaking", "--staged", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("staged changes") && all.contains(&format!("vendor/{USER}")),
        "{all}"
    );
    // Overlapping roots are refused before anything is read.
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\", \"proto/acme\"]\n",
    );
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    assert!(expect_code(&output, 2).contains("overlap"));
}

#[test]
fn module_includes_are_importable_and_never_checked() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"api\"]\nincludes = [\"proto\"]\n",
    );
    let (code, found) = check(dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths_in(&found), BTreeSet::from([P_API]), "{found:?}");
}

#[test]
fn module_excludes_skip_files_and_directories_in_every_input_kind() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\nexcludes = [\"proto/acme/legacy\", \"proto/acme/v1alpha1/beta.proto\"]\n",
    );
    let (_, found) = check(dir, &[]);
    assert_eq!(paths_in(&found), BTreeSet::from([P_USER]), "{found:?}");
    git(dir, &["add", "-A"]);
    assert_eq!(check(dir, &["--staged"]).1, found);
    // Two directories: the previous revision is a directory too.
    let old = TempDir::new().unwrap();
    git(
        dir,
        &[
            "worktree",
            "add",
            "-q",
            old.path().to_str().unwrap(),
            "HEAD",
        ],
    );
    let output = protoguard(
        dir,
        &[
            "breaking",
            ".",
            "--against",
            old.path().to_str().unwrap(),
            "--format",
            "text",
        ],
    );
    let out = expect_code(&output, 1);
    assert!(!out.contains("legacy") && !out.contains("beta"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// protoguard.toml: [breaking] selection and severity

fn with_breaking(section: &str) -> TempDir {
    let repo = repo(false);
    write(
        &repo.path().join("protoguard.toml"),
        &format!("[module]\nroots = [\"proto\"]\n\n[breaking]\n{section}"),
    );
    repo
}

#[test]
fn breaking_use_takes_rule_ids_and_categories() {
    let repo = with_breaking("use = [\"FIELD_SAME_TYPE\"]\n");
    let (_, found) = check(repo.path(), &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_TYPE"]));
    // int32 → int64 keeps the wire format: WIRE reports none of the FILE findings.
    let repo = with_breaking("use = [\"WIRE\"]\n");
    let (_, found) = check(repo.path(), &[]);
    assert!(!rules_in(&found).contains("FIELD_SAME_TYPE"), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_NAME"), "{found:?}");
    // The default is FILE.
    let repo = with_breaking("");
    let (_, found) = check(repo.path(), &[]);
    for rule in ["FIELD_NO_DELETE", "FIELD_SAME_TYPE", "FIELD_SAME_NAME"] {
        assert!(rules_in(&found).contains(rule), "{rule}: {found:?}");
    }
}

#[test]
fn breaking_except_removes_rules_and_categories() {
    let repo = with_breaking("use = [\"FILE\"]\nexcept = [\"FIELD_NO_DELETE\", \"WIRE_JSON\"]\n");
    let (_, found) = check(repo.path(), &[]);
    let rules = rules_in(&found);
    assert!(rules.contains("FIELD_SAME_TYPE"), "{found:?}");
    assert!(!rules.contains("FIELD_NO_DELETE"), "{found:?}");
    // FIELD_SAME_NAME is in WIRE_JSON.
    assert!(!rules.contains("FIELD_SAME_NAME"), "{found:?}");
    // A rule ID buf has retired is accepted and stands for its replacements.
    let repo = with_breaking("except = [\"FIELD_SAME_LABEL\"]\n");
    let (code, _) = check(repo.path(), &[]);
    assert_eq!(code, 1);
}

#[test]
fn breaking_severity_per_rule_and_category() {
    let repo = with_breaking("severity = { FIELD_NO_DELETE = \"warning\" }\n");
    let (_, found) = check(repo.path(), &[]);
    assert_eq!(
        severity_of(&found, "FIELD_NO_DELETE", P_USER),
        Some("warning")
    );
    assert_eq!(
        severity_of(&found, "FIELD_SAME_TYPE", P_USER),
        Some("error")
    );
    // A rule's own entry wins over its category's; a narrower category over a broader one.
    let repo = with_breaking(
        "[breaking.severity]\nFILE = \"warning\"\nWIRE_JSON = \"error\"\nFIELD_SAME_TYPE = \"error\"\n",
    );
    let (_, found) = check(repo.path(), &[]);
    assert_eq!(
        severity_of(&found, "FIELD_NO_DELETE", P_USER),
        Some("warning")
    );
    assert_eq!(
        severity_of(&found, "FIELD_SAME_TYPE", P_USER),
        Some("error")
    );
    assert_eq!(
        severity_of(&found, "FIELD_SAME_NAME", P_USER),
        Some("error")
    );
    // "off" removes a rule; only warnings left means exit code 0.
    let repo = with_breaking(
        "use = [\"FIELD_NO_DELETE\", \"FIELD_SAME_TYPE\"]\nseverity = { FIELD_SAME_TYPE = \"off\", FIELD_NO_DELETE = \"warning\" }\n",
    );
    let (code, found) = check(repo.path(), &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_NO_DELETE"]));
    assert_eq!(code, 0, "{found:?}");
}

// ---------------------------------------------------------------------------------------------
// protoguard.toml: [breaking] ignores (applied by src/filter.rs)

#[test]
fn filter_breaking_ignore_paths() {
    let repo = with_breaking("ignore = [\"proto/acme/legacy\", \"proto/acme/v1/user.proto\"]\n");
    let (_, found) = check(repo.path(), &[]);
    assert_eq!(paths_in(&found), BTreeSet::from([P_BETA]), "{found:?}");
}

#[test]
fn filter_breaking_ignore_only_by_rule_and_category() {
    let repo = with_breaking(
        "[breaking.ignore_only]\nFIELD_NO_DELETE = [\"proto/acme/legacy\"]\nWIRE_JSON = [\"proto/acme/v1\"]\n",
    );
    let (_, found) = check(repo.path(), &[]);
    assert!(!has(&found, "FIELD_NO_DELETE", P_LEGACY), "{found:?}");
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    assert!(has(&found, "FIELD_NO_DELETE", P_BETA), "{found:?}");
    // FIELD_SAME_NAME and FIELD_SAME_JSON_NAME are WIRE_JSON rules; FIELD_SAME_TYPE is not.
    assert!(!has(&found, "FIELD_SAME_NAME", P_USER), "{found:?}");
    assert!(!has(&found, "FIELD_SAME_JSON_NAME", P_USER), "{found:?}");
    assert!(has(&found, "FIELD_SAME_TYPE", P_USER), "{found:?}");
}

#[test]
fn filter_breaking_ignore_unstable_packages() {
    let repo = with_breaking("ignore_unstable_packages = true\n");
    let (_, found) = check(repo.path(), &[]);
    assert!(!paths_in(&found).contains(P_BETA), "{found:?}");
    assert!(paths_in(&found).contains(P_USER), "{found:?}");
    let repo = with_breaking("ignore_unstable_packages = false\n");
    assert!(paths_in(&check(repo.path(), &[]).1).contains(P_BETA));
}

#[test]
fn ignore_paths_outside_every_root_are_refused() {
    let repo = with_breaking("ignore = [\"docs\"]\n");
    let output = protoguard(repo.path(), &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("[breaking] ignore: 'docs' is not inside any module root"),
        "{all}"
    );
    // The same mistake in [lint] names the section it is in.
    let repo = with_breaking("");
    let config = repo.path().join("protoguard.toml");
    let text = fs::read_to_string(&config).unwrap();
    write(&config, &format!("{text}\n[lint]\nignore = [\"docs\"]\n"));
    let output = protoguard(repo.path(), &["lint"]);
    let all = expect_code(&output, 2);
    assert!(
        all.contains("[lint] ignore: 'docs' is not inside any module root"),
        "{all}"
    );
}

// ---------------------------------------------------------------------------------------------
// protoguard.toml: version and [lint]

#[test]
fn version_and_lint_section() {
    let repo = repo(false);
    let dir = repo.path();
    // Lint names are checked against the lint rules and categories.
    write(
        &dir.join("protoguard.toml"),
        "version = 1\n\n[module]\nroots = [\"proto\"]\n\n[lint]\nuse = [\"STANDARD\", \"SOME_FUTURE_RULE\"]\n",
    );
    let all = expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    assert!(
        all.contains("protoguard.toml:7:20: unknown lint rule or category 'SOME_FUTURE_RULE'"),
        "{all}"
    );
    write(
        &dir.join("protoguard.toml"),
        "version = 1\n\n[module]\nroots = [\"proto\"]\n\n[lint]\nuse = [\"STANDARD\", \"IMPORT_USED\"]\nexcept = [\"COMMENTS\"]\nignore = [\"proto/acme/legacy\"]\nignore_only = { IMPORT_USED = [\"proto/acme\"] }\nignore_unstable_packages = true\nseverity = { COMMENTS = \"warning\" }\n",
    );
    let (code, _) = check(dir, &[]);
    assert_eq!(code, 1);
    write(&dir.join("protoguard.toml"), "version = 2\n");
    let all = expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    assert!(
        all.contains("protoguard.toml:1:11: unsupported configuration version 2"),
        "{all}"
    );
    write(
        &dir.join("protoguard.toml"),
        "[lint]\nuse = [\"STANDARD\"]\nenum_zero_value_suffix = \"_NONE\"\nservice_sufix = \"API\"\n",
    );
    let all = expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    assert!(
        all.contains("protoguard.toml:4:1: invalid configuration: unknown field `service_sufix`"),
        "{all}"
    );
    write(
        &dir.join("protoguard.toml"),
        "[lint]\nseverity = { X = \"loud\" }\n",
    );
    let all = expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    assert!(all.contains("protoguard.toml:2:18:"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// Discovery

#[test]
fn discovery_walks_up_and_the_config_directory_is_the_top() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n",
    );
    let (_, from_top) = check(dir, &[]);
    let (_, from_inside) = check(&dir.join("proto/acme/v1"), &[]);
    assert_eq!(from_top, from_inside);
    assert!(has(&from_inside, "FIELD_NO_DELETE", P_LEGACY));
    // --config names a file explicitly; its directory is the top.
    fs::rename(dir.join("protoguard.toml"), dir.join("proto/pg.toml")).unwrap();
    write(
        &dir.join("proto/pg.toml"),
        "[breaking]\nuse = [\"FIELD_SAME_TYPE\"]\n",
    );
    let (_, found) = check(dir, &["--config", "proto/pg.toml"]);
    assert_eq!(
        found,
        Found::from([(
            "FIELD_SAME_TYPE".to_owned(),
            "error".to_owned(),
            P_USER.to_owned()
        )])
    );
}

#[test]
fn nearest_configuration_wins() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n[breaking]\nuse = [\"FIELD_SAME_TYPE\"]\n",
    );
    write(
        &dir.join("proto/buf.yaml"),
        "version: v2\nbreaking:\n  use: [FIELD_SAME_NAME]\n",
    );
    // From proto/, its buf.yaml is nearer.
    let (_, found) = check(&dir.join("proto"), &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_NAME"]));
    // From the top, protoguard.toml.
    let (_, found) = check(dir, &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_TYPE"]));
    // A v1 buf.yaml is one module of a possible workspace: the search goes on up, and a
    // protoguard.toml above it (as `protoguard init` writes next to buf.work.yaml) wins.
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nbreaking:\n  use: [FIELD_SAME_NAME]\n",
    );
    let (_, found) = check(&dir.join("proto"), &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_TYPE"]));
    // At the same level, protoguard.toml wins over buf.yaml.
    fs::rename(dir.join("proto/buf.yaml"), dir.join("buf.yaml")).unwrap();
    let (_, found) = check(dir, &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_TYPE"]));
}

// ---------------------------------------------------------------------------------------------
// buf.yaml and buf.work.yaml

#[test]
fn buf_yaml_v1_is_a_module_at_its_directory() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nname: buf.build/acme/api\ndeps:\n  - buf.build/googleapis/googleapis\nbuild:\n  excludes:\n    - acme/legacy\nlint:\n  use: [STANDARD]\n  enum_zero_value_suffix: _NONE\nbreaking:\n  use:\n    - FILE\n  except:\n    - FIELD_SAME_TYPE\n",
    );
    let (_, found) = check(&dir.join("proto/acme"), &[]);
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    assert!(!paths_in(&found).contains(P_LEGACY), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_TYPE"), "{found:?}");
}

#[test]
fn filter_buf_yaml_v1_ignores() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nbreaking:\n  ignore:\n    - acme/legacy\n  ignore_only:\n    FIELD_SAME_TYPE:\n      - acme/v1/user.proto\n  ignore_unstable_packages: true\n",
    );
    let (_, found) = check(&dir.join("proto"), &[]);
    assert_eq!(paths_in(&found), BTreeSet::from([P_USER]), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_TYPE"), "{found:?}");
    assert!(rules_in(&found).contains("FIELD_NO_DELETE"), "{found:?}");
}

#[test]
fn buf_yaml_v2_with_one_module() {
    let repo = repo(false);
    let dir = repo.path();
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n    name: buf.build/acme/api\n    excludes:\n      - proto/acme/legacy\nlint:\n  use:\n    - STANDARD\nbreaking:\n  use:\n    - FILE\n  except:\n    - FIELD_SAME_NAME\n    - FIELD_SAME_JSON_NAME\nplugins: []\n",
    );
    let (_, found) = check(dir, &[]);
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    assert!(!paths_in(&found).contains(P_LEGACY), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_NAME"), "{found:?}");
    // The same from inside the module.
    assert_eq!(check(&dir.join("proto/acme"), &[]).1, found);
    // Without modules, the buf.yaml's directory is the one module.
    write(
        &dir.join("buf.yaml"),
        "version: v2\nbreaking:\n  use: [FIELD_SAME_TYPE]\n",
    );
    let (_, found) = check(dir, &[]);
    assert!(
        has(&found, "FIELD_SAME_TYPE", &format!("proto/{USER}")),
        "{found:?}"
    );
}

#[test]
fn filter_buf_yaml_v2_ignores_are_relative_to_the_buf_yaml() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n  - path: api\nbreaking:\n  ignore:\n    - proto/acme/legacy\n  ignore_only:\n    FIELD_NO_DELETE:\n      - api/acme/api\n  ignore_unstable_packages: true\n",
    );
    let (_, found) = check(dir, &[]);
    assert_eq!(paths_in(&found), BTreeSet::from([P_USER]), "{found:?}");
}

#[test]
fn buf_yaml_v2_with_two_modules() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n    breaking:\n      use: [FILE]\n      except: [FIELD_SAME_TYPE]\n  - path: api\n    breaking:\n      use: [FILE]\n      except: [FIELD_SAME_TYPE]\n",
    );
    let (_, found) = check(dir, &[]);
    assert!(has(&found, "FIELD_NO_DELETE", P_API), "{found:?}");
    assert!(has(&found, "FIELD_NO_DELETE", P_USER), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_TYPE"), "{found:?}");
    // Modules that select different rules cannot share one selection: a clear error.
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n  - path: api\n    breaking:\n      use: [WIRE]\nbreaking:\n  use: [FILE]\n",
    );
    let all = expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    assert!(
        all.contains("module 'proto' (top-level breaking) selects use [FILE], but")
            && all.contains("'api' selects use [WIRE]"),
        "{all}"
    );
    assert!(all.contains("protoguard init"), "{all}");
}

#[test]
fn buf_work_yaml_v1_workspace() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.work.yaml"),
        "version: v1\ndirectories:\n  - proto\n  - api\n",
    );
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nbuild:\n  excludes: [acme/legacy]\nbreaking:\n  use: [FILE]\n",
    );
    // api/ has no buf.yaml: buf's defaults (FILE) apply to it.
    let (_, from_top) = check(dir, &[]);
    assert!(has(&from_top, "FIELD_NO_DELETE", P_API), "{from_top:?}");
    assert!(has(&from_top, "FIELD_NO_DELETE", P_USER), "{from_top:?}");
    assert!(!paths_in(&from_top).contains(P_LEGACY), "{from_top:?}");
    // From inside a module, the workspace that lists it is found: api/ still compiles.
    let (_, from_module) = check(&dir.join("proto/acme"), &[]);
    assert_eq!(from_module, from_top);
    let (_, from_api) = check(&dir.join("api"), &[]);
    assert_eq!(from_api, from_top);
    // A workspace directory that is not listed is a module of its own.
    write(
        &dir.join("buf.work.yaml"),
        "version: v1\ndirectories:\n  - api\n",
    );
    let (_, alone) = check(&dir.join("proto"), &[]);
    assert!(!paths_in(&alone).contains(P_API), "{alone:?}");
}

#[test]
fn filter_buf_work_yaml_module_ignores_are_relative_to_the_module() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.work.yaml"),
        "version: v1\ndirectories: [proto, api]\n",
    );
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nbreaking:\n  ignore: [acme/legacy, acme/v1alpha1]\n",
    );
    let (_, found) = check(dir, &[]);
    assert_eq!(
        paths_in(&found),
        BTreeSet::from([P_API, P_USER]),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Precedence: flags > protoguard.toml > buf.yaml > defaults

#[test]
fn precedence_flags_over_toml_over_buf_yaml_over_defaults() {
    let repo = repo(false);
    let dir = repo.path();
    // Defaults: FILE at the top.
    let (_, defaults) = check(dir, &[]);
    assert!(has(&defaults, "FIELD_SAME_TYPE", &format!("proto/{USER}")));
    // buf.yaml over defaults.
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\nbreaking:\n  use: [FIELD_SAME_NAME]\n",
    );
    let (_, found) = check(dir, &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_NAME"]));
    assert_eq!(paths_in(&found), BTreeSet::from([P_USER]));
    // protoguard.toml over buf.yaml: the whole file is used, buf.yaml is not read.
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n[breaking]\nuse = [\"FIELD_SAME_TYPE\"]\n",
    );
    let (_, found) = check(dir, &[]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_TYPE"]));
    // Flags over protoguard.toml.
    let (_, found) = check(dir, &["--rule", "FIELD_NO_DELETE"]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_NO_DELETE"]));
    let (_, found) = check(dir, &["--root", "proto/acme/v1"]);
    assert_eq!(paths_in(&found), BTreeSet::from([P_USER]));
    let (_, found) = check(dir, &["--exclude", "proto/acme/v1"]);
    assert!(
        found.is_empty(),
        "FIELD_SAME_TYPE fires only in user.proto: {found:?}"
    );
    // --except adds to the configured except; severities still apply to flag-selected rules.
    write(
        &dir.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n[breaking]\nseverity = { FIELD_NO_DELETE = \"warning\" }\n",
    );
    let (_, found) = check(
        dir,
        &[
            "--rule",
            "FIELD_NO_DELETE",
            "--rule",
            "FIELD_SAME_TYPE",
            "--except",
            "FIELD_SAME_TYPE",
        ],
    );
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_NO_DELETE"]));
    assert_eq!(
        severity_of(&found, "FIELD_NO_DELETE", P_USER),
        Some("warning")
    );
    // --config can name a buf.yaml.
    let (_, found) = check(dir, &["--config", "buf.yaml"]);
    assert_eq!(rules_in(&found), BTreeSet::from(["FIELD_SAME_NAME"]));
}

// ---------------------------------------------------------------------------------------------
// Invalid configuration: file, line and column, exit code 2

#[track_caller]
fn invalid(file: &str, text: &str, expected: &[&str]) {
    let repo = repo(false);
    let dir = repo.path();
    write(&dir.join(file), text);
    let output = protoguard(dir, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    for part in expected {
        assert!(all.contains(part), "{part:?} not in:\n{all}");
    }
    assert!(all.contains(&dir.join(file).display().to_string()), "{all}");
}

#[test]
fn invalid_protoguard_toml() {
    invalid(
        "protoguard.toml",
        "[module]\nroots = [\"proto\"]\nrots = []\n",
        &["protoguard.toml:3:1: invalid configuration: unknown field `rots`"],
    );
    invalid(
        "protoguard.toml",
        "[breaking]\nuse = [\n  \"FILE\",\n  \"FIELD_NO_DELET\",\n]\n",
        &[
            "protoguard.toml:4:3: unknown breaking rule or category 'FIELD_NO_DELET'",
            "did you mean FIELD_NO_DELETE",
        ],
    );
    invalid(
        "protoguard.toml",
        "[breaking]\nexcept = [\"wire\"]\n",
        &[
            "protoguard.toml:2:11: unknown breaking rule or category 'wire'",
            "did you mean WIRE",
        ],
    );
    invalid(
        "protoguard.toml",
        "[breaking.severity]\nFILES = \"warning\"\n",
        &["protoguard.toml:2:1: unknown breaking rule or category 'FILES'"],
    );
    invalid(
        "protoguard.toml",
        "[breaking.ignore_only]\nNOT_A_CATEGORY = [\"a\"]\n",
        &["protoguard.toml:2:1: unknown breaking rule or category 'NOT_A_CATEGORY'"],
    );
    invalid(
        "protoguard.toml",
        "[breaking]\nseverity = { FILE = \"fatal\" }\n",
        &["protoguard.toml:2:21: invalid configuration: unknown variant `fatal`, expected one of `error`, `warning`, `off`"],
    );
    invalid(
        "protoguard.toml",
        "[module]\nroot = \"proto\"\nroots = [\"api\"]\n",
        &["protoguard.toml:2:8: set either root or roots"],
    );
    invalid(
        "protoguard.toml",
        "[module]\nincludes = [\"../outside\"]\n",
        &["protoguard.toml:2:13: '../outside': the path leaves the configuration file's directory"],
    );
    invalid(
        "protoguard.toml",
        "[module]\nexcludes = [\"/abs\"]\n",
        &["protoguard.toml:2:13: '/abs': the path must be relative"],
    );
    invalid(
        "protoguard.toml",
        "[breaking]\nignore_unstable_packages = \"yes\"\n",
        &["protoguard.toml:2:28: invalid configuration"],
    );
    invalid("protoguard.toml", "[breaking\n", &["protoguard.toml:1:"]);
}

#[test]
fn invalid_buf_configuration() {
    invalid(
        "buf.yaml",
        "version: v1\nbreaking:\n  use:\n    - FILE\n    - MY_PLUGIN_RULE\n",
        &["buf.yaml:5:7: unknown breaking rule or category 'MY_PLUGIN_RULE'"],
    );
    invalid(
        "buf.yaml",
        "version: v2\nbreaking:\n  ignore_only:\n    NOPE:\n      - a\n",
        &["buf.yaml:4:5: unknown breaking rule or category 'NOPE'"],
    );
    invalid(
        "buf.yaml",
        "version: v1\nbreaking:\n  use: [FILE\n",
        &["buf.yaml:", "invalid YAML"],
    );
    invalid(
        "buf.yaml",
        "version: v1\nbreaking:\n  use: FILE\n",
        &["buf.yaml:3:8: invalid YAML"],
    );
    invalid(
        "buf.yaml",
        "version: v3\n",
        &["buf.yaml:1:10: unknown buf.yaml version 'v3'"],
    );
    invalid(
        "buf.yaml",
        "version: v2\nmodules:\n  - path: ../elsewhere\n",
        &["buf.yaml:3:11: '../elsewhere': the path leaves"],
    );
    invalid(
        "buf.yaml",
        "version: v2\nmodules:\n  - path: proto\n    includes: [proto/acme]\n",
        &["buf.yaml:4:15: modules[].includes is not supported"],
    );
    invalid(
        "buf.work.yaml",
        "version: v1\ndirectories:\n  - .\n",
        &["buf.work.yaml:3:5: a workspace directory cannot be '.'"],
    );
}

#[test]
fn invalid_flags() {
    let repo = repo(false);
    let dir = repo.path();
    let all = expect_code(
        &protoguard(dir, &["breaking", "--against", "HEAD", "--except", "NOPE"]),
        2,
    );
    assert!(
        all.contains("--except: unknown breaking rule or category 'NOPE'"),
        "{all}"
    );
    let all = expect_code(
        &protoguard(dir, &["breaking", "--against", "HEAD", "--root", "/abs"]),
        2,
    );
    assert!(all.contains("--root /abs"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// protoguard init

#[test]
fn init_writes_a_commented_file_that_loads() {
    let repo = repo(false);
    let dir = repo.path();
    let output = protoguard(dir, &["init"]);
    expect_code(&output, 0);
    let text = fs::read_to_string(dir.join("protoguard.toml")).unwrap();
    assert!(text.contains("# roots = [\"proto\"]"), "{text}");
    assert!(text.contains("# severity = "), "{text}");
    // Every key of the schema is in the file, with an explanation above it.
    let schema: serde_json::Value =
        serde_json::from_str(&protoguard::config::json_schema()).unwrap();
    for (table, key) in schema_keys(&schema) {
        let Some(key) = key else {
            assert!(
                text.contains(&format!("\n[{table}]\n")),
                "[{table}] missing:\n{text}"
            );
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        let section = lines
            .iter()
            .position(|l| table.is_empty() || *l == format!("[{table}]"))
            .unwrap();
        let line = (section..lines.len())
            .find(|&i| {
                lines[i]
                    .trim_start_matches("# ")
                    .starts_with(&format!("{key} = "))
            })
            .unwrap_or_else(|| panic!("{table}.{key} missing from init output:\n{text}"));
        assert!(lines[line - 1].starts_with("# "), "{key}");
    }
    // All defaults: the file loads, and the check runs as without it.
    let config = protoguard::config::Config::load(&dir.join("protoguard.toml")).unwrap();
    assert_eq!(config.breaking.use_, ["FILE"]);
    let (_, with) = check(dir, &[]);
    fs::rename(dir.join("protoguard.toml"), dir.join("saved.toml")).unwrap();
    let (_, without) = check(dir, &[]);
    assert_eq!(with, without);
    // Leaves no temporary file behind.
    let names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".protoguard"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

/// Every key the schema describes, as (table, key): top-level keys have the table "", and a
/// table itself is (name, None).
fn schema_keys(schema: &serde_json::Value) -> Vec<(String, Option<String>)> {
    let mut keys = Vec::new();
    for (name, property) in schema["properties"].as_object().unwrap() {
        match property["$ref"].as_str() {
            Some(reference) => {
                keys.push((name.clone(), None));
                let def = reference.rsplit('/').next().unwrap();
                for key in schema["$defs"][def]["properties"]
                    .as_object()
                    .unwrap()
                    .keys()
                {
                    keys.push((name.clone(), Some(key.clone())));
                }
            }
            None => keys.push((String::new(), Some(name.clone()))),
        }
    }
    keys
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("protoguard.toml"), "# mine\n");
    let all = expect_code(&protoguard(dir.path(), &["init"]), 2);
    assert!(
        all.contains("protoguard.toml already exists") && all.contains("--force"),
        "{all}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("protoguard.toml")).unwrap(),
        "# mine\n"
    );
    expect_code(&protoguard(dir.path(), &["init", "--force"]), 0);
    assert!(fs::read_to_string(dir.path().join("protoguard.toml"))
        .unwrap()
        .contains("[breaking]"));
    // --from-buf insists on something to convert.
    let empty = TempDir::new().unwrap();
    let all = expect_code(&protoguard(empty.path(), &["init", "--from-buf"]), 2);
    assert!(all.contains("no buf.yaml or buf.work.yaml"), "{all}");
    assert!(!empty.path().join("protoguard.toml").exists());
}

#[test]
fn init_converts_buf_yaml_and_gives_the_same_findings() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/acme/v1alpha1]\n  - path: api\nbreaking:\n  use: [FILE]\n  except: [FIELD_SAME_TYPE]\n  ignore: [proto/acme/legacy]\n  ignore_only:\n    WIRE_JSON: [proto/acme/v1]\n  ignore_unstable_packages: true\n",
    );
    let (_, from_buf) = check(dir, &[]);
    let output = protoguard(dir, &["init", "--from-buf"]);
    assert!(expect_code(&output, 0).contains("converted from"));
    let text = fs::read_to_string(dir.join("protoguard.toml")).unwrap();
    for line in [
        "roots = [\"proto\", \"api\"]  # from buf.yaml",
        "excludes = [\"proto/acme/v1alpha1\"]  # from buf.yaml",
        "use = [\"FILE\"]  # from buf.yaml",
        "except = [\"FIELD_SAME_TYPE\"]  # from buf.yaml",
        "ignore = [\"proto/acme/legacy\"]  # from buf.yaml",
        "ignore_only = { WIRE_JSON = [\"proto/acme/v1\"] }  # from buf.yaml",
        "ignore_unstable_packages = true  # from buf.yaml",
        "# severity = ",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    let (_, from_toml) = check(dir, &[]);
    assert_eq!(from_toml, from_buf);
    // The converted file is used from now on: buf.yaml is not read any more.
    write(
        &dir.join("buf.yaml"),
        "version: v2\nbreaking:\n  use: [NOT_A_RULE]\n",
    );
    assert_eq!(check(dir, &[]).1, from_toml);
}

#[test]
fn init_converts_a_buf_work_yaml_and_notes_conflicts() {
    let repo = repo(true);
    let dir = repo.path();
    write(
        &dir.join("buf.work.yaml"),
        "version: v1\ndirectories: [proto, api]\n",
    );
    write(
        &dir.join("proto/buf.yaml"),
        "version: v1\nbuild:\n  excludes: [acme/legacy]\nbreaking:\n  use: [FILE]\n  except: [FIELD_SAME_TYPE]\n",
    );
    write(
        &dir.join("api/buf.yaml"),
        "version: v1\nbreaking:\n  use: [WIRE]\n",
    );
    // The check refuses the workspace (its modules select differently); init converts it and
    // marks what to review.
    expect_code(&protoguard(dir, &["breaking", "--against", "HEAD"]), 2);
    let output = protoguard(dir, &["init"]);
    assert!(expect_code(&output, 0).contains("REVIEW"));
    let text = fs::read_to_string(dir.join("protoguard.toml")).unwrap();
    assert!(
        text.contains("roots = [\"proto\", \"api\"]  # from buf.work.yaml: directories"),
        "{text}"
    );
    assert!(
        text.contains("excludes = [\"proto/acme/legacy\"]"),
        "{text}"
    );
    assert!(
        text.contains("# REVIEW:") && text.contains("api/buf.yaml selects use [WIRE]"),
        "{text}"
    );
    let (code, found) = check(dir, &[]);
    assert_eq!(code, 1);
    assert!(has(&found, "FIELD_NO_DELETE", P_API), "{found:?}");
    assert!(!rules_in(&found).contains("FIELD_SAME_TYPE"), "{found:?}");
}

// ---------------------------------------------------------------------------------------------
// The JSON schema

#[test]
fn json_schema_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/protoguard.schema.json");
    let expected = protoguard::config::json_schema();
    if std::env::var_os("PROTOGUARD_BLESS").is_some() {
        fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/protoguard.schema.json is stale; regenerate with PROTOGUARD_BLESS=1 cargo test --test config"
    );
}

#[test]
fn documentation_covers_every_key() {
    let doc =
        fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"))
            .unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&protoguard::config::json_schema()).unwrap();
    for (table, key) in schema_keys(&schema) {
        let name = key.unwrap_or_else(|| format!("[{table}]"));
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/configuration.md does not document `{name}`"
        );
    }
}

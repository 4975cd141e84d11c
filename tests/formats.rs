//! Machine formats, end to end: every `--format` on the bundled example, several reports from one
//! run (`--output`, `--summary`), `--path-prefix`, the SARIF output against the official OASIS
//! schema, and docs/output-formats.md, whose examples this file regenerates
//! (`PROTOGUARD_BLESS=1 cargo test --test formats` rewrites them).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const GITHUB_VARIABLES: &[&str] = &[
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_SHA",
    "GITHUB_ACTIONS",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root, with no GitHub Actions variables unless given.
fn protoguard(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::cargo_bin("protoguard").unwrap();
    command.current_dir(root()).env("NO_COLOR", "1");
    for name in GITHUB_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.args(args).output().unwrap()
}

/// The bundled example's command line, with extra arguments.
fn example(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "breaking",
        "testdata/example/current",
        "--against",
        "testdata/example/previous",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[track_caller]
fn run(args: &[String], env: &[(&str, &str)], code: i32) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = protoguard(&args, env);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "protoguard {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(root().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[track_caller]
fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF output is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    log
}

/// A small well-formedness check: tags balance, attributes are quoted, `&` starts an entity.
#[track_caller]
fn assert_well_formed_xml(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut open: Vec<&str> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert_entities(text);
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "mismatched </{name}>");
        } else {
            let name = tag.split([' ', '/']).next().unwrap();
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            assert_entities(tag);
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(
        rest.trim().is_empty() && open.is_empty(),
        "unclosed: {open:?}"
    );
}

fn assert_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#13;", "&#9;"]
                .contains(&entity),
            "bad entity {entity}"
        );
    }
}

#[test]
fn every_format_renders_the_example() {
    // The human format is covered by tests/cli.rs and the golden files.
    let text = run(&example(&["--format", "text"]), &[], 1);
    assert_eq!(text.lines().count(), 12, "{text}");

    let json: Value = serde_json::from_str(&run(&example(&["--format", "json"]), &[], 1)).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 12);

    let github = run(&example(&["--format", "github"]), &[], 1);
    assert_eq!(github.lines().count(), 12);
    assert!(
        github.lines().all(|l| l.starts_with("::error file=")),
        "{github}"
    );
    assert!(github.contains(
        "::error file=acme/user/v1/user.proto,line=10,col=9,endLine=10,endColumn=12,title=FIELD_NO_DELETE::"
    ));

    let sarif = assert_valid_sarif(&run(&example(&["--format", "sarif"]), &[], 1));
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["results"].as_array().unwrap().len(), 12);
    // Every rule that ran is described, not only those with findings.
    assert!(run0["tool"]["driver"]["rules"].as_array().unwrap().len() > 12);
    for result in run0["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run0["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }

    let junit = run(&example(&["--format", "junit"]), &[], 1);
    assert_well_formed_xml(&junit);
    assert!(junit.contains("failures=\"12\""), "{junit}");
    assert!(junit.contains("name=\"FILE_SAME_PACKAGE: no findings\"/>"));

    let gitlab: Value =
        serde_json::from_str(&run(&example(&["--format", "gitlab"]), &[], 1)).unwrap();
    let issues = gitlab.as_array().unwrap();
    assert_eq!(issues.len(), 12);
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} missing in {issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
    }
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), 12, "fingerprints are unique");

    let msvs = run(&example(&["--format", "msvs"]), &[], 1);
    assert!(msvs.starts_with(
        "acme/billing/v1/legacy_export.proto(1,1) : error FILE_NO_DELETE : Previously present file"
    ));

    let markdown = run(&example(&["--format", "markdown"]), &[], 1);
    assert!(markdown.starts_with("## ❌ protoguard: 12 errors, 0 warnings\n"));
}

#[test]
fn fingerprints_are_the_same_in_every_run_and_format() {
    let sarif = assert_valid_sarif(&run(&example(&["--format", "sarif"]), &[], 1));
    let again = assert_valid_sarif(&run(&example(&["--format", "sarif"]), &[], 1));
    let gitlab: Value =
        serde_json::from_str(&run(&example(&["--format", "gitlab"]), &[], 1)).unwrap();
    for (i, result) in sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let print = &result["partialFingerprints"]["protoguard/v1"];
        assert_eq!(
            print,
            &again["runs"][0]["results"][i]["partialFingerprints"]["protoguard/v1"]
        );
        assert_eq!(print, &gitlab[i]["fingerprint"]);
    }
}

#[test]
fn clean_runs_in_every_format() {
    let same = |format: &str| {
        run(
            &[
                "breaking",
                "testdata/example/current",
                "--against",
                "testdata/example/current",
                "--format",
                format,
            ]
            .map(String::from),
            &[],
            0,
        )
    };
    assert_eq!(same("text"), "");
    assert_eq!(same("github"), "");
    assert_eq!(same("msvs"), "");
    assert_eq!(same("gitlab"), "[]\n");
    let sarif = assert_valid_sarif(&same("sarif"));
    assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
    let junit = same("junit");
    assert_well_formed_xml(&junit);
    assert!(junit.contains("failures=\"0\""));
    assert!(same("markdown").starts_with("## ✅ protoguard: no breaking changes\n"));
}

#[test]
fn the_sarif_schema_test_rejects_invalid_logs() {
    let mut log: Value =
        serde_json::from_str(&run(&example(&["--format", "sarif"]), &[], 1)).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("not a uri");
    let validator = sarif_validator();
    assert!(validator.iter_errors(&log).count() >= 2);
}

#[test]
fn several_reports_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let stdout = run(
        &example(&[
            "--format",
            "github",
            "--output",
            &format!("sarif={}", path("out.sarif")),
            "--output",
            &format!("json={}", path("out.json")),
            "--output",
            &format!("junit={}", path("junit.xml")),
            "--output",
            &format!("gitlab={}", path("codequality.json")),
            "--output",
            &format!("msvs={}", path("msvs.txt")),
            "--output",
            &format!("text={}", path("text.txt")),
            "--output",
            &format!("human={}", path("human.txt")),
            "--summary",
            &path("summary.md"),
        ]),
        &[],
        1,
    );
    assert_eq!(stdout, run(&example(&["--format", "github"]), &[], 1));
    for (format, name) in [
        ("sarif", "out.sarif"),
        ("json", "out.json"),
        ("junit", "junit.xml"),
        ("gitlab", "codequality.json"),
        ("msvs", "msvs.txt"),
        ("text", "text.txt"),
        ("markdown", "summary.md"),
    ] {
        let written = fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(
            written,
            run(&example(&["--format", format]), &[], 1),
            "{name} differs from --format {format}"
        );
    }
    let human = fs::read_to_string(dir.path().join("human.txt")).unwrap();
    assert!(
        human.contains("FIELD_NO_DELETE") && !human.contains('\u{1b}'),
        "no colour in files"
    );
    // Nothing but the reports: the temporary files were renamed into place.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 8);
}

#[test]
fn output_errors_are_reported_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/out.sarif");
    let output = protoguard(
        &example(&["--output", &format!("sarif={}", missing.display())])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write the sarif report to"),
        "{stderr}"
    );

    let twice = format!("sarif={}", dir.path().join("a").display());
    let output = protoguard(
        &example(&[
            "--output",
            &twice,
            "--output",
            &twice.replace("sarif", "json"),
        ])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is given twice"));

    for bad in ["sarif", "xml=out.xml"] {
        let output = protoguard(
            &example(&["--output", bad])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[],
        );
        assert_eq!(output.status.code(), Some(2), "--output {bad}");
    }
    let output = protoguard(
        &example(&["--path-prefix", "../up"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn path_prefix_applies_to_machine_formats_only() {
    let text = run(
        &example(&["--format", "text", "--path-prefix", "./proto/"]),
        &[],
        1,
    );
    assert!(text.lines().all(|l| l.starts_with("proto/acme/")), "{text}");
    let sarif = assert_valid_sarif(&run(
        &example(&["--format", "sarif", "--path-prefix", "proto"]),
        &[],
        1,
    ));
    let result = &sarif["runs"][0]["results"][1];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "proto/acme/user/v1/user.proto"
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "proto/acme/user/v1/user.proto"
    );
    // Code frames name files as each revision knows them.
    let human = run(&example(&["--path-prefix", "proto"]), &[], 1);
    assert!(!human.contains("proto/acme"), "{human}");
}

#[test]
fn summary_links_lines_on_github_actions() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    run(
        &example(&[
            "--summary",
            &summary.display().to_string(),
            "--path-prefix",
            "proto",
        ]),
        &[
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/schemas"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ],
        1,
    );
    let text = fs::read_to_string(&summary).unwrap();
    assert!(text.contains(
        "[proto/acme/user/v1/user.proto:10](https://github.com/acme/schemas/blob/0123456789abcdef0123456789abcdef01234567/proto/acme/user/v1/user.proto#L10)"
    ), "{text}");
    // A deleted file is not linked at a commit where it no longer exists.
    assert!(
        text.contains(
            "proto/acme/billing/v1/legacy\\_export.proto:1 (in testdata/example/previous)"
        ),
        "{text}"
    );
    assert!(text.contains("| FILE | 12 |"), "{text}");
    assert!(text.contains("### What to do next"));
}

// ---------------------------------------------------------------------------------------------
// docs/output-formats.md

/// One example in docs/output-formats.md: a name (used in the markers around the block), the
/// arguments after the example's base command, and the environment.
type DocExample = (
    &'static str,
    Vec<&'static str>,
    Vec<(&'static str, &'static str)>,
);

fn doc_examples() -> Vec<DocExample> {
    const RULES: &[&str] = &[
        "--rule",
        "FILE_NO_DELETE",
        "--rule",
        "FIELD_NO_DELETE",
        "--rule",
        "FIELD_SAME_NAME",
        "--rule",
        "ENUM_NO_DELETE",
        "--path-prefix",
        "proto",
    ];
    let with = |format: &'static str| {
        let mut args = RULES.to_vec();
        args.extend(["--format", format]);
        args
    };
    let github_env = vec![
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/schemas"),
        ("GITHUB_SHA", "4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"),
    ];
    vec![
        ("text", with("text"), vec![]),
        ("json", with("json"), vec![]),
        ("github", with("github"), vec![]),
        ("sarif", with("sarif"), vec![]),
        ("junit", with("junit"), vec![]),
        ("gitlab", with("gitlab"), vec![]),
        ("msvs", with("msvs"), vec![]),
        ("markdown", with("markdown"), github_env),
    ]
}

/// The document with every example block regenerated from the tool's output.
fn regenerate(doc: &str) -> Result<String, String> {
    let mut out = doc.to_owned();
    for (name, args, env) in doc_examples() {
        let begin = format!("<!-- example: {name} -->\n");
        let end = format!("<!-- end example: {name} -->");
        let start = out
            .find(&begin)
            .ok_or_else(|| format!("docs/output-formats.md has no `{}` marker", begin.trim()))?
            + begin.len();
        let stop = out[start..]
            .find(&end)
            .ok_or_else(|| format!("docs/output-formats.md has no `{end}` marker"))?
            + start;
        let full = example(&args);
        let output = run(&full, &env, 1);
        let language = match name {
            "json" | "sarif" | "gitlab" => "json",
            "junit" => "xml",
            "markdown" => "markdown",
            _ => "text",
        };
        let command = format!(
            "protoguard {} \\\n  {}",
            full[..4].join(" "),
            full[4..].join(" ")
        );
        let prefix = if env.is_empty() {
            String::new()
        } else {
            let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{} \\\n  ", vars.join(" "))
        };
        let fence = if output.contains("```") {
            "````"
        } else {
            "```"
        };
        let block =
            format!("```sh\n{prefix}{command}\n```\n\n{fence}{language}\n{output}{fence}\n");
        out.replace_range(start..stop, &block);
    }
    Ok(out)
}

#[test]
fn output_formats_doc_examples_are_up_to_date() {
    let path = root().join("docs/output-formats.md");
    let doc = fs::read_to_string(&path).expect("docs/output-formats.md exists");
    let fresh = regenerate(&doc).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("PROTOGUARD_BLESS").is_some() {
        fs::write(&path, fresh).unwrap();
        return;
    }
    assert!(
        doc == fresh,
        "docs/output-formats.md is stale; regenerate with PROTOGUARD_BLESS=1 cargo test --test formats"
    );
}

#[test]
fn readme_links_the_output_formats_doc() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("(docs/output-formats.md)"));
    assert!(Path::new(&root().join("docs/output-formats.md")).exists());
}

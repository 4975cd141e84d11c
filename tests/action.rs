//! The GitHub Action (action.yml) run the way a runner runs a composite action, against real git
//! repositories: a bare "origin" shaped like GitHub's (branches, `refs/pull/N/merge`, fetch by
//! SHA), a workspace checked out the way actions/checkout does it (one commit deep by default), a
//! real-shaped event payload, and the runner's files and variables (`GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY`, `GITHUB_PATH`, `RUNNER_OS`, …). The step runner reads action.yml, expands
//! the expressions a composite action may use in `env:` and `outputs:`, and runs each `run:` body
//! with `bash --noprofile --norc -eo pipefail`, as GitHub does for `shell: bash`. Keys it does not
//! implement (`if:`, `uses:`, …) fail the parse, so the harness cannot silently skip what a runner
//! would do. The binary under test is the locally built one (the `binary` input); the network is
//! never used: downloads come from a `file://` mirror (`PROTOGUARD_DOWNLOAD_URL`) and `cargo` is a
//! stub.

#![cfg(unix)]

mod common;

use common::user_proto::{USER, USER_BREAKING, USER_CLEAN, USER_V1};

use common::{git, repo_root, write};

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::{json, Value};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// action.yml and the step runner

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Action {
    name: String,
    description: String,
    author: String,
    branding: BTreeMap<String, String>,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, OutputDef>,
    runs: Runs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Input {
    description: String,
    required: bool,
    default: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OutputDef {
    description: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Step {
    name: String,
    id: String,
    shell: String,
    env: BTreeMap<String, String>,
    run: String,
}

fn action() -> Action {
    let text = fs::read_to_string(repo_root().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("action.yml parses with the keys the runner implements")
}

/// A workflow command the runner would process: `::error file=a,line=1::message`.
#[derive(Debug)]
struct Annotation {
    kind: String,
    properties: BTreeMap<String, String>,
    message: String,
}

#[derive(Debug)]
struct Outcome {
    success: bool,
    /// The log: every step's stdout and stderr, in order.
    log: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    annotations: Vec<Annotation>,
    /// The runner's temporary directories (RUNNER_TEMP, RUNNER_TOOL_CACHE, HOME), kept for checks.
    runner_dir: TempDir,
}

impl Outcome {
    fn annotations(&self, kind: &str) -> Vec<&Annotation> {
        self.annotations.iter().filter(|a| a.kind == kind).collect()
    }

    fn notices(&self) -> String {
        self.annotations("notice")
            .iter()
            .map(|a| a.message.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map_or("", String::as_str)
    }
}

/// One run of the action: the runner's environment plus the `with:` inputs.
struct Runner {
    workspace: PathBuf,
    temp: TempDir,
    env: BTreeMap<String, String>,
    inputs: BTreeMap<String, String>,
    extra_path: Vec<PathBuf>,
    action_path: PathBuf,
}

impl Runner {
    fn new(workspace: &Path, event: &str, payload: &Value) -> Runner {
        let temp = TempDir::new().unwrap();
        let event_path = temp.path().join("event.json");
        fs::write(&event_path, serde_json::to_vec_pretty(payload).unwrap()).unwrap();
        let home = temp.path().join("home");
        let runner_temp = temp.path().join("runner-temp");
        let tool_cache = temp.path().join("tool-cache");
        for dir in [&home, &runner_temp, &tool_cache] {
            fs::create_dir_all(dir).unwrap();
        }
        let mut env = BTreeMap::new();
        let mut set = |k: &str, v: &str| {
            env.insert(k.to_owned(), v.to_owned());
        };
        set("CI", "true");
        set("GITHUB_ACTIONS", "true");
        set("GITHUB_EVENT_NAME", event);
        set("GITHUB_EVENT_PATH", event_path.to_str().unwrap());
        set("GITHUB_WORKSPACE", workspace.to_str().unwrap());
        set("GITHUB_REPOSITORY", "acme/schemas");
        set("GITHUB_SERVER_URL", "https://github.com");
        set("GITHUB_ACTION_REPOSITORY", "");
        set("RUNNER_OS", "Linux");
        set("RUNNER_ARCH", "X64");
        set("RUNNER_TEMP", runner_temp.to_str().unwrap());
        set("RUNNER_TOOL_CACHE", tool_cache.to_str().unwrap());
        set("HOME", home.to_str().unwrap());
        set("GIT_CONFIG_NOSYSTEM", "1");
        set("PATH", &std::env::var("PATH").unwrap());
        set("LANG", "C.UTF-8");
        let mut inputs = BTreeMap::new();
        inputs.insert(
            "binary".to_owned(),
            env!("CARGO_BIN_EXE_protoguard").to_owned(),
        );
        Runner {
            workspace: workspace.to_owned(),
            temp,
            env,
            inputs,
            extra_path: Vec::new(),
            action_path: repo_root(),
        }
    }

    fn env(mut self, key: &str, value: &str) -> Runner {
        self.env.insert(key.to_owned(), value.to_owned());
        self
    }

    fn with(mut self, input: &str, value: &str) -> Runner {
        let action = action();
        assert!(
            action.inputs.contains_key(input),
            "action.yml has no input {input}"
        );
        self.inputs.insert(input.to_owned(), value.to_owned());
        self
    }

    fn without(mut self, input: &str) -> Runner {
        self.inputs.remove(input);
        self
    }

    /// Where the runner checked the action out (GITHUB_ACTION_PATH); this checkout by default.
    fn action_path(mut self, dir: &Path) -> Runner {
        self.action_path = dir.to_owned();
        self
    }

    fn path(mut self, dir: &Path) -> Runner {
        self.extra_path.push(dir.to_owned());
        self
    }

    /// Runs the action's steps in order; a failing step stops the run, as on a runner.
    fn run(self) -> Outcome {
        let action = action();
        assert_eq!(action.runs.using, "composite");
        let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut log = String::new();
        let mut summary = String::new();
        let mut success = true;
        let mut path_entries = self.extra_path.clone();
        let files = self.temp.path().join("files");
        fs::create_dir_all(&files).unwrap();
        let github_path = files.join("path");
        let github_env = files.join("env");
        fs::write(&github_path, "").unwrap();
        fs::write(&github_env, "").unwrap();

        for (index, step) in action.runs.steps.iter().enumerate() {
            assert_eq!(
                step.shell, "bash",
                "step {} must use shell: bash",
                step.name
            );
            let output_file = files.join(format!("output-{index}"));
            let summary_file = files.join(format!("summary-{index}"));
            fs::write(&output_file, "").unwrap();
            fs::write(&summary_file, "").unwrap();
            let script = files.join(format!("step-{index}.sh"));
            fs::write(&script, &step.run).unwrap();

            let mut env = self.env.clone();
            for (key, value) in &step.env {
                let value = expand(value, &action, &self.inputs, &step_outputs);
                env.insert(key.clone(), value);
            }
            // GITHUB_ENV lines from earlier steps.
            for line in fs::read_to_string(&github_env).unwrap().lines() {
                if let Some((k, v)) = line.split_once('=') {
                    env.insert(k.to_owned(), v.to_owned());
                }
            }
            for line in fs::read_to_string(&github_path).unwrap().lines() {
                if !line.is_empty() {
                    path_entries.insert(0, PathBuf::from(line));
                }
            }
            let mut path = path_entries
                .iter()
                .map(|p| p.to_str().unwrap().to_owned())
                .collect::<Vec<_>>();
            path.push(self.env["PATH"].clone());
            env.insert("PATH".into(), path.join(":"));
            env.insert(
                "GITHUB_ACTION_PATH".into(),
                self.action_path.to_str().unwrap().into(),
            );
            env.insert("GITHUB_OUTPUT".into(), output_file.to_str().unwrap().into());
            env.insert(
                "GITHUB_STEP_SUMMARY".into(),
                summary_file.to_str().unwrap().into(),
            );
            env.insert("GITHUB_PATH".into(), github_path.to_str().unwrap().into());
            env.insert("GITHUB_ENV".into(), github_env.to_str().unwrap().into());

            let output = Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace)
                .env_clear()
                .envs(&env)
                .output()
                .expect("bash runs");
            log.push_str(&format!("##[group]Run {}\n", step.name));
            log.push_str(&String::from_utf8_lossy(&output.stdout));
            log.push_str(&String::from_utf8_lossy(&output.stderr));
            log.push_str("##[endgroup]\n");
            step_outputs.insert(
                step.id.clone(),
                parse_outputs(&fs::read_to_string(&output_file).unwrap()),
            );
            summary.push_str(&fs::read_to_string(&summary_file).unwrap());
            if !output.status.success() {
                log.push_str(&format!(
                    "##[error]Process completed with exit code {}.\n",
                    output.status.code().unwrap_or(-1)
                ));
                success = false;
                break;
            }
        }
        let outputs = action
            .outputs
            .iter()
            .map(|(name, def)| {
                (
                    name.clone(),
                    expand(&def.value, &action, &self.inputs, &step_outputs),
                )
            })
            .collect();
        // Shown by the test harness when a test fails (or with --nocapture).
        eprintln!("{log}");
        let annotations = log.lines().filter_map(parse_command).collect();
        Outcome {
            success,
            log,
            outputs,
            summary,
            annotations,
            runner_dir: self.temp,
        }
    }
}

/// Expands `${{ … }}` with the contexts a composite action's `env:` and `outputs:` may read here:
/// `inputs.NAME` and `steps.ID.outputs.NAME`. Anything else is a harness gap and panics.
fn expand(
    template: &str,
    action: &Action,
    inputs: &BTreeMap<String, String>,
    steps: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed expression") + start;
        let expr = rest[start + 3..end].trim();
        let parts: Vec<&str> = expr.split('.').collect();
        let value = match parts.as_slice() {
            ["inputs", name] => {
                let input = action
                    .inputs
                    .get(*name)
                    .unwrap_or_else(|| panic!("expression reads undeclared input {name}"));
                inputs
                    .get(*name)
                    .cloned()
                    .unwrap_or_else(|| input.default.clone())
            }
            ["steps", id, "outputs", name] => steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("the harness does not implement the expression `{expr}`"),
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Parses a `GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        }
    }
    outputs
}

/// Parses a workflow command line (`::kind prop=v,prop=v::message`), unescaping as the runner does.
fn parse_command(line: &str) -> Option<Annotation> {
    let rest = line.strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
    if !matches!(kind, "error" | "warning" | "notice") {
        return None;
    }
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect();
    Some(Annotation {
        kind: kind.to_owned(),
        properties,
        message: unescape(message),
    })
}

// ---------------------------------------------------------------------------------------------
// Repositories shaped like GitHub's

const ORDER: &str = "proto/acme/order/v1/order.proto";

const ORDER_V1: &str = r#"syntax = "proto3";

package acme.order.v1;

message Order {
  string id = 1;
}
"#;

/// A bare origin (fetch by any SHA allowed, as on GitHub) and an author's clone of it.
struct Origin {
    dir: TempDir,
    author: PathBuf,
}

impl Origin {
    fn new() -> Origin {
        let dir = TempDir::new().unwrap();
        let origin = dir.path().join("origin.git");
        let author = dir.path().join("author");
        fs::create_dir_all(&origin).unwrap();
        fs::create_dir_all(&author).unwrap();
        git(&origin, &["init", "-q", "--bare", "-b", "main"]);
        git(
            &origin,
            &["config", "uploadpack.allowAnySHA1InWant", "true"],
        );
        git(&author, &["init", "-q", "-b", "main"]);
        git(
            &author,
            &[
                "remote",
                "add",
                "origin",
                &format!("file://{}", origin.display()),
            ],
        );
        let author = fs::canonicalize(&author).unwrap();
        let origin = Origin { dir, author };
        origin.commit(&[("README.md", "schemas\n")], "Initial commit");
        origin.commit(&[(USER, USER_V1)], "Add the user schema");
        for n in 0..3 {
            origin.commit(
                &[("CHANGELOG.md", &format!("{n}\n"))],
                &format!("Release {n}"),
            );
        }
        git(origin.author(), &["push", "-q", "origin", "main"]);
        origin
    }

    fn author(&self) -> &Path {
        &self.author
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().join("origin.git").display())
    }

    /// Commits files on the author's current branch and returns the new SHA.
    fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, text) in files {
            write(&self.author().join(path), text);
        }
        git(self.author(), &["add", "-A"]);
        git(self.author(), &["commit", "-q", "-m", message]);
        git(self.author(), &["rev-parse", "HEAD"])
    }

    fn sha(&self, rev: &str) -> String {
        git(self.author(), &["rev-parse", rev])
    }

    /// Opens pull request 1 from a branch with these commits into main, and pushes the branch,
    /// `refs/pull/1/head` and the merge commit `refs/pull/1/merge` as GitHub does. With
    /// `main_after`, main moves on after the branch starts (another PR merged meanwhile).
    fn pull_request(&self, changes: &[(&str, &str)], main_after: &[(&str, &str)]) -> PullRequest {
        git(self.author(), &["checkout", "-q", "-b", "feature", "main"]);
        self.commit(&[("NOTES.md", "work in progress\n")], "Start the feature");
        let head = self.commit(changes, "Change the schema");
        git(self.author(), &["checkout", "-q", "main"]);
        if !main_after.is_empty() {
            self.commit(main_after, "Another pull request");
        }
        let base = self.sha("main");
        git(self.author(), &["checkout", "-q", "--detach", "main"]);
        git(
            self.author(),
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge feature into main",
                "feature",
            ],
        );
        let merge = self.sha("HEAD");
        git(self.author(), &["checkout", "-q", "main"]);
        git(
            self.author(),
            &[
                "push",
                "-q",
                "origin",
                "main",
                "feature",
                &format!("{head}:refs/pull/1/head"),
                &format!("{merge}:refs/pull/1/merge"),
            ],
        );
        let payload = json!({
            "action": "synchronize",
            "number": 1,
            "pull_request": {
                "number": 1,
                "state": "open",
                "title": "Change the schema",
                "merge_commit_sha": merge,
                "base": {
                    "label": "acme:main",
                    "ref": "main",
                    "sha": base,
                    "repo": { "full_name": "acme/schemas", "default_branch": "main" }
                },
                "head": {
                    "label": "acme:feature",
                    "ref": "feature",
                    "sha": head,
                    "repo": { "full_name": "acme/schemas", "default_branch": "main" }
                }
            },
            "repository": { "full_name": "acme/schemas", "default_branch": "main" },
            "sender": { "login": "octocat" }
        });
        PullRequest {
            base,
            head,
            merge,
            payload,
        }
    }

    /// Pushes commits to main and returns the push event payload (before, after).
    fn push(&self, changes: &[(&str, &str)]) -> (String, Value) {
        let before = self.sha("main");
        let after = self.commit(changes, "Change the schema on main");
        git(self.author(), &["push", "-q", "origin", "main"]);
        let payload = json!({
            "ref": "refs/heads/main",
            "before": before,
            "after": after,
            "created": false,
            "deleted": false,
            "forced": false,
            "base_ref": null,
            "compare": "https://github.com/acme/schemas/compare/x...y",
            "commits": [{ "id": after, "message": "Change the schema on main" }],
            "head_commit": { "id": after, "message": "Change the schema on main" },
            "repository": { "full_name": "acme/schemas", "default_branch": "main" },
            "pusher": { "name": "octocat" }
        });
        (after, payload)
    }

    /// A workspace checked out as actions/checkout does: `git init`, `origin`, a fetch of the one
    /// commit at `depth` (0: every branch, whole history), and a forced checkout.
    fn checkout(&self, sha: &str, local_ref: &str, depth: u32) -> TempDir {
        let ws = TempDir::new().unwrap();
        let dir = ws.path();
        git(dir, &["init", "-q"]);
        git(dir, &["remote", "add", "origin", &self.url()]);
        let refspec = format!("+{sha}:{local_ref}");
        if depth == 0 {
            git(
                dir,
                &[
                    "fetch",
                    "-q",
                    "--prune",
                    "--no-recurse-submodules",
                    "origin",
                    "+refs/heads/*:refs/remotes/origin/*",
                    &refspec,
                ],
            );
        } else {
            git(
                dir,
                &[
                    "fetch",
                    "-q",
                    "--no-tags",
                    "--prune",
                    "--no-recurse-submodules",
                    &format!("--depth={depth}"),
                    "origin",
                    &refspec,
                ],
            );
        }
        git(dir, &["checkout", "-q", "--force", local_ref]);
        ws
    }
}

struct PullRequest {
    base: String,
    head: String,
    merge: String,
    payload: Value,
}

fn pr_runner(ws: &Path, pr: &PullRequest) -> Runner {
    Runner::new(ws, "pull_request", &pr.payload)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_HEAD_REF", "feature")
        .env("GITHUB_REF", "refs/pull/1/merge")
        .env("GITHUB_REF_NAME", "1/merge")
        .env("GITHUB_SHA", &pr.merge)
        .with("root", "proto")
}

#[track_caller]
fn assert_breaking_annotations(outcome: &Outcome) {
    let errors = outcome.annotations("error");
    let finding = errors
        .iter()
        .find(|a| a.properties.get("title").map(String::as_str) == Some("FIELD_NO_DELETE"))
        .unwrap_or_else(|| panic!("no FIELD_NO_DELETE annotation; log:\n{}", outcome.log));
    assert_eq!(finding.properties["file"], USER, "{finding:?}");
    assert!(finding.properties.contains_key("line"), "{finding:?}");
    assert!(finding.message.contains("email"), "{finding:?}");
}

// ---------------------------------------------------------------------------------------------
// Pull requests

#[test]
fn pull_request_with_a_breaking_change_fails_with_annotations() {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_BREAKING)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 0);
    let outcome = pr_runner(ws.path(), &pr).run();

    assert!(!outcome.success, "the step must fail:\n{}", outcome.log);
    assert_breaking_annotations(&outcome);
    let errors: u32 = outcome.output("errors").parse().unwrap();
    let findings: u32 = outcome.output("findings").parse().unwrap();
    assert!(errors >= 1 && findings >= errors, "{:?}", outcome.outputs);
    assert_eq!(outcome.output("sarif-file"), "");
    assert!(
        outcome.summary.contains("FIELD_NO_DELETE"),
        "step summary:\n{}",
        outcome.summary
    );
    // Nothing had to be fetched: the checkout has the whole history.
    assert!(!outcome.notices().contains("fetching"), "{}", outcome.log);
    assert!(outcome.log.contains(&pr.base[..12]), "{}", outcome.log);
}

#[test]
fn clean_pull_request_passes() {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_CLEAN)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 0);
    let outcome = pr_runner(ws.path(), &pr).run();

    assert!(outcome.success, "{}", outcome.log);
    assert_eq!(outcome.output("findings"), "0");
    assert_eq!(outcome.output("errors"), "0");
    assert!(outcome.annotations("error").is_empty(), "{}", outcome.log);
}

#[test]
fn shallow_checkout_of_depth_1_fetches_the_base_and_says_so() {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_BREAKING)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 1);
    assert_eq!(
        git(ws.path(), &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    let outcome = pr_runner(ws.path(), &pr).run();

    assert!(!outcome.success, "{}", outcome.log);
    let notices = outcome.notices();
    assert!(
        notices.contains("shallow") && notices.contains(&pr.base),
        "the fetch must be announced; notices:\n{notices}\nlog:\n{}",
        outcome.log
    );
    assert_breaking_annotations(&outcome);

    // Same findings as with the whole history.
    let full = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 0);
    let expected = pr_runner(full.path(), &pr).run();
    assert_eq!(outcome.outputs, expected.outputs);
}

#[test]
fn pull_request_head_checkout_compares_with_the_merge_base_after_deepening() {
    // main moved on after the branch started (another PR added order.proto). Compared with the
    // base's tip, the PR head lacks order.proto (FILE_NO_DELETE); compared with the merge base, as
    // a pull request should be, the PR's own change is clean.
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_CLEAN)], &[(ORDER, ORDER_V1)]);
    let ws = origin.checkout(&pr.head, "refs/remotes/pull/1/head", 1);
    let outcome = pr_runner(ws.path(), &pr).run();

    assert!(outcome.success, "{}", outcome.log);
    assert_eq!(outcome.output("findings"), "0", "{}", outcome.log);
    assert!(
        outcome.notices().contains("merge base"),
        "deepening must be announced:\n{}",
        outcome.log
    );

    // The same workspace compared with the base itself (merge-base: false) sees the deletion:
    // this is what the merge base protects the PR from.
    let ws = origin.checkout(&pr.head, "refs/remotes/pull/1/head", 1);
    let direct = pr_runner(ws.path(), &pr).with("merge-base", "false").run();
    assert!(!direct.success, "{}", direct.log);
    assert!(direct.log.contains("FILE_NO_DELETE"), "{}", direct.log);
}

#[test]
fn pull_request_target_with_the_head_checked_out() {
    // pull_request_target checks out the base branch by default; a workflow that checks out the
    // PR's head gets the same comparison as on pull_request.
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_BREAKING)], &[]);
    let ws = origin.checkout(&pr.head, "refs/remotes/pull/1/head", 1);
    let outcome = Runner::new(ws.path(), "pull_request_target", &pr.payload)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_SHA", &pr.base)
        .with("root", "proto")
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert_breaking_annotations(&outcome);
}

#[test]
fn sarif_file_and_fail_on_never() {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_BREAKING)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 1);
    let outcome = pr_runner(ws.path(), &pr)
        .with("sarif", "reports/protoguard.sarif")
        .with("fail-on", "never")
        .run();

    assert!(
        outcome.success,
        "fail-on: never reports only:\n{}",
        outcome.log
    );
    assert_ne!(outcome.output("errors"), "0");
    let sarif_path = ws.path().join("reports/protoguard.sarif");
    assert_eq!(outcome.output("sarif-file"), sarif_path.to_str().unwrap());
    let sarif: Value = serde_json::from_slice(&fs::read(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let text = sarif.to_string();
    assert!(text.contains("FIELD_NO_DELETE"), "{text}");
    assert!(
        text.contains(USER),
        "SARIF paths are relative to the repository: {text}"
    );
}

/// `lint: true`: the lint findings the change introduces join the annotations, the summary and
/// the counts; findings the base already had are not reported.
#[test]
fn lint_input_reports_new_lint_findings() {
    let origin = Origin::new();
    let badly_named = USER_CLEAN.replace("string phone = 4;", "string phoneNumber = 4;");
    let pr = origin.pull_request(&[(USER, &badly_named)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 0);
    // Without the input, a compatible change passes.
    let outcome = pr_runner(ws.path(), &pr).run();
    assert!(outcome.success, "{}", outcome.log);

    let outcome = pr_runner(ws.path(), &pr).with("lint", "true").run();
    assert!(
        !outcome.success,
        "a new lint error fails the step:\n{}",
        outcome.log
    );
    let lint = outcome
        .annotations("error")
        .into_iter()
        .find(|a| a.properties.get("title").map(String::as_str) == Some("FIELD_LOWER_SNAKE_CASE"))
        .unwrap_or_else(|| panic!("no lint annotation:\n{}", outcome.log));
    assert_eq!(lint.properties["file"], USER, "{lint:?}");
    assert_eq!(outcome.output("lint-errors"), "1", "{:?}", outcome.outputs);
    assert_eq!(outcome.output("errors"), "1", "{:?}", outcome.outputs);
    assert!(
        outcome.summary.contains("no breaking changes")
            && outcome.summary.contains("FIELD_LOWER_SNAKE_CASE"),
        "both kinds in the summary:\n{}",
        outcome.summary
    );

    // With `sarif`, one file holds both checks: a breaking run and a lint run, told apart by
    // their automationDetails ids (code scanning's categories).
    let outcome = pr_runner(ws.path(), &pr)
        .with("lint", "true")
        .with("sarif", "protoguard.sarif")
        .run();
    let sarif: Value =
        serde_json::from_slice(&fs::read(ws.path().join("protoguard.sarif")).unwrap()).unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["protoguard/breaking/", "protoguard/lint/"],
        "{}",
        outcome.log
    );
    assert_eq!(runs[0]["results"].as_array().unwrap().len(), 0);
    let lint_results = runs[1]["results"].as_array().unwrap();
    assert_eq!(lint_results.len(), 1, "{sarif}");
    assert_eq!(lint_results[0]["ruleId"], "FIELD_LOWER_SNAKE_CASE");
    assert_eq!(
        lint_results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        USER
    );

    // A clean change with lint on passes.
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_CLEAN)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 0);
    let outcome = pr_runner(ws.path(), &pr).with("lint", "true").run();
    assert!(outcome.success, "{}", outcome.log);
    assert_eq!(outcome.output("lint-findings"), "0");

    let bad = pr_runner(ws.path(), &pr).with("lint", "yes").run();
    assert!(!bad.success);
    assert!(
        bad.log.contains("lint must be true or false"),
        "{}",
        bad.log
    );
}

#[test]
fn fail_on_warning_and_other_formats() {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_CLEAN)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 1);
    // A clean change passes even at fail-on: warning; the text format prints no annotations.
    let outcome = pr_runner(ws.path(), &pr)
        .with("fail-on", "warning")
        .with("format", "text")
        .with("summary", "false")
        .run();
    assert!(outcome.success, "{}", outcome.log);
    assert!(outcome.summary.is_empty(), "{}", outcome.summary);

    let bad = pr_runner(ws.path(), &pr).with("fail-on", "sometimes").run();
    assert!(!bad.success);
    assert!(
        bad.annotations("error")
            .iter()
            .any(|a| a.message.contains("fail-on must be")),
        "{}",
        bad.log
    );
}

#[test]
fn explicit_against_and_working_directory() {
    // `against` names a branch the depth-1 checkout lacks; working-directory holds the module.
    let origin = Origin::new();
    git(origin.author(), &["tag", "v1.0.0"]);
    git(origin.author(), &["push", "-q", "origin", "v1.0.0"]);
    let (after, _) = origin.push(&[(USER, USER_BREAKING)]);
    let ws = origin.checkout(&after, "refs/remotes/origin/main", 1);
    let outcome = Runner::new(ws.path(), "workflow_dispatch", &json!({ "inputs": {} }))
        .with("against", "v1.0.0")
        .with("working-directory", "proto")
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert_breaking_annotations(&outcome);
}

#[test]
fn directory_against_as_in_the_ci_workflow() {
    // What .github/workflows/ci.yml runs on this repository: the bundled example, a directory
    // pair, from a working directory inside the repository. Nothing is written into the checkout.
    let reports = TempDir::new().unwrap();
    let sarif = reports.path().join("protoguard.sarif");
    let outcome = Runner::new(&repo_root(), "pull_request", &json!({}))
        .with("working-directory", "testdata/example/current")
        .with("against", "../previous")
        .with("sarif", sarif.to_str().unwrap())
        .with("fail-on", "never")
        .run();
    assert!(outcome.success, "{}", outcome.log);
    assert_ne!(outcome.output("errors"), "0", "{}", outcome.log);
    assert_eq!(outcome.output("sarif-file"), sarif.to_str().unwrap());
    assert!(sarif.is_file());
    let errors = outcome.annotations("error");
    assert!(!errors.is_empty(), "{}", outcome.log);
    // The working tree's files are named relative to the repository; a file that exists only in
    // the previous directory input is named relative to that directory.
    for annotation in errors {
        let file = &annotation.properties["file"];
        assert!(
            file.starts_with("testdata/example/current/")
                || repo_root()
                    .join("testdata/example/previous")
                    .join(file)
                    .is_file(),
            "annotation paths are ones a user can open: {annotation:?}"
        );
    }
}

#[test]
fn event_without_a_base_needs_against() {
    let origin = Origin::new();
    let ws = origin.checkout(&origin.sha("main"), "refs/remotes/origin/main", 1);
    let outcome = Runner::new(ws.path(), "workflow_dispatch", &json!({ "inputs": {} }))
        .with("root", "proto")
        .run();
    assert!(!outcome.success);
    let errors = outcome.annotations("error");
    assert!(
        errors.iter().any(|a| a.message.contains("against")),
        "{}",
        outcome.log
    );
}

// ---------------------------------------------------------------------------------------------
// Push and merge queue

#[test]
fn push_event_compares_with_the_previous_commit() {
    let origin = Origin::new();
    let (after, payload) = origin.push(&[(USER, USER_BREAKING)]);
    let ws = origin.checkout(&after, "refs/remotes/origin/main", 1);
    let outcome = Runner::new(ws.path(), "push", &payload)
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_REF_NAME", "main")
        .env("GITHUB_SHA", &after)
        .with("root", "proto")
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert_breaking_annotations(&outcome);
    assert!(outcome.notices().contains("shallow"), "{}", outcome.log);

    // A clean push passes.
    let (after, payload) = origin.push(&[(USER, USER_CLEAN)]);
    let ws = origin.checkout(&after, "refs/remotes/origin/main", 1);
    let outcome = Runner::new(ws.path(), "push", &payload)
        .with("root", "proto")
        .run();
    assert!(outcome.success, "{}", outcome.log);
    assert_eq!(outcome.output("findings"), "0");
}

#[test]
fn push_of_a_new_branch_compares_with_the_default_branch() {
    let origin = Origin::new();
    git(origin.author(), &["checkout", "-q", "-b", "topic"]);
    let after = origin.commit(&[(USER, USER_BREAKING)], "Break it on a new branch");
    git(origin.author(), &["push", "-q", "origin", "topic"]);
    let payload = json!({
        "ref": "refs/heads/topic",
        "before": "0000000000000000000000000000000000000000",
        "after": after,
        "created": true,
        "deleted": false,
        "forced": false,
        "commits": [],
        "repository": { "full_name": "acme/schemas", "default_branch": "main" }
    });
    let ws = origin.checkout(&after, "refs/remotes/origin/topic", 1);
    let outcome = Runner::new(ws.path(), "push", &payload)
        .env("GITHUB_REF_NAME", "topic")
        .with("root", "proto")
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert_breaking_annotations(&outcome);
    assert!(
        outcome.notices().contains("default branch main"),
        "{}",
        outcome.log
    );

    // The first push of the default branch has nothing to compare with: skipped, with a notice.
    let payload = json!({
        "ref": "refs/heads/main",
        "before": "0000000000000000000000000000000000000000",
        "after": origin.sha("main"),
        "created": true,
        "deleted": false,
        "repository": { "full_name": "acme/schemas", "default_branch": "main" }
    });
    let ws = origin.checkout(&origin.sha("main"), "refs/remotes/origin/main", 1);
    let outcome = Runner::new(ws.path(), "push", &payload).run();
    assert!(outcome.success, "{}", outcome.log);
    assert_eq!(outcome.output("findings"), "0");
    assert!(
        outcome.notices().contains("no earlier revision"),
        "{}",
        outcome.log
    );
}

#[test]
fn merge_group_compares_with_the_queue_base() {
    let origin = Origin::new();
    let base = origin.sha("main");
    git(
        origin.author(),
        &["checkout", "-q", "-b", "gh-readonly-queue/main/pr-1"],
    );
    let head = origin.commit(&[(USER, USER_BREAKING)], "Merge pull request #1");
    git(
        origin.author(),
        &["push", "-q", "origin", "gh-readonly-queue/main/pr-1"],
    );
    let payload = json!({
        "action": "checks_requested",
        "merge_group": {
            "head_sha": head,
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-1",
            "base_sha": base,
            "base_ref": "refs/heads/main",
            "head_commit": { "id": head, "message": "Merge pull request #1" }
        },
        "repository": { "full_name": "acme/schemas", "default_branch": "main" }
    });
    let ws = origin.checkout(&head, "refs/remotes/origin/gh-readonly-queue/main/pr-1", 1);
    let outcome = Runner::new(ws.path(), "merge_group", &payload)
        .with("root", "proto")
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert_breaking_annotations(&outcome);
}

// ---------------------------------------------------------------------------------------------
// Installing the binary

/// A release mirror holding `protoguard-<target>.tar.gz` (the local binary) and its `.sha256`
/// in cargo-dist's format (`<hex> *<file>`).
fn release_mirror(target: &str, tamper: bool) -> TempDir {
    let dir = TempDir::new().unwrap();
    let name = format!("protoguard-{target}");
    let staging = dir.path().join("staging").join(&name);
    fs::create_dir_all(&staging).unwrap();
    fs::copy(env!("CARGO_BIN_EXE_protoguard"), staging.join("protoguard")).unwrap();
    let archive = format!("{name}.tar.gz");
    let status = Command::new("tar")
        .current_dir(dir.path().join("staging"))
        .args(["-czf", &format!("../{archive}"), &name])
        .status()
        .unwrap();
    assert!(status.success());
    let sum = Command::new("sha256sum")
        .arg(dir.path().join(&archive))
        .output()
        .unwrap();
    let mut hex = String::from_utf8(sum.stdout).unwrap()[..64].to_owned();
    if tamper {
        hex.replace_range(0..1, if hex.starts_with('0') { "1" } else { "0" });
    }
    fs::write(
        dir.path().join(format!("{archive}.sha256")),
        format!("{hex} *{archive}\n"),
    )
    .unwrap();
    dir
}

fn clean_pr_workspace() -> (Origin, PullRequest, TempDir) {
    let origin = Origin::new();
    let pr = origin.pull_request(&[(USER, USER_CLEAN)], &[]);
    let ws = origin.checkout(&pr.merge, "refs/remotes/pull/1/merge", 1);
    (origin, pr, ws)
}

#[test]
fn install_downloads_the_release_and_verifies_its_checksum() {
    let (_origin, pr, ws) = clean_pr_workspace();
    let mirror = release_mirror("x86_64-unknown-linux-musl", false);
    let outcome = pr_runner(ws.path(), &pr)
        .without("binary")
        .env(
            "PROTOGUARD_DOWNLOAD_URL",
            &format!("file://{}", mirror.path().display()),
        )
        .run();
    let cache = outcome.runner_dir.path().join("tool-cache");
    assert!(outcome.success, "{}", outcome.log);
    assert!(outcome.log.contains("sha256 verified"), "{}", outcome.log);
    let installed = cache.join(format!(
        "protoguard/{}/x86_64-unknown-linux-musl/protoguard",
        env!("CARGO_PKG_VERSION")
    ));
    assert!(installed.is_file(), "{}", outcome.log);
}

#[test]
fn install_refuses_a_binary_whose_checksum_does_not_match() {
    let (_origin, pr, ws) = clean_pr_workspace();
    let mirror = release_mirror("aarch64-apple-darwin", true);
    let outcome = pr_runner(ws.path(), &pr)
        .without("binary")
        .env("RUNNER_OS", "macOS")
        .env("RUNNER_ARCH", "ARM64")
        .env(
            "PROTOGUARD_DOWNLOAD_URL",
            &format!("file://{}", mirror.path().display()),
        )
        .run();
    assert!(!outcome.success, "{}", outcome.log);
    assert!(
        outcome
            .annotations("error")
            .iter()
            .any(|a| a.message.contains("checksum mismatch")),
        "{}",
        outcome.log
    );
    assert_eq!(outcome.output("findings"), "", "the check must not run");
}

/// A stub `cargo` in its own directory: records its arguments and "installs" the local binary
/// into `--root`.
fn stub_cargo() -> (TempDir, PathBuf) {
    let stub = TempDir::new().unwrap();
    let log = stub.path().join("cargo-args");
    let script = format!(
        r#"#!/usr/bin/env bash
set -e
printf '%s\n' "$*" >> '{log}'
root=''
while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
mkdir -p "$root/bin"
cp '{bin}' "$root/bin/protoguard"
"#,
        log = log.display(),
        bin = env!("CARGO_BIN_EXE_protoguard"),
    );
    let cargo = stub.path().join("cargo");
    fs::write(&cargo, script).unwrap();
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).unwrap();
    (stub, log)
}

#[test]
fn install_falls_back_to_cargo_install_only_without_a_binary_for_the_runner() {
    let (_origin, pr, ws) = clean_pr_workspace();
    let (stub, log) = stub_cargo();
    // On a runner the action lives in …/_actions/OWNER/NAME/REF and github.action_repository is
    // often empty in composite steps: the repository to build from comes from that path.
    let actions = TempDir::new().unwrap();
    let action_path = actions.path().join("_actions/acme/protoguard/v1");
    fs::create_dir_all(action_path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(repo_root(), &action_path).unwrap();

    // No binary is built for 32-bit ARM Linux: cargo builds the release's tag.
    let outcome = pr_runner(ws.path(), &pr)
        .without("binary")
        .env("RUNNER_ARCH", "ARM")
        .action_path(&action_path)
        .path(stub.path())
        .run();
    assert!(outcome.success, "{}", outcome.log);
    let args = fs::read_to_string(&log).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        args.contains(&format!(
            "install --locked --git https://github.com/acme/protoguard --tag v{version}"
        )),
        "{args}"
    );
    assert!(
        outcome.notices().contains("cargo install --locked"),
        "{}",
        outcome.log
    );

    // With a binary for the runner, cargo is never called, even when the download fails.
    fs::remove_file(&log).unwrap();
    let mirror = TempDir::new().unwrap();
    let outcome = pr_runner(ws.path(), &pr)
        .without("binary")
        .env(
            "PROTOGUARD_DOWNLOAD_URL",
            &format!("file://{}", mirror.path().display()),
        )
        .path(stub.path())
        .run();
    assert!(!outcome.success);
    assert!(
        outcome
            .log
            .contains("cannot download protoguard-x86_64-unknown-linux-musl.tar.gz"),
        "{}",
        outcome.log
    );
    assert!(!log.exists(), "cargo must not run when a binary fits");
}

// ---------------------------------------------------------------------------------------------
// action.yml itself

#[test]
fn inputs_reach_scripts_only_through_env() {
    let action = action();
    for step in &action.runs.steps {
        assert!(
            !step.run.contains("${{"),
            "step '{}' has an expression in run:; pass it through env: instead",
            step.name
        );
        for value in step.env.values() {
            // Anything but a bare `${{ context.path }}` would be a computed expression.
            let trimmed = value.trim();
            assert!(
                trimmed.starts_with("${{")
                    && trimmed.ends_with("}}")
                    && trimmed.matches("${{").count() == 1,
                "step '{}': env value {value} should be a single expression",
                step.name
            );
        }
    }
    // Every input is read by some step.
    let used: String = action
        .runs
        .steps
        .iter()
        .flat_map(|s| s.env.values().cloned())
        .collect();
    for name in action.inputs.keys() {
        assert!(
            used.contains(&format!("inputs.{name} ")),
            "input {name} is not used"
        );
    }
}

#[test]
fn action_installs_this_release_by_default() {
    let action = action();
    assert_eq!(
        action.inputs["version"].default,
        env!("CARGO_PKG_VERSION"),
        "action.yml's version default must follow Cargo.toml's version"
    );
}

#[test]
fn release_targets_match_the_install_script() {
    // Every target the install script downloads is built by the release workflow (dist), in the
    // archive formats the script unpacks.
    let text = fs::read_to_string(repo_root().join("dist-workspace.toml")).unwrap();
    let dist: toml::Table = toml::from_str(&text).unwrap();
    let dist = dist["dist"].as_table().unwrap();
    let install = fs::read_to_string(repo_root().join("action/install.sh")).unwrap();
    let targets: Vec<&str> = dist["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            install.contains(&format!("target={target}")),
            "install.sh lacks {target}"
        );
        assert!(
            targets.contains(&target),
            "dist-workspace.toml lacks {target}"
        );
    }
    for target in &targets {
        assert!(
            install.contains(&format!("target={target}")),
            "install.sh never picks {target}"
        );
    }
    assert_eq!(dist["unix-archive"].as_str(), Some(".tar.gz"));
    assert_eq!(dist["windows-archive"].as_str(), Some(".zip"));
    assert_eq!(dist["checksum"].as_str(), Some("sha256"));
}

#[test]
fn release_workflow_follows_dist_workspace_toml() {
    // release.yml is dist's workflow edited by hand: the dist version it installs and the action
    // pins must be the ones dist-workspace.toml declares.
    let text = fs::read_to_string(repo_root().join("dist-workspace.toml")).unwrap();
    let dist: toml::Table = toml::from_str(&text).unwrap();
    let dist = dist["dist"].as_table().unwrap();
    let workflow = fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap();
    let version = dist["cargo-dist-version"].as_str().unwrap();
    assert!(
        workflow.contains(&format!("DIST_VERSION: {version}\n")),
        "release.yml's DIST_VERSION must be {version}"
    );
    let commits = dist["github-action-commits"].as_table().unwrap();
    let mut pinned = 0;
    for line in workflow.lines() {
        let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
            continue;
        };
        let (action, rest) = uses.split_once('@').expect("uses: has a ref");
        let sha = rest.split_whitespace().next().unwrap();
        let expected = commits
            .get(action)
            .unwrap_or_else(|| panic!("{action} is not pinned in dist-workspace.toml"))
            .as_str()
            .unwrap();
        assert_eq!(sha, expected, "{action} in release.yml");
        pinned += 1;
    }
    assert!(pinned > 0);
}

//! `protoguard init`: writes a protoguard.toml with every key, commented out with a one-line
//! explanation, or active where a buf configuration in the same directory says something (each
//! such value says where it came from). The file is written atomically: a temporary file in the
//! same directory, renamed into place.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Config, Kind, Rules, BUF_WORK_YAML, BUF_YAML, FILE_NAME};
use crate::error::{Error, Result};
use crate::rules::lint::LintOptions;

/// What `init` did.
#[derive(Debug)]
pub struct Outcome {
    pub path: PathBuf,
    /// The buf configuration that was converted, if any.
    pub converted: Option<PathBuf>,
    /// Notes on what the buf workspace's modules configure differently (written into the file).
    pub conflicts: Vec<String>,
    /// The buf `deps` the converted file cannot carry (each marked REVIEW in it).
    pub deps: Vec<String>,
}

/// Writes `protoguard.toml` in `dir`. A `buf.work.yaml` or `buf.yaml` in `dir` is converted;
/// with `from_buf`, its absence is an error. An existing protoguard.toml is kept unless `force`.
pub fn run(dir: &Path, force: bool, from_buf: bool) -> Result<Outcome> {
    let target = dir.join(FILE_NAME);
    if target.exists() && !force {
        return Err(Error::with_help(
            format!("{} already exists", target.display()),
            "pass --force to overwrite it",
        ));
    }
    let buf = [BUF_WORK_YAML, BUF_YAML]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file());
    let converted = match &buf {
        Some(path) => Some(Config::read(path)?),
        None if from_buf => {
            return Err(Error::with_help(
                format!(
                    "--from-buf: there is no {BUF_YAML} or {BUF_WORK_YAML} in {}",
                    dir.display()
                ),
                "run protoguard init in the directory that holds the buf configuration",
            ))
        }
        None => None,
    };
    let text = render(converted.as_ref());
    write_atomically(&target, text.as_bytes(), force)?;
    Ok(Outcome {
        path: target,
        converted: buf,
        deps: converted
            .as_ref()
            .map(|c| c.deps.iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default(),
        conflicts: converted.map(|c| c.conflicts).unwrap_or_default(),
    })
}

fn write_atomically(target: &Path, bytes: &[u8], force: bool) -> Result<()> {
    // Without --force an existing file is refused atomically, even if it appeared since the check.
    crate::atomic::write(target, bytes, force)
        .map_err(|err| Error::invalid(format!("{}: cannot write: {err}", target.display())))
}

/// The text of a commented protoguard.toml; values from `buf` are active.
pub fn render(buf: Option<&Config>) -> String {
    let mut out = String::new();
    let source = buf.map(|c| match c.kind {
        Kind::BufWork => format!("{BUF_WORK_YAML} (and the {BUF_YAML} of each directory)"),
        _ => BUF_YAML.to_owned(),
    });
    out.push_str(
        "# protoguard.toml: configuration of protoguard, the Protobuf breaking-change checker.\n\
         # Every key is optional; a commented-out line shows an example. Relative paths are\n\
         # relative to this file's directory. Command-line flags (--root, -I, --exclude,\n\
         # --category, --rule, --except) override this file. Reference: docs/configuration.md;\n\
         # JSON schema for editors: docs/protoguard.schema.json (both in protoguard's repository).\n",
    );
    if let Some(source) = &source {
        let _ = writeln!(
            out,
            "#\n# Converted from {source} by `protoguard init`. While this file exists, protoguard\n\
             # does not read the buf configuration."
        );
    }
    out.push_str("\n# The configuration format's version (only 1 exists).\nversion = 1\n");

    let from = |key: &str| match buf.map(|c| c.kind) {
        Some(Kind::BufWork) if key == "directories" => format!("  # from {BUF_WORK_YAML}: {key}"),
        Some(Kind::BufWork) => format!("  # from the directories' {BUF_YAML} files: {key}"),
        _ => format!("  # from {BUF_YAML}: {key}"),
    };
    let module = buf.map(|c| &c.module);
    out.push_str("\n[module]\n");
    key(
        &mut out,
        "Module roots: directories of .proto files to check; import names start at them. Default: here.",
        "roots",
        "[\"proto\"]",
        module
            .filter(|m| !m.roots.is_empty())
            .map(|m| {
                let key = if buf.is_some_and(|c| c.kind == Kind::BufWork) {
                    "directories"
                } else {
                    "modules[].path"
                };
                (paths(&m.roots), from(key))
            }),
    );
    key(
        &mut out,
        "One module root, instead of roots.",
        "root",
        "\"proto\"",
        None,
    );
    for dep in buf.map(|c| c.deps.as_slice()).unwrap_or_default() {
        let _ = writeln!(
            out,
            "# REVIEW: the buf configuration depends on {name} (Buf Schema Registry). protoguard\n\
             # reads it from buf's local cache only while it reads buf.yaml; protoguard.toml cannot\n\
             # name registry modules. Make its files importable with includes (a vendored copy, e.g.\n\
             # `buf export {name} -o third_party/{short}`), or delete this file to keep using buf.yaml.",
            name = dep.name,
            short = dep.name.rsplit('/').next().unwrap_or("dep"),
        );
    }
    key(
        &mut out,
        "Include paths: importable (vendored or third-party files), never checked.",
        "includes",
        "[\"third_party\"]",
        None,
    );
    key(
        &mut out,
        "Files and directories to skip, wherever they are.",
        "excludes",
        "[\"proto/internal\"]",
        module
            .filter(|m| !m.excludes.is_empty())
            .map(|m| (paths(&m.excludes), from("excludes"))),
    );

    out.push_str("\n[breaking]\n");
    let notes = buf.map(|c| c.conflicts.as_slice()).unwrap_or_default();
    for note in notes {
        let _ = writeln!(
            out,
            "# REVIEW: the buf modules select different rules, and protoguard applies one selection to\n\
             # every root; the first module's is used below. {note}."
        );
    }
    section(&mut out, buf.map(|c| &c.breaking), &from, true);

    out.push_str(
        "\n# Lint rules (`protoguard lint`), with buf's IDs, categories and options.\n[lint]\n",
    );
    section(&mut out, buf.map(|c| &c.lint), &from, false);
    let defaults = LintOptions::default();
    let options = buf.map(|c| &c.lint_options).filter(|o| **o != defaults);
    let text = |value: &str| format!("\"{value}\"");
    key(
        &mut out,
        "The suffix ENUM_ZERO_VALUE_SUFFIX requires of zero values. Default: \"_UNSPECIFIED\".",
        "enum_zero_value_suffix",
        "\"_UNSPECIFIED\"",
        options
            .filter(|o| o.enum_zero_value_suffix != defaults.enum_zero_value_suffix)
            .map(|o| {
                (
                    text(&o.enum_zero_value_suffix),
                    from("lint.enum_zero_value_suffix"),
                )
            }),
    );
    for (name, value) in [
        (
            "rpc_allow_same_request_response",
            options.is_some_and(|o| o.rpc_allow_same_request_response),
        ),
        (
            "rpc_allow_google_protobuf_empty_requests",
            options.is_some_and(|o| o.rpc_allow_google_protobuf_empty_requests),
        ),
        (
            "rpc_allow_google_protobuf_empty_responses",
            options.is_some_and(|o| o.rpc_allow_google_protobuf_empty_responses),
        ),
    ] {
        key(
            &mut out,
            "An RPC rule option, as buf.yaml spells it. Default: false.",
            name,
            "true",
            value.then(|| ("true".to_owned(), from(&format!("lint.{name}")))),
        );
    }
    key(
        &mut out,
        "The suffix SERVICE_SUFFIX requires of service names. Default: \"Service\".",
        "service_suffix",
        "\"API\"",
        options
            .filter(|o| o.service_suffix != defaults.service_suffix)
            .map(|o| (text(&o.service_suffix), from("lint.service_suffix"))),
    );
    key(
        &mut out,
        "Do not honour buf's `// buf:lint:ignore` comments. Default: false.",
        "disallow_comment_ignores",
        "true",
        buf.filter(|c| !c.buf_lint_ignores).map(|_| {
            (
                "true".to_owned(),
                from("lint.disallow_comment_ignores / allow_comment_ignores"),
            )
        }),
    );
    out
}

fn section(out: &mut String, rules: Option<&Rules>, from: &dyn Fn(&str) -> String, breaking: bool) {
    let kind = if breaking { "breaking" } else { "lint" };
    let (use_example, except_example, only_example) = if breaking {
        (
            "[\"FILE\"]",
            "[\"FIELD_SAME_JSON_NAME\"]",
            "{ FIELD_SAME_JSON_NAME = [\"proto/acme/internal\"] }",
        )
    } else {
        (
            "[\"STANDARD\"]",
            "[\"PACKAGE_VERSION_SUFFIX\"]",
            "{ ENUM_ZERO_VALUE_SUFFIX = [\"proto/acme/legacy\"] }",
        )
    };
    key(
        out,
        if breaking {
            "Rule IDs or categories (FILE, PACKAGE, WIRE_JSON, WIRE, CSR, HISTORY) to run. Default: FILE."
        } else {
            "Rule IDs or categories (MINIMAL, BASIC, STANDARD, COMMENTS, UNARY_RPC, ENUM_ZERO_VALUE) to run. Default: STANDARD."
        },
        "use",
        use_example,
        rules.map(|r| (strings(&r.use_), from(&format!("{kind}.use")))),
    );
    key(
        out,
        "Rule IDs or categories not to run.",
        "except",
        except_example,
        rules
            .filter(|r| !r.except.is_empty())
            .map(|r| (strings(&r.except), from(&format!("{kind}.except")))),
    );
    key(
        out,
        "Files or directories whose findings are not reported.",
        "ignore",
        "[\"proto/acme/legacy\"]",
        rules
            .filter(|r| !r.ignore.is_empty())
            .map(|r| (paths(&r.ignore), from(&format!("{kind}.ignore")))),
    );
    key(
        out,
        "Rule ID or category -> files or directories where its findings are not reported.",
        "ignore_only",
        only_example,
        rules.filter(|r| !r.ignore_only.is_empty()).map(|r| {
            let entries: Vec<String> = r
                .ignore_only
                .iter()
                .map(|(rule, list)| format!("{rule} = {}", paths(list)))
                .collect();
            (
                format!("{{ {} }}", entries.join(", ")),
                from(&format!("{kind}.ignore_only")),
            )
        }),
    );
    key(
        out,
        "Do not report findings in unstable packages (v1alpha1, v1beta2, v1test, ...).",
        "ignore_unstable_packages",
        "true",
        rules.filter(|r| r.ignore_unstable_packages).map(|_| {
            (
                "true".to_owned(),
                from(&format!("{kind}.ignore_unstable_packages")),
            )
        }),
    );
    key(
        out,
        "Rule ID or category -> \"error\", \"warning\" or \"off\" (a rule's own entry wins).",
        "severity",
        if breaking {
            "{ FILE_SAME_GO_PACKAGE = \"warning\", FIELD_SAME_JSON_NAME = \"off\" }"
        } else {
            "{ COMMENTS = \"warning\" }"
        },
        None,
    );
    if breaking {
        key(
            out,
            "Findings on elements no RPC reaches (storage-only types) are warnings.",
            "impact_only",
            "true",
            None,
        );
    }
}

/// One key: its explanation, then the active value or a commented-out example.
fn key(
    out: &mut String,
    explanation: &str,
    name: &str,
    example: &str,
    active: Option<(String, String)>,
) {
    let _ = writeln!(out, "# {explanation}");
    match active {
        Some((value, origin)) => {
            let _ = writeln!(out, "{name} = {value}{origin}");
        }
        None => {
            let _ = writeln!(out, "# {name} = {example}");
        }
    }
}

fn strings(list: &[String]) -> String {
    toml::Value::Array(list.iter().cloned().map(toml::Value::String).collect()).to_string()
}

fn paths(list: &[PathBuf]) -> String {
    let list: Vec<String> = list
        .iter()
        .map(|p| {
            let parts: Vec<String> = p
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.is_empty() {
                ".".to_owned()
            } else {
                parts.join("/")
            }
        })
        .collect();
    strings(&list)
}

//! `breaking --fix` and `--diff`: the reserved numbers and names that findings ask for, written
//! into the current revision's files. A rule that reports a deletion attaches a [`Reserve`] (what
//! its message or enum is missing); this module merges them per element, edits the text (see
//! [`text`]), compares the edited revision again — the fixed files must compile and no finding
//! may still ask for a reservation — and only then writes, every file atomically. Rules never
//! write files (CONVENTIONS.md, "A fix lives with its rule").

mod text;

pub(crate) use text::{render_ranges, ENUM_MAX, FIELD_MAX};

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::check::{self, Loaded, Outcome, Settings};
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::input::{Content, Snapshot, Source, Sources};
use crate::schema::{Element, Schema};

/// What one message or enum of the current revision must reserve so that a deleted field or
/// value cannot be reused: numbers and names not reserved there yet (a name another member now
/// has is left out; protoc rejects reserving it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserve {
    /// The file, by import name.
    pub file: String,
    /// The message or enum, by full name.
    pub element: String,
    pub is_enum: bool,
    /// The byte range of its whole declaration in the file's text (after a byte-order mark).
    pub declaration: (usize, usize),
    /// Names are written as identifiers (editions), not quoted strings (proto2, proto3).
    pub identifiers: bool,
    pub numbers: Vec<i32>,
    pub names: Vec<String>,
}

impl Reserve {
    /// A reservation in `element` of `schema` (the current revision); `None` when there is
    /// nothing to reserve or the element has no source text to edit (a descriptor set).
    pub(crate) fn new(
        schema: &Schema,
        element: &(impl Element + Named),
        numbers: Vec<i32>,
        names: Vec<String>,
    ) -> Option<Reserve> {
        if numbers.is_empty() && names.is_empty() {
            return None;
        }
        let file = element.file();
        Some(Reserve {
            declaration: schema.byte_range(element)?,
            identifiers: schema.edition(&file).is_editions(),
            file: file.name().to_owned(),
            element: element.full_name().to_owned(),
            is_enum: element.is_enum(),
            numbers,
            names,
        })
    }
}

/// A message or an enum: what a reservation is made in.
pub trait Named {
    fn full_name(&self) -> &str;
    fn is_enum(&self) -> bool;
}

impl Named for prost_reflect::MessageDescriptor {
    fn full_name(&self) -> &str {
        prost_reflect::MessageDescriptor::full_name(self)
    }
    fn is_enum(&self) -> bool {
        false
    }
}

impl Named for prost_reflect::EnumDescriptor {
    fn full_name(&self) -> &str {
        prost_reflect::EnumDescriptor::full_name(self)
    }
    fn is_enum(&self) -> bool {
        true
    }
}

/// One file the fix changes.
#[derive(Debug)]
pub struct FileFix {
    /// The path as findings report it.
    pub path: String,
    /// Where it is on disk.
    pub disk: PathBuf,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
    /// What was added, one line per element: `message "acme.v1.User": reserved 4; reserved "email";`.
    pub added: Vec<String>,
}

/// A fix that compiled and cleared what it was for.
pub struct Fixed {
    pub files: Vec<FileFix>,
    /// The check on the fixed revision (what remains to report).
    pub outcome: Outcome,
}

/// Runs the check, fixes what its findings ask to reserve, and checks the fixed revision.
/// Nothing is written here (see [`write`]). Errors: the current revision is not a directory or
/// the working tree (exit 2, nothing to edit), a file to fix was not read from disk, or the
/// fixed revision does not compile or still lacks a reservation (the reason is the error).
pub fn fix(settings: &Settings) -> Result<(Outcome, Option<Fixed>)> {
    if !matches!(settings.current, Source::Directory(_)) {
        return Err(Error::with_help(
            "--fix and --diff edit .proto files on disk, so the current revision must be the working tree or a directory; it is a git revision, the staged index or a descriptor set",
            "run from the working tree (protoguard breaking --against <rev> --fix), or pass the directory to fix as the input",
        ));
    }
    let loaded = check::prepare(settings)?;
    let again = loaded.clone();
    let outcome = check::compare(settings, loaded)?;
    let Content::Sources(sources) = &outcome.current.content else {
        return Ok((outcome, None));
    };
    let files = plan(&outcome.findings, sources, &outcome.current)?;
    if files.is_empty() {
        return Ok((outcome, None));
    }
    let mut edited = sources.clone();
    for (name, file) in &files {
        edited.insert(name.clone(), file.after.clone());
    }
    let fixed = Loaded {
        current: Arc::new(Snapshot {
            label: format!("{} with the fix applied", outcome.current.label),
            content: Content::Sources(edited),
        }),
        ..again
    };
    let rechecked = check::compare(settings, fixed).map_err(|err| match err {
        Error::Compile {
            revision,
            diagnostics,
        } => Error::Compile {
            revision: format!("{revision} (nothing was written)"),
            diagnostics,
        },
        other => other,
    })?;
    if let Some(left) = rechecked.findings.iter().find(|f| f.fix.is_some()) {
        return Err(Error::with_help(
            format!(
                "the fix did not clear every missing reservation, so nothing was written: {} still reports {}",
                left.rule, left.message
            ),
            "please report this with the file; add the reserved statement by hand meanwhile",
        ));
    }
    Ok((
        outcome,
        Some(Fixed {
            files: files.into_values().collect(),
            outcome: rechecked,
        }),
    ))
}

/// The edits the findings ask for, by file import name.
fn plan(
    findings: &[Finding],
    sources: &Sources,
    snapshot: &Snapshot,
) -> Result<BTreeMap<String, FileFix>> {
    // Per file, per element (by where it is declared): the union of what findings ask for.
    type Wants<'a> = BTreeMap<(usize, usize), (&'a Reserve, BTreeSet<i32>, Vec<String>)>;
    let mut by_file: BTreeMap<&str, Wants> = BTreeMap::new();
    for reserve in findings.iter().filter_map(|f| f.fix.as_ref()) {
        let (_, numbers, names) = by_file
            .entry(&reserve.file)
            .or_default()
            .entry(reserve.declaration)
            .or_insert_with(|| (reserve, BTreeSet::new(), Vec::new()));
        numbers.extend(reserve.numbers.iter().copied());
        for name in &reserve.names {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    for (name, wants) in by_file {
        let path = snapshot.path_of(name).to_owned();
        let disk = sources.disk_path(name).ok_or_else(|| {
            Error::with_help(
                format!("--fix: {path} is not on disk (a sparse checkout keeps it only in the index), so it cannot be edited"),
                "check the file out (git sparse-checkout add its directory) and run again",
            )
        })?;
        let before = sources.get(name).map(<[u8]>::to_vec).unwrap_or_default();
        let body = crate::input::without_bom(&before);
        let bom = &before[..before.len() - body.len()];
        let source = std::str::from_utf8(body)
            .map_err(|_| Error::invalid(format!("--fix: {path} is not valid UTF-8")))?;
        let mut edits = Vec::new();
        let mut added = Vec::new();
        for (reserve, numbers, names) in wants.values() {
            let wanted = text::Wanted {
                numbers,
                names,
                identifiers: reserve.identifiers,
                is_enum: reserve.is_enum,
            };
            let element_edits =
                text::reserve(source, reserve.declaration, &wanted).map_err(|why| {
                    Error::with_help(
                        format!("--fix: cannot edit {} in {path}: {why}", reserve.element),
                        "add the reserved statement by hand",
                    )
                })?;
            edits.extend(element_edits);
            added.push(describe(reserve, numbers, names));
        }
        let mut after = bom.to_vec();
        after.extend_from_slice(text::apply(source, &edits).as_bytes());
        out.insert(
            name.to_owned(),
            FileFix {
                path,
                disk: disk.clone(),
                before,
                after,
                added,
            },
        );
    }
    Ok(out)
}

/// `message "acme.v1.User": reserved 4, 7; reserved "email"` — what the fix adds, for stderr.
fn describe(reserve: &Reserve, numbers: &BTreeSet<i32>, names: &[String]) -> String {
    let mut parts = Vec::new();
    if !numbers.is_empty() {
        let list: Vec<String> = numbers.iter().map(i32::to_string).collect();
        let plural = if list.len() > 1 { "numbers" } else { "number" };
        parts.push(format!("{plural} {}", list.join(", ")));
    }
    if !names.is_empty() {
        let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let plural = if list.len() > 1 { "names" } else { "name" };
        parts.push(format!("{plural} {}", list.join(", ")));
    }
    format!(
        "{} \"{}\": reserved {}",
        if reserve.is_enum { "enum" } else { "message" },
        reserve.element,
        parts.join(" and ")
    )
}

/// The fix as a unified diff, one section per file, with paths as findings report them.
pub fn diff(files: &[FileFix]) -> String {
    let mut out = String::new();
    for file in files {
        let before = String::from_utf8_lossy(&file.before);
        let after = String::from_utf8_lossy(&file.after);
        let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                .to_string(),
        );
    }
    out
}

/// Writes the fixed files: every file is staged next to its destination first and then renamed
/// into place, so a failure leaves all files as they were or (past the first rename, only on
/// an I/O error) names the files already written. A file that changed on disk since it was read
/// is not overwritten.
pub fn write(files: &[FileFix]) -> Result<()> {
    let mut staged = Vec::new();
    for file in files {
        let target = file
            .disk
            .canonicalize()
            .unwrap_or_else(|_| file.disk.clone());
        let now = std::fs::read(&target)
            .map_err(|err| Error::invalid(format!("--fix: cannot read {}: {err}", file.path)))?;
        if now != file.before {
            return Err(Error::with_help(
                format!(
                    "--fix: {} changed while protoguard was checking it, so nothing was written",
                    file.path
                ),
                "run the command again",
            ));
        }
        let stage = crate::atomic::stage(&target, &file.after)
            .map_err(|err| Error::invalid(format!("--fix: cannot write {}: {err}", file.path)))?;
        staged.push((stage, file));
    }
    let mut written = Vec::new();
    for (stage, file) in staged {
        stage.commit(true).map_err(|err| {
            let done = if written.is_empty() {
                String::new()
            } else {
                format!(" ({} already written)", written.join(", "))
            };
            Error::invalid(format!("--fix: cannot write {}: {err}{done}", file.path))
        })?;
        written.push(file.path.as_str());
    }
    Ok(())
}

/// What `breaking --fix` or `--diff` leaves to do.
pub enum Ran {
    /// Report this outcome as a check would: the findings that remain after the fix (or all of
    /// them when there was nothing to fix).
    Report(Outcome),
    /// `--diff` printed what it would change: exit with this code (0 nothing to change, 1
    /// changes shown).
    Exit(u8),
}

/// `breaking --fix` (write the fix, then report what remains) or, with `diff`, `--diff` (print
/// the fix as a unified diff on `stdout`, write nothing). What was fixed goes to `stderr`.
pub fn command(
    settings: &Settings,
    diff_only: bool,
    stdout: &mut dyn std::io::Write,
    stderr: &mut dyn std::io::Write,
) -> Result<Ran> {
    let (outcome, fixed) = fix(settings)?;
    // Notes are best effort: stderr that cannot be written does not change the result.
    let Some(fixed) = fixed else {
        let _ = writeln!(stderr, "protoguard: nothing to fix");
        return Ok(if diff_only {
            Ran::Exit(0)
        } else {
            Ran::Report(outcome)
        });
    };
    if diff_only {
        stdout
            .write_all(diff(&fixed.files).as_bytes())
            .or_else(|err| match err.kind() {
                std::io::ErrorKind::BrokenPipe => Ok(()),
                _ => Err(Error::invalid(format!("cannot write the diff: {err}"))),
            })?;
        return Ok(Ran::Exit(1));
    }
    write(&fixed.files)?;
    for file in &fixed.files {
        for added in &file.added {
            let _ = writeln!(stderr, "protoguard: fixed {}: {added}", file.path);
        }
    }
    Ok(Ran::Report(fixed.outcome))
}

//! Building the ledger: the first-parent chain of a branch, oldest first, each commit compared
//! with its parent tree by tree (only changed `.proto` blobs are looked at), every distinct blob
//! parsed once (in parallel, before the accounting pass). A member (element, number, name) is
//! alive while some file at the commit declares it; when the last one stops, it retired at the
//! previous commit. An element that vanishes from one package while an element of the same
//! relative name appears in another, in the same commit and with no other candidate, is the
//! same element renamed: its history follows it. The walk's state at the tip is cached (see
//! [`super::store`]), so the next run walks only the commits added since.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::parse::{summarise, FileSummary};
use super::{CommitRef, Ledger, Member, Seen};
use crate::error::{Error, Result};

/// Which history to walk.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The tip: a revision (`HEAD` when empty).
    pub rev: String,
    /// Walk only the commits after this revision (`--since`).
    pub since: Option<String>,
    /// Walk at most this many commits, newest first (`--max-count`).
    pub max_count: Option<usize>,
    /// Neither read nor write the cache.
    pub no_cache: bool,
}

/// The walk's state at its tip: the ledger and what continuing it needs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct State {
    pub ledger: Ledger,
    /// What the walk was asked for (the resolved `--since`): a cache for another walk is not
    /// continued.
    pub key: String,
    /// `.proto` files at the tip: path -> blob id.
    pub files: BTreeMap<String, String>,
    /// Summaries of the blobs at the tip, by blob id.
    pub summaries: HashMap<String, FileSummary>,
}

/// A member's identity: element full name, number, name.
type Key = (String, i32, String);

/// What the walk reports beyond the ledger.
#[derive(Debug, Default)]
pub struct Stats {
    /// Commits walked in this run (all of them unless the cache was continued).
    pub walked: usize,
    /// Blobs parsed in this run.
    pub parsed: usize,
    /// The cache was continued rather than rebuilt.
    pub incremental: bool,
}

/// Builds (or continues from the cache) the ledger of the repository around `cwd`.
pub fn build(cwd: &Path, options: &Options) -> Result<(Ledger, Stats)> {
    let repo = Repository::discover(cwd).map_err(|err| {
        Error::with_help(
            format!(
                "history needs a git repository, and none was found at or above {}: {}",
                cwd.display(),
                err.message()
            ),
            "run protoguard history inside a git work tree",
        )
    })?;
    let rev = if options.rev.is_empty() {
        "HEAD"
    } else {
        &options.rev
    };
    let head = resolve(&repo, rev)?;
    let since = options
        .since
        .as_deref()
        .map(|s| resolve(&repo, s))
        .transpose()?;
    let key = format!(
        "first-parent;since={};max={}",
        since.map(|o| o.to_string()).unwrap_or_default(),
        options.max_count.map(|n| n.to_string()).unwrap_or_default()
    );
    let cache = (!options.no_cache).then(|| super::store::Store::of(&repo));
    let cached = cache.as_ref().and_then(|c| c.read());
    // The cached tip continues only a walk of the same kind with no window (a --max-count
    // window drops its oldest commits as it moves).
    let continuable = cached
        .as_ref()
        .filter(|s| s.key == key && options.max_count.is_none())
        .and_then(|s| s.ledger.head.as_ref())
        .and_then(|h| Oid::from_str(&h.id).ok());
    let (chain, reached, boundary) = chain(&repo, head, since, options.max_count, continuable)?;
    let mut stats = Stats::default();
    let mut walker = match (reached, cached) {
        (true, Some(state)) => {
            stats.incremental = true;
            Walker::resume(state)
        }
        (_, cached) => {
            let mut walker = Walker::default();
            walker.state.key = key;
            // Summaries of an old tip still save parsing what did not change.
            if let Some(old) = cached {
                walker.known = old
                    .summaries
                    .into_iter()
                    .filter_map(|(id, s)| Some((Oid::from_str(&id).ok()?, Arc::new(s))))
                    .collect();
            }
            walker.state.ledger.shallow = boundary;
            walker
        }
    };
    let changes = changes(&repo, &chain, stats.incremental)?;
    stats.parsed = walker.parse_all(&repo, &changes)?;
    stats.walked = chain.len();
    for (commit, changed) in chain.iter().zip(&changes) {
        walker.commit(commit_ref(&repo, *commit)?, changed);
    }
    walker.finish();
    if let (Some(cache), false) = (&cache, chain.is_empty() && stats.incremental) {
        // A cache that cannot be written costs the next run time, not correctness.
        let _ = cache.write(&walker.state);
    }
    Ok((walker.state.ledger, stats))
}

fn resolve(repo: &Repository, rev: &str) -> Result<Oid> {
    let object = repo.revparse_single(rev).map_err(|err| {
        Error::with_help(
            format!(
                "{rev}: not a revision of this repository: {}",
                err.message()
            ),
            "name a branch, tag or commit (git log shows them)",
        )
    })?;
    object
        .peel_to_commit()
        .map(|c| c.id())
        .map_err(|err| Error::invalid(format!("{rev}: not a commit: {}", err.message())))
}

/// The first-parent chain from `head`, oldest first, stopping before `since`, after `max`
/// commits, at `cached` (then `reached`), at the first commit, or at a shallow clone's boundary
/// (then `boundary`).
fn chain(
    repo: &Repository,
    head: Oid,
    since: Option<Oid>,
    max: Option<usize>,
    cached: Option<Oid>,
) -> Result<(Vec<Oid>, bool, bool)> {
    let mut out = Vec::new();
    let mut at = head;
    let mut reached = false;
    let mut boundary = false;
    loop {
        if Some(at) == since || max.is_some_and(|m| out.len() >= m) {
            break;
        }
        if Some(at) == cached {
            reached = true;
            break;
        }
        out.push(at);
        let commit = repo
            .find_commit(at)
            .map_err(|err| Error::invalid(format!("cannot read commit {at}: {}", err.message())))?;
        if commit.parent_count() == 0 {
            // A shallow clone's oldest commit has its parents cut off.
            boundary = repo.is_shallow();
            break;
        }
        match commit.parent_id(0) {
            Ok(parent) if repo.find_commit(parent).is_ok() => at = parent,
            _ => {
                boundary = true;
                break;
            }
        }
    }
    out.reverse();
    Ok((out, reached, boundary))
}

/// One changed `.proto` file of a commit: path, blob before and after.
#[derive(Debug, Clone)]
pub(super) struct Change {
    path: String,
    old: Option<Oid>,
    new: Option<Oid>,
}

/// For each commit of `chain`, its `.proto` changes against its first parent; the first commit
/// of a fresh walk against nothing (everything it holds is new).
fn changes(repo: &Repository, chain: &[Oid], continued: bool) -> Result<Vec<Vec<Change>>> {
    let git =
        |err: git2::Error| Error::invalid(format!("cannot read the history: {}", err.message()));
    let mut out = Vec::with_capacity(chain.len());
    for (i, &id) in chain.iter().enumerate() {
        let commit = repo.find_commit(id).map_err(git)?;
        let tree = commit.tree().map_err(git)?;
        let parent_tree = if i == 0 && !continued {
            None
        } else {
            commit.parent(0).ok().and_then(|p| p.tree().ok())
        };
        let mut opts = git2::DiffOptions::new();
        opts.pathspec("*.proto").skip_binary_check(true);
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(git)?;
        let mut changed = Vec::new();
        for delta in diff.deltas() {
            let blob = |f: git2::DiffFile| (!f.id().is_zero()).then(|| f.id());
            let (old, new) = (blob(delta.old_file()), blob(delta.new_file()));
            let old_path = delta.old_file().path().and_then(|p| p.to_str());
            let new_path = delta.new_file().path().and_then(|p| p.to_str());
            // Without rename detection a delta has one path (a move is a delete and an add).
            let Some(path) = new_path.or(old_path) else {
                continue;
            };
            if !path.ends_with(".proto") {
                continue;
            }
            changed.push(Change {
                path: path.to_owned(),
                old,
                new,
            });
        }
        out.push(changed);
    }
    Ok(out)
}

/// The accounting pass.
#[derive(Default)]
struct Walker {
    state: State,
    /// Summaries of every blob this run may meet, by id.
    known: HashMap<Oid, Arc<FileSummary>>,
    /// How many files declare each member, and each element, now.
    members: HashMap<Key, u32>,
    elements: HashMap<String, u32>,
    /// The commit walked last: where a member that stops now was last seen.
    previous: Option<CommitRef>,
}

impl Walker {
    fn resume(state: State) -> Walker {
        let mut walker = Walker {
            previous: state.ledger.head.clone(),
            ..Walker::default()
        };
        for id in state.files.values() {
            let (Ok(oid), Some(summary)) = (Oid::from_str(id), state.summaries.get(id)) else {
                continue;
            };
            walker.known.insert(oid, Arc::new(summary.clone()));
        }
        walker.state = state;
        let files: Vec<String> = walker.state.files.values().cloned().collect();
        for id in files {
            if let Some(summary) = Oid::from_str(&id).ok().and_then(|o| walker.known.get(&o)) {
                let summary = summary.clone();
                count(&mut walker.members, &mut walker.elements, &summary, 1);
            }
        }
        walker
    }

    /// Parses every new blob the changes name that is not known yet, on all cores; returns how
    /// many were parsed.
    fn parse_all(&mut self, repo: &Repository, changes: &[Vec<Change>]) -> Result<usize> {
        let mut wanted: Vec<(Oid, &str)> = Vec::new();
        let mut seen = BTreeSet::new();
        for change in changes.iter().flatten() {
            if let Some(id) = change.new {
                if !self.known.contains_key(&id) && seen.insert(id) {
                    wanted.push((id, &change.path));
                }
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Blobs are read on this thread (a repository handle is not shared), parsed in batches.
        for batch in wanted.chunks(256) {
            let blobs: Vec<(Oid, &str, Vec<u8>)> = batch
                .iter()
                .map(|&(id, path)| {
                    let bytes = repo
                        .find_blob(id)
                        .map(|b| b.content().to_vec())
                        .unwrap_or_default();
                    (id, path, bytes)
                })
                .collect();
            let per = blobs.len().div_ceil(threads).max(1);
            let parsed: Vec<(Oid, FileSummary)> = std::thread::scope(|s| {
                let handles: Vec<_> = blobs
                    .chunks(per)
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .map(|(id, path, bytes)| (*id, summarise(path, bytes)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            for (id, summary) in parsed {
                self.known.insert(id, Arc::new(summary));
            }
        }
        Ok(wanted.len())
    }

    fn commit(&mut self, commit: CommitRef, changes: &[Change]) {
        let mut delta: HashMap<Key, i64> = HashMap::new();
        let mut element_delta: HashMap<String, i64> = HashMap::new();
        // Where a member that stops was (path, line, type), and where one that starts is.
        let mut was: HashMap<Key, (String, u32, String)> = HashMap::new();
        let mut now: HashMap<Key, (String, u32, String)> = HashMap::new();
        let mut relative: HashMap<String, (String, bool)> = HashMap::new();
        for change in changes {
            if let Some(old) = change.old.and_then(|id| self.known.get(&id)).cloned() {
                for element in &old.elements {
                    *element_delta.entry(element.full_name.clone()).or_default() -= 1;
                    relative.insert(
                        element.full_name.clone(),
                        (element.relative_name.clone(), element.is_enum),
                    );
                    for m in &element.members {
                        let key = (element.full_name.clone(), m.number, m.name.clone());
                        was.insert(
                            key.clone(),
                            (change.path.clone(), m.line, m.type_name.clone()),
                        );
                        *delta.entry(key).or_default() -= 1;
                    }
                }
                count(&mut self.members, &mut self.elements, &old, -1);
            }
            match change.new {
                Some(id) => {
                    let summary = self.known.get(&id).cloned().unwrap_or_default();
                    if summary.unparsable {
                        self.state.ledger.unparsable += 1;
                    }
                    for element in &summary.elements {
                        *element_delta.entry(element.full_name.clone()).or_default() += 1;
                        relative.insert(
                            element.full_name.clone(),
                            (element.relative_name.clone(), element.is_enum),
                        );
                        let entry = self
                            .state
                            .ledger
                            .elements
                            .entry(element.full_name.clone())
                            .or_default();
                        entry.is_enum = element.is_enum;
                        entry.reserved_ranges.clone_from(&element.reserved_ranges);
                        entry.reserved_names.clone_from(&element.reserved_names);
                        for m in &element.members {
                            let key = (element.full_name.clone(), m.number, m.name.clone());
                            now.insert(
                                key.clone(),
                                (change.path.clone(), m.line, m.type_name.clone()),
                            );
                            *delta.entry(key).or_default() += 1;
                        }
                    }
                    count(&mut self.members, &mut self.elements, &summary, 1);
                    self.state.files.insert(change.path.clone(), id.to_string());
                }
                None => {
                    self.state.files.remove(&change.path);
                }
            }
        }
        let alive =
            |counts: &HashMap<String, u32>, name: &str| counts.get(name).copied().unwrap_or(0) > 0;
        let vanished: Vec<String> = element_delta
            .iter()
            .filter(|(name, d)| {
                **d < 0 && !alive(&self.elements, name) && {
                    let before = self.elements.get(*name).copied().unwrap_or(0) as i64 - **d;
                    before > 0
                }
            })
            .map(|(n, _)| n.clone())
            .collect();
        let appeared: Vec<String> = element_delta
            .iter()
            .filter(|(name, d)| {
                **d > 0 && alive(&self.elements, name) && {
                    let before = self.elements.get(*name).copied().unwrap_or(0) as i64 - **d;
                    before == 0
                }
            })
            .map(|(n, _)| n.clone())
            .collect();
        // A package rename: one vanished and one appeared element with the same relative name
        // and kind, each the only candidate; the appeared one must be new to the ledger.
        // Grouped by (relative name, kind) first: on a first commit every element appears, and
        // comparing each with all the others was quadratic (minutes on a 7,000-file tree).
        type Candidates<'a> = (Vec<&'a String>, Vec<&'a String>);
        let mut groups: HashMap<&(String, bool), Candidates> = HashMap::new();
        for name in &vanished {
            if let Some(shape) = relative.get(name) {
                groups.entry(shape).or_default().0.push(name);
            }
        }
        for name in &appeared {
            if let Some(shape) = relative.get(name) {
                groups.entry(shape).or_default().1.push(name);
            }
        }
        let mut renamed: HashMap<String, String> = HashMap::new();
        for new_name in &appeared {
            let Some((from, to)) = relative.get(new_name).and_then(|shape| groups.get(shape))
            else {
                continue;
            };
            let fresh = self
                .state
                .ledger
                .elements
                .get(new_name)
                .is_none_or(|e| e.members.is_empty() && e.former_names.is_empty());
            if let ([old_name], [_], true) = (&from[..], &to[..], fresh) {
                renamed.insert((*old_name).clone(), new_name.clone());
            }
        }
        for (old_name, new_name) in &renamed {
            let mut element = self
                .state
                .ledger
                .elements
                .remove(old_name)
                .unwrap_or_default();
            if let Some(fresh) = self.state.ledger.elements.remove(new_name) {
                element.reserved_ranges = fresh.reserved_ranges;
                element.reserved_names = fresh.reserved_names;
                element.is_enum = fresh.is_enum;
            }
            element.former_names.push(old_name.clone());
            self.state.ledger.elements.insert(new_name.clone(), element);
        }
        let before = |key: &Key, d: i64| self.members.get(key).copied().unwrap_or(0) as i64 - d;
        let mut stopped: Vec<Key> = Vec::new();
        let mut started: Vec<Key> = Vec::new();
        for (key, &d) in &delta {
            let after = self.members.get(key).copied().unwrap_or(0) as i64;
            let b = before(key, d);
            if b > 0 && after == 0 {
                stopped.push(key.clone());
            } else if b == 0 && after > 0 {
                started.push(key.clone());
            }
        }
        stopped.sort();
        started.sort();
        // A member carried over by a rename did not stop.
        let carried: BTreeSet<Key> = stopped
            .iter()
            .filter_map(|(e, n, name)| {
                let to = renamed.get(e)?;
                let key = (to.clone(), *n, name.clone());
                started.contains(&key).then_some(key)
            })
            .collect();
        for key in &stopped {
            if renamed
                .get(&key.0)
                .is_some_and(|to| carried.contains(&(to.clone(), key.1, key.2.clone())))
            {
                continue;
            }
            let name = renamed.get(&key.0).unwrap_or(&key.0);
            let Some(element) = self.state.ledger.elements.get_mut(name) else {
                continue;
            };
            let (path, line, type_name) = was.get(key).cloned().unwrap_or_default();
            if let Some(member) = element
                .members
                .iter_mut()
                .find(|m| m.number == key.1 && m.name == key.2)
            {
                member.present = false;
                member.type_name = type_name;
                member.last = Seen {
                    commit: self.previous.clone().unwrap_or_else(|| commit.clone()),
                    path,
                    line,
                };
            }
        }
        for key in &started {
            let (path, line, type_name) = now.get(key).cloned().unwrap_or_default();
            let element = self.state.ledger.elements.entry(key.0.clone()).or_default();
            let seen = Seen {
                commit: commit.clone(),
                path,
                line,
            };
            match element
                .members
                .iter_mut()
                .find(|m| m.number == key.1 && m.name == key.2)
            {
                Some(member) => {
                    member.present = true;
                    member.type_name = type_name;
                    if !carried.contains(key) {
                        member.last = seen;
                    }
                }
                None => element.members.push(Member {
                    number: key.1,
                    name: key.2.clone(),
                    type_name,
                    first: seen.clone(),
                    last: seen,
                    present: true,
                }),
            }
        }
        if self.state.ledger.oldest.is_none() {
            self.state.ledger.oldest = Some(commit.clone());
        }
        self.state.ledger.commits += 1;
        self.state.ledger.head = Some(commit.clone());
        self.previous = Some(commit);
    }

    /// Marks what the tip declares: present elements and members, last seen at the tip.
    fn finish(&mut self) {
        let Some(head) = self.state.ledger.head.clone() else {
            return;
        };
        for element in self.state.ledger.elements.values_mut() {
            element.present = false;
        }
        let mut summaries = HashMap::new();
        for (path, id) in &self.state.files {
            let Some(summary) = Oid::from_str(id).ok().and_then(|o| self.known.get(&o)) else {
                continue;
            };
            summaries.insert(id.clone(), FileSummary::clone(summary));
            for declared in &summary.elements {
                let Some(element) = self.state.ledger.elements.get_mut(&declared.full_name) else {
                    continue;
                };
                element.present = true;
                element
                    .reserved_ranges
                    .clone_from(&declared.reserved_ranges);
                element.reserved_names.clone_from(&declared.reserved_names);
                for m in &declared.members {
                    if let Some(member) = element
                        .members
                        .iter_mut()
                        .find(|x| x.number == m.number && x.name == m.name)
                    {
                        member.present = true;
                        member.type_name.clone_from(&m.type_name);
                        member.last = Seen {
                            commit: head.clone(),
                            path: path.clone(),
                            line: m.line,
                        };
                    }
                }
            }
        }
        for element in self.state.ledger.elements.values_mut() {
            element
                .members
                .sort_by_key(|m| (m.number, m.first.commit.time));
        }
        self.state
            .ledger
            .elements
            .retain(|_, e| !e.members.is_empty() || e.present);
        self.state.summaries = summaries;
    }
}

/// Adds (`sign` 1) or removes (-1) what a blob declares to the live counts.
fn count(
    members: &mut HashMap<Key, u32>,
    elements: &mut HashMap<String, u32>,
    summary: &FileSummary,
    sign: i32,
) {
    for element in &summary.elements {
        bump(elements.entry(element.full_name.clone()).or_default(), sign);
        for m in &element.members {
            bump(
                members
                    .entry((element.full_name.clone(), m.number, m.name.clone()))
                    .or_default(),
                sign,
            );
        }
    }
}

fn bump(count: &mut u32, sign: i32) {
    *count = if sign > 0 {
        *count + 1
    } else {
        count.saturating_sub(1)
    };
}

fn commit_ref(repo: &Repository, id: Oid) -> Result<CommitRef> {
    let commit = repo
        .find_commit(id)
        .map_err(|err| Error::invalid(format!("cannot read commit {id}: {}", err.message())))?;
    Ok(CommitRef {
        id: id.to_string(),
        time: commit.time().seconds(),
    })
}

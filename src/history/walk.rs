//! Building the ledger: the first-parent chain of a branch, oldest first, each commit compared
//! with its parent tree by tree (only changed `.proto` blobs are looked at), every distinct blob
//! parsed once (in parallel, before the accounting pass). A member (element, number, name) is
//! alive while some file at the commit declares it; when the last one stops, it retired at the
//! previous commit. An element that vanishes from one package while an element of the same
//! relative name appears in another, in the same commit and with no other candidate, is the
//! same element renamed: its history follows it. The walk's state at the tip is cached (see
//! [`super::store`]), so the next run walks only the commits added since.

use std::path::Path;

use git2::{Oid, Repository};

use super::parse::{summarise, FileSummary, Kind};
use super::state::{Blob, FxMap, State, Wanted};
use super::store;
use super::Ledger;
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

/// What the walk reports beyond the ledger.
#[derive(Debug, Default)]
pub struct Stats {
    /// Commits walked in this run (all of them unless the cache was continued).
    pub walked: usize,
    /// Blobs parsed in this run.
    pub parsed: usize,
    /// The cache was continued rather than rebuilt.
    pub incremental: bool,
    /// What happened on the way (blobs fetched or left out in a partial clone), for stderr.
    pub notes: Vec<String>,
}

/// Builds (or continues from the cache) the ledger of the repository around `cwd`: every
/// element.
pub fn build(cwd: &Path, options: &Options) -> Result<(Ledger, Stats)> {
    build_for(cwd, options, None)
}

/// Builds (or continues from the cache) the ledger of the repository around `cwd`, holding
/// only the elements `wanted` names (all with `None`): a check asks about the few elements its
/// change adds members to, and materialising the rest would cost as much as the walk.
pub fn build_for(
    cwd: &Path,
    options: &Options,
    wanted: Option<&Wanted>,
) -> Result<(Ledger, Stats)> {
    let at_head = |cached: &store::Cached| wanted.and_then(|w| cached.ledger_of(w));
    walk_with(cwd, options, wanted, at_head, |state| state.ledger(wanted))
}

/// Builds (or continues from the cache) the ledger of the repository around `cwd` and hands it
/// to `f` as its head (how far it reaches; no elements) and every element in the ledger's
/// order, each materialised only when `f` reaches it: `history` writes the whole ledger
/// without holding it.
pub fn visit<R>(
    cwd: &Path,
    options: &Options,
    f: impl FnOnce(&Ledger, &mut dyn Iterator<Item = super::render::Entry>) -> R,
) -> Result<(R, Stats)> {
    let mut f = Some(f);
    walk_with(
        cwd,
        options,
        None,
        |_| None,
        |state| {
            let f = f.take().expect("a walk finishes once");
            f(&state.head(), &mut state.each_element())
        },
    )
}

/// The walk: from the cache if it reaches this history, continued over the commits added
/// since (reading only what they touch), or from scratch. `at_head` may answer from the
/// cached payload alone when it is at the tip; `finish` makes the answer from the final state.
fn walk_with<R>(
    cwd: &Path,
    options: &Options,
    wanted: Option<&Wanted>,
    at_head: impl FnOnce(&store::Cached) -> Option<R>,
    mut finish: impl FnMut(&mut State) -> R,
) -> Result<(R, Stats)> {
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
    let cache = (!options.no_cache).then(|| store::Store::of(&repo));
    let cached = cache.as_ref().and_then(|c| c.open());
    // The cached tip continues only a walk of the same kind with no window (a --max-count
    // window drops its oldest commits as it moves).
    let cached_head = cached
        .as_ref()
        .and_then(store::Cached::peek)
        .filter(|(k, _)| *k == key && options.max_count.is_none())
        .and_then(|(_, head)| head);
    let (chain, reached, boundary) = chain(&repo, head, since, options.max_count, cached_head)?;
    if let (true, true, Some(cached)) = (reached, chain.is_empty(), cached.as_ref()) {
        // Cached at this very revision: a check reads its few elements from the file.
        if let Some(answer) = at_head(cached) {
            let stats = Stats {
                incremental: true,
                ..Stats::default()
            };
            return Ok((answer, stats));
        }
    }
    let walk = Walk {
        repo: &repo,
        rev,
        cache: cache.as_ref(),
        wanted,
    };
    // Continued from the cache (the ledger and the delta over it): the ledger's head, strings
    // and files are read, and of its records only those the new commits touch (found by name
    // through its index), each block checked as it is read; what changed is written as a new
    // delta.
    let state = reached
        .then(|| cached.as_ref().and_then(store::Cached::state))
        .flatten();
    if let Some(state) = state {
        if let Some(done) = walk.run(&chain, state, &mut finish)? {
            return Ok(done);
        }
    }
    // No cache, or one whose body does not read: walk everything.
    let (chain, boundary) = if reached {
        let (chain, _, boundary) = self::chain(&repo, head, since, options.max_count, None)?;
        (chain, boundary)
    } else {
        (chain, boundary)
    };
    let mut state = State::new(key);
    state.shallow = boundary;
    Ok(walk
        .run(&chain, state, &mut finish)?
        .expect("a walk from scratch loads nothing from a cache"))
}

/// What one walk needs besides its commits and state.
struct Walk<'r> {
    repo: &'r Repository,
    rev: &'r str,
    cache: Option<&'r store::Store>,
    wanted: Option<&'r Wanted>,
}

impl Walk<'_> {
    /// Accounts `chain` (oldest first) on top of `state`, writes the cache, and returns what
    /// `finish` makes of the state; `None` if a cached element record turned out malformed
    /// (walk from scratch).
    fn run<R>(
        &self,
        chain: &[Oid],
        mut state: State,
        finish: &mut impl FnMut(&mut State) -> R,
    ) -> Result<Option<(R, Stats)>> {
        let repo = self.repo;
        let continued = state.base.is_some();
        let mut stats = Stats {
            incremental: continued,
            walked: chain.len(),
            ..Stats::default()
        };
        let changes = changes(repo, chain, continued)?;
        let (blobs, parsed, notes) = parse_all(repo, self.rev, &mut state, &changes);
        stats.parsed = parsed;
        stats.notes = notes;
        // Every cached element the accounting can reach is one these versions declare; the
        // ledger asked for needs the wanted ones too. The whole ledger (`history`) reads the
        // other records as it writes them out: they are checked first, so that a malformed
        // one means a rebuild, not a hole in the output.
        let mut keys = match self.wanted {
            Some(wanted) => state.keys_of(wanted),
            None if !state.check_base() => return Ok(None),
            None => FxMap::default(),
        };
        for element in blobs.values().flat_map(|b| &b.elements) {
            keys.insert((element.name, element.kind == Kind::Extensions), ());
        }
        if !state.load(Some(&keys)) {
            return Ok(None);
        }
        for (commit, changed) in chain.iter().zip(&changes) {
            let time = repo
                .find_commit(*commit)
                .map_err(|err| {
                    Error::invalid(format!("cannot read commit {commit}: {}", err.message()))
                })?
                .time()
                .seconds();
            let changed: Vec<(u32, Option<Oid>)> = changed
                .iter()
                .map(|c| (state.strings.id(&c.path), c.new))
                .collect();
            state.commit((*commit, time), &changed, &blobs);
        }
        // A cached string that did not read: what was computed from the cache is not to be
        // trusted (walk from scratch, which writes the ledger anew).
        if state.strings.damaged() {
            return Ok(None);
        }
        // A ledger that misses file versions is not kept: the next run tries to read them
        // again.
        if let (Some(cache), false) = (
            self.cache,
            (chain.is_empty() && continued) || state.unreadable > 0,
        ) {
            // A cache that cannot be written costs the next run time, not correctness.
            let _ = cache.write(&state);
        }
        let done = finish(&mut state);
        // The answer names strings read only now (`history` checked them all before).
        if state.strings.damaged() {
            return Ok(None);
        }
        Ok(Some((done, stats)))
    }
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

/// One changed `.proto` file of a commit: path and its new blob (`None`: deleted). What it
/// replaces is what the walk counted for the path.
#[derive(Debug, Clone)]
pub(super) struct Change {
    path: String,
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
            let new = blob(delta.new_file());
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
                new,
            });
        }
        out.push(changed);
    }
    Ok(out)
}

/// Reads and parses every blob the walk will count that it has not counted yet: the changes'
/// new versions and, when a cached walk is continued, the versions counted for the paths they
/// change (the cache keeps counts, not parsed files). Blobs are read on this thread (a
/// repository handle is not shared), parsed on all cores, and interned here. In a partial
/// clone the missing ones are fetched first, in one batch; one that still cannot be read is
/// left out (the walk then keeps counting the previous version of its path and says so).
/// Returns the interned blobs, how many were parsed, and notes for stderr.
fn parse_all(
    repo: &Repository,
    rev: &str,
    state: &mut State,
    changes: &[Vec<Change>],
) -> (FxMap<Oid, Blob>, usize, Vec<String>) {
    let mut wanted: Vec<(String, Oid)> = Vec::new();
    let mut seen: FxMap<Oid, ()> = FxMap::default();
    for change in changes.iter().flatten() {
        if let Some(counted) = state
            .strings
            .find(&change.path)
            .and_then(|p| state.files.get(&p))
        {
            if seen.insert(*counted, ()).is_none() {
                wanted.push((change.path.clone(), *counted));
            }
        }
    }
    for change in changes.iter().flatten() {
        if let Some(id) = change.new {
            if seen.insert(id, ()).is_none() {
                wanted.push((change.path.clone(), id));
            }
        }
    }
    let mut notes = Vec::new();
    let promised = crate::input::Promised::new(repo, rev);
    if let Err(err) = promised.ensure(&wanted) {
        notes.push(format!(
            "the ledger leaves out file versions it could not read: {err}"
        ));
    }
    notes.extend(promised.notes());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut blobs: FxMap<Oid, Blob> = FxMap::default();
    // Each worker reads (with a repository handle of its own: one is not shared between
    // threads) and parses the next wanted blob; this thread interns what they send as it comes,
    // so parsed files never pile up.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let git_dir = repo.path().to_owned();
    std::thread::scope(|s| {
        let (send, receive) = std::sync::mpsc::sync_channel::<(Oid, FileSummary)>(256);
        for _ in 0..threads {
            let (send, next, wanted, git_dir) = (send.clone(), &next, &wanted, &git_dir);
            s.spawn(move || {
                let Ok(repo) = Repository::open(git_dir) else {
                    return;
                };
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((path, id)) = wanted.get(i) else {
                        return;
                    };
                    // A blob that cannot be read is left out (see above).
                    let Ok(blob) = repo.find_blob(*id) else {
                        continue;
                    };
                    if send.send((*id, summarise(path, blob.content()))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        // Continuing the cache, each name is looked up in its string index.
        for (id, summary) in receive {
            let blob = state.intern(&summary);
            blobs.insert(id, blob);
        }
    });
    let parsed = blobs.len();
    (blobs, parsed, notes)
}

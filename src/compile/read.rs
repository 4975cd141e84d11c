//! Reading a snapshot's file for protox: bytes, UTF-8, an editions file lowered, parsed (with
//! its source info taken aside, see [`Spans`]); and the same reading done ahead of the compile,
//! on a second thread, for the files a compile is known to open.
//!
//! protox links files one after the other on one thread, and parsing is about a third of that
//! work. The files a compile opens are known up front (the checked names, in order), so a second
//! core parses them while the first links: each file is read once, by whichever thread claims it
//! first, and handed over whole.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use miette::Diagnostic;
use protox::file::File;

use super::source_info::Captured;
use super::{EditionsRefused, NotUtf8, SharedParses, SourceInfoMode, Spans};
use crate::editions::{self, FileEdition};
use crate::error::Error;
use crate::input::{without_bom, Content, Snapshot};

/// A file ready for protox.
pub(super) struct Prepared {
    pub file: File,
    /// An editions file's original text (kept only for a compile with source info, whose
    /// diagnostics are re-rendered against it) and what the schema keeps of its lowering.
    pub lowered: Option<(String, FileEdition)>,
    /// Its source info, taken out of the parsed file ([`Spans::Kept`]).
    pub captured: Option<Captured>,
}

/// Why a file could not be made ready.
pub(super) enum Unprepared {
    NotFound,
    /// The file exists but could not be read (a blob missing from the repository).
    Unreadable(Error),
    /// A failure protox would report without a span (not UTF-8, an edition refused).
    Failure(Box<dyn Diagnostic + Send + Sync>),
    Protox(protox::Error),
}

/// Reads, lowers and parses the snapshot file `name`.
pub(super) fn prepare(
    snapshot: &Snapshot,
    name: &str,
    mode: SourceInfoMode,
    parses: Option<&SharedParses>,
) -> Result<Prepared, Unprepared> {
    let Content::Sources(sources) = &snapshot.content else {
        return Err(Unprepared::NotFound);
    };
    let Some(file) = sources.file(name) else {
        return Err(Unprepared::NotFound);
    };
    let bytes = without_bom(sources.bytes(name, file).map_err(Unprepared::Unreadable)?);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        Unprepared::Failure(Box::new(NotUtf8::new(name, bytes, err.valid_up_to())))
    })?;
    let lowered = editions::lower::lower(text).map_err(|refused| {
        Unprepared::Failure(Box::new(EditionsRefused::new(name, text, refused)))
    })?;
    let (parsed, map) = match &lowered {
        Some(lowered) => (lowered.text.as_str(), Some(&lowered.map)),
        None => (text, None),
    };
    let (file, captured) = match mode {
        SourceInfoMode::Framed => {
            let file = File::from_source(name, parsed).map_err(Unprepared::Protox)?;
            (file, None)
        }
        SourceInfoMode::Lean(spans) => {
            let proto = match (spans, parses) {
                (Spans::OnDemand, Some(parses)) => parses.parse(name, parsed),
                _ => protox_parse::parse(name, parsed).map_err(Into::into),
            };
            let mut proto = proto.map_err(Unprepared::Protox)?;
            let captured = match spans {
                Spans::Kept { comments } => {
                    let comments = comments || text.contains(":ignore");
                    Some(Captured::take(&mut proto, map, comments))
                }
                Spans::OnDemand => {
                    proto.source_code_info = None;
                    None
                }
            };
            (File::from_file_descriptor_proto(proto), captured)
        }
    };
    let lowered = lowered.map(|lowered| {
        let original = match mode {
            SourceInfoMode::Framed => text.to_owned(),
            SourceInfoMode::Lean(_) => String::new(),
        };
        let edition = FileEdition {
            edition: lowered.edition,
            map: lowered.map,
            option_imports: lowered.option_imports,
        };
        (original, edition)
    });
    Ok(Prepared {
        file,
        lowered,
        captured,
    })
}

/// Files read ahead of the compile (see the module documentation).
pub(super) struct Ahead {
    snapshot: Arc<Snapshot>,
    /// The checked files, in the order the compile opens them (each after its imports).
    names: Vec<String>,
    mode: SourceInfoMode,
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
}

struct State {
    /// The next of `names` the reading thread considers.
    next: usize,
    /// Imports of files read, still to read (a stack: the next one last), before `next`.
    imports: Vec<String>,
    /// Each of `names` that either thread claimed.
    slots: HashMap<String, Slot>,
    /// How many slots are `Ready`.
    ready: usize,
}

enum Slot {
    /// Being read by the reading thread.
    Reading,
    Ready(Box<Prepared>),
    /// Handed to the compile, or left to it (it reads the file itself, and reports why it could
    /// not be read).
    Taken,
}

/// How many files the reading thread may have ready and not yet taken: enough to keep ahead,
/// few enough that parsed files do not pile up.
const LEAD: usize = 32;

impl Ahead {
    pub fn new(snapshot: Arc<Snapshot>, names: Vec<String>, mode: SourceInfoMode) -> Self {
        let slots = HashMap::with_capacity(names.len());
        Ahead {
            snapshot,
            names,
            mode,
            state: Mutex::new(State {
                next: 0,
                imports: Vec::new(),
                slots,
                ready: 0,
            }),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'g>(&self, state: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        self.changed.wait(state).unwrap_or_else(|p| p.into_inner())
    }

    /// The reading thread: reads `names` in order, skipping those the compile already took,
    /// until all are read or [`Ahead::stop`].
    pub fn run(&self) {
        loop {
            let name = {
                let mut state = self.lock();
                while state.ready >= LEAD && !self.stop.load(Ordering::Relaxed) {
                    state = self.wait(state);
                }
                if self.stop.load(Ordering::Relaxed) {
                    return;
                }
                let name = match state.imports.pop() {
                    Some(import) => import,
                    None => {
                        let Some(name) = self.names.get(state.next) else {
                            return;
                        };
                        state.next += 1;
                        name.clone()
                    }
                };
                if state.slots.contains_key(&name) {
                    continue;
                }
                state.slots.insert(name.clone(), Slot::Reading);
                name
            };
            // A panic leaves the file to the compile, which then reads it on its own thread.
            let read = || prepare(&self.snapshot, &name, self.mode, None).ok();
            let prepared = std::panic::catch_unwind(AssertUnwindSafe(read))
                .ok()
                .flatten();
            let mut state = self.lock();
            let slot = match prepared {
                Some(prepared) => {
                    // protox opens a file's imports right after it, depth first, before the
                    // next checked file: read them next, in that order.
                    let imports = &prepared.file.file_descriptor_proto().dependency;
                    let own = imports.iter().rev().filter(|i| self.has(i));
                    let own: Vec<String> = own
                        .filter(|i| !state.slots.contains_key(*i))
                        .cloned()
                        .collect();
                    state.imports.extend(own);
                    state.ready += 1;
                    Slot::Ready(Box::new(prepared))
                }
                None => Slot::Taken,
            };
            state.slots.insert(name, slot);
            drop(state);
            self.changed.notify_all();
        }
    }

    /// Returns `true` if the snapshot has the file `name` (an import the compile will open).
    fn has(&self, name: &str) -> bool {
        match &self.snapshot.content {
            Content::Sources(sources) => sources.file(name).is_some(),
            Content::Descriptors(_) => false,
        }
    }

    /// Ends the reading thread (after the compile, which may have stopped early on an error).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let _state = self.lock();
        self.changed.notify_all();
    }

    /// The file `name` if the reading thread has read it (waiting while it reads it); `None`
    /// when the compile is to read it itself, which the reading thread then skips.
    pub fn take(&self, name: &str) -> Option<Prepared> {
        let mut state = self.lock();
        while matches!(state.slots.get(name), Some(Slot::Reading)) {
            state = self.wait(state);
        }
        // Whatever the slot held, the file is the compile's from now on.
        match state.slots.insert(name.to_owned(), Slot::Taken) {
            Some(Slot::Ready(prepared)) => {
                state.ready -= 1;
                drop(state);
                self.changed.notify_all();
                Some(*prepared)
            }
            _ => None,
        }
    }
}

/// The reading thread of a compile, stopped and joined when dropped (however the compile ends).
pub(super) struct Reader {
    pub ahead: Arc<Ahead>,
    thread: Option<JoinHandle<()>>,
}

/// Fewer checked files than this are read by the compile alone: a thread costs more than it
/// saves.
const MIN_FILES: usize = 32;

impl Reader {
    /// Starts reading `names` ahead of a compile in `mode`, when there are enough of them and a
    /// second core to read them on.
    pub fn start(snapshot: &Arc<Snapshot>, names: &[String], mode: SourceInfoMode) -> Option<Self> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if names.len() < MIN_FILES || cores < 2 || matches!(mode, SourceInfoMode::Framed) {
            return None;
        }
        let ahead = Arc::new(Ahead::new(snapshot.clone(), names.to_vec(), mode));
        let reading = ahead.clone();
        let thread = std::thread::Builder::new()
            .name("protoguard-read".to_owned())
            .spawn(move || reading.run())
            .ok()?;
        Some(Reader {
            ahead,
            thread: Some(thread),
        })
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.ahead.stop();
        if let Some(thread) = self.thread.take() {
            // The thread catches panics of its own reading; there is nothing else to pass on.
            let _ = thread.join();
        }
    }
}

//! Parses handed from one side of a comparison to the other (issue 12). Both revisions are
//! compiled at once, each on its own thread, and most of the files they compile hold the same
//! bytes on both sides (everything a change does not touch). Such a file parses to the same
//! descriptor, so the side that parses it first leaves a copy for the other, which takes it
//! instead of parsing again: parsing is about half of what compiling a file costs, a copy a
//! fraction of that. Only the lean parse (no source info) is shared, as a breaking check
//! compiles; a failed parse is not shared (the compile fails and is reported as without
//! sharing). A parse waits for the other side only as long as the other side has not asked for
//! it, and at most [`MAX_HELD`] bytes of source wait at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use prost_types::FileDescriptorProto;

use crate::input::{Content, Snapshot};

/// The most source text (in bytes) whose parses wait for the other side at once: when one side
/// runs far ahead, the rest is parsed on both sides rather than held.
pub const MAX_HELD: usize = 64 << 20;

/// The parses of one comparison's two revisions (see the module documentation).
pub struct SharedParses {
    previous: Arc<Snapshot>,
    current: Arc<Snapshot>,
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    parses: HashMap<String, FileDescriptorProto>,
    /// Bytes of source text behind `parses`.
    held: usize,
}

impl SharedParses {
    /// Sharing for two revisions of source files; `None` when either is a descriptor set.
    pub fn new(previous: &Arc<Snapshot>, current: &Arc<Snapshot>) -> Option<Arc<Self>> {
        match (&previous.content, &current.content) {
            (Content::Sources(_), Content::Sources(_)) => Some(Arc::new(SharedParses {
                previous: previous.clone(),
                current: current.clone(),
                waiting: Mutex::new(Waiting::default()),
            })),
            _ => None,
        }
    }

    /// Returns `true` if both revisions hold `name` with the same bytes (by blob ID when both
    /// know it).
    fn shares(&self, name: &str) -> bool {
        let (Content::Sources(old), Content::Sources(new)) =
            (&self.previous.content, &self.current.content)
        else {
            return false;
        };
        old.same_as(new, name).unwrap_or(false)
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The lean parse of `text` (file `name`, as served to protox): the other side's, when it
    /// left one, else parsed here (and a copy left when the file is shared).
    pub(super) fn parse(
        &self,
        name: &str,
        text: &str,
    ) -> Result<FileDescriptorProto, protox::Error> {
        let shared = self.shares(name);
        if shared {
            let mut waiting = self.lock();
            if let Some(parse) = waiting.parses.remove(name) {
                waiting.held -= text.len();
                return Ok(parse);
            }
        }
        let mut proto = protox_parse::parse(name, text)?;
        proto.source_code_info = None;
        if shared {
            let mut waiting = self.lock();
            // Both sides may have parsed it at once: the first copy is enough (and is dropped
            // unused with the rest at the end).
            if waiting.held + text.len() <= MAX_HELD && !waiting.parses.contains_key(name) {
                waiting.held += text.len();
                waiting.parses.insert(name.to_owned(), proto.clone());
            }
        }
        Ok(proto)
    }

    /// The names of the parses waiting for the other side (tests).
    #[cfg(test)]
    fn waiting(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock().parses.keys().cloned().collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::compile::{compile, CompileOptions, Spans};
    use crate::finding::Side;
    use crate::schema::Schema;

    fn snapshot(label: &str, files: &[(&str, &str)]) -> Arc<Snapshot> {
        let files = files.iter();
        let files = files.map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()));
        crate::compile::tests::snapshot_of(label, files.collect())
    }

    fn options(parses: Option<&Arc<SharedParses>>) -> CompileOptions {
        CompileOptions {
            spans: Spans::OnDemand,
            read_ahead: false,
            parses: parses.cloned(),
        }
    }

    /// Each file of a schema's pool, encoded, by name.
    fn encoded(schema: &Schema) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = schema
            .pool()
            .files()
            .map(|f| (f.name().to_owned(), f.encode_to_vec()))
            .collect();
        files.sort();
        files
    }

    const BASE: &str = "syntax = \"proto3\"; package base; import \"google/protobuf/timestamp.proto\"; message Stamp { google.protobuf.Timestamp at = 1; }";
    const EDITIONS: &str = "edition = \"2023\"; package ed; message E { int32 x = 1 [features.field_presence = IMPLICIT]; }";

    #[test]
    fn a_shared_file_is_parsed_once_and_compiles_as_if_parsed_twice() {
        let old = snapshot(
            "old",
            &[
                ("base.proto", BASE),
                ("ed.proto", EDITIONS),
                ("a.proto", "syntax = \"proto3\"; package a; import \"base.proto\"; import \"ed.proto\"; message A { base.Stamp s = 1; ed.E e = 2; }"),
            ],
        );
        let new = snapshot(
            "new",
            &[
                ("base.proto", BASE),
                ("ed.proto", EDITIONS),
                ("a.proto", "syntax = \"proto3\"; package a; import \"base.proto\"; import \"ed.proto\"; message A { base.Stamp s = 1; }"),
            ],
        );
        let names: BTreeSet<String> = ["a.proto".to_owned()].into();
        let parses = SharedParses::new(&old, &new).unwrap();
        let sharing = |s: &Arc<Snapshot>, side| {
            compile(s.clone(), side, &names, &[], options(Some(&parses))).unwrap()
        };
        let shared_old = sharing(&old, Side::Previous);
        // The previous side left its parses of the files both hold, not of the changed one.
        assert_eq!(parses.waiting(), ["base.proto", "ed.proto"]);
        let shared_new = sharing(&new, Side::Current);
        assert!(parses.waiting().is_empty(), "the current side took them");
        let alone_old = compile(old.clone(), Side::Previous, &names, &[], options(None)).unwrap();
        let alone_new = compile(new.clone(), Side::Current, &names, &[], options(None)).unwrap();
        assert_eq!(encoded(&shared_old), encoded(&alone_old));
        assert_eq!(encoded(&shared_new), encoded(&alone_new));
        let ed = |s: &Schema| s.edition(&s.pool().get_file_by_name("ed.proto").unwrap());
        assert_eq!(ed(&shared_new), ed(&alone_new));
    }

    #[test]
    fn a_broken_shared_file_fails_as_without_sharing() {
        let broken = "syntax = \"proto3\"; message {";
        let old = snapshot("old", &[("a.proto", broken)]);
        let new = snapshot("new", &[("a.proto", broken)]);
        let names: BTreeSet<String> = ["a.proto".to_owned()].into();
        let parses = SharedParses::new(&old, &new).unwrap();
        let shared = compile(
            old.clone(),
            Side::Previous,
            &names,
            &[],
            options(Some(&parses)),
        );
        let alone = compile(old.clone(), Side::Previous, &names, &[], options(None));
        assert_eq!(
            shared.err().map(|e| e.to_string()),
            alone.err().map(|e| e.to_string())
        );
        assert!(parses.waiting().is_empty());
    }
}

//! The cache payload's round trip, its continued writes and its index.

use std::collections::BTreeMap;

use super::*;
use crate::history::base::Base;
use crate::history::layout::{ledger_of, peek};
use crate::history::parse::summarise;
use crate::history::state::{FxMap, Wanted};

/// The whole state in `bytes` (every record loaded), as a walk that reads it all has it.
pub(in crate::history) fn decode(bytes: &[u8]) -> Option<State<'_>> {
    let mut state = State::continuing(Base::parse(bytes)?);
    state.load(None).then_some(state)
}

pub(in crate::history) fn payload(state: &State) -> Vec<u8> {
    encode(state).unwrap().concat()
}

/// A file a commit changes: path, and its new text (`None`: deleted).
pub(in crate::history) type Change<'t> = (&'t str, Option<&'t [u8]>);

/// Accounts a commit changing `files` (path, new text or deleted) of `tree` (the texts at the
/// tip), as the walk does: the new versions and those they replace are interned, the
/// elements they declare loaded.
pub(in crate::history) fn commit<'t>(
    state: &mut State,
    tree: &mut BTreeMap<&'t str, &'t [u8]>,
    at: i64,
    files: &[(&'t str, Option<&'t [u8]>)],
) {
    assert!(try_commit(state, tree, at, files));
}

/// [`commit`], `false` (nothing accounted) if a cached record it needs does not read.
pub(in crate::history) fn try_commit<'t>(
    state: &mut State,
    tree: &mut BTreeMap<&'t str, &'t [u8]>,
    at: i64,
    files: &[(&'t str, Option<&'t [u8]>)],
) -> bool {
    let mut blobs: FxMap<Oid, _> = FxMap::default();
    let mut changes = Vec::new();
    for &(path, text) in files {
        let mut intern = |t: &[u8]| {
            let id = Oid::hash_object(git2::ObjectType::Blob, t).unwrap();
            blobs.insert(id, state.intern(&summarise(path, t)));
            id
        };
        if let Some(old) = tree.get(path) {
            intern(old);
        }
        let id = text.map(&mut intern);
        match text {
            Some(t) => tree.insert(path, t),
            None => tree.remove(path),
        };
        changes.push((state.strings.id(path), id));
    }
    let keys = blobs
        .values()
        .flat_map(|b| b.elements.iter())
        .map(|e| ((e.name, e.kind == Kind::Extensions), ()))
        .collect();
    if !state.load(Some(&keys)) {
        return false;
    }
    let mut id = [0u8; 20];
    id[..8].copy_from_slice(&at.to_le_bytes());
    state.commit((Oid::from_bytes(&id).unwrap(), at), &changes, &blobs);
    true
}

/// What a walk continued over one commit made of a cached ledger with one byte flipped.
pub(in crate::history) enum Flipped {
    /// The ledger did not open, its state did not read, or a record the commit needs did not.
    Stopped,
    /// The continued walk's answer, and whether a string it read was damaged.
    Answered(Box<crate::history::Ledger>, bool),
}

/// Writes through a [`Store`] the ledger of a walk over `a.proto` (`a1`) and a file of
/// `messages` generated messages. Then, for each (payload offset, mask) that `flips` picks from
/// the payload's layout, flips that byte of the file, continues the walk over one commit that
/// changes `a.proto` to `a2`, asks it for `wanted`, and asserts that a whole-ledger write of the
/// result refuses (it would copy the damage). Returns the answer of a walk from scratch over the
/// same two commits, and each flip's outcome.
pub(in crate::history) fn continue_after_flips(
    messages: usize,
    (a1, a2): (&[u8], &[u8]),
    wanted: &Wanted,
    flips: impl Fn(&crate::history::layout::Layout) -> Vec<(usize, u8)>,
) -> (crate::history::Ledger, Vec<Flipped>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path());
    let big: String = (0..messages)
        .map(|i| format!("message M{i} {{ string f{i} = 1; int32 g{i} = 2; }}\n"))
        .collect();
    let big = format!("syntax = \"proto3\";\npackage p;\n{big}");
    let first_files: [Change; 2] = [("a.proto", Some(a1)), ("big.proto", Some(big.as_bytes()))];
    let second: [Change; 1] = [("a.proto", Some(a2))];
    let mut first = State::new("k".into());
    commit(&mut first, &mut BTreeMap::new(), 100, &first_files);
    store.write(&first).unwrap();
    let payload_bytes = payload(&first);
    let path = dir.path().join("ledger");
    let file = std::fs::read(&path).unwrap();
    let start = file.len() - payload_bytes.len();
    assert_eq!(&file[start..], &payload_bytes[..]);
    let layout = crate::history::layout::Layout::of(&payload_bytes[..]).unwrap();
    let expected = {
        let mut whole = State::new("k".into());
        let mut tree = BTreeMap::new();
        commit(&mut whole, &mut tree, 100, &first_files);
        commit(&mut whole, &mut tree, 101, &second);
        whole.ledger(Some(wanted))
    };
    let mut outcomes = Vec::new();
    for (k, (at, mask)) in flips(&layout).into_iter().enumerate() {
        let mut damaged = file.clone();
        damaged[start + at] ^= mask;
        std::fs::write(&path, &damaged).unwrap();
        // A flip in a block the tables share stops the walk when the ledger is opened.
        let Some(cached) = store.open() else {
            outcomes.push(Flipped::Stopped);
            continue;
        };
        let Some(mut state) = cached.state() else {
            outcomes.push(Flipped::Stopped);
            continue;
        };
        let mut tree: BTreeMap<&str, &[u8]> =
            first_files.iter().map(|&(p, t)| (p, t.unwrap())).collect();
        outcomes.push(if try_commit(&mut state, &mut tree, 101, &second) {
            Flipped::Answered(
                Box::new(state.ledger(Some(wanted))),
                state.strings.damaged(),
            )
        } else {
            Flipped::Stopped
        });
        assert!(
            encode(&state).is_none(),
            "flip {k}: a damaged record or string is copied"
        );
    }
    (expected, outcomes)
}

#[test]
fn a_state_round_trips_and_every_cut_is_rejected() {
    let mut state = State::new("first-parent;since=;max=".into());
    let text = b"syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1;\n  reserved 3 to 4;\n  reserved \"x\";\n}\nenum E { E_UNSPECIFIED = 0; }\nextend google.protobuf.FieldOptions { string tag = 50001; }\n";
    let blob = state.intern(&summarise("a.proto", text));
    let id = Oid::hash_object(git2::ObjectType::Blob, text).unwrap();
    let blobs: FxMap<Oid, _> = [(id, blob)].into_iter().collect();
    let path = state.strings.id("a.proto");
    state.commit((Oid::zero(), 1_700_000_000), &[(path, Some(id))], &blobs);
    let bytes = payload(&state);
    let mut back = decode(&bytes).unwrap();
    assert_eq!(payload(&back), bytes);
    assert_eq!(back.ledger(None), state.ledger(None));
    let ledger = state.ledger(None);
    assert_eq!(ledger.extensions.len(), 1);
    assert_eq!(ledger.elements["p.M"].reserved_ranges, [(3, 4)]);
    assert_eq!(ledger.elements["p.M"].reserved_names, ["x"]);
    // Asked for two elements, the cache answers with exactly those, as the walk would.
    let wanted = Wanted {
        elements: ["p.M".to_owned(), "p.Other".to_owned()].into(),
        extendees: ["google.protobuf.FieldOptions".to_owned()].into(),
    };
    let partial = ledger_of(&bytes[..], &wanted).unwrap();
    assert_eq!(partial, state.ledger(Some(&wanted)));
    assert_eq!(partial.elements.keys().collect::<Vec<_>>(), ["p.M"]);
    assert_eq!(partial.extensions.len(), 1);
    assert_eq!(peek(&bytes[..]).unwrap().1, Some(Oid::zero()));
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        assert!(ledger_of(&bytes[..cut], &wanted).is_none(), "cut at {cut}");
    }
}

#[test]
fn a_continued_state_writes_what_a_whole_walk_would() {
    let a1: &[u8] =
        b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  int32 y = 2;\n}\n";
    let a2: &[u8] =
        b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  bool z = 2;\n}\n";
    let b1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage B {\n  string id = 1;\n}\nenum E { E_UNSPECIFIED = 0; E_ONE = 1; }\n";
    let c1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage C { string c = 1; }\n";
    let moved: &[u8] =
        b"syntax = \"proto3\";\npackage q;\nmessage C { string c = 1; int64 d = 2; }\n";
    let history: [&[Change]; 4] = [
        &[
            ("a.proto", Some(a1)),
            ("b.proto", Some(b1)),
            ("c.proto", Some(c1)),
        ],
        &[("a.proto", Some(a2))],
        // A package rename (p.C -> q.C) and a deletion.
        &[("c.proto", Some(moved)), ("b.proto", None)],
        // A re-add.
        &[("b.proto", Some(b1))],
    ];
    let mut whole = State::new("k".into());
    let mut tree = BTreeMap::new();
    for (i, files) in history.iter().enumerate() {
        commit(&mut whole, &mut tree, 100 + i as i64, files);
    }
    let expected = whole.ledger(None);
    assert_eq!(expected.elements["q.C"].former_names, ["p.C"]);
    // Continued from the cache after each commit: only the touched records are loaded.
    let mut tree = BTreeMap::new();
    let mut bytes = {
        let mut first = State::new("k".into());
        commit(&mut first, &mut tree, 100, history[0]);
        payload(&first)
    };
    for (i, files) in history.iter().enumerate().skip(1) {
        let mut state = State::continuing(Base::parse(&bytes).unwrap());
        commit(&mut state, &mut tree, 100 + i as i64, files);
        let loaded = state.elements.iter().filter(|e| e.origin != UNSET).count();
        assert!(loaded < state.base.as_ref().unwrap().len(), "commit {i}");
        bytes = payload(&state);
    }
    assert_eq!(decode(&bytes).unwrap().ledger(None), expected);
    // Every element is found by the index the continued writes merged (and a name the
    // ledger does not have is not).
    let wanted = Wanted {
        elements: expected
            .elements
            .keys()
            .cloned()
            .chain(["p.C".to_owned(), "p.Z".to_owned()])
            .collect(),
        extendees: Default::default(),
    };
    assert_eq!(ledger_of(&bytes[..], &wanted).unwrap(), expected);
}

#[test]
fn the_index_finds_every_element_of_a_large_state() {
    // Names whose order differs from the order they are declared in, messages and enums of
    // the same relative names in two packages, and an extendee that is also a message.
    let mut text = String::from("syntax = \"proto3\";\npackage p;\n");
    for i in 0..60 {
        let n = (i * 37) % 60;
        text.push_str(&format!("message M{n} {{ string f{n} = {}; }}\n", n + 1));
        text.push_str(&format!("enum E{n} {{ E{n}_UNSPECIFIED = 0; }}\n"));
    }
    text.push_str("message Opts {}\nextend Opts { string tag = 5; }\n");
    let other = text.replace("package p;", "package a.b;");
    let mut state = State::new("k".into());
    let mut tree = BTreeMap::new();
    let files: [Change; 2] = [
        ("p.proto", Some(text.as_bytes())),
        ("q.proto", Some(other.as_bytes())),
    ];
    commit(&mut state, &mut tree, 1, &files);
    let bytes = payload(&state);
    let all = state.ledger(None);
    assert_eq!(all.elements.len(), 242);
    for (name, extension) in all
        .elements
        .keys()
        .map(|n| (n, false))
        .chain(all.extensions.keys().map(|n| (n, true)))
    {
        let mut wanted = Wanted::default();
        let set = if extension {
            &mut wanted.extendees
        } else {
            &mut wanted.elements
        };
        set.insert(name.clone());
        let found = ledger_of(&bytes[..], &wanted).unwrap();
        assert_eq!(found, state.ledger(Some(&wanted)), "{name}");
        assert_eq!(found.elements.len() + found.extensions.len(), 1, "{name}");
    }
    let none = Wanted {
        elements: ["p.M60".to_owned(), "p".to_owned(), "z".to_owned()].into(),
        extendees: ["p.M1".to_owned()].into(),
    };
    let found = ledger_of(&bytes[..], &none).unwrap();
    assert!(found.elements.is_empty() && found.extensions.is_empty());
}

//! The delta's round trip, fold and lookups against a walk from scratch; stale, cut, tampered
//! and damaged deltas.

use std::collections::BTreeMap;

use super::*;
use crate::history::layout::ledger_over;
use crate::history::state::Wanted;
use crate::history::store::tests::{
    commit, continue_after_flips, decode, payload, Change, Flipped,
};
use crate::history::store::Store;
use crate::history::Ledger;

/// The identity given to the base in these tests (a file's is its header's checksum).
const BASE: u64 = 0x5eed_0001;

/// The state continued from `base` (identity [`BASE`]) and, if any, the delta over it.
fn continued<'a>(base: &'a [u8], delta: Option<&'a [u8]>) -> Option<State<'a>> {
    let mut b = Base::parse(base)?;
    b.identity = BASE;
    let mut state = State::continuing(b);
    match delta {
        Some(d) => overlay(&mut state, d).then_some(state),
        None => Some(state),
    }
}

fn delta_of(state: &State) -> Vec<u8> {
    encode(state, state.base.as_ref().unwrap()).concat()
}

/// Every element of `ledger`, and names it does not have.
fn everything(ledger: &Ledger) -> Wanted {
    let mut wanted = Wanted {
        elements: ledger.elements.keys().cloned().collect(),
        extendees: ledger.extensions.keys().cloned().collect(),
    };
    for absent in ["p.C", "p.Z", "q.Missing"] {
        wanted.elements.insert(absent.to_owned());
    }
    wanted.extendees.insert("p.A".to_owned());
    wanted
}

const A1: &[u8] =
    b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  int32 y = 2;\n}\n";
const A2: &[u8] =
    b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  bool z = 2;\n}\n";
const B1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage B {\n  string id = 1;\n}\nenum E { E_UNSPECIFIED = 0; E_ONE = 1; }\n";
const C1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage C { string c = 1; }\n";
const MOVED: &[u8] =
    b"syntax = \"proto3\";\npackage q;\nmessage C { string c = 1; int64 d = 2; }\n";
const D1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage Dnew { string brand_new_field = 7; }\nmessage Opts {}\nextend Opts { string tag = 5; }\n";

/// A history whose commits change one element (a field deleted, another added), rename a
/// package (p.C -> q.C) and delete a file, add elements and strings the base never had, and
/// re-add a deleted file.
fn history() -> [&'static [Change<'static>]; 5] {
    [
        &[
            ("a.proto", Some(A1)),
            ("b.proto", Some(B1)),
            ("c.proto", Some(C1)),
        ],
        &[("a.proto", Some(A2))],
        &[("c.proto", Some(MOVED)), ("b.proto", None)],
        &[("d.proto", Some(D1))],
        &[("b.proto", Some(B1)), ("a.proto", Some(A1))],
    ]
}

/// The base: the payload of a walk from scratch over the first commit of [`history`], with
/// `tree` at that commit.
fn first_base(tree: &mut BTreeMap<&'static str, &'static [u8]>) -> Vec<u8> {
    let mut first = State::new("k".into());
    commit(&mut first, tree, 100, history()[0]);
    payload(&first)
}

/// The ledger a walk from scratch has after commits `..=last`.
fn whole(last: usize) -> Ledger {
    let mut state = State::new("k".into());
    let mut tree = BTreeMap::new();
    for (i, files) in history().iter().enumerate().take(last + 1) {
        commit(&mut state, &mut tree, 100 + i as i64, files);
    }
    state.ledger(None)
}

#[test]
fn a_delta_over_the_base_answers_and_folds_as_a_walk_from_scratch() {
    let history = history();
    let mut tree = BTreeMap::new();
    let base = first_base(&mut tree);
    let base_strings = Layout::of(&base[..]).unwrap().strings;
    let mut delta: Option<Vec<u8>> = None;
    for (i, files) in history.iter().enumerate().skip(1) {
        let mut state = continued(&base, delta.as_deref()).unwrap();
        commit(&mut state, &mut tree, 100 + i as i64, files);
        let written = delta_of(&state);
        let folded = payload(&state);
        let expected = whole(i);
        let wanted = everything(&expected);
        // Looked up in the delta, then the base: what a walk from scratch has.
        let found = ledger_over(&base[..], Some((&written[..], BASE)), &wanted).unwrap();
        assert_eq!(found, expected, "commit {i}");
        // Read back whole, and folded into a new base: the same.
        let mut back = continued(&base, Some(&written)).unwrap();
        assert!(back.load(None));
        assert_eq!(back.ledger(None), expected, "commit {i}");
        assert_eq!(
            decode(&folded).unwrap().ledger(None),
            expected,
            "commit {i}"
        );
        // The base alone is one or more commits behind: it answers otherwise.
        let stale = ledger_over(&base[..], None, &wanted).unwrap();
        assert_ne!(stale, expected, "commit {i}");
        delta = Some(written);
    }
    let delta = delta.unwrap();
    // What the delta holds: the elements changed since the base, each under its current
    // name (p.A's field deleted, p.C renamed to q.C, the new ones) and nothing else.
    let (header, layout) = open(&delta[..], BASE, &Layout::of(&base[..]).unwrap()).unwrap();
    let replaced = Header::list(&delta, &header.replaced);
    let origins = Header::list(&delta, &header.origins);
    assert_eq!(origins.len(), layout.records as usize);
    let base_state = decode(&base).unwrap();
    let base_names: Vec<&str> = (0..base_state.elements.len())
        .map(|r| base_state.strings.name(base_state.elements[r].name))
        .collect();
    let mut replaced_names: Vec<&str> = replaced.iter().map(|&r| base_names[r as usize]).collect();
    replaced_names.sort_unstable();
    assert_eq!(replaced_names, ["p.A", "p.B", "p.C", "p.E"]);
    // The strings the base never had continue its ids; those it had are not repeated.
    let back = continued(&base, Some(&delta)).unwrap();
    let added = back.strings.added();
    assert!(added.iter().any(|s| &**s == "brand_new_field"));
    assert!(added.iter().all(|s| !base_names.contains(&&**s)));
    assert_eq!(layout.strings as usize, added.len());
    let mut strings = back.strings;
    assert!(strings.find("brand_new_field").unwrap() >= base_strings);
    assert!(strings.find("p.A").unwrap() < base_strings);
}

#[test]
fn lookups_take_the_delta_first_and_skip_what_it_replaced_or_dropped() {
    let history = history();
    let mut tree = BTreeMap::new();
    let base = first_base(&mut tree);
    let mut state = continued(&base, None).unwrap();
    commit(&mut state, &mut tree, 101, history[1]);
    commit(&mut state, &mut tree, 102, history[2]);
    commit(&mut state, &mut tree, 103, history[3]);
    let delta = delta_of(&state);
    let ask = |names: &[&str], extendees: &[&str]| {
        let wanted = Wanted {
            elements: names.iter().map(|n| n.to_string()).collect(),
            extendees: extendees.iter().map(|n| n.to_string()).collect(),
        };
        let over = ledger_over(&base[..], Some((&delta[..], BASE)), &wanted).unwrap();
        let alone = ledger_over(&base[..], None, &wanted).unwrap();
        (over, alone)
    };
    // Replaced: the delta's p.A (y retired, z in use), not the base's.
    let (over, alone) = ask(&["p.A"], &[]);
    let live = |l: &Ledger, name: &str| {
        l.elements["p.A"]
            .members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.present)
    };
    assert_eq!(
        (live(&over, "y"), live(&over, "z")),
        (Some(false), Some(true))
    );
    assert_eq!((live(&alone, "y"), live(&alone, "z")), (Some(true), None));
    // Dropped: p.C continues as q.C; the base's record of p.C is not read.
    let (over, alone) = ask(&["p.C", "q.C"], &[]);
    assert_eq!(over.elements.keys().collect::<Vec<_>>(), ["q.C"]);
    assert_eq!(over.elements["q.C"].former_names, ["p.C"]);
    assert_eq!(alone.elements.keys().collect::<Vec<_>>(), ["p.C"]);
    // New in the delta: an element, an extendee, and names only the delta's strings have.
    let (over, alone) = ask(&["p.Dnew", "p.E"], &["p.Opts"]);
    assert_eq!(over.elements["p.Dnew"].members[0].name, "brand_new_field");
    assert_eq!(over.extensions["p.Opts"].members[0].name, "p.tag");
    assert!(
        !over.elements["p.E"].present,
        "p.E's file is deleted in the delta"
    );
    assert!(alone.elements["p.E"].present);
    assert!(!alone.elements.contains_key("p.Dnew"));
    // The head is the delta's.
    assert_eq!(over.commits, 4);
    assert_eq!(alone.commits, 1);
}

#[test]
fn a_stale_or_malformed_delta_is_never_combined_with_the_base() {
    let history = history();
    let mut tree = BTreeMap::new();
    let base = first_base(&mut tree);
    let mut state = continued(&base, None).unwrap();
    commit(&mut state, &mut tree, 101, history[1]);
    let delta = delta_of(&state);
    let wanted = everything(&whole(1));
    assert!(ledger_over(&base[..], Some((&delta[..], BASE)), &wanted).is_some());
    // Over another base: another identity, or the same identity with other table sizes.
    assert!(ledger_over(&base[..], Some((&delta[..], BASE + 1)), &wanted).is_none());
    let mut other = Base::parse(&base).unwrap();
    other.identity = BASE + 1;
    assert!(!overlay(&mut State::continuing(other), &delta));
    let other_base = {
        let mut first = State::new("k".into());
        commit(
            &mut first,
            &mut BTreeMap::new(),
            100,
            &[("a.proto", Some(A1))],
        );
        payload(&first)
    };
    assert!(ledger_over(&other_base[..], Some((&delta[..], BASE)), &wanted).is_none());
    assert!(continued(&other_base, Some(&delta)).is_none());
    // Cut anywhere: rejected.
    for cut in 0..delta.len() {
        let short = &delta[..cut];
        assert!(continued(&base, Some(short)).is_none(), "cut at {cut}");
        assert!(
            ledger_over(&base[..], Some((short, BASE)), &wanted).is_none(),
            "cut at {cut}"
        );
    }
    // A replaced record not the one of the element that continues it (the base's p.A would
    // then be read beside the delta's), or replaced twice: rejected.
    let records = Layout::of(&base[..]).unwrap().records;
    let replaced = u32::from_le_bytes(delta[20..24].try_into().unwrap());
    let mut wrong = delta.clone();
    let other_record = (replaced + 1) % records;
    wrong[20..24].copy_from_slice(&other_record.to_le_bytes());
    wrong[28..32].copy_from_slice(&other_record.to_le_bytes());
    assert!(continued(&base, Some(&wrong)).is_none());
    let mut state = continued(&base, Some(&delta)).unwrap();
    commit(&mut state, &mut tree, 102, history[2]);
    let two = delta_of(&state);
    let m = u32::from_le_bytes(two[16..20].try_into().unwrap()) as usize;
    let origins = 20 + 4 * m + 4;
    let mut twice = two.clone();
    let first = twice[origins..origins + 4].to_vec();
    twice[origins + 4..origins + 8].copy_from_slice(&first);
    assert!(continued(&base, Some(&two)).is_some());
    assert!(continued(&base, Some(&twice)).is_none());
}

/// The files on disk: a delta is written beside the base, which stays as it was; a delta
/// damaged anywhere, or over a base since replaced, is ignored (the base alone is used).
#[test]
fn the_store_writes_a_delta_and_ignores_a_damaged_or_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path());
    let big: String = (0..200)
        .map(|i| format!("message M{i} {{ string f{i} = 1; int32 g{i} = 2; }}\n"))
        .collect();
    let big = format!("syntax = \"proto3\";\npackage p;\n{big}");
    let mut tree = BTreeMap::new();
    let mut first = State::new("k".into());
    commit(
        &mut first,
        &mut tree,
        100,
        &[("big.proto", Some(big.as_bytes()))],
    );
    store.write(&first).unwrap();
    let base_path = dir.path().join("ledger");
    let delta_path = dir.path().join("ledger.delta");
    let base_bytes = std::fs::read(&base_path).unwrap();
    assert!(!delta_path.exists());
    let tip = |store: &Store| store.open().unwrap().peek().unwrap().1.unwrap();
    let first_tip = tip(&store);

    let cached = store.open().unwrap();
    assert!(!cached.has_delta());
    let mut state = cached.state().unwrap();
    commit(&mut state, &mut tree, 101, history()[1]);
    store.write(&state).unwrap();
    drop(state);
    drop(cached);
    assert_eq!(std::fs::read(&base_path).unwrap(), base_bytes);
    let delta_bytes = std::fs::read(&delta_path).unwrap();
    assert!(delta_bytes.len() * 8 < base_bytes.len());
    let cached = store.open().unwrap();
    assert!(cached.has_delta());
    let second_tip = tip(&store);
    assert_ne!(second_tip, first_tip);
    let mut whole = cached.state().unwrap();
    assert!(whole.load(None));
    let wanted = everything(&whole.ledger(None));
    drop(whole);
    let answer = cached.ledger_of(&wanted).unwrap();
    let names: Vec<&str> = answer.elements["p.A"]
        .members
        .iter()
        .map(|m| &*m.name)
        .collect();
    assert_eq!(names, ["x", "z"], "the element the delta added");
    assert_eq!(answer.elements.len(), 201);
    drop(cached);

    // Damaged anywhere, cut short, or another file: ignored, the base's tip is used.
    let mut cases: Vec<Vec<u8>> = (0..8)
        .map(|k| {
            let mut bytes = delta_bytes.clone();
            bytes[delta_bytes.len() * k / 8] ^= 0x10;
            bytes
        })
        .collect();
    cases.push(delta_bytes[..delta_bytes.len() - 1].to_vec());
    cases.push(Vec::new());
    cases.push(base_bytes.clone());
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(&delta_path, bytes).unwrap();
        let cached = store.open().unwrap();
        assert!(!cached.has_delta(), "case {i}");
        assert_eq!(tip(&store), first_tip, "case {i}");
    }
    std::fs::write(&delta_path, &delta_bytes).unwrap();
    assert_eq!(tip(&store), second_tip);

    // The base replaced (another run rebuilt it): the delta over the old one is stale.
    let mut rebuilt = State::new("k".into());
    let mut other_tree = BTreeMap::new();
    commit(
        &mut rebuilt,
        &mut other_tree,
        100,
        &[("big.proto", Some(big.as_bytes()))],
    );
    commit(&mut rebuilt, &mut other_tree, 107, &[("c.proto", Some(C1))]);
    store.write(&rebuilt).unwrap();
    assert!(!delta_path.exists(), "a full write removes the delta");
    std::fs::write(&delta_path, &delta_bytes).unwrap();
    let cached = store.open().unwrap();
    assert!(!cached.has_delta());
    let mut state = cached.state().unwrap();
    assert!(state.load(None));
    let ledger = state.ledger(None);
    assert!(ledger.elements.contains_key("p.C") && !ledger.elements.contains_key("p.A"));
}

/// A walk continued from the mapped ledger reads only the records it needs, each block checked
/// as it is read: a byte flipped in the records either is never read (the answer is the walk
/// from scratch's) or makes the walk stop (rebuilt); and writing the whole ledger, which reads
/// every record, never copies a damaged one (nothing is written).
#[test]
fn a_damaged_record_block_of_the_mapped_ledger_is_never_read_into_an_answer() {
    let wanted = Wanted {
        elements: ["p.A".to_owned()].into(),
        extendees: Default::default(),
    };
    let in_records = |layout: &Layout| {
        let records = &layout.record_bytes;
        (0..12)
            .map(|k| (records.start + records.len() * k / 12 + 7, 0x08))
            .collect()
    };
    let (expected, outcomes) = continue_after_flips(2000, (A1, A2), &wanted, in_records);
    let (mut continued_runs, mut stopped_runs) = (0, 0);
    for (k, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Flipped::Answered(answer, _) => {
                assert_eq!(*answer, expected, "flip {k}");
                continued_runs += 1;
            }
            Flipped::Stopped => stopped_runs += 1,
        }
    }
    assert!(
        continued_runs > 0 && stopped_runs > 0,
        "{continued_runs} {stopped_runs}"
    );
}

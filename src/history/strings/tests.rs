//! Finding a text in the cached string table by binary search in its index, ids continuing past
//! it, and cached strings that do not read.

use super::*;
use crate::history::base::Base;
use crate::history::layout::string_hash;
use crate::history::state::{State, Wanted};
use crate::history::store::encode;
use crate::history::store::tests::{continue_after_flips, payload, Flipped};

/// Texts that share prefixes, differ in one byte or only past a multi-byte character, and the
/// empty string.
const TEXTS: [&str; 10] = [
    "p.A",
    "p.AB",
    "p.Aa",
    "p.A\u{e9}",
    "p.A\u{e9}x",
    "",
    "b",
    "p.B",
    "a.proto",
    "int32",
];

/// Looked for, never interned: prefixes and neighbours of [`TEXTS`].
const ABSENT: [&str; 7] = ["p", "p.", "p.AC", "p.A\u{e8}", "p.A ", "zzz", "a.prot"];

/// A payload holding [`TEXTS`] (and nothing else), with the ids they were interned under.
fn table() -> (Vec<u8>, Vec<u32>) {
    let mut state = State::new("k".into());
    let ids = TEXTS.iter().map(|t| state.strings.id(t)).collect();
    (payload(&state), ids)
}

#[test]
fn a_text_is_found_by_its_bytes_and_an_absent_one_is_not() {
    let (bytes, ids) = table();
    let layout = Layout::of(&bytes[..]).unwrap();
    assert!(layout.check_strings(&bytes[..]));
    let mut strings = Strings::from_base(Source::Bytes(&bytes), layout);
    assert_eq!(strings.base_len() as usize, TEXTS.len());
    for (text, &id) in TEXTS.iter().zip(&ids) {
        assert_eq!(strings.find(text), Some(id), "{text:?}");
        assert_eq!(strings.name(id), *text);
    }
    for text in ABSENT {
        assert_eq!(strings.find(text), None, "{text:?}");
    }
    // Past the table: no string (UNSET is "no type"), not damage.
    assert_eq!(strings.name(UNSET), "");
    assert!(!strings.damaged());
}

#[test]
fn ids_continue_past_the_cached_table_and_a_whole_write_merges_the_index() {
    let (bytes, ids) = table();
    let mut state = State::continuing(Base::parse(&bytes).unwrap());
    let base_len = state.strings.base_len();
    // A cached text keeps its id; new ones (even those sorting between cached ones) follow.
    assert_eq!(state.strings.id("p.AB"), ids[1]);
    let new = ["p.AC", "a", "\u{10348}", "p.A\u{e8}"];
    let new_ids: Vec<u32> = new.iter().map(|t| state.strings.id(t)).collect();
    assert_eq!(new_ids, (base_len..base_len + 4).collect::<Vec<_>>());
    assert_eq!(state.strings.id("a"), base_len + 1);
    assert_eq!(state.strings.name(base_len + 2), "\u{10348}");
    // The whole payload lists them all once, in order, under the same ids.
    let whole = encode(&state).unwrap().concat();
    let layout = Layout::of(&whole[..]).unwrap();
    assert!(layout.check_strings(&whole[..]));
    let mut back = Strings::from_base(Source::Bytes(&whole), layout);
    let all = TEXTS.iter().zip(&ids).chain(new.iter().zip(&new_ids));
    for (text, &id) in all {
        assert_eq!(back.find(text), Some(id), "{text:?}");
    }
    assert_eq!(back.find("p.A "), None);
    // A delta's strings continue the base's ids: their own index counts from 0.
    let delta_index: Vec<u32> = state
        .strings
        .encode_added_index()
        .current
        .finish()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut expected: Vec<(u32, u32)> = new
        .iter()
        .zip(0..)
        .map(|(t, i)| (string_hash(t.as_bytes()), i))
        .collect();
    expected.sort_unstable();
    let expected: Vec<u32> = expected.into_iter().flat_map(|(h, i)| [h, i]).collect();
    assert_eq!(delta_index, expected);
}

/// Two texts whose hashes are the same (found by trying names until two collide).
fn colliding() -> (String, String) {
    let mut seen: FxMap<u32, String> = FxMap::default();
    for i in 0.. {
        let text = format!("p.M{i}");
        if let Some(other) = seen.insert(string_hash(text.as_bytes()), text.clone()) {
            return (other, text);
        }
    }
    unreachable!()
}

#[test]
fn texts_of_the_same_hash_are_told_apart_by_their_bytes() {
    let (a, b) = colliding();
    assert_ne!(a, b);
    assert_eq!(string_hash(a.as_bytes()), string_hash(b.as_bytes()));
    // Only one of them cached: the other is absent, then interned after the table.
    let mut state = State::new("k".into());
    for text in ["x", &a, "y"] {
        state.strings.id(text);
    }
    let bytes = payload(&state);
    let mut continued = State::continuing(Base::parse(&bytes).unwrap());
    assert_eq!(continued.strings.find(&b), None);
    assert_eq!(continued.strings.find(&a), Some(1));
    assert_eq!(continued.strings.id(&b), 3);
    // Both cached (in either order): each found under its own id.
    for (first, second) in [(&a, &b), (&b, &a)] {
        let whole = encode(&continued).unwrap().concat();
        let layout = Layout::of(&whole[..]).unwrap();
        assert!(layout.check_strings(&whole[..]));
        let mut strings = Strings::from_base(Source::Bytes(&whole), layout);
        assert_eq!(strings.find(&a), Some(1));
        assert_eq!(strings.find(&b), Some(3));
        assert!(!strings.damaged());
        let mut state = State::new("k".into());
        for text in [first.as_str(), second.as_str()] {
            state.strings.id(text);
        }
        let bytes = payload(&state);
        let layout = Layout::of(&bytes[..]).unwrap();
        let mut strings = Strings::from_base(Source::Bytes(&bytes), layout);
        assert_eq!(strings.find(first), Some(0));
        assert_eq!(strings.find(second), Some(1));
    }
}

#[test]
fn a_string_or_index_entry_that_does_not_read_marks_the_table_damaged() {
    let (bytes, ids) = table();
    let layout = Layout::of(&bytes[..]).unwrap();
    // One string made not UTF-8: reading it is damage; so is finding it, or a written table.
    let mut bad = bytes.clone();
    let at = layout.string_range(&bytes[..], ids[3]).unwrap();
    bad[at.end - 1] = 0xff;
    let mut strings = Strings::from_base(Source::Bytes(&bad), layout.clone());
    assert_eq!(strings.find("b"), Some(ids[6]));
    assert!(!strings.damaged());
    assert_eq!(strings.name(ids[3]), "");
    assert!(strings.damaged());
    assert!(!strings.check_base());
    // An index entry out of range: a search through it is damage, and finds nothing there.
    for j in 0..TEXTS.len() {
        let mut bad = bytes.clone();
        let entry = layout.names.start + 8 * j + 4;
        bad[entry..entry + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut strings = Strings::from_base(Source::Bytes(&bad), layout.clone());
        let found: Vec<Option<u32>> = TEXTS.iter().map(|t| strings.find(t)).collect();
        assert!(strings.damaged(), "entry {j}");
        assert!(!strings.check_base());
        assert!(found.iter().any(Option::is_none));
    }
    // Out of order, or an entry's hash not its string's: the check before a whole write says so.
    let mut bad = bytes.clone();
    bad[layout.names.start] ^= 1;
    assert!(!Layout::of(&bad[..]).unwrap().check_strings(&bad[..]));
    let mut bad = bytes.clone();
    let first = layout.names.start;
    bad.copy_within(first + 8..first + 16, first);
    assert!(!Layout::of(&bad[..]).unwrap().check_strings(&bad[..]));
}

/// A walk continued from the mapped ledger reads only the strings it needs, each block checked
/// as it is read: a byte flipped in the strings or their index either is never read (the answer
/// is the walk from scratch's) or stops the walk (damaged: rebuilt), never a wrong answer; and
/// a whole write, which reads every string, writes nothing.
#[test]
fn a_damaged_string_block_of_the_mapped_ledger_stops_the_walk() {
    let a1: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n}\n";
    let a2: &[u8] = b"syntax = \"proto3\";\npackage p;\nmessage A {\n  string x = 1;\n  bool f7 = 2;\n}\nmessage M5 { string f5 = 1; }\n";
    let wanted = Wanted {
        elements: ["p.A".to_owned(), "p.M5".to_owned()].into(),
        extendees: Default::default(),
    };
    // Twelve flips in the string bytes, then twelve in the string index.
    let in_strings = |layout: &Layout| {
        [layout.string_bytes.clone(), layout.names.clone()]
            .iter()
            .flat_map(|section| {
                (0..12).map(move |k| (section.start + section.len() * k / 12 + 1, 0x20))
            })
            .collect()
    };
    let (expected, outcomes) = continue_after_flips(20000, (a1, a2), &wanted, in_strings);
    let (mut answered, mut stopped) = (0, 0);
    for (k, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Flipped::Answered(answer, false) => {
                assert_eq!(*answer, expected, "section {}, flip {}", k / 12, k % 12);
                answered += 1;
            }
            _ => stopped += 1,
        }
    }
    assert!(answered > 0 && stopped > 0, "{answered} {stopped}");
}

//! The ledger's reach and cost on real git repositories built in the test: extension numbers
//! per extendee, a check that adds no member never builds the ledger, and partial clones
//! (`--filter=blob:none` from a local `file://` remote that allows filters), where history blobs
//! are fetched, or, with the remote gone, left out without anything looking retired.

mod common;

use std::path::{Path, PathBuf};

use common::{commit_all, expect_code, git, partial_clone_of, protoguard, stderr, stdout, write};
use tempfile::TempDir;

const OPTS_V1: &str = "syntax = \"proto3\";\npackage acme.options;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions {\n  string old_tag = 50001;\n  bool sensitive = 50002;\n}\n";
const OPTS_DELETED: &str = "syntax = \"proto3\";\npackage acme.options;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions {\n  bool sensitive = 50002;\n}\n";
const OPTS_REUSED: &str = "syntax = \"proto3\";\npackage acme.options;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions {\n  int32 level = 50001;\n  bool sensitive = 50002;\n}\n";

const V1: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n  string old_email = 4;\n}\n";
const DELETED: &str =
    "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n}\n";
const REUSED: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n  int32 age = 4;\n}\n";

fn repo(commits: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (i, (path, text)) in commits.iter().enumerate() {
        write(&dir.path().join(path), text);
        commit_all(dir.path(), &format!("commit {i}"));
    }
    dir
}

fn history_json(dir: &Path) -> serde_json::Value {
    let out = protoguard(dir, &["history", "--format", "json"]);
    expect_code(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn ledger_file(dir: &Path) -> PathBuf {
    dir.join(".git/protoguard/ledger")
}

fn delta_file(dir: &Path) -> PathBuf {
    dir.join(".git/protoguard/ledger.delta")
}

#[test]
fn extension_numbers_are_recorded_per_extendee_and_a_reused_one_is_reported() {
    let dir = repo(&[
        ("api/options.proto", OPTS_V1),
        ("api/options.proto", OPTS_DELETED),
    ]);
    let ledger = history_json(dir.path());
    let members = ledger["extensions"]["google.protobuf.FieldOptions"]["members"]
        .as_array()
        .unwrap();
    let names: Vec<(i64, &str, bool)> = members
        .iter()
        .map(|m| {
            (
                m["number"].as_i64().unwrap(),
                m["name"].as_str().unwrap(),
                m["present"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (50001, "acme.options.old_tag", false),
            (50002, "acme.options.sensitive", true)
        ]
    );
    let text = stdout(&protoguard(dir.path(), &["history"]));
    assert!(
        text.contains("extensions of google.protobuf.FieldOptions\n"),
        "{text}"
    );
    assert!(
        text.contains("  retired:   50001 acme.options.old_tag (string, until "),
        "{text}"
    );

    write(&dir.path().join("api/options.proto"), OPTS_REUSED);
    let out = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--format", "text"],
    );
    let all = expect_code(&out, 1);
    let last = git(dir.path(), &["rev-parse", "--short=7", "HEAD~1"]);
    assert!(
        all.contains(&format!("api/options.proto:5:3: FIELD_NUMBER_NO_REUSE Extension number 50001 of \"google.protobuf.FieldOptions\" was \"acme.options.old_tag\" (string) until {last}, ")),
        "{all}"
    );
    assert!(
        all.contains("now \"acme.options.level\" (int32): old data is misread."),
        "{all}"
    );
    // A fresh number passes.
    write(
        &dir.path().join("api/options.proto"),
        &OPTS_REUSED.replace("50001", "50003"),
    );
    expect_code(
        &protoguard(dir.path(), &["breaking", "--against", "HEAD"]),
        0,
    );
}

#[test]
fn a_check_pays_for_the_ledger_only_when_its_change_adds_or_alters_a_declaration() {
    let dir = repo(&[("api/user.proto", V1), ("api/user.proto", DELETED)]);
    // A comment: no declaration changes, nothing for the history rules to judge.
    write(
        &dir.path().join("api/user.proto"),
        &DELETED.replace("message User {", "// A user.\nmessage User {"),
    );
    expect_code(
        &protoguard(dir.path(), &["breaking", "--against", "HEAD"]),
        0,
    );
    assert!(!ledger_file(dir.path()).exists());
    // A deletion with only the reuse rules on (WIRE_JSON has no debt rules): nothing added.
    write(
        &dir.path().join("api/user.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n}\n",
    );
    let args = ["breaking", "--against", "HEAD", "--category", "WIRE_JSON"];
    expect_code(&protoguard(dir.path(), &args), 1);
    assert!(!ledger_file(dir.path()).exists());
    // A field added under a fresh number needs the ledger: it is built (and cached).
    write(
        &dir.path().join("api/user.proto"),
        &REUSED.replace("age = 4", "age = 5"),
    );
    expect_code(&protoguard(dir.path(), &args), 0);
    assert!(ledger_file(dir.path()).exists());
    // And the reuse is still found.
    write(&dir.path().join("api/user.proto"), REUSED);
    let all = expect_code(
        &protoguard(dir.path(), &["breaking", "--against", "HEAD"]),
        1,
    );
    assert!(all.contains("FIELD_NUMBER_NO_REUSE"), "{all}");
}

/// A source repository that allows filtered clones with `V1`, `DELETED`, `REUSED` of
/// api/user.proto, and a `--filter=blob:none` clone of it: only the tip's blobs are local.
fn partial_clone() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    git(&src, &["init", "-q", "-b", "main"]);
    for (i, text) in [V1, DELETED, REUSED].iter().enumerate() {
        write(&src.join("api/user.proto"), text);
        commit_all(&src, &format!("commit {i}"));
    }
    let clone = partial_clone_of(&src, dir.path());
    let missing = git(
        &clone,
        &["rev-list", "--objects", "--missing=print", "HEAD~2"],
    );
    assert!(missing.lines().any(|l| l.starts_with('?')), "{missing}");
    (dir, src, clone)
}

#[test]
fn a_partial_clone_fetches_the_history_blobs_the_ledger_needs() {
    let (_dir, _src, clone) = partial_clone();
    let out = protoguard(&clone, &["history"]);
    let text = expect_code(&out, 0);
    assert!(
        stderr(&out).contains("fetched 2 missing object(s)"),
        "{}",
        stderr(&out)
    );
    assert!(
        text.contains("  reused:    4 age (was old_email, string, until "),
        "{text}"
    );
    assert!(!text.contains("could not be read"), "{text}");
}

#[test]
fn a_partial_clone_whose_remote_is_gone_says_what_the_ledger_lacks_and_nothing_looks_retired() {
    let (_dir, src, clone) = partial_clone();
    std::fs::remove_dir_all(&src).unwrap();
    let out = protoguard(&clone, &["history"]);
    let text = expect_code(&out, 0);
    assert!(
        text.contains("2 file versions could not be read (first: api/user.proto at "),
        "{text}"
    );
    assert!(text.contains("  in use:    1 id, 4 age\n"), "{text}");
    assert!(!text.contains("retired"), "{text}");
    assert!(
        stderr(&out).contains("the ledger leaves out file versions it could not read"),
        "{}",
        stderr(&out)
    );
    // An incomplete ledger is not cached: the next run tries again.
    assert!(!ledger_file(&clone).exists());
    let ledger = history_json(&clone);
    assert_eq!(ledger["unreadable"], 2);
}

/// The cache continued commit by commit gives exactly the ledger a walk from scratch gives,
/// through deletions (of a field, a value, a whole file), a re-added file, a moved file, a
/// package rename and a message rename, an extension retired; and a damaged cache on the way
/// is rebuilt with the same answer. The checks in between read the continued cache too.
#[test]
fn a_ledger_continued_commit_by_commit_is_the_ledger_built_from_scratch() {
    const ORDER: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage Order {\n  string id = 1;\n  int64 total = 2;\n  string note = 3;\n}\nenum State {\n  STATE_UNSPECIFIED = 0;\n  STATE_OPEN = 1;\n  STATE_SHUT = 2;\n}\n";
    let steps: &[&[(&str, Option<&str>)]] = &[
        &[
            ("api/user.proto", Some(V1)),
            ("api/order.proto", Some(ORDER)),
        ],
        // A field and an enum value deleted.
        &[
            ("api/user.proto", Some(DELETED)),
            (
                "api/order.proto",
                Some(&*ORDER.replace("  STATE_SHUT = 2;\n", "").leak()),
            ),
        ],
        // A whole file deleted, an extension file added.
        &[
            ("api/order.proto", None),
            ("api/options.proto", Some(OPTS_V1)),
        ],
        // The file re-added, under another directory, with a number reused.
        &[(
            "moved/order.proto",
            Some(&*ORDER.replace("string note = 3", "bool paid = 3").leak()),
        )],
        // A package rename of the user file, an extension retired.
        &[
            (
                "api/user.proto",
                Some(&*DELETED.replace("acme.v1", "acme.v2").leak()),
            ),
            ("api/options.proto", Some(OPTS_DELETED)),
        ],
        // A message renamed in place (a new element; the old one retires) and a number reused.
        &[(
            "api/user.proto",
            Some(
                &*REUSED
                    .replace("acme.v1", "acme.v2")
                    .replace("User", "Person")
                    .leak(),
            ),
        )],
        // The extension number reused; the user file moved and left unchanged.
        &[
            ("api/options.proto", Some(OPTS_REUSED)),
            ("api/user.proto", None),
            (
                "people/user.proto",
                Some(
                    &*REUSED
                        .replace("acme.v1", "acme.v2")
                        .replace("User", "Person")
                        .leak(),
                ),
            ),
        ],
    ];
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (i, step) in steps.iter().enumerate() {
        for (path, text) in step.iter() {
            let file = dir.path().join(path);
            match text {
                Some(text) => write(&file, text),
                None => std::fs::remove_file(&file).unwrap(),
            }
        }
        commit_all(dir.path(), &format!("step {i}"));
        if i == 4 {
            // A damaged cache (one byte of the payload flipped) is not continued but rebuilt.
            let mut bytes = std::fs::read(ledger_file(dir.path())).unwrap();
            let at = bytes.len() - 30;
            bytes[at] ^= 0x20;
            std::fs::write(ledger_file(dir.path()), &bytes).unwrap();
        }
        let out = protoguard(dir.path(), &["history", "--format", "json"]);
        expect_code(&out, 0);
        let log = stderr(&out);
        let expected_log = if i == 0 || i == 4 {
            format!("ledger built from {} commit", i + 1)
        } else {
            "ledger continued over 1 commit".to_owned()
        };
        assert!(log.contains(&expected_log), "step {i}: {log}");
        let fresh = protoguard(dir.path(), &["history", "--format", "json", "--no-cache"]);
        expect_code(&fresh, 0);
        assert_eq!(stdout(&out), stdout(&fresh), "step {i}");
    }
    // The final ledger says what happened.
    let ledger = history_json(dir.path());
    let person = &ledger["elements"]["acme.v2.Person"];
    assert_eq!(person["present"], true);
    let user = &ledger["elements"]["acme.v2.User"];
    assert_eq!(user["former_names"], serde_json::json!(["acme.v1.User"]));
    assert_eq!(user["present"], false);
    let order = &ledger["elements"]["acme.v1.Order"];
    let numbers: Vec<(i64, &str, bool)> = order["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["number"].as_i64().unwrap(),
                m["name"].as_str().unwrap(),
                m["present"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        numbers,
        [
            (1, "id", true),
            (2, "total", true),
            (3, "note", false),
            (3, "paid", true)
        ]
    );

    // A check one commit behind the cache continues it and reports what a fresh build reports.
    write(
        &dir.path().join("api/extra.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage Extra { string a = 1; }\n",
    );
    commit_all(dir.path(), "an unrelated commit");
    write(
        &dir.path().join("moved/order.proto"),
        &ORDER.replace("string note = 3", "bool paid = 3").replace(
            "  int64 total = 2;\n",
            "  int64 total = 2;\n  string note = 4;\n",
        ),
    );
    let continued = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--format", "json"],
    );
    let answer = stdout(&continued);
    assert!(answer.contains("FIELD_NAME_NO_REUSE"), "{answer}");
    std::fs::remove_file(ledger_file(dir.path())).unwrap();
    let fresh = protoguard(
        dir.path(),
        &["breaking", "--against", "HEAD", "--format", "json"],
    );
    assert_eq!(continued.status.code(), fresh.status.code());
    assert_eq!(answer, stdout(&fresh));
}

/// A past field's explicit `json_name` is in the ledger, so a new field that takes it as its
/// JSON key (here by being named after it) is reported: JSON data written then carried "mail".
#[test]
fn a_past_fields_explicit_json_name_is_recorded_and_its_reuse_reported() {
    const NAMED: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage User {\n  string id = 1;\n  string email = 4 [json_name = \"mail\"];\n}\n";
    let dir = repo(&[("api/user.proto", NAMED), ("api/user.proto", DELETED)]);
    let ledger = history_json(dir.path());
    let members = &ledger["elements"]["acme.v1.User"]["members"];
    assert_eq!(members[1]["name"], "email");
    assert_eq!(members[1]["json_name"], "mail");
    // A field without the option has none in the JSON form (its JSON name is the default).
    assert!(members[0].get("json_name").is_none(), "{members}");

    let all = with_field_after_id(dir.path(), "  string mail = 5;\n");
    assert!(
        all.contains("FIELD_NAME_NO_REUSE JSON name \"mail\" on message \"acme.v1.User\" was that of field 4 \"email\" (string) until "),
        "{all}"
    );
    // A JSON name equal to the past field's name is reuse too: JSON parsers accept the field's
    // name as well as its JSON name.
    let all = with_field_after_id(
        dir.path(),
        "  string contact = 5 [json_name = \"email\"];\n",
    );
    assert!(
        all.contains("FIELD_NAME_NO_REUSE JSON name \"email\" on message \"acme.v1.User\" was that of field 4 \"email\""),
        "{all}"
    );
}

/// The text report of a check against HEAD once `field` is added after `id` to the user file
/// whose `email` field was deleted (`DELETED`); the check must find something (exit 1).
fn with_field_after_id(root: &Path, field: &str) -> String {
    let text = DELETED.replace("  string id = 1;\n", &format!("  string id = 1;\n{field}"));
    write(&root.join("api/user.proto"), &text);
    let out = protoguard(root, &["breaking", "--against", "HEAD", "--format", "text"]);
    expect_code(&out, 1)
}

/// A check whose ledger is cached at its revision looks its elements up in the memory-mapped
/// cache (an index by name, each block checked as it is read): whatever happens to the file —
/// a byte flipped anywhere, cut short, emptied, another format — the answer is the one a cold
/// ledger gives, one commit behind and at the revision alike, and two checks at once agree.
#[test]
fn a_check_from_a_cached_ledger_at_or_behind_its_revision_is_the_cold_answer() {
    let dir = TempDir::new().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    // Enough elements that the ledger spans many checked blocks.
    for i in 0..30 {
        let mut text = format!("syntax = \"proto3\";\npackage acme.gen{i};\n");
        for m in 0..20 {
            text.push_str(&format!(
                "message Generated{m}WithAFairlyLongName {{\n  string first_field_{m} = 1;\n  int64 second_field_{m} = 2;\n  repeated string third_field_{m} = 3;\n}}\n"
            ));
        }
        write(&dir.path().join(format!("gen/g{i}.proto")), &text);
    }
    write(&dir.path().join("api/user.proto"), V1);
    commit_all(dir.path(), "first");
    write(&dir.path().join("api/user.proto"), DELETED);
    commit_all(dir.path(), "delete old_email");
    // The change: number 4 reused (FIELD_NUMBER_NO_REUSE reads the ledger).
    write(&dir.path().join("api/user.proto"), REUSED);
    let check = || {
        let out = protoguard(
            dir.path(),
            &["breaking", "--against", "HEAD", "--format", "json"],
        );
        expect_code(&out, 1)
    };
    let cold = check();
    assert!(cold.contains("FIELD_NUMBER_NO_REUSE"), "{cold}");
    let cached = std::fs::read(ledger_file(dir.path())).unwrap();
    assert!(cached.len() > 100_000, "{} bytes", cached.len());
    // At its revision: answered from the file, which is left as it is.
    assert_eq!(check(), cold);
    assert_eq!(std::fs::read(ledger_file(dir.path())).unwrap(), cached);

    // The element's own name damaged: the lookup reads it, so the ledger is rebuilt.
    let at = cached
        .windows(12)
        .position(|w| w == b"acme.v1.User")
        .expect("the name is in the string table");
    let mut damaged = cached.clone();
    damaged[at + 5] ^= 0x01;
    std::fs::write(ledger_file(dir.path()), &damaged).unwrap();
    assert_eq!(check(), cold);
    let rebuilt = std::fs::read(ledger_file(dir.path())).unwrap();
    assert_ne!(
        rebuilt, damaged,
        "a damaged block is not trusted but rebuilt"
    );
    // A byte flipped anywhere else (read by the lookup or not), the file cut short, emptied,
    // or not a ledger of this format: the same answer.
    let mut cases: Vec<Vec<u8>> = (1..16)
        .map(|k| {
            let mut bytes = cached.clone();
            bytes[cached.len() * k / 16] ^= 0x40;
            bytes
        })
        .collect();
    cases.push(cached[..cached.len() - 1].to_vec());
    cases.push(cached[..cached.len() / 2].to_vec());
    cases.push(Vec::new());
    cases.push(b"PGCACHE\0not the mapped format".to_vec());
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(ledger_file(dir.path()), bytes).unwrap();
        assert_eq!(check(), cold, "case {i}");
    }

    // One commit behind: continued over it, the same answer; then at the revision again.
    write(
        &dir.path().join("api/extra.proto"),
        "syntax = \"proto3\";\npackage acme.v1;\nmessage Extra { string a = 1; }\n",
    );
    git(dir.path(), &["add", "api/extra.proto"]);
    git(dir.path(), &["commit", "-q", "-m", "unrelated"]);
    let behind = std::fs::read(ledger_file(dir.path())).unwrap();
    std::fs::remove_file(ledger_file(dir.path())).unwrap();
    let cold = check();
    assert!(cold.contains("FIELD_NUMBER_NO_REUSE"), "{cold}");
    // The block of the string index entry of the name the check asks about damaged in the
    // ledger one commit behind (the entry starts with the name's 32-bit FNV-1a hash): whether
    // the continued walk finds it on opening the ledger or on looking the name up, it stops;
    // the ledger is rebuilt, and the answer is the cold one.
    let hash = b"acme.v1.User".iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let at = behind
        .windows(4)
        .position(|w| w == hash.to_le_bytes())
        .expect("the name's hash is in the string index");
    let mut damaged = behind.clone();
    damaged[at] ^= 0x01;
    assert_eq!(check(), cold, "continued over a damaged string");
    let rebuilt = std::fs::read(ledger_file(dir.path())).unwrap();
    assert!(rebuilt != damaged && rebuilt != behind, "not rebuilt");
    std::fs::write(ledger_file(dir.path()), &behind).unwrap();
    if delta_file(dir.path()).exists() {
        std::fs::remove_file(delta_file(dir.path())).unwrap();
    }
    assert_eq!(check(), cold, "continued over one commit");
    // What the commit changed went to the delta beside the ledger, which is left as it was.
    assert_eq!(std::fs::read(ledger_file(dir.path())).unwrap(), behind);
    assert!(delta_file(dir.path()).exists());
    assert_eq!(check(), cold, "at the revision");

    // Two checks at once, from no cache and then from the cache: both give the cold answer.
    for remove in [true, false] {
        if remove {
            std::fs::remove_file(ledger_file(dir.path())).unwrap();
        }
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let cwd = dir.path().to_owned();
                std::thread::spawn(move || {
                    let args = ["breaking", "--against", "HEAD", "--format", "json"];
                    expect_code(&protoguard(&cwd, &args), 1)
                })
            })
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap(), cold);
        }
    }
    assert_eq!(check(), cold);
}

/// Writes `files` generated files of 20 messages each under gen/ (`extra` more fields in file
/// `touched`): a ledger large enough that a commit's delta stays well under an eighth of it.
fn generate(root: &Path, files: usize, touched: usize, extra: usize) {
    for i in 0..files {
        let mut text = format!("syntax = \"proto3\";\npackage acme.gen{i};\n");
        for m in 0..20 {
            text.push_str(&format!(
                "message Generated{m}WithAFairlyLongName {{\n  string first_field_{m} = 1;\n  int64 second_field_{m} = 2;\n"
            ));
            if i == touched {
                for e in 0..extra {
                    text.push_str(&format!("  bool added_{e}_{m} = {};\n", 10 + e));
                }
            }
            text.push_str("}\n");
        }
        write(&root.join(format!("gen/g{i}.proto")), &text);
    }
}

/// The answer of `args` with no cache at all (the repository's cache directory set aside).
fn cold(root: &Path, args: &[&str], code: i32) -> String {
    let cache = root.join(".git/protoguard");
    let aside = root.join(".git/protoguard.aside");
    std::fs::rename(&cache, &aside).unwrap();
    let out = protoguard(root, args);
    expect_code(&out, code);
    let out = stdout(&out);
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::rename(&aside, &cache).unwrap();
    out
}

/// A ledger continued over new commits writes only a delta beside it (the ledger file stays as
/// it was) until the delta outgrows an eighth of the ledger, when the next write folds it in;
/// every check and `history` on the way gives a cold run's answer, including with the delta
/// damaged anywhere, cut short or not ours (ignored: the ledger alone is continued and the delta
/// written again), over a ledger replaced since (stale: ignored), and with two runs at once.
#[test]
fn a_delta_over_the_ledger_gives_the_cold_answer_and_folds_in_when_it_grows() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    generate(root, 30, usize::MAX, 0);
    write(&root.join("api/user.proto"), V1);
    commit_all(root, "first");
    write(&root.join("api/user.proto"), DELETED);
    commit_all(root, "delete old_email");
    // The change checked at every step: number 4 reused (the ledger is read).
    write(&root.join("api/user.proto"), REUSED);
    let args = ["breaking", "--against", "HEAD", "--format", "json"];
    let check = || {
        let out = protoguard(root, &args);
        expect_code(&out, 1);
        stdout(&out)
    };
    let history = || {
        let out = protoguard(root, &["history", "--format", "json"]);
        expect_code(&out, 0);
        (stdout(&out), stderr(&out))
    };
    // The whole ledger of a walk from scratch, compared without printing it.
    let fresh = |ledger: &str, step: &str| {
        let out = protoguard(root, &["history", "--format", "json", "--no-cache"]);
        expect_code(&out, 0);
        assert!(
            stdout(&out) == ledger,
            "{step}: not the ledger of a walk from scratch"
        );
    };
    let first = check();
    assert!(first.contains("FIELD_NUMBER_NO_REUSE"), "{first}");
    let base = std::fs::read(ledger_file(root)).unwrap();
    assert!(!delta_file(root).exists());

    // One new commit: the check continues the ledger over it into a delta, with the cold
    // answer; at the revision, it is answered from the ledger and the delta, which stay.
    let mut commits = 0;
    let mut new_commit = |root: &Path| {
        commits += 1;
        generate(root, 30, commits % 30, commits);
        git(root, &["add", "gen"]);
        git(root, &["commit", "-q", "-m", &format!("commit {commits}")]);
    };
    new_commit(root);
    let expected = cold(root, &args, 1);
    assert_eq!(check(), expected);
    assert_eq!(std::fs::read(ledger_file(root)).unwrap(), base);
    let delta = std::fs::read(delta_file(root)).unwrap();
    assert!(
        delta.len() * 8 < base.len(),
        "{} of {}",
        delta.len(),
        base.len()
    );
    assert_eq!(check(), expected);
    assert_eq!(std::fs::read(delta_file(root)).unwrap(), delta);
    let (ledger, _) = history();
    fresh(&ledger, "at the revision");
    assert_eq!(std::fs::read(delta_file(root)).unwrap(), delta);

    // The delta damaged (a byte flipped anywhere), cut short, emptied, or another file: the
    // ledger alone is continued over the commit again, with the same answer, and the delta is
    // written again.
    let mut cases: Vec<Vec<u8>> = (0..6)
        .map(|k| {
            let mut bytes = delta.clone();
            bytes[delta.len() * k / 6 + 3] ^= 0x04;
            bytes
        })
        .collect();
    cases.push(delta[..delta.len() - 1].to_vec());
    cases.push(Vec::new());
    cases.push(base.clone());
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(delta_file(root), bytes).unwrap();
        assert_eq!(check(), expected, "case {i}");
        assert_eq!(std::fs::read(delta_file(root)).unwrap(), delta, "case {i}");
        assert_eq!(std::fs::read(ledger_file(root)).unwrap(), base, "case {i}");
    }
    std::fs::write(delta_file(root), &cases[2]).unwrap();
    let (ledger, log) = history();
    assert!(log.contains("ledger continued over 1 commit"), "{log}");
    fresh(&ledger, "a damaged delta");

    // Over a ledger replaced since (rebuilt, then continued into a delta of its own): the older
    // ledger put back beside that delta (say another run's write of it came last) is continued
    // alone over every commit since, never combined with the delta; a ledger rebuilt beside a
    // stale delta likewise.
    let older = base.clone();
    std::fs::remove_file(ledger_file(root)).unwrap();
    std::fs::remove_file(delta_file(root)).unwrap();
    new_commit(root);
    let (ledger, log) = history();
    assert!(log.contains("ledger built from"), "{log}");
    fresh(&ledger, "rebuilt");
    let rebuilt = std::fs::read(ledger_file(root)).unwrap();
    new_commit(root);
    let expected = cold(root, &args, 1);
    assert_eq!(check(), expected);
    assert_eq!(std::fs::read(ledger_file(root)).unwrap(), rebuilt);
    let newer_delta = std::fs::read(delta_file(root)).unwrap();
    std::fs::write(ledger_file(root), &older).unwrap();
    let (ledger, log) = history();
    assert!(log.contains("ledger continued over 3 commits"), "{log}");
    fresh(&ledger, "an older ledger beside a newer one's delta");
    std::fs::write(ledger_file(root), &older).unwrap();
    std::fs::write(delta_file(root), &newer_delta).unwrap();
    assert_eq!(
        check(),
        expected,
        "an older ledger beside a newer one's delta"
    );
    std::fs::remove_file(ledger_file(root)).unwrap();
    let (ledger, log) = history();
    assert!(log.contains("ledger built from"), "{log}");
    std::fs::write(delta_file(root), &newer_delta).unwrap();
    assert_eq!(check(), expected, "a rebuilt ledger beside a stale delta");
    let (again, _) = history();
    assert!(again == ledger, "a rebuilt ledger beside a stale delta");

    // Commit after commit: a delta while it stays small, then folded into a new ledger (and
    // the delta removed), then a delta over that one; the cold answer all the way.
    let mut folded = false;
    for _ in 0..25 {
        let before = std::fs::read(ledger_file(root)).unwrap();
        new_commit(root);
        let expected = cold(root, &args, 1);
        assert_eq!(check(), expected, "commit {commits}");
        let after = std::fs::read(ledger_file(root)).unwrap();
        if after != before {
            assert!(!delta_file(root).exists(), "commit {commits}: folded");
            folded = true;
        } else if folded {
            assert!(delta_file(root).exists(), "commit {commits}");
            break;
        }
    }
    assert!(folded, "the delta was folded in");
    let (ledger, _) = history();
    fresh(&ledger, "folded");

    // Two checks at once, one commit behind a ledger with a delta: both give the cold answer
    // and leave whole files.
    new_commit(root);
    let expected = cold(root, &args, 1);
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let cwd = root.to_owned();
            std::thread::spawn(move || {
                let args = ["breaking", "--against", "HEAD", "--format", "json"];
                let out = protoguard(&cwd, &args);
                expect_code(&out, 1);
                stdout(&out)
            })
        })
        .collect();
    for run in runs {
        assert_eq!(run.join().unwrap(), expected);
    }
    assert_eq!(check(), expected);
    let (ledger, log) = history();
    assert!(!log.contains("built"), "{log}");
    fresh(&ledger, "two at once");
}

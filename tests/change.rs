//! The cost of a check follows the change (issue 12), checked for what it must not change: the
//! working tree read through the index (stat-clean, dirty, untracked, deleted, ignored files and
//! a real racy-git case), the header and tree caches under the git directory (cold and warm runs
//! agree; a damaged or foreign cache is rebuilt, never trusted) and change-based planning against
//! `--full` on revisions of a real repository. Whole-command tests on real git repositories.

mod common;

use std::fs;
use std::path::Path;

use common::{commit_all, expect_code, git, protoguard, write};
use tempfile::TempDir;

fn message(package: &str, imports: &[&str], fields: &[&str]) -> String {
    let mut text = format!("syntax = \"proto3\";\n\npackage {package};\n\n");
    for import in imports {
        text.push_str(&format!("import \"{import}\";\n"));
    }
    text.push_str("\nmessage M {\n");
    for (i, field) in fields.iter().enumerate() {
        text.push_str(&format!("  {field} = {};\n", i + 1));
    }
    text.push_str("}\n");
    text
}

/// Findings as sorted `rule path line message` lines from the JSON report.
fn findings(dir: &Path, args: &[&str]) -> Vec<String> {
    common::breaking_findings(dir, args, &["rule", "path", "start_line", "message"])
}

fn rules_of(lines: &[String]) -> Vec<&str> {
    lines.iter().map(|l| l.split(' ').next().unwrap()).collect()
}

/// A repository with a chain of imports: `c` imports `b` imports `a`, and a separate `d`.
fn chain(path: &Path) {
    git(path, &["init", "-q", "-b", "main"]);
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", &[], &["string one", "string two"]),
    );
    write(
        &path.join("proto/acme/b.proto"),
        &message("acme.b", &["acme/a.proto"], &["acme.M m", "string x"]),
    );
    write(
        &path.join("proto/acme/c.proto"),
        &message("acme.c", &["acme/b.proto"], &["acme.b.M m"]),
    );
    write(
        &path.join("proto/other/d.proto"),
        &message("other", &[], &["int32 n"]),
    );
    write(
        &path.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n",
    );
    commit_all(path, "first");
}

#[test]
fn working_tree_changes_are_seen_whatever_their_kind() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    chain(path);
    fs::write(path.join(".gitignore"), "*.gen.proto\nscratch/\n").unwrap();
    commit_all(path, "ignores");
    // Clean: nothing to report, and nothing compiled.
    assert!(findings(path, &["--against", "HEAD"]).is_empty());

    // A modified file (stat differs from the index): read.
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", &[], &["string one"]),
    );
    assert_eq!(
        rules_of(&findings(path, &["--against", "HEAD"])),
        ["FIELD_NO_DELETE"]
    );
    // Staged but unchanged since: the index's blob is the working tree's.
    git(path, &["add", "-A"]);
    assert_eq!(
        rules_of(&findings(path, &["--against", "HEAD"])),
        ["FIELD_NO_DELETE"]
    );
    git(path, &["checkout", "--", "."]);
    git(path, &["reset", "-q", "--hard"]);
    assert!(findings(path, &["--against", "HEAD"]).is_empty());

    // A deleted tracked file.
    fs::remove_file(path.join("proto/other/d.proto")).unwrap();
    assert_eq!(
        rules_of(&findings(path, &["--against", "HEAD"])),
        ["FILE_NO_DELETE"]
    );
    git(path, &["checkout", "--", "."]);

    // An untracked file is part of the working tree; ignored ones (by pattern, or in an ignored
    // directory) are not.
    write(
        &path.join("proto/acme/new.proto"),
        &message("acme.n", &["acme/a.proto"], &["acme.M m"]),
    );
    write(&path.join("proto/acme/x.gen.proto"), "this is not protobuf");
    write(&path.join("proto/scratch/y.proto"), "neither is this");
    let output = protoguard(path, &["breaking", "--against", "HEAD", "--full"]);
    expect_code(&output, 0);
    // The untracked file is read: breaking it shows.
    write(
        &path.join("proto/acme/new.proto"),
        "syntax = \"proto3\"; message {",
    );
    let output = protoguard(path, &["breaking", "--against", "HEAD"]);
    let all = expect_code(&output, 2);
    assert!(all.contains("new.proto"), "{all}");
    fs::remove_file(path.join("proto/acme/new.proto")).unwrap();

    // A tracked file that an ignore pattern matches is still part of the revision, as in git.
    write(
        &path.join("proto/acme/kept.gen.proto"),
        &message("acme.k", &[], &["string a"]),
    );
    git(path, &["add", "-f", "proto/acme/kept.gen.proto"]);
    commit_all(path, "tracked despite the pattern");
    write(
        &path.join("proto/acme/kept.gen.proto"),
        &message("acme.k", &[], &[]),
    );
    assert_eq!(
        rules_of(&findings(path, &["--against", "HEAD"])),
        ["FIELD_NO_DELETE"]
    );
}

/// Racy git: an index entry whose stat matches the file on disk although the file holds other
/// bytes — what a rewrite in the clock tick of `git add` leaves — is trusted only when the entry
/// is older than the index file. Kernels with multigrain timestamps (Linux 6.13+ on ext4, xfs,
/// btrfs, tmpfs) give a write that follows a stat a fresh timestamp, so the tick cannot be hit
/// by timing; the state is made directly instead: a real index whose entry carries the blob of
/// the committed text and the stat of the rewritten file, with the index file's time set at the
/// entry's (racy: must be read) and after it (not racy: the stat is trusted, as git trusts it).
#[cfg(unix)]
#[test]
fn a_racily_clean_file_is_read_not_trusted() {
    use std::os::unix::fs::MetadataExt;
    use std::time::{Duration, SystemTime};
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"]);
    let v1 = message("acme", &[], &["string aa"]);
    let v2 = message("acme", &[], &["string bb"]);
    assert_eq!(v1.len(), v2.len());
    let file = path.join("a.proto");
    write(&file, &v1);
    commit_all(path, "first");
    // The rewrite, stamped an hour ago (so that libgit2 does not smudge the entry when it
    // writes the index: the entry is older than the index it read).
    fs::write(&file, &v2).unwrap();
    let then = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(then)
        .unwrap();
    let meta = fs::metadata(&file).unwrap();
    let repo = git2::Repository::open(path).unwrap();
    let mut index = repo.index().unwrap();
    let mut entry = index.get_path(Path::new("a.proto"), 0).unwrap();
    let v1_blob = entry.id;
    entry.mtime = git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
    entry.ctime = git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
    entry.file_size = meta.len() as u32;
    entry.ino = meta.ino() as u32;
    entry.dev = meta.dev() as u32;
    entry.uid = meta.uid();
    entry.gid = meta.gid();
    index.add(&entry).unwrap();
    index.write().unwrap();
    let stamped = repo
        .index()
        .unwrap()
        .get_path(Path::new("a.proto"), 0)
        .unwrap();
    assert_eq!(stamped.id, v1_blob);
    assert_eq!(
        stamped.file_size as u64,
        meta.len(),
        "libgit2 smudged the entry"
    );
    let index_file = fs::File::options()
        .write(true)
        .open(path.join(".git/index"))
        .unwrap();

    // Not racy (the index is younger than the entry): the stat is trusted, so the index's
    // blob (the committed text) stands for the file, as in `git status`.
    index_file
        .set_modified(then + Duration::from_secs(10))
        .unwrap();
    assert!(findings(path, &["--against", "HEAD"]).is_empty());

    // Racy (the entry is as young as the index): the file is read, and the rename is seen.
    index_file.set_modified(meta.modified().unwrap()).unwrap();
    let found = findings(path, &["--against", "HEAD"]);
    assert!(
        rules_of(&found).contains(&"FIELD_SAME_NAME"),
        "the rewritten file was not read: {found:?}"
    );
}

#[test]
fn cold_and_warm_header_caches_agree_and_a_damaged_cache_is_rebuilt() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    chain(path);
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", &[], &["string one"]),
    );
    commit_all(path, "second: a.two deleted");
    let cache = path.join(".git/protoguard/headers.bin");
    assert!(!cache.exists());
    let cold = findings(path, &["--against", "HEAD~1"]);
    assert!(cache.exists(), "the first run writes the cache");
    assert_eq!(rules_of(&cold), ["FIELD_NO_DELETE"]);
    let warm = findings(path, &["--against", "HEAD~1"]);
    assert_eq!(cold, warm);
    // Revisions on both sides and the staged index use the same cache.
    assert_eq!(findings(path, &["HEAD", "--against", "HEAD~1"]), cold);
    assert_eq!(findings(path, &["--staged", "--against", "HEAD~1"]), cold);

    // A cache that claims a changed file has no importers would hide the break in its
    // importers; damaged bytes are detected and the cache is rebuilt, never trusted.
    let good = fs::read(&cache).unwrap();
    for damage in common::damaged_caches(&good) {
        fs::write(&cache, &damage).unwrap();
        assert_eq!(findings(path, &["--against", "HEAD~1"]), cold);
        assert_eq!(fs::read(&cache).unwrap().len(), good.len(), "rebuilt");
    }
    // A read-only or missing cache directory is no error either.
    fs::remove_dir_all(path.join(".git/protoguard")).unwrap();
    fs::write(
        path.join(".git/protoguard"),
        "a file where the directory would be",
    )
    .unwrap();
    assert_eq!(findings(path, &["--against", "HEAD~1"]), cold);
}

/// An importer of a changed file is compared although its own bytes did not change (here: a
/// field's type is renamed in `a`, so `b` and `c` change meaning), in both modes.
#[test]
fn change_based_and_full_agree_on_every_pair_of_revisions() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    chain(path);
    // 2: rename the message b uses; 3: delete a field of d; 4: move d to another package;
    // 5: delete c.
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", &[], &["string one", "string two"]).replace("message M", "message N"),
    );
    write(
        &path.join("proto/acme/b.proto"),
        &message("acme.b", &["acme/a.proto"], &["acme.N m", "string x"]),
    );
    commit_all(path, "2");
    write(
        &path.join("proto/other/d.proto"),
        &message("other", &[], &[]),
    );
    commit_all(path, "3");
    write(
        &path.join("proto/other/d.proto"),
        &message("other.v2", &[], &[]),
    );
    commit_all(path, "4");
    fs::remove_file(path.join("proto/acme/c.proto")).unwrap();
    commit_all(path, "5");
    let revisions = ["HEAD~4", "HEAD~3", "HEAD~2", "HEAD~1", "HEAD"];
    for category in ["FILE", "PACKAGE", "WIRE"] {
        for old in revisions {
            for new in revisions {
                let args = [new, "--against", old, "--category", category];
                let changed = findings(path, &args);
                let mut full_args = args.to_vec();
                full_args.push("--full");
                assert_eq!(changed, findings(path, &full_args), "{new} against {old}");
            }
        }
    }
    // The working tree against each revision too (with a cold cache each time).
    for old in revisions {
        let _ = fs::remove_dir_all(path.join(".git/protoguard"));
        assert_eq!(
            findings(path, &["--against", old]),
            findings(path, &["--against", old, "--full"]),
            "working tree against {old}"
        );
    }
}

/// Revisions are listed from trees cached by tree ID (`.git/protoguard/trees.bin`): a cold and a
/// warm cache give the same findings, for a commit that changed one subtree and one that moved a
/// file between directories; a damaged cache file is rebuilt, never trusted.
#[test]
fn cold_and_warm_tree_caches_agree_and_a_damaged_cache_is_rebuilt() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    chain(path);
    write(&path.join("src/main.rs"), "fn main() {}\n");
    commit_all(path, "source next to the schema");
    // A subtree that changed: a field deleted deep in proto/acme.
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", &[], &["string one"]),
    );
    commit_all(path, "a.two deleted");
    // A file moved between directories (other/ to moved/, import name and package kept).
    fs::create_dir_all(path.join("proto/moved")).unwrap();
    fs::rename(
        path.join("proto/other/d.proto"),
        path.join("proto/moved/d.proto"),
    )
    .unwrap();
    commit_all(path, "d moved");
    let cache = path.join(".git/protoguard/trees.bin");
    let pairs = [
        ["HEAD~1", "--against", "HEAD~2"],
        ["HEAD", "--against", "HEAD~1"],
        ["HEAD", "--against", "HEAD~2"],
    ];
    let mut cold = Vec::new();
    for pair in pairs {
        let _ = fs::remove_dir_all(path.join(".git/protoguard"));
        let found = findings(path, &[&pair[..], &["--category", "FILE"]].concat());
        assert!(cache.exists(), "{pair:?}: the first run writes the cache");
        cold.push(found);
    }
    assert_eq!(rules_of(&cold[0]), ["FIELD_NO_DELETE"]);
    assert_eq!(rules_of(&cold[1]), ["FILE_NO_DELETE"], "{:?}", cold[1]);
    assert!(cold[1][0].contains("other/d.proto"), "{:?}", cold[1]);
    assert_eq!(
        rules_of(&cold[2]),
        ["FIELD_NO_DELETE", "FILE_NO_DELETE"],
        "{:?}",
        cold[2]
    );
    // Warm: one cache filled by every revision above, in another order.
    for _ in 0..2 {
        for (pair, cold) in pairs.iter().zip(&cold).rev() {
            let warm = findings(path, &[&pair[..], &["--category", "FILE"]].concat());
            assert_eq!(&warm, cold, "{pair:?}");
        }
    }
    // The working tree against each revision, warm.
    for (old, cold) in [("HEAD~1", &cold[1]), ("HEAD~2", &cold[2])] {
        assert_eq!(
            &findings(path, &["--against", old, "--category", "FILE"]),
            cold
        );
    }

    let good = fs::read(&cache).unwrap();
    for damage in common::damaged_caches(&good) {
        fs::write(&cache, &damage).unwrap();
        let found = findings(path, &["HEAD", "--against", "HEAD~2", "--category", "FILE"]);
        assert_eq!(found, cold[2]);
        assert!(fs::read(&cache).unwrap().len() > 100, "rebuilt");
    }
}

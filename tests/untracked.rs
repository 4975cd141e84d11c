//! The untracked cache (issue 12): a directory whose stat has not changed since the last run is
//! not listed again, and the cache must never hide an untracked file. Whole-command tests on real
//! git repositories: an untracked file is made by `git rm --cached` on a committed one, so that a
//! file the walk misses shows as FILE_NO_DELETE against `HEAD`.

mod common;

use std::fs;
use std::path::Path;

use common::{commit_all, git, write};
use tempfile::TempDir;

const CACHE: &str = ".git/protoguard/untracked.bin";

fn message(package: &str, field: &str) -> String {
    format!("syntax = \"proto3\";\n\npackage {package};\n\nmessage M {{\n  {field} = 1;\n}}\n")
}

/// The rule and path of each finding of `breaking --against HEAD`, sorted.
fn findings(dir: &Path) -> Vec<String> {
    common::breaking_findings(dir, &["--against", "HEAD"], &["rule", "path"])
}

/// A module `proto/` with files in three directories, committed; then `proto/other/d.proto` and
/// `proto/extra/deep/x.proto` are taken out of the index, so they are untracked files of the
/// working tree (and `proto/extra/` holds no tracked file at all).
fn repo(path: &Path) {
    git(path, &["init", "-q", "-b", "main"]);
    write(
        &path.join("proto/acme/a.proto"),
        &message("acme", "string a"),
    );
    write(
        &path.join("proto/other/c.proto"),
        &message("other.c", "string c"),
    );
    write(
        &path.join("proto/other/d.proto"),
        &message("other", "int32 n"),
    );
    write(
        &path.join("proto/extra/deep/x.proto"),
        &message("extra", "string x"),
    );
    write(
        &path.join("protoguard.toml"),
        "[module]\nroots = [\"proto\"]\n",
    );
    commit_all(path, "first");
    git(path, &["rm", "-q", "--cached", "proto/other/d.proto"]);
    git(path, &["rm", "-q", "--cached", "proto/extra/deep/x.proto"]);
}

/// Sets the modification time of the directory `dir` to `time`.
fn set_mtime(dir: &Path, time: std::time::SystemTime) {
    fs::File::open(dir).unwrap().set_modified(time).unwrap();
}

#[test]
fn an_untracked_file_is_never_hidden_by_the_cache() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    repo(path);
    let cache = path.join(CACHE);
    // Cold: the untracked files are found, and the listings are cached.
    assert!(findings(path).is_empty());
    assert!(cache.exists(), "the first run writes the cache");
    let written = fs::read(&cache).unwrap();
    // Warm: the same, from the same cache.
    assert!(findings(path).is_empty());
    assert_eq!(fs::read(&cache).unwrap(), written);

    // A file deleted, then created again in a directory made to look unchanged (its mtime put
    // back to the cached one): the change time still differs, so the directory is listed again.
    let other = path.join("proto/other");
    let mtime = fs::metadata(&other).unwrap().modified().unwrap();
    fs::remove_file(other.join("d.proto")).unwrap();
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/other/d.proto"]);
    write(&other.join("d.proto"), &message("other", "int32 n"));
    set_mtime(&other, mtime);
    assert!(findings(path).is_empty());

    // Tracked or not is the index's business, not the cache's: a file taken out of the index
    // (no directory changes) is still found on disk, as an untracked file.
    git(path, &["rm", "-q", "--cached", "proto/other/c.proto"]);
    assert!(findings(path).is_empty());

    // A deleted directory: its files are gone, and its cached listing is no error.
    fs::remove_dir_all(path.join("proto/extra")).unwrap();
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/extra/deep/x.proto"]);
    // ... and one made again, with another file in it.
    write(
        &path.join("proto/extra/deep/x.proto"),
        &message("extra", "string x"),
    );
    assert!(findings(path).is_empty());
}

/// The cache holds what is on disk, not what git ignores: editing ignore rules (which changes no
/// directory's stat) takes effect on the next run whatever the cache holds.
#[test]
fn edited_ignore_rules_take_effect_with_a_warm_cache() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    repo(path);
    let ignore = path.join("proto/other/.gitignore");
    fs::write(&ignore, "unrelated.proto\n").unwrap();
    assert!(findings(path).is_empty());
    assert!(findings(path).is_empty(), "warm");
    // Edited in place: the directory's stat does not change.
    let other = path.join("proto/other");
    let before = fs::metadata(&other).unwrap().modified().unwrap();
    fs::write(&ignore, "d.proto\n").unwrap();
    assert_eq!(fs::metadata(&other).unwrap().modified().unwrap(), before);
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/other/d.proto"]);
    fs::write(&ignore, "# nothing\n").unwrap();
    assert!(findings(path).is_empty());

    // The repository's own excludes, and an ignored directory that holds no tracked file.
    fs::write(path.join(".git/info/exclude"), "extra/\n").unwrap();
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/extra/deep/x.proto"]);
    fs::write(path.join(".git/info/exclude"), "").unwrap();
    assert!(findings(path).is_empty());
    // core.excludesFile.
    let excludes = path.join("global-ignore");
    fs::write(&excludes, "x.proto\n").unwrap();
    git(
        path,
        &["config", "core.excludesFile", excludes.to_str().unwrap()],
    );
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/extra/deep/x.proto"]);
    fs::write(&excludes, "").unwrap();
    assert!(findings(path).is_empty());
}

#[test]
fn a_damaged_cache_is_rebuilt_never_trusted() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    repo(path);
    let cache = path.join(CACHE);
    assert!(findings(path).is_empty());
    let good = fs::read(&cache).unwrap();
    // With d.proto gone, a cache that still listed it would make it look present.
    fs::remove_file(path.join("proto/other/d.proto")).unwrap();
    let expected = ["FILE_NO_DELETE proto/other/d.proto"];
    assert_eq!(findings(path), expected);
    let current = fs::read(&cache).unwrap();
    for damage in common::damaged_caches(&current) {
        fs::write(&cache, &damage).unwrap();
        assert_eq!(findings(path), expected);
        assert_eq!(fs::read(&cache).unwrap().len(), current.len(), "rebuilt");
    }
    // The cache of another work tree (the same repository moved elsewhere) is not used.
    let moved = TempDir::new().unwrap();
    let copy = moved.path().join("copy");
    git(
        moved.path(),
        &["clone", "-q", path.to_str().unwrap(), "copy"],
    );
    fs::create_dir_all(copy.join(".git/protoguard")).unwrap();
    fs::write(copy.join(CACHE), &good).unwrap();
    assert!(findings(&copy).is_empty());
    assert_ne!(fs::read(copy.join(CACHE)).unwrap(), good, "rebuilt");

    // A cache directory that cannot be written is no error.
    fs::remove_dir_all(path.join(".git/protoguard")).unwrap();
    fs::write(
        path.join(".git/protoguard"),
        "a file where the directory would be",
    )
    .unwrap();
    assert_eq!(findings(path), expected);
}

#[test]
fn core_untracked_cache_false_turns_it_off() {
    let dir = TempDir::new().unwrap();
    let path = dir.path();
    repo(path);
    git(path, &["config", "core.untrackedCache", "false"]);
    assert!(findings(path).is_empty());
    assert!(!path.join(CACHE).exists());
    fs::remove_file(path.join("proto/other/d.proto")).unwrap();
    assert_eq!(findings(path), ["FILE_NO_DELETE proto/other/d.proto"]);
}

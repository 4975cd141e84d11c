//! Which files a change can affect. A file whose bytes are identical in both revisions, and all of
//! whose transitive imports are identical too, compiles to identical descriptors, so no rule can
//! find anything in it: only changed, added and deleted files and the files that (transitively)
//! import them are compiled and compared. Rules that compare whole packages (the PACKAGE
//! category's deletion rules) also need the rest of every touched package. `--full` compares
//! everything.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use crate::error::Result;
use crate::headers::Headers;
use crate::input::Sources;
use crate::scan::Header;

/// The module files to compile and compare, by import name (present on either side). Headers
/// (imports, package) come from `headers`, which reads only the files it has not seen.
pub fn affected(
    old: &Sources,
    new: &Sources,
    full: bool,
    whole_packages: bool,
    headers: &mut Headers,
) -> Result<BTreeSet<String>> {
    let module: BTreeSet<&str> = old
        .files
        .keys()
        .chain(new.files.keys())
        .map(String::as_str)
        .collect();
    if full {
        return Ok(module.into_iter().map(str::to_owned).collect());
    }
    let changed = changed_names(old, new)?;
    if changed.is_empty() {
        return Ok(BTreeSet::new());
    }
    // Each file's header; an unchanged file has the same header on both sides: looked up once.
    let mut scanned: Vec<(&str, bool, Rc<Header>)> =
        Vec::with_capacity(new.files.len() + new.includes.len());
    for (side, other) in [(new, None), (old, Some(new))] {
        for (name, file) in side.files.iter().chain(side.includes.iter()) {
            if let Some(other) = other {
                if other.same_as(side, name)? {
                    continue;
                }
            }
            let module = whole_packages && side.files.contains_key(name);
            scanned.push((name, module, headers.of(side, name, file)?));
        }
    }
    // Reverse import edges from both revisions: importers of a changed file are affected whether
    // the import is old or new. Keys borrow from the headers: a repository's worth of imports is
    // not copied.
    let mut importers: HashMap<&str, Vec<&str>> = HashMap::with_capacity(scanned.len());
    let mut packages: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut package_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, module, header) in &scanned {
        for import in &header.imports {
            importers.entry(import.as_str()).or_default().push(name);
        }
        if *module {
            let package = header.package.as_deref().unwrap_or_default();
            packages.entry(package).or_default().push(name);
            package_of.entry(name).or_default().push(package);
        }
    }
    let mut affected: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = changed;
    while let Some(name) = stack.pop() {
        if !affected.insert(name) {
            continue;
        }
        if let Some(list) = importers.get(name) {
            stack.extend(list.iter().copied().filter(|n| !affected.contains(n)));
        }
    }
    if whole_packages {
        let touched: BTreeSet<&str> = affected
            .iter()
            .filter_map(|name| package_of.get(name))
            .flatten()
            .copied()
            .collect();
        for package in touched {
            affected.extend(packages[package].iter().copied());
        }
    }
    Ok(affected
        .into_iter()
        .filter(|n| module.contains(n))
        .map(str::to_owned)
        .collect())
}

/// Names (module or include) whose bytes differ between the revisions, or that exist on one side.
fn changed_names<'a>(old: &'a Sources, new: &'a Sources) -> Result<Vec<&'a str>> {
    let mut names = Vec::new();
    for (name, _) in old.files.iter().chain(old.includes.iter()) {
        if !old.same_as(new, name)? {
            names.push(name.as_str());
        }
    }
    for (name, _) in new.files.iter().chain(new.includes.iter()) {
        if new.file(name).is_some() && old.file(name).is_none() {
            names.push(name.as_str());
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Sources {
        let mut sources = Sources::default();
        for (name, text) in files {
            sources.insert(*name, text.as_bytes().to_vec());
        }
        sources
    }

    fn affected(old: &Sources, new: &Sources, full: bool, whole: bool) -> BTreeSet<String> {
        super::affected(old, new, full, whole, &mut Headers::uncached()).unwrap()
    }

    #[test]
    fn affected_is_changed_files_and_their_importers() {
        let old = sources(&[
            ("a.proto", "syntax = \"proto3\";"),
            ("b.proto", "import \"a.proto\";"),
            ("c.proto", "import \"b.proto\";"),
            ("d.proto", "syntax = \"proto3\";"),
            ("gone.proto", ""),
        ]);
        let new = sources(&[
            ("a.proto", "syntax = \"proto3\"; message A {}"),
            ("b.proto", "import \"a.proto\";"),
            ("c.proto", "import \"b.proto\";"),
            ("d.proto", "syntax = \"proto3\";"),
            ("new.proto", ""),
        ]);
        let got: Vec<_> = affected(&old, &new, false, false).into_iter().collect();
        assert_eq!(
            got,
            ["a.proto", "b.proto", "c.proto", "gone.proto", "new.proto"]
        );
        assert_eq!(affected(&old, &new, true, false).len(), 6);
        assert!(affected(&old, &old, false, false).is_empty());
    }

    #[test]
    fn package_rules_widen_to_whole_packages() {
        let old = sources(&[
            ("p/a.proto", "package p;"),
            ("p/b.proto", "package p;"),
            ("q/c.proto", "package q;"),
        ]);
        let new = sources(&[
            ("p/a.proto", "package p; message A {}"),
            ("p/b.proto", "package p;"),
            ("q/c.proto", "package q;"),
        ]);
        let got: Vec<_> = affected(&old, &new, false, false).into_iter().collect();
        assert_eq!(got, ["p/a.proto"]);
        let got: Vec<_> = affected(&old, &new, false, true).into_iter().collect();
        assert_eq!(got, ["p/a.proto", "p/b.proto"]);
    }
}

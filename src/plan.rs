//! Which files a change can affect. A file whose bytes are identical in both revisions, and all of
//! whose transitive imports are identical too, compiles to identical descriptors, so no rule can
//! find anything in it: only changed, added and deleted files and the files that (transitively)
//! import them are compiled and compared. Rules that compare whole packages (the PACKAGE
//! category's deletion rules) also need the rest of every touched package. `--full` compares
//! everything.

use std::collections::{BTreeMap, BTreeSet};
use std::iter::Peekable;

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::headers::{Headers, Wanted};
use crate::input::{SourceFile, Sources};

/// The module files to compile and compare, by import name (present on either side). Headers
/// (imports, package) come from `headers`, which reads only the files it has not seen.
///
/// Both revisions' names are walked once, together, in their sorted order (no name is looked up
/// in either revision); names are then numbered in that order, and the import graph is built on
/// the numbers.
pub fn affected(
    old: &Sources,
    new: &Sources,
    full: bool,
    whole_packages: bool,
    headers: &mut Headers,
) -> Result<BTreeSet<String>> {
    if full {
        return Ok(join(keyed(&old.files), keyed(&new.files))
            .map(|(name, _, _)| name.to_owned())
            .collect());
    }
    // Each name of either revision (module or include), numbered in sorted order.
    let mut names: Vec<&str> = Vec::with_capacity(new.files.len() + new.includes.len());
    let mut module: Vec<bool> = Vec::with_capacity(names.capacity());
    let mut changed: Vec<u32> = Vec::new();
    // The files whose headers give the import edges: every file of the current revision, and
    // the previous revision's files that differ from it (an unchanged file has the same header
    // on both sides). With the number of the name, and whether its package counts.
    let mut wanted: Vec<(u32, bool, Wanted<'_>)> = Vec::with_capacity(names.capacity());
    for (name, before, after) in join(entries(old), entries(new)) {
        let (old_module, old_include) = before.unwrap_or_default();
        let (new_module, new_include) = after.unwrap_or_default();
        let index = names.len() as u32;
        names.push(name);
        module.push(old_module.is_some() || new_module.is_some());
        // A name resolves to the module's file first, then the include paths'.
        let same = match (old_module.or(old_include), new_module.or(new_include)) {
            (Some(a), Some(b)) => old.same_file(name, a, new, b)?,
            _ => false,
        };
        if !same {
            changed.push(index);
        }
        let sides = [
            (new, new_module, new_include, true),
            (old, old_module, old_include, !same),
        ];
        for (side, in_module, in_include, needed) in sides {
            if !needed {
                continue;
            }
            let counts = whole_packages && in_module.is_some();
            for file in [in_module, in_include].into_iter().flatten() {
                wanted.push((index, counts, (side, name, file)));
            }
        }
    }
    if changed.is_empty() {
        return Ok(BTreeSet::new());
    }
    let found = headers.of_all(wanted.iter().map(|(_, _, w)| *w))?;

    // Reverse import edges from both revisions (importers of a changed file are affected whether
    // the import is old or new), by number; an import of a name neither revision has leads
    // nowhere. As one array sorted by the imported file (counting sort), no list per file.
    let number: FxHashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (*name, i as u32))
        .collect();
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(wanted.len() * 2);
    for ((importer, _, _), header) in wanted.iter().zip(&found) {
        edges.extend(
            header
                .imports()
                .filter_map(|import| number.get(import))
                .map(|&imported| (imported, *importer)),
        );
    }
    let mut start = vec![0u32; names.len() + 1];
    for &(imported, _) in &edges {
        start[imported as usize + 1] += 1;
    }
    for i in 0..names.len() {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut importers = vec![0u32; edges.len()];
    for &(imported, importer) in &edges {
        importers[next[imported as usize] as usize] = importer;
        next[imported as usize] += 1;
    }

    let mut affected = vec![false; names.len()];
    let mut stack = changed;
    while let Some(name) = stack.pop() {
        let name = name as usize;
        if std::mem::replace(&mut affected[name], true) {
            continue;
        }
        let list = &importers[start[name] as usize..start[name + 1] as usize];
        stack.extend(list.iter().copied().filter(|&n| !affected[n as usize]));
    }
    if whole_packages {
        // Every touched package whole: its module files by either revision's package.
        let mut package_number: FxHashMap<&str, u32> = FxHashMap::default();
        let mut membership: Vec<(u32, u32)> = Vec::new();
        for ((name, counts, _), header) in wanted.iter().zip(&found) {
            if *counts {
                let package = header.package().unwrap_or_default();
                let next = package_number.len() as u32;
                membership.push((*name, *package_number.entry(package).or_insert(next)));
            }
        }
        let mut touched = vec![false; package_number.len()];
        for &(name, package) in &membership {
            touched[package as usize] |= affected[name as usize];
        }
        for &(name, package) in &membership {
            affected[name as usize] |= touched[package as usize];
        }
    }
    Ok(names
        .iter()
        .zip(affected.iter().zip(&module))
        .filter(|(_, (affected, module))| **affected && **module)
        .map(|(name, _)| (*name).to_owned())
        .collect())
}

/// A revision's names in sorted order, each with its module file and its include file.
fn entries(
    sources: &Sources,
) -> impl Iterator<Item = (&str, (Option<&SourceFile>, Option<&SourceFile>))> {
    join(keyed(&sources.files), keyed(&sources.includes)).map(|(name, a, b)| (name, (a, b)))
}

fn keyed<V>(map: &BTreeMap<String, V>) -> impl Iterator<Item = (&str, &V)> {
    map.iter().map(|(name, value)| (name.as_str(), value))
}

/// Two sequences sorted by name, walked together: each name once, with what each holds.
fn join<'a, A, B>(
    a: impl Iterator<Item = (&'a str, A)>,
    b: impl Iterator<Item = (&'a str, B)>,
) -> impl Iterator<Item = (&'a str, Option<A>, Option<B>)> {
    Join {
        a: a.peekable(),
        b: b.peekable(),
    }
}

struct Join<I: Iterator, J: Iterator> {
    a: Peekable<I>,
    b: Peekable<J>,
}

impl<'a, A, B, I, J> Iterator for Join<I, J>
where
    I: Iterator<Item = (&'a str, A)>,
    J: Iterator<Item = (&'a str, B)>,
{
    type Item = (&'a str, Option<A>, Option<B>);

    fn next(&mut self) -> Option<Self::Item> {
        let order = match (self.a.peek(), self.b.peek()) {
            (None, None) => return None,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((x, _)), Some((y, _))) => x.cmp(y),
        };
        Some(match order {
            std::cmp::Ordering::Less => {
                let (name, x) = self.a.next()?;
                (name, Some(x), None)
            }
            std::cmp::Ordering::Greater => {
                let (name, y) = self.b.next()?;
                (name, None, Some(y))
            }
            std::cmp::Ordering::Equal => {
                let (name, x) = self.a.next()?;
                let (_, y) = self.b.next()?;
                (name, Some(x), Some(y))
            }
        })
    }
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

    /// The plan as first written (every name looked up in both revisions, maps of strings):
    /// the merge walk over numbered names must give exactly its answer.
    fn by_lookup(old: &Sources, new: &Sources, whole_packages: bool) -> BTreeSet<String> {
        use std::collections::HashMap;
        let module: BTreeSet<&str> = old
            .files
            .keys()
            .chain(new.files.keys())
            .map(String::as_str)
            .collect();
        let mut changed: Vec<&str> = Vec::new();
        for name in old.files.keys().chain(old.includes.keys()) {
            if !old.same_as(new, name).unwrap() {
                changed.push(name);
            }
        }
        for name in new.files.keys().chain(new.includes.keys()) {
            if old.file(name).is_none() {
                changed.push(name);
            }
        }
        if changed.is_empty() {
            return BTreeSet::new();
        }
        let mut importers: HashMap<String, Vec<&str>> = HashMap::new();
        let mut packages: HashMap<String, Vec<&str>> = HashMap::new();
        let mut package_of: HashMap<&str, Vec<String>> = HashMap::new();
        for (side, other) in [(new, None), (old, Some(new))] {
            for (name, file) in side.files.iter().chain(side.includes.iter()) {
                if other.is_some_and(|o: &Sources| o.same_as(side, name).unwrap()) {
                    continue;
                }
                let header = crate::scan::scan(side.bytes(name, file).unwrap());
                for import in header.imports {
                    importers.entry(import).or_default().push(name);
                }
                if whole_packages && side.files.contains_key(name) {
                    let package = header.package.unwrap_or_default();
                    packages.entry(package.clone()).or_default().push(name);
                    package_of.entry(name).or_default().push(package);
                }
            }
        }
        let mut affected: BTreeSet<&str> = BTreeSet::new();
        while let Some(name) = changed.pop() {
            if affected.insert(name) {
                changed.extend(importers.get(name).into_iter().flatten().copied());
            }
        }
        let touched: BTreeSet<&String> = affected
            .iter()
            .filter_map(|name| package_of.get(name))
            .flatten()
            .collect();
        for package in touched {
            affected.extend(packages[package].iter().copied());
        }
        affected
            .into_iter()
            .filter(|n| module.contains(n))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_merge_walk_gives_what_looking_every_name_up_gives() {
        // Pseudo-random revisions over a small name space, so that names collide between the
        // module and the include paths, imports form chains (and cycles), and packages spread.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let name = |i: u64| format!("d{}/f{i}.proto", i % 3);
        let mut checked = 0;
        for _ in 0..300 {
            let mut base: Vec<String> = Vec::new();
            for i in 0..12 {
                let imports: String = (0..next(3))
                    .map(|_| format!("import \"{}\";\n", name(next(14))))
                    .collect();
                base.push(format!("package p{};\n{imports}// {i}\n", next(3)));
            }
            let mut revision = |base: &[String]| {
                let mut sources = Sources::default();
                for (i, text) in base.iter().enumerate() {
                    let mut text = text.clone();
                    if next(6) == 0 {
                        text.push_str("message Changed {}\n");
                    }
                    match next(8) {
                        0 => {}
                        1 => {
                            sources
                                .includes
                                .insert(name(i as u64), SourceFile::new(text.into_bytes()));
                        }
                        2 => {
                            sources.insert(name(i as u64), text.clone().into_bytes());
                            sources.includes.insert(
                                name(i as u64),
                                SourceFile::new(b"import \"d0/f0.proto\";".to_vec()),
                            );
                        }
                        _ => sources.insert(name(i as u64), text.into_bytes()),
                    }
                }
                sources
            };
            let old = revision(&base);
            let new = revision(&base);
            for whole in [false, true] {
                let want = by_lookup(&old, &new, whole);
                assert_eq!(affected(&old, &new, false, whole), want, "{old:?}\n{new:?}");
                checked += usize::from(!want.is_empty());
            }
        }
        assert!(checked > 100, "only {checked} non-empty plans");
    }
}

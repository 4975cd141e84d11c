//! The generated documentation under docs/rules/ matches what the rule data files produce.

use std::fs;
use std::path::Path;

use protoguard::docs;
use protoguard::registry;

#[test]
fn generated_rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut expected = vec![("README.md".to_owned(), docs::rules_index())];
    expected.extend(registry::all().map(|r| (format!("{}.md", r.id), docs::rule_page(r))));
    if std::env::var_os("PROTOGUARD_BLESS").is_some() {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in &expected {
            fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let on_disk = fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && on_disk == expected.len(),
        "docs/rules is stale ({stale:?}, {on_disk} files on disk); regenerate with PROTOGUARD_BLESS=1 cargo test --test docs"
    );
}

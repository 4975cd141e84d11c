//! Name styles the naming rules check, and the suggestion each rule offers. buf's readings:
//! PascalCase starts with an upper-case letter and has no underscore; lower_snake_case and
//! UPPER_SNAKE_CASE are what converting the name to that style leaves unchanged.

/// Splits a name into words: at underscores, and where a lower-case letter or digit is followed
/// by an upper-case letter (`fooBar` → `foo`, `Bar`; `HTTPServer` stays one word per run).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && !current.is_empty()
        {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `fooBar`, `FooBar`, `FOO_BAR` → `foo_bar`.
pub fn to_lower_snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `fooBar`, `foo_bar` → `FOO_BAR`.
pub fn to_upper_snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `foo_bar`, `FOO_BAR`, `fooBar` → `FooBar`. A word already in mixed case keeps its inner
/// capitals (`HTTPServer` stays); an all-capitals word is capitalised (`FOO` → `Foo`).
pub fn to_pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = if w.chars().any(|c| c.is_ascii_lowercase()) {
                w.clone()
            } else {
                w.to_ascii_lowercase()
            };
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Returns `true` if the name is PascalCase: an upper-case first letter and no underscore.
pub fn is_pascal(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_')
}

/// Returns `true` if the name is lower_snake_case.
pub fn is_lower_snake(name: &str) -> bool {
    !name.is_empty() && to_lower_snake(name) == name
}

/// Returns `true` if the name is UPPER_SNAKE_CASE.
pub fn is_upper_snake(name: &str) -> bool {
    !name.is_empty() && to_upper_snake(name) == name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles() {
        assert_eq!(to_lower_snake("fooBar"), "foo_bar");
        assert_eq!(to_lower_snake("FooBar2Baz"), "foo_bar2_baz");
        assert_eq!(to_upper_snake("fooBar"), "FOO_BAR");
        assert_eq!(to_pascal("foo_bar"), "FooBar");
        assert_eq!(to_pascal("FOO_BAR"), "FooBar");
        assert!(is_lower_snake("foo_bar1"));
        assert!(!is_lower_snake("foo__bar"));
        assert!(!is_lower_snake("fooBar"));
        assert!(is_upper_snake("FOO_BAR_1"));
        assert!(!is_upper_snake("FOO_bar"));
        assert!(is_pascal("HTTPServer"));
        assert!(!is_pascal("foo"));
        assert!(!is_pascal("Foo_Bar"));
    }
}

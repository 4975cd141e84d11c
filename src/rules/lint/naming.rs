//! Name styles the naming rules check, and the suggestion each rule offers. buf's readings:
//! PascalCase starts with an upper-case letter and has no underscore; lower_snake_case and
//! UPPER_SNAKE_CASE are what converting the name to that style leaves unchanged.

/// Splits a name into words: at underscores, where a lower-case letter or digit is followed by
/// an upper-case letter (`fooBar` → `foo`, `Bar`), and before the last capital of a run that
/// starts a word (`HTTPStatus` → `HTTP`, `Status`), as buf splits them.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase())
            && !current.is_empty()
        {
            words.push(std::mem::take(&mut current));
        }
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

/// `foo_bar`, `fooBar` → `FooBar`: each word's first letter capitalised, the rest kept
/// (`HTTP_server` → `HTTPServer`), as buf suggests.
pub fn to_pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
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
        assert_eq!(to_pascal("HTTP_server"), "HTTPServer");
        assert_eq!(to_upper_snake("HTTPStatus"), "HTTP_STATUS");
        assert_eq!(to_lower_snake("HTTPServerID"), "http_server_id");
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

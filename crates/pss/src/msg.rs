//! The building blocks of Pod Security Admission's messages, so that our reasons and details read
//! like the API server's ("containers \"a\", \"b\" must set ...") and tools that match on them keep
//! working.

use std::fmt::Write;

/// `one` for a count of one, `many` otherwise.
pub(crate) fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `"a", "b"`: every item in double quotes, comma-separated, with no escaping (as upstream).
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
    out
}

/// `container "a"` / `containers "a", "b"`.
pub(crate) fn containers(names: &[&str]) -> String {
    format!(
        "{} {}",
        plural(names.len(), "container", "containers"),
        join_quote(names)
    )
}

/// Who set a bad value: `pod`, `containers "a", "b"`, or both joined with " and ".
pub(crate) fn setters(pod: bool, names: &[&str]) -> String {
    match (pod, names.is_empty()) {
        (true, true) => "pod".to_string(),
        (true, false) => format!("pod and {}", containers(names)),
        (false, _) => containers(names),
    }
}

/// Sorts and removes duplicates: the order of Go's `sets.String.List()`.
pub(crate) fn sorted_set<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

/// A string quoted the way Go's `%q` quotes it, for values echoed back in messages.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_upstream() {
        assert_eq!(join_quote(&["a", "b"]), r#""a", "b""#);
        assert_eq!(join_quote::<&str>(&[]), "");
        assert_eq!(setters(true, &["a", "b"]), r#"pod and containers "a", "b""#);
        assert_eq!(setters(false, &["a"]), r#"container "a""#);
        assert_eq!(setters(true, &[]), "pod");
        assert_eq!(go_quote("un\"con\nfined"), r#""un\"con\nfined""#);
        assert_eq!(go_quote("\u{1}"), r#""\x01""#);
        assert_eq!(sorted_set(vec!["b", "a", "b"]), vec!["a", "b"]);
    }
}

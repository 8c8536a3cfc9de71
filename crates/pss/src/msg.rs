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

/// A message built up in one string, phrase by phrase (nested `format!`s would build every
/// part as a string of its own first): `Text::new().containers(&names).push(" must ...").done()`.
pub(crate) struct Text(String);

impl Text {
    /// Room for most messages, so that building one allocates once.
    pub fn new() -> Text {
        Text(String::with_capacity(128))
    }

    pub fn push(&mut self, s: &str) -> &mut Text {
        self.0.push_str(s);
        self
    }

    /// The items separated by `sep`.
    pub fn joined<S: AsRef<str>>(&mut self, items: &[S], sep: &str) -> &mut Text {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push_str(sep);
            }
            self.0.push_str(item.as_ref());
        }
        self
    }

    /// `"a", "b"`: every item in double quotes, comma-separated, with no escaping (as upstream).
    pub fn quoted<S: AsRef<str>>(&mut self, items: &[S]) -> &mut Text {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push_str(", ");
            }
            self.0.push('"');
            self.0.push_str(item.as_ref());
            self.0.push('"');
        }
        self
    }

    /// `container "a"` / `containers "a", "b"`.
    pub fn containers(&mut self, names: &[&str]) -> &mut Text {
        self.push(plural(names.len(), "container ", "containers "))
            .quoted(names)
    }

    /// Who set a bad value: `pod`, `containers "a", "b"`, or both joined with " and ".
    pub fn setters(&mut self, pod: bool, names: &[&str]) -> &mut Text {
        match (pod, names.is_empty()) {
            (true, true) => self.push("pod"),
            (true, false) => self.push("pod and ").containers(names),
            (false, _) => self.containers(names),
        }
    }

    /// The message (leaving this empty).
    pub fn done(&mut self) -> String {
        std::mem::take(&mut self.0)
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
        let text = |f: fn(&mut Text) -> &mut Text| f(&mut Text::new()).done();
        assert_eq!(text(|t| t.quoted(&["a", "b"])), r#""a", "b""#);
        assert_eq!(text(|t| t.quoted::<&str>(&[])), "");
        assert_eq!(text(|t| t.joined(&["a", "b"], "; ")), "a; b");
        assert_eq!(
            text(|t| t.setters(true, &["a", "b"])),
            r#"pod and containers "a", "b""#
        );
        assert_eq!(text(|t| t.setters(false, &["a"])), r#"container "a""#);
        assert_eq!(text(|t| t.setters(true, &[])), "pod");
        assert_eq!(
            text(|t| t.containers(&["a"]).push(" x")),
            r#"container "a" x"#
        );
        assert_eq!(go_quote("un\"con\nfined"), r#""un\"con\nfined""#);
        assert_eq!(go_quote("\u{1}"), r#""\x01""#);
        assert_eq!(sorted_set(vec!["b", "a", "b"]), vec!["a", "b"]);
    }
}

//! Scalar tags as go-yaml v2 treats them, and `!!binary`.
//!
//! go-yaml resolves a tagged scalar only for the core tags it knows (`!!str`, `!!int`, ...); any
//! other tag, a local `!foo` or a URI of someone else's, leaves the scalar a string whatever it
//! looks like. `!!binary` is base64-decoded into the string.

use kcheck_model::Value;
use saphyr_parser::Tag;

use crate::resolve::resolve_plain;

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// A scalar's tag, as far as decoding is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScalarTag {
    /// No tag: plain scalars are resolved, quoted ones are strings.
    None,
    /// `!!str`, `!!timestamp` (kept as text, as without a tag) and every tag go-yaml does not
    /// resolve: a local `!foo`, the non-specific `!`, another URI, `!!map` on a scalar.
    Str,
    /// `!!int`, `!!float`, `!!bool`, `!!null`: the text is resolved even when quoted.
    Resolve,
    /// `!!binary`: base64, decoded.
    Binary,
}

impl ScalarTag {
    /// Classifies a tag as saphyr reports it: `!!str` has the handle `tag:yaml.org,2002:`, the
    /// verbatim `!<tag:yaml.org,2002:str>` an empty handle and the whole URI as its suffix.
    pub fn of(tag: Option<&Tag>) -> ScalarTag {
        let Some(tag) = tag else {
            return ScalarTag::None;
        };
        let suffix = if tag.handle == CORE_PREFIX {
            Some(tag.suffix.as_str())
        } else if tag.handle.is_empty() {
            tag.suffix.strip_prefix(CORE_PREFIX)
        } else {
            None
        };
        match suffix {
            Some("int" | "float" | "bool" | "null") => ScalarTag::Resolve,
            Some("binary") => ScalarTag::Binary,
            _ => ScalarTag::Str,
        }
    }

    /// Whether `<<` with this tag is still the merge key.
    pub fn is_none(&self) -> bool {
        *self == ScalarTag::None
    }
}

/// What `!!binary` text decodes to.
pub enum Binary {
    /// Decoded bytes that were UTF-8 text.
    Text(String),
    /// Decoded bytes that were not UTF-8: each invalid byte became U+FFFD, as Go's JSON encoder
    /// writes a Go string holding them (what kubectl prints).
    Lossy(String),
    /// Not base64 (kubectl refuses the document); the text is kept as it is.
    Invalid,
}

/// Go's `base64.StdEncoding.DecodeString`: the standard alphabet with `=` padding, carriage
/// returns and line feeds ignored (they break up block scalars).
pub fn decode_binary(text: &str) -> Binary {
    let digits: Vec<u8> = text.bytes().filter(|&b| b != b'\n' && b != b'\r').collect();
    if !digits.chunks_exact(4).remainder().is_empty() {
        return Binary::Invalid;
    }
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut bytes = Vec::with_capacity(digits.len() / 4 * 3);
    let groups = digits.len() / 4;
    for (i, group) in digits.chunks_exact(4).enumerate() {
        // Padding only closes the last group, in its last one or two places.
        let padding = match group {
            [_, _, b'=', b'='] => 2,
            [_, _, _, b'='] => 1,
            _ => 0,
        };
        if padding > 0 && i + 1 != groups {
            return Binary::Invalid;
        }
        let mut word = 0u32;
        for &c in &group[..4 - padding] {
            let Some(v) = sextet(c) else {
                return Binary::Invalid;
            };
            word = (word << 6) | u32::from(v);
        }
        word <<= 6 * padding;
        let [_, a, b, c] = word.to_be_bytes();
        bytes.extend_from_slice(&[a, b, c][..3 - padding]);
    }
    match String::from_utf8(bytes) {
        Ok(s) => Binary::Text(s),
        Err(e) => Binary::Lossy(go_lossy_utf8(e.as_bytes())),
    }
}

/// Invalid UTF-8 replaced as Go's `encoding/json` does: one U+FFFD for each byte that does not
/// start a valid sequence (Rust's `from_utf8_lossy` replaces maximal invalid runs instead).
fn go_lossy_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    while !bytes.is_empty() {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                // The prefix was just checked, so this cannot fail.
                out.push_str(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
                out.push('\u{FFFD}');
                bytes = &bytes[valid + 1..];
            }
        }
    }
    out
}

/// A scalar's value given its tag (`!!binary` aside, which the builder decodes itself so that it
/// can warn).
pub fn resolve_tagged(value: String, plain: bool, tag: &ScalarTag) -> Value {
    match tag {
        ScalarTag::None if plain => resolve_plain(value),
        ScalarTag::Resolve => resolve_plain(value),
        _ => Value::String(value.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<String> {
        match decode_binary(s) {
            Binary::Text(t) | Binary::Lossy(t) => Some(t),
            Binary::Invalid => None,
        }
    }

    #[test]
    fn base64_as_go_decodes_it() {
        assert_eq!(text("aGVsbG8gd29ybGQ=").as_deref(), Some("hello world"));
        assert_eq!(text("aGVsbG8g\nd29ybGQ=\n").as_deref(), Some("hello world"));
        assert_eq!(text("aGk=").as_deref(), Some("hi"));
        assert_eq!(text("aA==").as_deref(), Some("h"));
        assert_eq!(text("").as_deref(), Some(""));
        for bad in ["aGk", "a===", "aG=k", "aGk=aGk=", "aGVs bG8=", "aGk=\n="] {
            assert_eq!(text(bad), None, "{bad}");
        }
        // 0xE2 0x82 (a truncated euro sign) then 'A': Go writes two replacement characters.
        assert!(matches!(decode_binary("4oJB"), Binary::Lossy(s) if s == "\u{FFFD}\u{FFFD}A"));
    }

    #[test]
    fn tags_go_yaml_does_not_resolve_make_strings() {
        let tag = |handle: &str, suffix: &str| {
            ScalarTag::of(Some(&Tag {
                handle: handle.into(),
                suffix: suffix.into(),
            }))
        };
        assert_eq!(tag(CORE_PREFIX, "str"), ScalarTag::Str);
        assert_eq!(tag("", "tag:yaml.org,2002:str"), ScalarTag::Str);
        assert_eq!(tag("", "tag:yaml.org,2002:int"), ScalarTag::Resolve);
        assert_eq!(tag(CORE_PREFIX, "binary"), ScalarTag::Binary);
        assert_eq!(tag("!", "foo"), ScalarTag::Str);
        assert_eq!(tag("", "!"), ScalarTag::Str);
        assert_eq!(tag("", "tag:example.com,2000:app/port"), ScalarTag::Str);
        assert_eq!(ScalarTag::of(None), ScalarTag::None);
    }
}

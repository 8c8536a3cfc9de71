//! A file's bytes to text, and text to documents: JSON when it looks like JSON, else YAML.

use crate::json::parse_json;
use crate::limits::Limits;
use crate::yaml::{parse_documents, Parsed};
use kcheck_model::{Pos, Text};
use std::borrow::Cow;

/// The text of a manifest: UTF-8, or UTF-16 with a byte order mark (what Windows PowerShell 5
/// writes with `>`), decoded as kubectl decodes it (unpaired surrogates become U+FFFD). A
/// leading UTF-8 BOM is dropped. Binary data and invalid UTF-8 are refused, with where.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, (Pos, Text)> {
    let text: Cow<str> = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Cow::Owned(utf16(rest, u16::from_le_bytes))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Cow::Owned(utf16(rest, u16::from_be_bytes))
    } else {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Some(nul) = bytes.iter().take(8192).position(|&b| b == 0) {
            return Err((line_col(bytes, nul), binary()));
        }
        match std::str::from_utf8(bytes) {
            Ok(t) => Cow::Borrowed(t),
            Err(e) => {
                return Err((
                    line_col(bytes, e.valid_up_to()),
                    Text::fixed("not valid UTF-8 text", "不是有效的 UTF-8 文本"),
                ))
            }
        }
    };
    if let Cow::Owned(t) = &text {
        if let Some(nul) = t.bytes().take(8192).position(|b| b == 0) {
            return Err((line_col(t.as_bytes(), nul), binary()));
        }
    }
    Ok(text)
}

fn binary() -> Text {
    Text::fixed(
        "binary data (a NUL byte), not a YAML or JSON manifest",
        "二进制数据(含 NUL 字节),不是 YAML 或 JSON 清单",
    )
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks(2).map(|c| match *c {
        [a, b] => unit([a, b]),
        _ => 0xFFFD, // an odd byte at the end
    });
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if text.starts_with('\u{FEFF}') {
        text.remove(0);
    }
    text
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Whether kubectl would read `text` as JSON: its first character other than whitespace opens
/// an object (or, here, an array).
pub fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches([' ', '\t', '\r', '\n'])
            .as_bytes()
            .first(),
        Some(b'{' | b'[')
    )
}

/// Every document of `text`: a JSON stream when it looks like JSON, else YAML. JSON that does
/// not parse is tried as YAML (`{a: 1}` is flow YAML, and loaded before JSON was read as JSON);
/// when both fail, whichever loaded more documents is kept, JSON on a tie.
pub fn parse_text(text: &str, limits: &Limits) -> Parsed {
    if !looks_like_json(text) {
        return parse_documents(text, limits);
    }
    let json = parse_json(text, limits);
    if json.errors.is_empty() {
        return json;
    }
    let yaml = parse_documents(text, limits);
    if yaml.errors.is_empty() || yaml.loaded() > json.loaded() {
        yaml
    } else {
        json
    }
}

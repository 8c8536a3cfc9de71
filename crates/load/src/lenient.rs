//! Whitespace go-yaml accepts and saphyr does not, rewritten so that saphyr reads what kubectl
//! reads.
//!
//! Only where saphyr stopped with one of a few known errors, and only in a way go-yaml would read
//! the same: a tab after `key:` becomes a space (go-yaml treats it as a space), and inside a flow
//! collection (where go-yaml has no notion of indentation) a line's leading tabs become spaces
//! and its indentation is raised to what saphyr asks for. The document is then parsed again, a
//! bounded number of times per file; columns on re-indented lines are shifted back afterwards,
//! so positions still point into the file as written.

use crate::yaml::{DocOutcome, Parsed, Stop};
use kcheck_model::{Node, Pos};
use saphyr_parser::{Event, Parser};
use std::borrow::Cow;

/// Most rewrites per file (each one parses a document again).
const MAX_RETRIES: usize = 64;

/// Character indices to byte offsets, moving from the last place asked (events come in order, so
/// this is linear over a parse).
pub struct CharCursor<'t> {
    text: &'t str,
    char_index: usize,
    byte_index: usize,
}

impl<'t> CharCursor<'t> {
    pub fn new(text: &'t str) -> CharCursor<'t> {
        CharCursor {
            text,
            char_index: 0,
            byte_index: 0,
        }
    }

    /// The byte offset of character `index` (the end of the text past its last character).
    pub fn byte_of(&mut self, index: usize) -> usize {
        let bytes = self.text.as_bytes();
        while self.char_index < index && self.byte_index < bytes.len() {
            self.byte_index += match bytes[self.byte_index] {
                0..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            self.char_index += 1;
        }
        while self.char_index > index && self.byte_index > 0 {
            self.byte_index -= 1;
            while !self.text.is_char_boundary(self.byte_index) {
                self.byte_index -= 1;
            }
            self.char_index -= 1;
        }
        self.byte_index
    }

    pub fn char_at(&mut self, index: usize) -> Option<char> {
        let at = self.byte_of(index);
        self.text[at..].chars().next()
    }
}

/// Drops a byte order mark at the start of a document that follows a `---` line, as kubectl does
/// (it splits the stream on those lines and go-yaml skips a BOM at the start of each piece).
pub fn strip_document_boms(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{FEFF}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut after_separator = false;
    for line in text.split_inclusive('\n') {
        let line = if after_separator {
            line.strip_prefix('\u{FEFF}').unwrap_or(line)
        } else {
            line
        };
        after_separator = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.trim().is_empty());
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// The text to parse again, from the start of the failed document's first line.
pub struct Retry {
    pub text: String,
    pub line_offset: usize,
}

/// The rewrites made so far in one file.
#[derive(Default)]
pub struct Lenience {
    retries: usize,
    /// (line, columns added at its start).
    shifted: Vec<(u32, u32)>,
}

impl Lenience {
    /// A rewrite of the document `stop` is in, if saphyr stopped on whitespace go-yaml accepts.
    /// `text` is what the parser ran on, starting at line `line_offset + 1`.
    pub fn retry(&mut self, text: &str, line_offset: usize, stop: &Stop) -> Option<Retry> {
        if self.retries >= MAX_RETRIES {
            return None;
        }
        let mut cursor = CharCursor::new(text);
        let doc_byte = cursor.byte_of(stop.doc_start);
        let doc_line = line_start(text, doc_byte);
        let err_byte = cursor.byte_of(stop.char_index);
        let err_line = line_start(text, err_byte);
        if err_line < doc_line {
            return None;
        }
        let (start, old_len, new) = match stop.info.as_str() {
            "':' must be followed by a valid YAML whitespace" => {
                // `key:<TAB>value`: the tab is a separating space for go-yaml.
                let before = &text[err_line..err_byte];
                let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
                let start = err_byte - ws;
                let run = &before[start - err_line..];
                if !run.contains('\t') || !before[..start - err_line].ends_with(':') {
                    return None;
                }
                (start, ws, " ".repeat(ws))
            }
            "tabs disallowed within this context (block indentation)"
            | "invalid indentation"
            | "invalid indentation in flow construct" => {
                let needed = flow_indentation(&text[doc_line..err_line])?;
                let line = &text[err_line..];
                let old = line.len() - line.trim_start_matches([' ', '\t']).len();
                let has_tab = line[..old].contains('\t');
                let new = old.max(needed);
                if !has_tab && new == old {
                    return None;
                }
                let line_no = stop.pos.line;
                let added = u32::try_from(new - old).unwrap_or(u32::MAX);
                match self.shifted.iter_mut().find(|(l, _)| *l == line_no) {
                    Some((_, n)) => *n = n.saturating_add(added),
                    None if added > 0 => self.shifted.push((line_no, added)),
                    None => {}
                }
                (err_line, old, " ".repeat(new))
            }
            "invalid indentation in quoted scalar" => {
                // go-yaml folds the continuation lines of a quoted scalar whatever their
                // indentation, and leading spaces of folded lines are dropped either way: indent
                // every line up to the closing quote past the opening line's indentation.
                // saphyr stops either on the first badly indented line or on the opening quote.
                let err_end = text[err_line..]
                    .find('\n')
                    .map_or(text.len(), |i| err_line + i + 1);
                let (needed, quote, err_line) = match quoted_opening(&text[err_line..err_end]) {
                    Some((needed, quote)) => (needed, quote, err_end),
                    None => {
                        let (needed, quote) = quoted_opening(&text[doc_line..err_line])?;
                        (needed, quote, err_line)
                    }
                };
                let opening_is_error_line = err_line != line_start(text, err_byte);
                let end = closing_line_end(text, err_line, quote);
                let mut new = String::with_capacity(end - err_line + 64);
                let first = stop.pos.line + u32::from(opening_is_error_line);
                for (line_no, line) in (first..).zip(text[err_line..end].split_inclusive('\n')) {
                    let old = line.len() - line.trim_start_matches([' ', '\t']).len();
                    let indent = old.max(needed);
                    let added = u32::try_from(indent - old).unwrap_or(u32::MAX);
                    if added > 0 {
                        match self.shifted.iter_mut().find(|(l, _)| *l == line_no) {
                            Some((_, n)) => *n = n.saturating_add(added),
                            None => self.shifted.push((line_no, added)),
                        }
                    }
                    new.push_str(&" ".repeat(indent));
                    new.push_str(&line[old..]);
                }
                (err_line, end - err_line, new)
            }
            _ => return None,
        };
        self.retries += 1;
        let mut patched = String::with_capacity(text.len() - doc_line + new.len());
        patched.push_str(&text[doc_line..start]);
        patched.push_str(&new);
        patched.push_str(&text[start + old_len..]);
        let lines_before = text[..doc_line].bytes().filter(|&b| b == b'\n').count();
        Some(Retry {
            text: patched,
            line_offset: line_offset + lines_before,
        })
    }

    /// Moves columns on re-indented lines back to where they are in the file.
    pub fn fix_positions(&self, parsed: &mut Parsed) {
        if self.shifted.is_empty() {
            return;
        }
        let fix = |pos: &mut Pos| {
            if let Some((_, n)) = self.shifted.iter().find(|(l, _)| *l == pos.line) {
                pos.column = pos.column.saturating_sub(*n).max(1);
            }
        };
        for p in parsed.errors.iter_mut().chain(parsed.warnings.iter_mut()) {
            fix(&mut p.pos);
        }
        for doc in &mut parsed.documents {
            match doc {
                DocOutcome::Node(node) => {
                    let mut stack: Vec<&mut Node> = vec![node];
                    while let Some(n) = stack.pop() {
                        fix(&mut n.pos);
                        match &mut n.value {
                            kcheck_model::Value::Seq(items) => stack.extend(items.iter_mut()),
                            kcheck_model::Value::Map(entries) => {
                                for e in entries.iter_mut() {
                                    fix(&mut e.key_pos);
                                    stack.push(&mut e.value);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                DocOutcome::Rejected(p) => fix(&mut p.pos),
                DocOutcome::Empty => {}
            }
        }
    }
}

/// Unescaped occurrences of `quote` in a line (`\"` does not count; in single quotes `''` is an
/// escaped quote, which counts twice and so keeps the parity).
fn quotes(line: &str, quote: char) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        if quote == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == quote && !escaped {
            n += 1;
        }
        escaped = false;
    }
    n
}

/// The line that opens the quoted scalar a document prefix ends inside: the nearest line above
/// with an odd number of quotes. Returns the indentation continuation lines need, and the quote.
fn quoted_opening(prefix: &str) -> Option<(usize, char)> {
    for quote in ['"', '\''] {
        for line in prefix.lines().rev().take(500) {
            if quotes(line, quote) % 2 == 1 {
                let indent = line.len() - line.trim_start_matches(' ').len();
                return Some((indent + 1, quote));
            }
        }
    }
    None
}

/// The end (byte offset after its newline) of the first line from `from` that closes the quote.
fn closing_line_end(text: &str, from: usize, quote: char) -> usize {
    let mut at = from;
    for line in text[from..].split_inclusive('\n') {
        at += line.len();
        if quotes(line, quote) % 2 == 1 {
            return at;
        }
    }
    at
}

fn line_start(text: &str, byte: usize) -> usize {
    text[..byte].rfind('\n').map_or(0, |i| i + 1)
}

/// When the end of `prefix` (a document up to the start of a line) is inside a flow collection,
/// the indentation saphyr wants for the next line: one more than the block collection around
/// the flow collection. `None` in block context, where go-yaml is as strict as saphyr.
fn flow_indentation(prefix: &str) -> Option<usize> {
    let mut parser = Parser::new_from_str(prefix);
    let mut cursor = CharCursor::new(prefix);
    // (column, flow) of each open collection.
    let mut open: Vec<(usize, bool)> = Vec::new();
    while let Some(Ok((event, span))) = parser.next_event() {
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let starts_flow = matches!(cursor.char_at(span.start.index()), Some('[' | '{'));
                let flow = starts_flow || open.last().is_some_and(|&(_, f)| f);
                open.push((span.start.col(), flow));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                open.pop();
            }
            Event::DocumentStart(_) => open.clear(),
            _ => {}
        }
    }
    if !open.last().is_some_and(|&(_, flow)| flow) {
        return None;
    }
    open.iter()
        .rev()
        .find(|(_, flow)| !flow)
        .map(|&(col, _)| col + 1)
}

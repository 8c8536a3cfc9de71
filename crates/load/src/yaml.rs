//! YAML to positioned trees, one per document, under hard limits.
//!
//! saphyr-parser gives events with positions; [`crate::builder`] builds the tree. Where saphyr is
//! stricter than go-yaml about whitespace, [`crate::lenient`] retries the document with the
//! whitespace go-yaml accepts rewritten.

use crate::builder::Builder;
use crate::lenient::{strip_document_boms, CharCursor, Lenience};
use crate::limits::{too_large, Limits};
use crate::tags::ScalarTag;
use kcheck_model::{Node, Pos, Text};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;

/// One parsed document, or why it could not be.
#[derive(Debug)]
pub enum DocOutcome {
    Node(Node),
    /// The document was empty (only comments, or `---` alone).
    Empty,
    /// A limit or a structural problem; the parser went on with the next document.
    Rejected(Problem),
}

/// A problem at a position (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    pub message: Text,
}

/// A document passed over on purpose: YAML that is not a Kubernetes object at all (neither
/// `apiVersion` nor `kind`: a docker-compose file, Helm values, a CI definition).
#[derive(Clone, Debug)]
pub struct NotKubernetes {
    pub pos: Pos,
}

#[derive(Debug, Default)]
pub struct Parsed {
    /// Documents in order; their index is the document number in the file.
    pub documents: Vec<DocOutcome>,
    /// Duplicate keys and other things worth a warning.
    pub warnings: Vec<Problem>,
    /// Syntax errors. After one, parsing resumes at the next document: the next `---` line in
    /// YAML, the next line starting with `{` in JSON.
    pub errors: Vec<Problem>,
    /// Some document was parsed again with whitespace rewritten ([`crate::lenient`]).
    pub retried: bool,
}

impl Parsed {
    /// How many documents were loaded as trees.
    pub fn loaded(&self) -> usize {
        self.documents
            .iter()
            .filter(|d| matches!(d, DocOutcome::Node(_)))
            .count()
    }
}

/// Where and why a parser stopped.
pub struct Stop {
    pub pos: Pos,
    /// Character index of the error in the text the parser ran on.
    pub char_index: usize,
    /// saphyr's message.
    pub info: String,
    /// Character index where the document holding the error started.
    pub doc_start: usize,
    /// How many documents and warnings there were before that document.
    pub before: (usize, usize),
}

fn pos_of(span: &Span, line_offset: usize) -> Pos {
    let line = span.start.line() + line_offset;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    )
}

/// Parses every document of `text` as YAML. `text` must already be valid UTF-8 without a BOM
/// at its start; a BOM at the start of a later document (concatenated files) is ignored.
pub fn parse_documents(text: &str, limits: &Limits) -> Parsed {
    parse_documents_from(text, 0, limits)
}

/// [`parse_documents`] for text that starts after `line_offset` lines of its file: positions
/// are the file's.
pub(crate) fn parse_documents_from(text: &str, line_offset: usize, limits: &Limits) -> Parsed {
    let mut parsed = Parsed::default();
    let mut current: Cow<str> = strip_document_boms(text);
    let mut offset = 0usize; // byte offset where the current parser started
    let mut line_offset = line_offset;
    let mut lenience = Lenience::default();
    loop {
        let rest = &current[offset..];
        let Some(stop) = parse_from(rest, line_offset, limits, &mut parsed) else {
            break;
        };
        if let Some(retry) = lenience.retry(rest, line_offset, &stop) {
            parsed.retried = true;
            parsed.documents.truncate(stop.before.0);
            parsed.warnings.truncate(stop.before.1);
            current = Cow::Owned(retry.text);
            offset = 0;
            line_offset = retry.line_offset;
            continue;
        }
        let info = &stop.info;
        parsed.errors.push(Problem {
            pos: stop.pos,
            message: Text::new(
                format!("YAML syntax error: {info}"),
                format!("YAML 语法错误:{info}"),
            ),
        });
        // Resume at the next line that starts a document.
        let err_byte = CharCursor::new(rest).byte_of(stop.char_index);
        let Some(next) = next_document_start(rest, err_byte) else {
            break;
        };
        line_offset += rest[..next].bytes().filter(|&b| b == b'\n').count();
        offset += next;
        // The failed document counts, so later documents keep their numbers.
        parsed.documents.push(DocOutcome::Empty);
    }
    lenience.fix_positions(&mut parsed);
    parsed
}

/// The first line at or after the line holding byte `from` that starts a document, never the
/// very start of `text` (that is where the failed parser began).
fn next_document_start(text: &str, from: usize) -> Option<usize> {
    let mut at = text[..from.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    loop {
        let line = &text[at..];
        let is_start = line.starts_with("---")
            && matches!(
                line.as_bytes().get(3),
                None | Some(b' ' | b'\n' | b'\r' | b'\t')
            );
        if is_start && at > 0 {
            return Some(at);
        }
        at += line.find('\n')? + 1;
    }
}

/// Runs one parser over `text`; returns the syntax error that stopped it, if any.
fn parse_from(
    text: &str,
    line_offset: usize,
    limits: &Limits,
    parsed: &mut Parsed,
) -> Option<Stop> {
    let mut parser = Parser::new_from_str(text);
    let mut cursor = CharCursor::new(text);
    let mut builder: Option<Builder> = None;
    let mut doc_start = 0;
    let mut before = (parsed.documents.len(), parsed.warnings.len());
    loop {
        let (event, span) = match parser.next_event()? {
            Ok(ev) => ev,
            Err(e) => {
                let m = e.marker();
                let pos = Pos::new(
                    u32::try_from(m.line() + line_offset).unwrap_or(u32::MAX),
                    u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
                );
                return Some(Stop {
                    pos,
                    char_index: m.index(),
                    info: e.info().to_string(),
                    doc_start,
                    before,
                });
            }
        };
        let pos = pos_of(&span, line_offset);
        match event {
            Event::StreamEnd => return None,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => {
                doc_start = span.start.index();
                before = (parsed.documents.len(), parsed.warnings.len());
                builder = Some(Builder::new(limits, doc_start));
            }
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    parsed.warnings.extend(b.warnings);
                    parsed.documents.push(match (b.failed, b.root) {
                        (Some(p), _) => DocOutcome::Rejected(p),
                        (None, Some(node)) if !node.is_null() => DocOutcome::Node(node),
                        _ => DocOutcome::Empty,
                    });
                }
            }
            ev => {
                let Some(b) = builder.as_mut() else { continue };
                if b.failed.is_some() {
                    continue;
                }
                if span.end.index().saturating_sub(b.doc_start) > limits.max_document_bytes {
                    b.fail(pos, too_large(limits.max_document_bytes));
                    continue;
                }
                match ev {
                    Event::Scalar(value, style, anchor, tag) => {
                        let tag = ScalarTag::of(tag.as_deref());
                        let plain = style == ScalarStyle::Plain;
                        b.scalar(exact(value), plain, &tag, anchor, pos);
                    }
                    Event::SequenceStart(anchor, _) => {
                        let flow = cursor.char_at(span.start.index()) == Some('[');
                        b.open(true, anchor, flow, pos);
                    }
                    Event::MappingStart(anchor, _) => {
                        if b.expects_key() {
                            b.fail(
                                pos,
                                Text::fixed(
                                    "a mapping key that is not a scalar",
                                    "映射的键不是标量",
                                ),
                            );
                            continue;
                        }
                        let flow = cursor.char_at(span.start.index()) == Some('{');
                        b.open(false, anchor, flow, pos);
                    }
                    Event::SequenceEnd | Event::MappingEnd => b.close(),
                    Event::Alias(id) => b.alias(id, pos),
                    _ => {}
                }
            }
        }
    }
}

/// The scalar as an owned string of exactly its length. The parser hands plain scalars over in
/// buffers several times too large; keeping those would multiply the memory of the trees (and
/// the time spent faulting it in), so they are copied once, at their size.
fn exact(value: std::borrow::Cow<'_, str>) -> String {
    match value {
        std::borrow::Cow::Owned(s) if s.capacity() > s.len() + 8 => s.as_str().to_owned(),
        other => other.into_owned(),
    }
}

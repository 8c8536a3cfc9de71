//! YAML (and JSON, which is YAML) to positioned trees, one per document, under hard limits.
//!
//! saphyr-parser gives events with positions; we build the tree ourselves with an explicit stack
//! (no recursion, so no stack overflow on deep input), resolve scalars as Kubernetes does, expand
//! aliases under a node budget and apply go-yaml v2's merge keys (`<<`).

use crate::limits::Limits;
use crate::resolve::{key_string, resolve_plain};
use kcheck_model::{Entry, Node, Pos, Text, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

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

#[derive(Debug, Default)]
pub struct Parsed {
    /// Documents in order; their index is the document number in the file.
    pub documents: Vec<DocOutcome>,
    /// Duplicate keys and other things worth a warning.
    pub warnings: Vec<Problem>,
    /// Syntax errors. After one, parsing resumes at the next `---` line.
    pub errors: Vec<Problem>,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        start_nodes: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        start_nodes: usize,
        entries: Vec<Entry>,
        key: Option<PendingKey>,
        merged: usize,
    },
}

enum PendingKey {
    Key(String, Pos),
    Merge(Pos),
}

struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    /// Anchored nodes and how many nodes each holds.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Node>,
    failed: Option<Problem>,
    warnings: Vec<Problem>,
    doc_start: usize,
}

fn pos_of(span: &Span, line_offset: usize) -> Pos {
    let line = span.start.line() + line_offset;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    )
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits, doc_start: usize) -> Builder<'l> {
        Builder {
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            root: None,
            failed: None,
            warnings: Vec::new(),
            doc_start,
        }
    }

    fn fail(&mut self, pos: Pos, message: Text) {
        if self.failed.is_none() {
            self.failed = Some(Problem { pos, message });
        }
        self.stack.clear();
        self.anchors.clear();
    }

    fn count(&mut self, n: usize, pos: Pos) -> bool {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            let max = self.limits.max_nodes;
            self.fail(
                pos,
                Text::new(
                    format!("document has more than {max} nodes (limit: --max-nodes)"),
                    format!("文档节点数超过 {max}(限制:--max-nodes)"),
                ),
            );
            return false;
        }
        true
    }

    fn open(&mut self, frame: Frame, pos: Pos) {
        if self.failed.is_some() {
            return;
        }
        if self.stack.len() >= self.limits.max_depth {
            let max = self.limits.max_depth;
            self.fail(
                pos,
                Text::new(
                    format!("nesting deeper than {max} levels (limit: --max-depth)"),
                    format!("嵌套层级超过 {max}(限制:--max-depth)"),
                ),
            );
            return;
        }
        if self.count(1, pos) {
            self.stack.push(frame);
        }
    }

    fn scalar(
        &mut self,
        value: String,
        style: ScalarStyle,
        tag: Option<&str>,
        anchor: usize,
        pos: Pos,
    ) {
        if self.failed.is_some() || !self.count(1, pos) {
            return;
        }
        let is_merge = style == ScalarStyle::Plain && value == "<<";
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            // This scalar is a mapping key.
            *key = Some(if is_merge && tag.is_none() {
                PendingKey::Merge(pos)
            } else {
                let raw = value.clone();
                let resolved = resolve_scalar(value, style, tag);
                PendingKey::Key(key_string(resolved, raw), pos)
            });
            return;
        }
        let node = Node::new(pos, resolve_scalar(value, style, tag));
        self.finish(node, anchor, 1);
    }

    fn alias(&mut self, id: usize, pos: Pos) {
        if self.failed.is_some() {
            return;
        }
        let Some(n) = self.anchors.get(&id).map(|(_, n)| *n) else {
            self.fail(
                pos,
                Text::fixed("alias to an unknown anchor", "别名引用了不存在的锚点"),
            );
            return;
        };
        self.alias_nodes += n;
        if self.alias_nodes > self.limits.max_alias_nodes {
            let max = self.limits.max_alias_nodes;
            self.fail(
                pos,
                Text::new(
                    format!("aliases expand to more than {max} nodes (limit: --max-alias-nodes)"),
                    format!("别名展开后超过 {max} 个节点(限制:--max-alias-nodes)"),
                ),
            );
            return;
        }
        if !self.count(n, pos) {
            return;
        }
        let Some(mut node) = self.anchors.get(&id).map(|(node, _)| node.clone()) else {
            return;
        };
        node.pos = pos;
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            let raw = format!("{:?}", node.value);
            *key = Some(PendingKey::Key(key_string(node.value, raw), pos));
            return;
        }
        self.attach(node);
    }

    fn close(&mut self) {
        if self.failed.is_some() {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (node, anchor, start) = match frame {
            Frame::Seq {
                pos,
                anchor,
                start_nodes,
                items,
            } => (Node::new(pos, Value::Seq(items)), anchor, start_nodes),
            Frame::Map {
                pos,
                anchor,
                start_nodes,
                entries,
                merged,
                ..
            } => {
                self.check_duplicates(&entries, merged);
                (Node::new(pos, Value::Map(entries)), anchor, start_nodes)
            }
        };
        let n = self.nodes - start;
        self.finish(node, anchor, n);
    }

    fn finish(&mut self, node: Node, anchor: usize, n: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), n));
        }
        self.attach(node);
    }

    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { key, .. }) => match key.take() {
                None => {
                    // A sequence or mapping used as a key: Kubernetes cannot decode it.
                    let pos = node.pos;
                    self.fail(
                        pos,
                        Text::fixed("a mapping key that is not a scalar", "映射的键不是标量"),
                    );
                }
                Some(PendingKey::Key(k, key_pos)) => {
                    if let Some(Frame::Map { entries, .. }) = self.stack.last_mut() {
                        entries.push(Entry {
                            key: k,
                            key_pos,
                            value: node,
                        });
                    }
                }
                Some(PendingKey::Merge(pos)) => self.merge(node, pos),
            },
        }
    }

    /// go-yaml v2 merge: the merged entries are set where `<<` stands, so later keys override
    /// them; in a sequence of mappings, earlier mappings win.
    fn merge(&mut self, node: Node, pos: Pos) {
        let sources: Vec<Node> = match node.value {
            Value::Map(_) => vec![node],
            Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => {
                items.into_iter().rev().collect()
            }
            _ => {
                self.fail(
                    pos,
                    Text::fixed(
                        "merge key `<<` needs a mapping or a list of mappings",
                        "合并键 `<<` 的值必须是映射或映射列表",
                    ),
                );
                return;
            }
        };
        if let Some(Frame::Map {
            entries, merged, ..
        }) = self.stack.last_mut()
        {
            for src in sources {
                if let Value::Map(es) = src.value {
                    *merged += es.len();
                    for mut e in es {
                        e.key_pos = pos;
                        entries.push(e);
                    }
                }
            }
        }
    }

    /// Kubernetes keeps the last of duplicate keys silently; we keep it too, and say so.
    fn check_duplicates(&mut self, entries: &[Entry], merged: usize) {
        if entries.len() < 2 || merged > 0 {
            return;
        }
        let mut report = |e: &Entry| {
            self.warnings.push(Problem {
                pos: e.key_pos,
                message: Text::new(
                    format!("duplicate key \"{}\": the last value is used", e.key),
                    format!("重复的键 \"{}\":以最后一个值为准", e.key),
                ),
            })
        };
        if entries.len() <= 16 {
            for (i, e) in entries.iter().enumerate() {
                if entries[..i].iter().any(|p| p.key == e.key) {
                    report(e);
                }
            }
        } else {
            let mut seen = std::collections::HashSet::with_capacity(entries.len());
            for e in entries {
                if !seen.insert(e.key.as_str()) {
                    report(e);
                }
            }
        }
    }
}

fn resolve_scalar(value: String, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") | Some("binary") => return Value::String(value),
        Some("int") | Some("float") | Some("bool") | Some("null") => return resolve_plain(value),
        _ => {}
    }
    if style == ScalarStyle::Plain {
        resolve_plain(value)
    } else {
        Value::String(value)
    }
}

/// Parses every document of `text`. `text` must already be valid UTF-8 without a BOM.
pub fn parse_documents(text: &str, limits: &Limits) -> Parsed {
    let mut parsed = Parsed::default();
    let mut offset = 0usize; // byte offset where the current parser started
    let mut line_offset = 0usize;
    loop {
        let rest = &text[offset..];
        match parse_from(rest, line_offset, limits, &mut parsed) {
            None => break,
            Some((err_pos, err_char_index, message)) => {
                parsed.errors.push(Problem {
                    pos: err_pos,
                    message,
                });
                // Resume at the next line that starts a document.
                let err_byte = rest
                    .char_indices()
                    .nth(err_char_index)
                    .map_or(rest.len(), |(b, _)| b);
                let Some(next) = next_document_start(rest, err_byte) else {
                    break;
                };
                line_offset += rest[..next].bytes().filter(|&b| b == b'\n').count();
                offset += next;
                // The failed document counts, so later documents keep their numbers.
                parsed.documents.push(DocOutcome::Empty);
            }
        }
    }
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
) -> Option<(Pos, usize, Text)> {
    let mut parser = Parser::new_from_str(text);
    let mut builder: Option<Builder> = None;
    loop {
        let (event, span) = match parser.next_event()? {
            Ok(ev) => ev,
            Err(e) => {
                let m = e.marker();
                let pos = Pos::new(
                    u32::try_from(m.line() + line_offset).unwrap_or(u32::MAX),
                    u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
                );
                let info = e.info();
                let message = Text::new(
                    format!("YAML syntax error: {info}"),
                    format!("YAML 语法错误:{info}"),
                );
                return Some((pos, m.index(), message));
            }
        };
        let pos = pos_of(&span, line_offset);
        match event {
            Event::StreamEnd => return None,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => builder = Some(Builder::new(limits, span.start.index())),
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
                    let max = limits.max_document_bytes;
                    b.fail(
                        pos,
                        Text::new(
                            format!("document larger than {max} characters (limit: --max-document-size)"),
                            format!("文档超过 {max} 个字符(限制:--max-document-size)"),
                        ),
                    );
                    continue;
                }
                match ev {
                    Event::Scalar(value, style, anchor, tag) => {
                        let tag = tag
                            .as_ref()
                            .filter(|t| t.is_yaml_core_schema())
                            .map(|t| t.suffix.clone());
                        b.scalar(value.into_owned(), style, tag.as_deref(), anchor, pos);
                    }
                    Event::SequenceStart(anchor, _) => b.open(
                        Frame::Seq {
                            pos,
                            anchor,
                            start_nodes: b.nodes,
                            items: Vec::new(),
                        },
                        pos,
                    ),
                    Event::MappingStart(anchor, _) => {
                        if let Some(Frame::Map { key: None, .. }) = b.stack.last() {
                            b.fail(
                                pos,
                                Text::fixed(
                                    "a mapping key that is not a scalar",
                                    "映射的键不是标量",
                                ),
                            );
                            continue;
                        }
                        b.open(
                            Frame::Map {
                                pos,
                                anchor,
                                start_nodes: b.nodes,
                                entries: Vec::new(),
                                key: None,
                                merged: 0,
                            },
                            pos,
                        )
                    }
                    Event::SequenceEnd | Event::MappingEnd => b.close(),
                    Event::Alias(id) => b.alias(id, pos),
                    _ => {}
                }
            }
        }
    }
}

//! JSON streams to positioned trees, as kubectl decodes JSON.
//!
//! kubectl reads a file that starts with `{` as a stream of JSON values (what `kubectl create
//! --dry-run -o json` prints for several objects is such a stream), with JSON's own rules: `\u`
//! escapes with UTF-16 surrogate pairs, tabs as whitespace, integers as int64 when they fit and
//! float64 otherwise, no YAML resolution of `on` or `0644`. Each value is one document. Every
//! value and key keeps its 1-based line and column (in characters), as in the YAML path.
//!
//! One pass over the bytes with an explicit stack: no recursion, so deep nesting cannot overflow
//! the stack, and the limits (depth, nodes, document size) are checked as the tree grows.

mod scalars;

use crate::builder::duplicate_warnings;
use crate::limits::{too_deep, too_large, too_many_nodes, Limits};
use crate::yaml::{DocOutcome, Parsed, Problem};
use kcheck_model::{Entry, Node, Pos, Str, Text, Value};

/// Parses `text` (valid UTF-8, no BOM) as a stream of JSON values. After a syntax error, parsing
/// resumes at the next line that starts with `{`, if there is one.
pub fn parse_json(text: &str, limits: &Limits) -> Parsed {
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        cont: 0,
        cont_at_line: 0,
    };
    let mut parsed = Parsed::default();
    loop {
        r.skip_ws();
        if r.i >= r.b.len() {
            break;
        }
        let start = r.i;
        let mut warnings = Vec::new();
        match r.document(limits, &mut warnings) {
            Ok(outcome) => {
                parsed.warnings.append(&mut warnings);
                parsed.documents.push(outcome);
            }
            Err(problem) => {
                parsed.errors.push(problem);
                // The failed document counts, so later documents keep their numbers.
                parsed.documents.push(DocOutcome::Empty);
                if !r.recover(start) {
                    break;
                }
            }
        }
    }
    parsed
}

/// An open container. Its members so far sit on the document's shared stacks from `start` on,
/// and move into a vector of exactly their number when it closes: a vector grown one push at a
/// time keeps up to half its capacity unused, which for 200k API objects was 300 MB.
enum Frame {
    Array {
        pos: Pos,
        start: usize,
    },
    Object {
        pos: Pos,
        start: usize,
        key: Str,
        key_pos: Pos,
    },
}

struct Reader<'t> {
    text: &'t str,
    b: &'t [u8],
    /// The next byte to read.
    i: usize,
    line: u32,
    line_start: usize,
    /// UTF-8 continuation bytes before `i` and before `line_start`: a byte offset less these is a
    /// character offset. (Outside strings, valid JSON is ASCII.)
    cont: usize,
    cont_at_line: usize,
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        let column = (self.i - self.line_start) - (self.cont - self.cont_at_line) + 1;
        Pos::new(self.line, u32::try_from(column).unwrap_or(u32::MAX))
    }

    fn char_index(&self) -> usize {
        self.i - self.cont
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn newline(&mut self) {
        self.line = self.line.saturating_add(1);
        self.line_start = self.i;
        self.cont_at_line = self.cont;
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                }
                _ => break,
            }
        }
    }

    fn error(&self, en: &str, zh: &str) -> Problem {
        Problem {
            pos: self.pos(),
            message: Text::new(
                format!("JSON syntax error: {en}"),
                format!("JSON 语法错误:{zh}"),
            ),
        }
    }

    fn unexpected(&self, expected_en: &str, expected_zh: &str) -> Problem {
        match self.text.get(self.i..).and_then(|s| s.chars().next()) {
            None => self.error(
                &format!("unexpected end of input, expected {expected_en}"),
                &format!("输入意外结束，应为{expected_zh}"),
            ),
            Some(c) => self.error(
                &format!("unexpected {c:?}, expected {expected_en}"),
                &format!("意外的 {c:?}，应为{expected_zh}"),
            ),
        }
    }

    /// One top-level value.
    fn document(
        &mut self,
        limits: &Limits,
        warnings: &mut Vec<Problem>,
    ) -> Result<DocOutcome, Problem> {
        let doc_start = self.char_index();
        let mut stack: Vec<Frame> = Vec::new();
        let mut open_items: Vec<Node> = Vec::new();
        let mut open_entries: Vec<Entry> = Vec::new();
        let mut nodes = 0usize;
        'value: loop {
            self.skip_ws();
            let pos = self.pos();
            nodes += 1;
            if nodes > limits.max_nodes {
                return Ok(self.reject(stack.len(), true, pos, too_many_nodes(limits.max_nodes)));
            }
            let mut node = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= limits.max_depth {
                        return Ok(self.reject(stack.len(), true, pos, too_deep(limits.max_depth)));
                    }
                    self.i += 1;
                    self.skip_ws();
                    if open == b'{' {
                        if self.peek() == Some(b'}') {
                            self.i += 1;
                            Node::new(pos, Value::Map(Vec::new()))
                        } else {
                            let (key, key_pos) = self.key()?;
                            stack.push(Frame::Object {
                                pos,
                                start: open_entries.len(),
                                key,
                                key_pos,
                            });
                            continue 'value;
                        }
                    } else if self.peek() == Some(b']') {
                        self.i += 1;
                        Node::new(pos, Value::Seq(Vec::new()))
                    } else {
                        stack.push(Frame::Array {
                            pos,
                            start: open_items.len(),
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => Node::new(pos, Value::String(self.string()?)),
                Some(b't') => Node::new(pos, self.literal("true", Value::Bool(true))?),
                Some(b'f') => Node::new(pos, self.literal("false", Value::Bool(false))?),
                Some(b'n') => Node::new(pos, self.literal("null", Value::Null)?),
                Some(b'-' | b'0'..=b'9') => Node::new(pos, self.number()?),
                _ => return Err(self.unexpected("a value", "一个值")),
            };
            // Attach the value, closing every container that ends right after it.
            loop {
                if self.char_index() - doc_start > limits.max_document_bytes {
                    let pos = self.pos();
                    let max = limits.max_document_bytes;
                    return Ok(self.reject(stack.len(), false, pos, too_large(max)));
                }
                let Some(frame) = stack.last_mut() else {
                    return Ok(if node.is_null() {
                        DocOutcome::Empty
                    } else {
                        DocOutcome::Node(node)
                    });
                };
                self.skip_ws();
                let next = self.peek();
                match frame {
                    Frame::Array { .. } => {
                        open_items.push(node);
                        match next {
                            Some(b',') => {
                                self.i += 1;
                                continue 'value;
                            }
                            Some(b']') => self.i += 1,
                            _ => return Err(self.unexpected("',' or ']'", "',' 或 ']'")),
                        }
                    }
                    Frame::Object { key, key_pos, .. } => {
                        open_entries.push(Entry {
                            key: std::mem::take(key),
                            key_pos: *key_pos,
                            value: node,
                        });
                        match next {
                            Some(b',') => {
                                self.i += 1;
                                (*key, *key_pos) = self.key()?;
                                continue 'value;
                            }
                            Some(b'}') => self.i += 1,
                            _ => return Err(self.unexpected("',' or '}'", "',' 或 '}'")),
                        }
                    }
                }
                node = match stack.pop() {
                    Some(Frame::Array { pos, start }) => {
                        Node::new(pos, Value::Seq(open_items.drain(start..).collect()))
                    }
                    Some(Frame::Object { pos, start, .. }) => {
                        let entries: Vec<Entry> = open_entries.drain(start..).collect();
                        duplicate_warnings(&entries, warnings);
                        Node::new(pos, Value::Map(entries))
                    }
                    None => unreachable!("a frame was just looked at"),
                };
            }
        }
    }

    /// `"key":`, leaving the reader at the value.
    fn key(&mut self) -> Result<(Str, Pos), Problem> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string (an object key)", "字符串(对象的键)"));
        }
        let pos = self.pos();
        let key = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':' after an object key", "对象键之后的 ':'"));
        }
        self.i += 1;
        Ok((key, pos))
    }

    /// A limit was hit: the document is refused, and read to its end without building anything
    /// (`open` containers are open; `take_open` when one starts at the reader).
    fn reject(&mut self, open: usize, take_open: bool, pos: Pos, message: Text) -> DocOutcome {
        let mut depth = open;
        if take_open && matches!(self.peek(), Some(b'{' | b'[')) {
            self.i += 1;
            depth += 1;
        }
        while depth > 0 {
            let Some(c) = self.peek() else { break };
            match c {
                b'"' => {
                    self.skip_string();
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                    continue;
                }
                _ => self.cont += usize::from(c & 0xC0 == 0x80),
            }
            self.i += 1;
        }
        DocOutcome::Rejected(Problem { pos, message })
    }

    fn skip_string(&mut self) {
        self.i += 1;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\\' => self.i += 2,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                }
                _ => {
                    self.cont += usize::from(c & 0xC0 == 0x80);
                    self.i += 1;
                }
            }
        }
    }

    /// After a syntax error in the document that started at byte `doc_start`: moves to the next
    /// line starting with `{` (the error's own line if it does), if any.
    fn recover(&mut self, doc_start: usize) -> bool {
        self.i = self.i.min(self.b.len());
        if self.line_start > doc_start && self.b.get(self.line_start) == Some(&b'{') {
            self.i = self.line_start;
            self.cont = self.cont_at_line;
            return true;
        }
        let Some(found) = self.b[self.i..].windows(2).position(|w| w == b"\n{") else {
            return false;
        };
        let target = self.i + found + 1;
        while self.i < target {
            let c = self.b[self.i];
            self.i += 1;
            if c == b'\n' {
                self.newline();
            } else {
                self.cont += usize::from(c & 0xC0 == 0x80);
            }
        }
        true
    }
}

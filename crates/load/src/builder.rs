//! YAML events to one positioned tree, with an explicit stack (no recursion, so no stack
//! overflow on deep input): scalars resolved as Kubernetes resolves them, aliases expanded under
//! a node budget, go-yaml v2's merge keys (`<<`) applied, duplicate keys reported.

use crate::limits::{too_deep, too_many_nodes, Limits};
use crate::resolve::key_string;
use crate::tags::{decode_binary, resolve_tagged, Binary, ScalarTag};
use crate::yaml::Problem;
use kcheck_model::{Entry, Node, Pos, Text, Value};
use std::collections::HashMap;

struct Frame {
    pos: Pos,
    anchor: usize,
    start_nodes: usize,
    /// Inside a flow collection (`[...]`, `{...}`), where go-yaml reads `?` as the explicit key
    /// indicator even with no space after it.
    flow: bool,
    kind: Kind,
}

enum Kind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        key: Option<PendingKey>,
        merged: usize,
    },
}

enum PendingKey {
    Key(String, Pos),
    Merge(Pos),
}

pub struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    /// Anchored nodes and how many nodes each holds.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    pub root: Option<Node>,
    pub failed: Option<Problem>,
    pub warnings: Vec<Problem>,
    pub doc_start: usize,
}

impl<'l> Builder<'l> {
    pub fn new(limits: &'l Limits, doc_start: usize) -> Builder<'l> {
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

    pub fn fail(&mut self, pos: Pos, message: Text) {
        if self.failed.is_none() {
            self.failed = Some(Problem { pos, message });
        }
        self.stack.clear();
        self.anchors.clear();
    }

    fn count(&mut self, n: usize, pos: Pos) -> bool {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            self.fail(pos, too_many_nodes(self.limits.max_nodes));
            return false;
        }
        true
    }

    /// Whether a mapping opening here would be a mapping key (which Kubernetes cannot decode).
    pub fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map { key: None, .. },
                ..
            })
        )
    }

    /// Opens a sequence (`seq`) or a mapping; `flow_start` when it starts with `[` or `{`.
    pub fn open(&mut self, seq: bool, anchor: usize, flow_start: bool, pos: Pos) {
        if self.failed.is_some() {
            return;
        }
        if self.stack.len() >= self.limits.max_depth {
            self.fail(pos, too_deep(self.limits.max_depth));
            return;
        }
        let flow = flow_start || self.stack.last().is_some_and(|f| f.flow);
        let kind = if seq {
            Kind::Seq(Vec::new())
        } else {
            Kind::Map {
                entries: Vec::new(),
                key: None,
                merged: 0,
            }
        };
        let start_nodes = self.nodes;
        if self.count(1, pos) {
            self.stack.push(Frame {
                pos,
                anchor,
                start_nodes,
                flow,
                kind,
            });
        }
    }

    pub fn scalar(&mut self, value: String, plain: bool, tag: &ScalarTag, anchor: usize, pos: Pos) {
        if self.failed.is_some() || !self.count(1, pos) {
            return;
        }
        if plain && tag.is_none() && value.starts_with('?') && self.question_mark(&value, pos) {
            return;
        }
        let is_merge = plain && tag.is_none() && value == "<<";
        let resolved = if *tag == ScalarTag::Binary {
            self.binary(value, pos)
        } else {
            resolve_tagged(value, plain, tag)
        };
        if self.expects_key() {
            let pending = if is_merge {
                PendingKey::Merge(pos)
            } else {
                PendingKey::Key(key_string(resolved, String::new()), pos)
            };
            self.set_key(pending);
            return;
        }
        self.finish(Node::new(pos, resolved), anchor, 1);
    }

    fn set_key(&mut self, pending: PendingKey) {
        if let Some(Frame {
            kind: Kind::Map { key, .. },
            ..
        }) = self.stack.last_mut()
        {
            *key = Some(pending);
        }
    }

    /// `?a` in a flow collection: go-yaml (like libyaml) reads the `?` as the explicit key
    /// indicator, so `[?a]` is `[{a: null}]` and `{?b: 1}` is `{b: 1}`; saphyr reads a plain
    /// scalar "?a". Returns whether the scalar was taken that way.
    fn question_mark(&mut self, value: &str, pos: Pos) -> bool {
        enum At {
            Key,
            Item,
            Other,
        }
        let at = match self.stack.last() {
            Some(Frame {
                flow: true,
                kind: Kind::Map { key: None, .. },
                ..
            }) => At::Key,
            Some(Frame {
                flow: true,
                kind: Kind::Seq(_),
                ..
            }) => At::Item,
            // Block context, or after `:` (go-yaml refuses the `?` there): the text is kept.
            _ => At::Other,
        };
        let key_pos = Pos::new(pos.line, pos.column.saturating_add(1));
        let key = || {
            let value = resolve_tagged(value[1..].to_string(), true, &ScalarTag::None);
            key_string(value, String::new())
        };
        match at {
            At::Key => self.set_key(PendingKey::Key(key(), key_pos)),
            At::Item => {
                if self.count(2, pos) {
                    let entry = Entry {
                        key: key().into(),
                        key_pos,
                        value: Node::new(key_pos, Value::Null),
                    };
                    self.attach(Node::new(pos, Value::Map(vec![entry])));
                }
            }
            At::Other => return false,
        }
        true
    }

    fn binary(&mut self, value: String, pos: Pos) -> Value {
        let warning = match decode_binary(&value) {
            Binary::Text(s) => return Value::String(s.into()),
            Binary::Lossy(s) => {
                self.warn(
                    pos,
                    Text::fixed(
                        "!!binary data is not UTF-8 text: each invalid byte is read as U+FFFD, as kubectl does",
                        "!!binary 数据不是 UTF-8 文本:每个无效字节按 U+FFFD 读取(与 kubectl 相同)",
                    ),
                );
                return Value::String(s.into());
            }
            Binary::Invalid => Text::fixed(
                "!!binary value is not valid base64 (kubectl refuses it); the text is kept as it is",
                "!!binary 的值不是有效的 base64(kubectl 会拒绝);保留原文",
            ),
        };
        self.warn(pos, warning);
        Value::String(value.into())
    }

    fn warn(&mut self, pos: Pos, message: Text) {
        self.warnings.push(Problem { pos, message });
    }

    pub fn alias(&mut self, id: usize, pos: Pos) {
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
        if self.expects_key() {
            let raw = format!("{:?}", node.value);
            self.set_key(PendingKey::Key(key_string(node.value, raw), pos));
            return;
        }
        self.attach(node);
    }

    pub fn close(&mut self) {
        if self.failed.is_some() {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = match frame.kind {
            Kind::Seq(items) => Node::new(frame.pos, Value::Seq(items)),
            Kind::Map {
                entries, merged, ..
            } => {
                if merged == 0 {
                    duplicate_warnings(&entries, &mut self.warnings);
                }
                Node::new(frame.pos, Value::Map(entries))
            }
        };
        let n = self.nodes - frame.start_nodes;
        self.finish(node, frame.anchor, n);
    }

    fn finish(&mut self, node: Node, anchor: usize, n: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), n));
        }
        self.attach(node);
    }

    fn attach(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        match &mut frame.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map { key, entries, .. } => match key.take() {
                None => {
                    // A sequence or mapping used as a key: Kubernetes cannot decode it.
                    let pos = node.pos;
                    self.fail(
                        pos,
                        Text::fixed("a mapping key that is not a scalar", "映射的键不是标量"),
                    );
                }
                Some(PendingKey::Key(k, key_pos)) => entries.push(Entry {
                    key: k.into(),
                    key_pos,
                    value: node,
                }),
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
        if let Some(Frame {
            kind: Kind::Map {
                entries, merged, ..
            },
            ..
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
}

/// Kubernetes keeps the last of duplicate keys silently; we keep it too, and say so.
pub fn duplicate_warnings(entries: &[Entry], warnings: &mut Vec<Problem>) {
    if entries.len() < 2 {
        return;
    }
    let mut report = |e: &Entry| {
        warnings.push(Problem {
            pos: e.key_pos,
            message: Text::new(
                format!("duplicate key \"{}\": the last value is used", e.key),
                format!("重复的键 \"{}\":以最后一个值为准", e.key),
            ),
        });
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

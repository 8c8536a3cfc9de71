//! A positioned document tree: what a manifest decodes to, with the line and column of every node.
//!
//! YAML and JSON both land here (the loader resolves scalars as Kubernetes does), and so do API
//! objects (with no positions). Mappings keep their entries in order in a `Vec` so that the loader
//! can report duplicate keys; lookups are linear, which is faster than hashing for the small maps
//! Kubernetes objects are made of.

use std::fmt;

/// The string of a tree's keys and scalars: up to 24 bytes inline, so that the names, labels and
/// field names a Kubernetes object is made of cost no allocation of their own (a cluster's 200k
/// objects have 4 million keys).
pub type Str = compact_str::CompactString;

/// A 1-based line and column (in characters). `Pos::NONE` (0:0) means "no position known",
/// as for objects read from the API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const NONE: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    pub fn is_known(self) -> bool {
        self.line != 0
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A scalar, sequence or mapping, with where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX`, as go-yaml keeps them.
    UInt(u64),
    Float(f64),
    String(Str),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping; the key's own position is where a finding points.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Str,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn new(pos: Pos, value: Value) -> Node {
        Node { pos, value }
    }

    /// The value under `key` when this is a mapping. With duplicate keys the last one wins, as in
    /// Kubernetes.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys: `node.path(&["spec", "template", "spec"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::UInt(u) => i64::try_from(u).ok(),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_map(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A string field, treating absent and null alike.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// The JSON value Kubernetes would see (duplicate keys: last wins).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key.to_string(), e.value.to_json());
                }
                J::Object(map)
            }
        }
    }

    /// Builds a tree without positions from a JSON value (API objects, tests).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::UInt(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            J::String(s) => Value::String(s.as_str().into()),
            J::Array(items) => Value::Seq(items.iter().map(Node::from_json).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.as_str().into(),
                        key_pos: Pos::NONE,
                        value: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        Node::new(Pos::NONE, value)
    }
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where in an object a finding is: `spec.template.spec.containers[1].securityContext.privileged`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    pub fn parse(dotted: &str) -> FieldPath {
        let mut segs = Vec::new();
        for part in dotted.split('.').filter(|p| !p.is_empty()) {
            let mut rest = part;
            if let Some(open) = rest.find('[') {
                if open > 0 {
                    segs.push(Segment::Key(rest[..open].to_string()));
                }
                rest = &rest[open..];
                while let Some(stripped) = rest.strip_prefix('[') {
                    let close = stripped.find(']').unwrap_or(stripped.len());
                    if let Ok(i) = stripped[..close].parse() {
                        segs.push(Segment::Index(i));
                    }
                    rest = stripped.get(close + 1..).unwrap_or("");
                }
            } else {
                segs.push(Segment::Key(rest.to_string()));
            }
        }
        FieldPath(segs)
    }

    pub fn key(&self, key: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The position of the deepest part of this path that exists in `root`: the key of the last
    /// mapping entry, or the start of the last sequence item. A path that leaves the document
    /// (a field that is missing) points at the nearest existing parent.
    pub fn locate(&self, root: &Node) -> Pos {
        let mut node = root;
        let mut pos = root.pos;
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => match node.entry(k) {
                    Some(e) => {
                        pos = if e.key_pos.is_known() {
                            e.key_pos
                        } else {
                            e.value.pos
                        };
                        node = &e.value;
                    }
                    None => break,
                },
                Segment::Index(i) => match node.as_seq().get(*i) {
                    Some(n) => {
                        pos = n.pos;
                        node = n;
                    }
                    None => break,
                },
            }
        }
        pos
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_path_round_trips() {
        let p = FieldPath::parse("spec.template.spec.containers[1].securityContext.privileged");
        assert_eq!(p.0.len(), 7);
        assert_eq!(p.0[4], Segment::Index(1));
        assert_eq!(
            p.to_string(),
            "spec.template.spec.containers[1].securityContext.privileged"
        );
        assert_eq!(FieldPath::parse("a[0][2].b").to_string(), "a[0][2].b");
    }

    #[test]
    fn locate_points_at_key_or_nearest_parent() {
        let key = |k: &str, line: u32, value: Node| Entry {
            key: k.into(),
            key_pos: Pos::new(line, 1),
            value,
        };
        let leaf = Node::new(Pos::new(3, 10), Value::Bool(true));
        let inner = Node::new(Pos::new(3, 3), Value::Map(vec![key("privileged", 3, leaf)]));
        let root = Node::new(Pos::new(1, 1), Value::Map(vec![key("spec", 2, inner)]));
        assert_eq!(
            FieldPath::parse("spec.privileged").locate(&root),
            Pos::new(3, 1)
        );
        assert_eq!(
            FieldPath::parse("spec.missing.deeper").locate(&root),
            Pos::new(2, 1)
        );
    }
}

//! Typed reads from the positioned tree, the way the API server's decoder would see them.
//!
//! Pod Security Admission never sees a malformed pod: the API server refuses to decode a string
//! where a boolean belongs, or a list where an object belongs, before any admission runs. We read
//! untyped YAML, so every read here checks the JSON type of what it finds. A wrong type is
//! recorded (it becomes one `invalid` violation, which is what the API server's answer would be)
//! and the field is then treated as absent, so the checks keep going without guessing.
//! `null` is the same as absent everywhere, as it is for Go pointers, lists and zero values.
//!
//! Field paths are given as keys split in advance (`&["securityContext", "privileged"]`): the
//! reads are the hot loop of every evaluation, so nothing is split, formatted or allocated on the
//! way unless a type error is found.

use crate::pod::View;
use kcheck_model::{FieldPath, Node, PodSpec, Segment, Value};
use std::cell::{OnceCell, RefCell};

/// A field holding the wrong JSON type.
#[derive(Clone, Debug)]
pub(crate) struct Mistyped {
    pub path: FieldPath,
    pub expected: &'static str,
    pub found: &'static str,
}

/// What every check reads through: the pod, the fields resolved once per evaluation (see
/// [`View`]), plus the type errors met so far.
pub(crate) struct Ctx<'a> {
    pub pod: PodSpec<'a>,
    pub(crate) view: View<'a>,
    mistyped: RefCell<Vec<Mistyped>>,
    /// The path to the pod spec (`spec.template.spec`), built when the first finding needs it.
    spec_path: OnceCell<FieldPath>,
}

/// How to name the node a read starts from, built only when a finding needs it.
pub(crate) type Base<'b> = &'b dyn Fn() -> FieldPath;

impl<'a> Ctx<'a> {
    /// A context whose [`View`] is still empty: [`View::resolve`] fills it in place (the view
    /// is large enough that moving it would cost more than filling it).
    pub fn new(pod: PodSpec<'a>) -> Ctx<'a> {
        Ctx {
            pod,
            view: View::default(),
            mistyped: RefCell::new(Vec::new()),
            spec_path: OnceCell::new(),
        }
    }

    pub fn take_mistyped(&self) -> Vec<Mistyped> {
        self.mistyped.take()
    }

    fn record(&self, path: FieldPath, expected: &'static str, node: &Node) {
        self.mistyped.borrow_mut().push(Mistyped {
            path,
            expected,
            found: kind_name(node),
        });
    }

    /// Follows `keys` from `start`. Every step must be an object (or null, which ends the walk
    /// as absent); the node found is returned unless it is null.
    pub fn walk<'n>(&self, start: &'n Node, keys: &[&str], base: Base<'_>) -> Option<&'n Node> {
        let mut node = start;
        for (walked, key) in keys.iter().enumerate() {
            match &node.value {
                Value::Null => return None,
                Value::Map(_) => node = node.get(key)?,
                _ => {
                    self.record(base().then(&keys[..walked]), "an object", node);
                    return None;
                }
            }
        }
        (!node.is_null()).then_some(node)
    }

    /// A pointer-to-struct field: `Some` when set (not null), and an object.
    pub fn object<'n>(&self, start: &'n Node, keys: &[&str], base: Base<'_>) -> Option<&'n Node> {
        let node = self.walk(start, keys, base)?;
        self.object_node(node, &|| base().then(keys))
    }

    pub fn bool(&self, start: &Node, keys: &[&str], base: Base<'_>) -> Option<bool> {
        let node = self.walk(start, keys, base)?;
        self.bool_node(node, &|| base().then(keys))
    }

    /// An integer field; `bits` is the width of the Go type (32 or 64).
    pub fn int(&self, start: &Node, keys: &[&str], bits: u32, base: Base<'_>) -> Option<i64> {
        let node = self.walk(start, keys, base)?;
        self.int_node(node, bits, &|| base().then(keys))
    }

    pub fn str<'n>(&self, start: &'n Node, keys: &[&str], base: Base<'_>) -> Option<&'n str> {
        let node = self.walk(start, keys, base)?;
        self.string_node(node, &|| base().then(keys))
    }

    /// A string that Go would read as "" when absent.
    pub fn str_or_empty<'n>(&self, start: &'n Node, keys: &[&str], base: Base<'_>) -> &'n str {
        self.str(start, keys, base).unwrap_or("")
    }

    /// A list field; absent, null and mistyped lists are empty.
    pub fn list<'n>(&self, start: &'n Node, keys: &[&str], base: Base<'_>) -> &'n [Node] {
        match self.walk(start, keys, base) {
            Some(node) => self.list_node(node, &|| base().then(keys)),
            None => &[],
        }
    }

    // The same reads of a node already found (a field found in one pass, a list item, a map
    // value), named by `path`; null is absent.

    pub fn bool_node(&self, node: &Node, path: Base<'_>) -> Option<bool> {
        if node.is_null() {
            return None;
        }
        let value = node.as_bool();
        self.expect(node, value.is_some(), "a boolean", path)?;
        value
    }

    pub fn int_node(&self, node: &Node, bits: u32, path: Base<'_>) -> Option<i64> {
        if node.is_null() {
            return None;
        }
        let value = node
            .as_i64()
            .filter(|v| bits >= 64 || (*v >= i64::from(i32::MIN) && *v <= i64::from(i32::MAX)));
        let expected = if bits >= 64 {
            "a 64-bit integer"
        } else {
            "a 32-bit integer"
        };
        self.expect(node, value.is_some(), expected, path)?;
        value
    }

    pub fn string_node<'n>(&self, node: &'n Node, path: Base<'_>) -> Option<&'n str> {
        if node.is_null() {
            return None;
        }
        let value = node.as_str();
        self.expect(node, value.is_some(), "a string", path)?;
        value
    }

    pub fn object_node<'n>(&self, node: &'n Node, path: Base<'_>) -> Option<&'n Node> {
        if node.is_null() {
            return None;
        }
        let ok = matches!(node.value, Value::Map(_));
        self.expect(node, ok, "an object", path).map(|()| node)
    }

    pub fn list_node<'n>(&self, node: &'n Node, path: Base<'_>) -> &'n [Node] {
        match &node.value {
            Value::Null => &[],
            Value::Seq(items) => items,
            _ => {
                self.record(path(), "a list", node);
                &[]
            }
        }
    }

    fn expect(
        &self,
        node: &Node,
        ok: bool,
        expected: &'static str,
        path: impl FnOnce() -> FieldPath,
    ) -> Option<()> {
        if ok {
            Some(())
        } else {
            self.record(path(), expected, node);
            None
        }
    }

    /// `spec` plus `keys`, with room for the steps that the deepest paths append (container
    /// index, `securityContext.capabilities.add` and an index), so that they do not reallocate.
    pub fn pod_path(&self, keys: &[&str]) -> FieldPath {
        let base = self.spec_path.get_or_init(|| self.pod.path(""));
        with_room(&base.0, keys.len() + 5).then(keys)
    }

    /// `metadata` next to the pod spec (`metadata` for a Pod, `spec.template.metadata` for a
    /// Deployment) plus `keys`.
    pub fn metadata_path(&self, keys: &[&str]) -> FieldPath {
        let base = self.spec_path.get_or_init(|| self.pod.path(""));
        let parent = &base.0[..base.0.len().saturating_sub(1)];
        // Room for `metadata`, `keys` and an annotation's key.
        with_room(parent, keys.len() + 2)
            .then(&["metadata"])
            .then(keys)
    }
}

/// A path made of `segments` with capacity for `more`.
fn with_room(segments: &[Segment], more: usize) -> FieldPath {
    let mut path = Vec::with_capacity(segments.len() + more);
    path.extend_from_slice(segments);
    FieldPath(path)
}

/// Appending to a field path in place (unlike `FieldPath::key`, which copies it).
pub(crate) trait Append: Sized {
    /// The path followed by `keys`.
    fn then(self, keys: &[&str]) -> Self;
    /// The path followed by `[i]`.
    fn at(self, i: usize) -> Self;
}

impl Append for FieldPath {
    fn then(mut self, keys: &[&str]) -> FieldPath {
        self.0
            .extend(keys.iter().map(|k| Segment::Key((*k).to_string())));
        self
    }

    fn at(mut self, i: usize) -> FieldPath {
        self.0.push(Segment::Index(i));
        self
    }
}

/// The JSON name of a node's type, for messages.
pub(crate) fn kind_name(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::UInt(_) => "an integer",
        Value::Float(_) => "a number",
        Value::String(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "an object",
    }
}

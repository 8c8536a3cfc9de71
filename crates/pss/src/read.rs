//! Typed reads from the positioned tree, the way the API server's decoder would see them.
//!
//! Pod Security Admission never sees a malformed pod: the API server refuses to decode a string
//! where a boolean belongs, or a list where an object belongs, before any admission runs. We read
//! untyped YAML, so every read here checks the JSON type of what it finds. A wrong type is
//! recorded (it becomes one `invalid` violation, which is what the API server's answer would be)
//! and the field is then treated as absent, so the checks keep going without guessing.
//! `null` is the same as absent everywhere, as it is for Go pointers, lists and zero values.

use kcheck_model::{Container, Entry, FieldPath, Node, PodSpec, Segment, Value};
use std::cell::RefCell;

/// A field holding the wrong JSON type.
#[derive(Clone, Debug)]
pub(crate) struct Mistyped {
    pub path: FieldPath,
    pub expected: &'static str,
    pub found: &'static str,
}

/// What every check reads through: the pod, plus the type errors met so far.
pub(crate) struct Ctx<'a> {
    pub pod: PodSpec<'a>,
    mistyped: RefCell<Vec<Mistyped>>,
}

/// How to name the node a read starts from, built only when a finding needs it.
pub(crate) type Base<'b> = &'b dyn Fn() -> FieldPath;

impl<'a> Ctx<'a> {
    pub fn new(pod: PodSpec<'a>) -> Ctx<'a> {
        Ctx {
            pod,
            mistyped: RefCell::new(Vec::new()),
        }
    }

    pub fn into_mistyped(self) -> Vec<Mistyped> {
        self.mistyped.into_inner()
    }

    fn record(&self, path: FieldPath, expected: &'static str, node: &Node) {
        self.mistyped.borrow_mut().push(Mistyped {
            path,
            expected,
            found: kind_name(node),
        });
    }

    /// Follows the dotted keys from `start`. Every step must be an object (or null, which ends
    /// the walk as absent); the node found is returned unless it is null.
    pub fn walk<'n>(&self, start: &'n Node, dotted: &str, base: Base<'_>) -> Option<&'n Node> {
        let mut node = start;
        let mut walked = 0;
        let mut rest = dotted;
        while let Some(key) = next_key(&mut rest) {
            match &node.value {
                Value::Null => return None,
                Value::Map(_) => node = node.get(key)?,
                _ => {
                    self.record(extend(base(), dotted, walked), "an object", node);
                    return None;
                }
            }
            walked += 1;
        }
        (!node.is_null()).then_some(node)
    }

    /// A pointer-to-struct field: `Some` when set (not null), and an object.
    pub fn object<'n>(&self, start: &'n Node, dotted: &str, base: Base<'_>) -> Option<&'n Node> {
        let node = self.walk(start, dotted, base)?;
        self.expect(
            node,
            matches!(node.value, Value::Map(_)),
            "an object",
            || extend(base(), dotted, usize::MAX),
        )
        .map(|()| node)
    }

    pub fn bool(&self, start: &Node, dotted: &str, base: Base<'_>) -> Option<bool> {
        let node = self.walk(start, dotted, base)?;
        let value = node.as_bool();
        self.expect(node, value.is_some(), "a boolean", || {
            extend(base(), dotted, usize::MAX)
        })?;
        value
    }

    /// An integer field; `bits` is the width of the Go type (32 or 64).
    pub fn int(&self, start: &Node, dotted: &str, bits: u32, base: Base<'_>) -> Option<i64> {
        let node = self.walk(start, dotted, base)?;
        let value = node
            .as_i64()
            .filter(|v| bits >= 64 || (*v >= i64::from(i32::MIN) && *v <= i64::from(i32::MAX)));
        let expected = if bits >= 64 {
            "a 64-bit integer"
        } else {
            "a 32-bit integer"
        };
        self.expect(node, value.is_some(), expected, || {
            extend(base(), dotted, usize::MAX)
        })?;
        value
    }

    pub fn str<'n>(&self, start: &'n Node, dotted: &str, base: Base<'_>) -> Option<&'n str> {
        let node = self.walk(start, dotted, base)?;
        self.string_node(node, &|| extend(base(), dotted, usize::MAX))
    }

    /// A string that Go would read as "" when absent.
    pub fn str_or_empty<'n>(&self, start: &'n Node, dotted: &str, base: Base<'_>) -> &'n str {
        self.str(start, dotted, base).unwrap_or("")
    }

    /// The node itself as a string (a list item or a map value); null is absent.
    pub fn string_node<'n>(&self, node: &'n Node, path: Base<'_>) -> Option<&'n str> {
        if node.is_null() {
            return None;
        }
        let value = node.as_str();
        self.expect(node, value.is_some(), "a string", path)?;
        value
    }

    /// A list field; absent, null and mistyped lists are empty.
    pub fn list<'n>(&self, start: &'n Node, dotted: &str, base: Base<'_>) -> &'n [Node] {
        match self.walk(start, dotted, base) {
            Some(node) => match &node.value {
                Value::Seq(items) => items,
                _ => {
                    self.record(extend(base(), dotted, usize::MAX), "a list", node);
                    &[]
                }
            },
            None => &[],
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

    // Shorthands for the two places most reads start from.

    pub fn spec_base(&self) -> FieldPath {
        self.pod.path("")
    }

    /// `metadata` next to the pod spec: `metadata` for a Pod, `spec.template.metadata` for a
    /// Deployment.
    pub fn metadata_base(&self) -> FieldPath {
        let mut path = self.pod.path("");
        path.0.pop();
        path.0.push(Segment::Key("metadata".to_string()));
        path
    }

    pub fn pod_bool(&self, dotted: &str) -> Option<bool> {
        self.bool(self.pod.spec, dotted, &|| self.spec_base())
    }

    pub fn pod_str(&self, dotted: &str) -> Option<&'a str> {
        self.str(self.pod.spec, dotted, &|| self.spec_base())
    }

    pub fn pod_object(&self, dotted: &str) -> Option<&'a Node> {
        self.object(self.pod.spec, dotted, &|| self.spec_base())
    }

    pub fn pod_list(&self, dotted: &str) -> &'a [Node] {
        self.list(self.pod.spec, dotted, &|| self.spec_base())
    }

    pub fn c_bool(&self, c: &Container<'a>, dotted: &str) -> Option<bool> {
        self.bool(c.node, dotted, &|| c.path(""))
    }

    pub fn c_str(&self, c: &Container<'a>, dotted: &str) -> Option<&'a str> {
        self.str(c.node, dotted, &|| c.path(""))
    }

    pub fn c_object(&self, c: &Container<'a>, dotted: &str) -> Option<&'a Node> {
        self.object(c.node, dotted, &|| c.path(""))
    }

    pub fn c_list(&self, c: &Container<'a>, dotted: &str) -> &'a [Node] {
        self.list(c.node, dotted, &|| c.path(""))
    }

    /// The container's name as messages print it ("" when missing, as in Go).
    pub fn c_name(&self, c: &Container<'a>) -> &'a str {
        self.c_str(c, "name").unwrap_or("")
    }

    /// `spec.os.name == "windows"`: from policy v1.25 some restricted checks let Windows pods
    /// through, because the API server refuses the Linux-only fields on them.
    pub fn is_windows(&self) -> bool {
        self.pod_str("os.name") == Some("windows")
    }

    /// `spec.hostUsers: false`: the pod runs in a user namespace, so root in the container is
    /// not root on the node. From policy v1.35 this relaxes runAsNonRoot, runAsUser and the
    /// baseline procMount check.
    pub fn in_user_namespace(&self) -> bool {
        self.pod_bool("hostUsers") == Some(false)
    }

    /// The pod's annotations, each key once (the last of duplicates, as Kubernetes keeps it).
    pub fn annotations(&self) -> impl Iterator<Item = &'a Entry> + 'a {
        let entries = match self.pod.metadata {
            Some(meta) => self
                .object(meta, "annotations", &|| self.metadata_base())
                .map_or(&[][..], Node::as_map),
            None => &[],
        };
        entries
            .iter()
            .enumerate()
            .filter(move |(i, e)| !entries[i + 1..].iter().any(|later| later.key == e.key))
            .map(|(_, e)| e)
    }

    /// An annotation's value: a string, or "" for null (a Go map of strings decodes null so).
    pub fn annotation_value(&self, entry: &'a Entry) -> Option<&'a str> {
        if entry.value.is_null() {
            return Some("");
        }
        self.string_node(&entry.value, &|| self.annotation_path(&entry.key))
    }

    pub fn annotation_path(&self, key: &str) -> FieldPath {
        let mut path = self.metadata_base();
        path.0.push(Segment::Key("annotations".to_string()));
        path.0.push(Segment::Key(key.to_string()));
        path
    }
}

/// Takes the next key off a dotted path (a hand-rolled split: this is the hottest loop).
fn next_key<'d>(rest: &mut &'d str) -> Option<&'d str> {
    loop {
        if rest.is_empty() {
            return None;
        }
        let (key, tail) = match rest.find('.') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (*rest, ""),
        };
        *rest = tail;
        if !key.is_empty() {
            return Some(key);
        }
    }
}

/// `base` plus the first `n` keys of `dotted` (all of them for `usize::MAX`).
fn extend(mut base: FieldPath, dotted: &str, n: usize) -> FieldPath {
    base.0.extend(
        dotted
            .split('.')
            .filter(|k| !k.is_empty())
            .take(n)
            .map(|k| Segment::Key(k.to_string())),
    );
    base
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

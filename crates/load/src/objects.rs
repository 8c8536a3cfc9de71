//! Documents to Kubernetes objects: `List` and `*List` flattened, identity fields checked.

use crate::yaml::{NotKubernetes, Problem};
use kcheck_model::{Node, Object, Source, Text, Value};
use std::sync::Arc;

/// Turns one document into objects. Problems (not an object, no kind, no name) are returned
/// beside the objects that could be taken.
pub fn document_objects(
    root: Node,
    file: &Arc<str>,
    document: u32,
    objects: &mut Vec<Object>,
    problems: &mut Vec<Problem>,
    passed_over: &mut Vec<NotKubernetes>,
) {
    // YAML that is no Kubernetes object at all (a mapping without apiVersion and kind) is not
    // an error: repositories hold docker-compose files, Helm values and CI definitions.
    if matches!(root.value, Value::Map(_))
        && root.get("apiVersion").is_none()
        && root.get("kind").is_none()
    {
        passed_over.push(NotKubernetes { pos: root.pos });
        return;
    }
    if !matches!(root.value, Value::Map(_)) {
        problems.push(Problem {
            pos: root.pos,
            message: Text::new(
                format!(
                    "document is not a Kubernetes object (it is {})",
                    describe(&root.value).0
                ),
                format!("文档不是 Kubernetes 对象(而是{})", describe(&root.value).1),
            ),
        });
        return;
    }
    let kind = root.str_at("kind").unwrap_or("");
    if is_list(kind, &root) {
        let list_kind = kind.to_string();
        let api_version = root.str_at("apiVersion").map(str::to_string);
        let Node { value, .. } = root;
        let Value::Map(entries) = value else { return };
        let items = entries
            .into_iter()
            .rev()
            .find(|e| e.key == "items")
            .map(|e| e.value);
        let Some(Node {
            value: Value::Seq(items),
            ..
        }) = items
        else {
            return;
        };
        // Items of a typed list (`PodList` from the API) carry no kind of their own.
        let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty());
        for (i, item) in items.into_iter().enumerate() {
            let source = Source::File {
                path: file.clone(),
                document,
                item: Some(u32::try_from(i).unwrap_or(u32::MAX)),
            };
            let item = with_defaults(item, item_kind, api_version.as_deref());
            take_object(item, source, objects, problems);
        }
        return;
    }
    let source = Source::File {
        path: file.clone(),
        document,
        item: None,
    };
    take_object(root, source, objects, problems);
}

fn is_list(kind: &str, root: &Node) -> bool {
    kind.ends_with("List") && matches!(root.get("items").map(|n| &n.value), Some(Value::Seq(_)))
}

fn with_defaults(mut item: Node, kind: Option<&str>, api_version: Option<&str>) -> Node {
    if let Value::Map(entries) = &mut item.value {
        let has = |entries: &[kcheck_model::Entry], k: &str| entries.iter().any(|e| e.key == k);
        if let (Some(kind), false) = (kind, has(entries, "kind")) {
            if kind != "List" {
                entries.push(kcheck_model::Entry {
                    key: "kind".into(),
                    key_pos: kcheck_model::Pos::NONE,
                    value: Node::new(kcheck_model::Pos::NONE, Value::String(kind.into())),
                });
            }
        }
        if let (Some(av), false) = (api_version, has(entries, "apiVersion")) {
            if kind.is_some_and(|k| k != "List") {
                entries.push(kcheck_model::Entry {
                    key: "apiVersion".into(),
                    key_pos: kcheck_model::Pos::NONE,
                    value: Node::new(kcheck_model::Pos::NONE, Value::String(av.into())),
                });
            }
        }
    }
    item
}

/// The annotation in which `kubectl apply` keeps the whole object it applied: for a Secret, its
/// values in clear text. Dropped when a Secret is read, in every mode, so that nothing can
/// echo them.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn drop_last_applied(root: &mut Node) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    for metadata in entries.iter_mut().filter(|e| e.key == "metadata") {
        let Value::Map(m) = &mut metadata.value.value else {
            continue;
        };
        for annotations in m.iter_mut().filter(|e| e.key == "annotations") {
            if let Value::Map(a) = &mut annotations.value.value {
                a.retain(|e| e.key != LAST_APPLIED);
            }
        }
    }
}

fn take_object(
    mut root: Node,
    source: Source,
    objects: &mut Vec<Object>,
    problems: &mut Vec<Problem>,
) {
    let pos = root.pos;
    if !matches!(root.value, Value::Map(_)) {
        problems.push(Problem {
            pos,
            message: Text::new(
                format!(
                    "list item is not a Kubernetes object (it is {})",
                    describe(&root.value).0
                ),
                format!(
                    "列表项不是 Kubernetes 对象(而是{})",
                    describe(&root.value).1
                ),
            ),
        });
        return;
    }
    let field = |key: &str| {
        root.str_at(key)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(kind), Some(api_version)) = (field("kind"), field("apiVersion")) else {
        let missing = match (field("kind"), field("apiVersion")) {
            (None, None) => "kind and apiVersion",
            (None, _) => "kind",
            _ => "apiVersion",
        };
        problems.push(Problem {
            pos,
            message: Text::new(
                format!("not a Kubernetes object: no {missing}"),
                format!("不是 Kubernetes 对象:缺少 {missing}"),
            ),
        });
        return;
    };
    let metadata = root.get("metadata");
    let name = metadata
        .and_then(|m| m.str_at("name"))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| {
            metadata
                .and_then(|m| m.str_at("generateName"))
                .filter(|s| !s.is_empty())
                .map(|g| format!("{g}*"))
        });
    let Some(name) = name else {
        let at = metadata.map_or(pos, |m| m.pos);
        problems.push(Problem {
            pos: at,
            message: Text::new(
                format!("{kind} has no metadata.name"),
                format!("{kind} 缺少 metadata.name"),
            ),
        });
        return;
    };
    let namespace = metadata
        .and_then(|m| m.str_at("namespace"))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if kind == "Secret" {
        drop_last_applied(&mut root);
    }
    objects.push(Object {
        api_version,
        kind,
        namespace,
        name,
        root,
        source,
    });
}

fn describe(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("empty", "空值"),
        Value::Bool(_) => ("a boolean", "布尔值"),
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => ("a number", "数字"),
        Value::String(_) => ("a string", "字符串"),
        Value::Seq(_) => ("a sequence", "序列"),
        Value::Map(_) => ("a mapping", "映射"),
    }
}

//! List items to objects, the same way for a live list and for a dump, so that both give the
//! same inventory: identity fields first, positions dropped, managed fields and Secret values
//! removed, the API path as the source.

use kcheck_model::{Entry, Node, Object, Pos, Source, Value};

/// A resource as discovery resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub resource: String,
    pub namespaced: bool,
}

impl Target {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    fn prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// The list path across all namespaces.
    pub fn collection_path(&self) -> String {
        format!("{}/{}", self.prefix(), self.resource)
    }

    /// An object's path, its source in the report.
    pub fn object_path(&self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{}/namespaces/{ns}/{}/{name}", self.prefix(), self.resource)
            }
            _ => format!("{}/{}/{name}", self.prefix(), self.resource),
        }
    }

    /// `pods`, `networkpolicies.networking.k8s.io`.
    pub fn qualified(&self) -> String {
        crate::kinds::qualified(&self.group, &self.resource)
    }

    pub fn is_secret(&self) -> bool {
        self.group.is_empty() && self.kind == "Secret"
    }
}

/// Secret types kcheck learns with a metadata list filtered by type (a metadata list carries no
/// type). A dump's Secrets keep only these types too, so that a dump and a live run agree.
pub const SECRET_TYPES: &[&str] = &["kubernetes.io/service-account-token", "Opaque"];

/// Turns one list item into an object of `target`, or says why it is not one.
pub fn object_from_item(
    mut item: Node,
    target: &Target,
    keep_secret_data: bool,
) -> Result<Object, &'static str> {
    let Value::Map(entries) = &mut item.value else {
        return Err("list item is not an object");
    };
    entries.retain(|e| e.key != "apiVersion" && e.key != "kind");
    if target.is_secret() {
        entries.retain(|e| {
            keep_secret_data
                || (e.key != "data" && e.key != "stringData" && e.key != "type")
                || (e.key == "type" && is_listed_secret_type(&e.value))
        });
    }
    let metadata = entries
        .iter_mut()
        .find(|e| e.key == "metadata")
        .ok_or("list item has no metadata")?;
    if let Value::Map(m) = &mut metadata.value.value {
        m.retain(|e| e.key != "managedFields");
        // `kubectl apply` keeps the whole object it applied, values included, in this
        // annotation, and metadata-only lists carry it: a Secret's is dropped with its data.
        if target.is_secret() && !keep_secret_data {
            for annotations in m.iter_mut().filter(|e| e.key == "annotations") {
                if let Value::Map(a) = &mut annotations.value.value {
                    a.retain(|e| e.key != LAST_APPLIED);
                }
            }
        }
    }
    let name = metadata
        .value
        .str_at("name")
        .filter(|n| !n.is_empty())
        .ok_or("list item has no name")?
        .to_string();
    let namespace = if target.namespaced {
        metadata
            .value
            .str_at("namespace")
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    } else {
        None
    };
    let api_version = target.api_version();
    entries.insert(0, entry("kind", string(&target.kind)));
    entries.insert(0, entry("apiVersion", string(&api_version)));
    forget_positions(&mut item);
    Ok(Object {
        source: Source::Api {
            path: target.object_path(namespace.as_deref(), &name).into(),
        },
        api_version,
        kind: target.kind.clone(),
        namespace,
        name,
        root: item,
    })
}

pub use kcheck_load::LAST_APPLIED;

fn is_listed_secret_type(value: &Node) -> bool {
    value.as_str().is_some_and(|t| SECRET_TYPES.contains(&t))
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.into(),
        key_pos: Pos::NONE,
        value,
    }
}

fn string(s: &str) -> Node {
    Node::new(Pos::NONE, Value::String(s.into()))
}

/// Sets the `type` of a Secret object learnt from a list filtered by type.
pub fn set_secret_type(object: &mut Object, secret_type: &str) {
    if let Value::Map(entries) = &mut object.root.value {
        entries.retain(|e| e.key != "type");
        entries.push(entry("type", string(secret_type)));
    }
}

/// API objects have no file positions: a page's line numbers mean nothing to a reader, and a
/// dump and a live run must give the same trees.
fn forget_positions(node: &mut Node) {
    let mut stack: Vec<&mut Node> = vec![node];
    while let Some(n) = stack.pop() {
        n.pos = Pos::NONE;
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_pos = Pos::NONE;
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// The order of an inventory from the API or a dump: by kind, namespace, name, apiVersion.
pub fn sort(objects: &mut [Object]) {
    objects.sort_by(|a, b| {
        (&a.kind, &a.namespace, &a.name, &a.api_version).cmp(&(
            &b.kind,
            &b.namespace,
            &b.name,
            &b.api_version,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(kind: &str, group: &str, resource: &str, namespaced: bool) -> Target {
        Target {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            resource: resource.into(),
            namespaced,
        }
    }

    fn node(json: &str) -> Node {
        Node::from_json(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn items_get_their_identity_and_path() {
        let t = target(
            "NetworkPolicy",
            "networking.k8s.io",
            "networkpolicies",
            true,
        );
        let o = object_from_item(
            node(r#"{"metadata":{"name":"a","namespace":"x","managedFields":[{}]},"spec":{}}"#),
            &t,
            false,
        )
        .unwrap();
        assert_eq!(o.api_version, "networking.k8s.io/v1");
        assert_eq!(
            o.source,
            Source::Api {
                path: "/apis/networking.k8s.io/v1/namespaces/x/networkpolicies/a".into()
            }
        );
        let keys: Vec<&str> = o.root.as_map().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
        assert!(o.metadata().unwrap().get("managedFields").is_none());
        let ns = object_from_item(
            node(r#"{"metadata":{"name":"x"}}"#),
            &target("Namespace", "", "namespaces", false),
            false,
        )
        .unwrap();
        assert_eq!(
            ns.source,
            Source::Api {
                path: "/api/v1/namespaces/x".into()
            }
        );
    }

    #[test]
    fn secret_values_never_stay_and_only_listed_types_do() {
        let t = target("Secret", "", "secrets", true);
        let o = object_from_item(
            node(r#"{"kind":"Secret","metadata":{"name":"s","namespace":"x"},"type":"kubernetes.io/tls","data":{"tls.key":"c2VjcmV0"},"stringData":{"a":"b"}}"#),
            &t,
            false,
        )
        .unwrap();
        let keys: Vec<&str> = o.root.as_map().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata"]);
        let kept = object_from_item(
            node(
                r#"{"metadata":{"name":"s","namespace":"x"},"type":"Opaque","data":{"k":"dg=="}}"#,
            ),
            &t,
            false,
        )
        .unwrap();
        assert_eq!(kept.root.str_at("type"), Some("Opaque"));
        assert!(kept.root.get("data").is_none());
        let with_data = object_from_item(
            node(r#"{"metadata":{"name":"s","namespace":"x"},"type":"kubernetes.io/tls","data":{"k":"dg=="}}"#),
            &t,
            true,
        )
        .unwrap();
        assert!(with_data.root.get("data").is_some());
    }

    #[test]
    fn the_copy_kubectl_apply_keeps_of_a_secret_is_dropped_with_its_values() {
        let applied = r#"{"metadata":{"name":"s","namespace":"x","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"stringData\":{\"password\":\"hunter2\"}}","team":"a"}}}"#;
        let secret = target("Secret", "", "secrets", true);
        let o = object_from_item(node(applied), &secret, false).unwrap();
        let annotations = o
            .root
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .unwrap();
        assert!(annotations.get(LAST_APPLIED).is_none());
        assert_eq!(annotations.str_at("team"), Some("a"));
        // Kept when values are asked for, and on other kinds.
        let o = object_from_item(node(applied), &secret, true).unwrap();
        assert!(o
            .root
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(LAST_APPLIED))
            .is_some());
        let cm = target("ConfigMap", "", "configmaps", true);
        let o = object_from_item(node(applied), &cm, false).unwrap();
        assert!(o
            .root
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(LAST_APPLIED))
            .is_some());
    }

    #[test]
    fn items_that_are_not_objects_are_refused() {
        let t = target("Pod", "", "pods", true);
        assert!(object_from_item(node("[1]"), &t, false).is_err());
        assert!(object_from_item(node("{}"), &t, false).is_err());
        assert!(object_from_item(node(r#"{"metadata":{"name":""}}"#), &t, false).is_err());
    }
}

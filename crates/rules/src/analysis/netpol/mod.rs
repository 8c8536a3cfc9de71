//! NetworkPolicy semantics over the inventory: which policies select a workload's pods, in which
//! direction, and which namespaces and pods a peer selects. Shared by the rules of items 2.2,
//! 2.3 and 2.6.

pub mod cidr;
pub mod connect;
pub mod coverage;
pub mod metadata;
pub mod policy;
pub mod selector;

pub use cidr::Cidr;
pub use policy::{namespace_labels, Direction, Peer, Policy, NAMESPACE_NAME_LABEL};
pub use selector::{labels_of, Labels, Selector};

use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::{Context, Sink};
use kcheck_model::{is_cluster_scoped, text, FieldPath, Inventory, Object, Segment};

/// The NetworkPolicies of one namespace, in inventory order.
pub fn policies_in<'a>(inventory: &'a Inventory, namespace: &str) -> Vec<Policy<'a>> {
    inventory
        .of_kind("NetworkPolicy")
        .filter(|o| namespace_of(o) == namespace)
        .filter_map(Policy::from_object)
        .collect()
}

/// The labels of a workload's pods: the Pod's own, or its template's.
pub fn pod_labels(workload: &Object) -> Labels {
    labels_of(
        workload
            .pod_spec()
            .and_then(|p| p.metadata)
            .and_then(|m| m.get("labels")),
    )
}

/// Where a finding about a workload's pod labels points: the template's `metadata.labels`
/// (or `metadata` when it has no labels).
pub fn pod_labels_path(workload: &Object) -> FieldPath {
    let Some(pod) = workload.pod_spec() else {
        return FieldPath::root();
    };
    let mut path = pod.path("");
    path.0.pop();
    path.0.push(Segment::Key("metadata".into()));
    if pod.metadata.and_then(|m| m.get("labels")).is_some() {
        path.0.push(Segment::Key("labels".into()));
    }
    path
}

/// The policies that select a workload's pods and isolate them in `direction`.
pub fn policies_selecting<'a>(
    inventory: &'a Inventory,
    workload: &Object,
    direction: Direction,
) -> Vec<Policy<'a>> {
    let namespace = namespace_of(workload);
    let labels = pod_labels(workload);
    policies_in(inventory, namespace)
        .into_iter()
        .filter(|p| p.has_type(direction) && p.selects(namespace, &labels))
        .collect()
}

/// Every namespace the inventory knows: from Namespace objects and from namespaced objects
/// (those that name none land in `default`), sorted.
pub fn known_namespaces(inventory: &Inventory) -> Vec<&str> {
    let mut names: Vec<&str> = inventory
        .objects()
        .iter()
        .filter_map(|o| match o.kind.as_str() {
            "Namespace" => Some(o.name.as_str()),
            kind if is_cluster_scoped(kind) => None,
            _ => Some(namespace_of(o)),
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The known namespaces a namespaceSelector selects.
pub fn namespaces_selected<'a>(inventory: &'a Inventory, selector: &Selector) -> Vec<&'a str> {
    known_namespaces(inventory)
        .into_iter()
        .filter(|name| {
            let object = inventory.get("Namespace", None, name);
            selector.matches(&namespace_labels(object, name))
        })
        .collect()
}

/// "labels app=web,tier=a" / "标签 app=web,tier=a", or "no labels" / "无标签".
fn describe_labels(labels: &Labels) -> (String, String) {
    if labels.is_empty() {
        return ("no labels".into(), "无标签".into());
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let pairs = pairs.join(",");
    (format!("labels {pairs}"), format!("标签 {pairs}"))
}

/// KC205 and KC206: reports a workload that no policy isolates in `direction`, or that a policy
/// selecting it opens to everything in that direction ([`Policy::opens_everything`]). A policy
/// with an empty podSelector (a namespace default) counts.
pub(crate) fn check_workload(
    object: &Object,
    ctx: &Context,
    sink: &mut Sink,
    direction: Direction,
) {
    if object.pod_spec().is_none() {
        return;
    }
    let namespace = namespace_of(object);
    if is_exempt(ctx, namespace) {
        return;
    }
    sink.examined();
    let labels = pod_labels(object);
    let policies = ctx.network_policies(namespace);
    let mut selecting = policies
        .iter()
        .filter(|p| p.has_type(direction) && p.selects(namespace, &labels))
        .peekable();
    if selecting.peek().is_some() {
        // Selected, but one of the policies opens everything: policies add up, so the pods are
        // not restricted in this direction whatever the others say.
        if let Some((p, rule)) =
            selecting.find_map(|p| p.opens_everything(direction).map(|r| (p, r)))
        {
            let (kind, name, policy) = (&object.kind, &object.name, &p.object.name);
            let (field, zh) = (direction.field(), direction.zh());
            sink.fail(
                object,
                pod_labels_path(object),
                text!(
                    "{kind} \"{name}\": NetworkPolicy \"{policy}\" selects its pods and its rule {field}[{rule}] allows all {field} traffic on every port, so no policy restricts their {field} traffic (policies add up)",
                    "{kind} \"{name}\":NetworkPolicy \"{policy}\" 选中了其 Pod，且其规则 {field}[{rule}] 在所有端口上放行全部{zh}流量，因此其{zh}流量不受任何策略限制（网络策略是叠加生效的）",
                ),
            );
        }
        return;
    }
    let (kind, name) = (&object.kind, &object.name);
    let (labels, labels_zh) = describe_labels(&labels);
    let (ty, zh, field) = (direction.policy_type(), direction.zh(), direction.field());
    let none_here = policies.is_empty();
    let message = match (direction, none_here) {
        (Direction::Ingress, true) => text!(
            "{kind} \"{name}\": no NetworkPolicy of type {ty} selects its pods (namespace \"{namespace}\" has none), so any source may connect to them",
            "{kind} \"{name}\"：没有 {ty} 类型的 NetworkPolicy 选中其 Pod（名字空间 \"{namespace}\" 中没有任何网络策略），任何来源都可以连接它们",
        ),
        (Direction::Egress, true) => text!(
            "{kind} \"{name}\": no NetworkPolicy of type {ty} selects its pods (namespace \"{namespace}\" has none), so they may connect anywhere, the cloud metadata API included",
            "{kind} \"{name}\"：没有 {ty} 类型的 NetworkPolicy 选中其 Pod（名字空间 \"{namespace}\" 中没有任何网络策略），它们可以连接任何地方，包括云元数据 API",
        ),
        (_, false) => text!(
            "{kind} \"{name}\": no NetworkPolicy of type {ty} in namespace \"{namespace}\" selects its pods ({labels}), so their {field} traffic is not restricted",
            "{kind} \"{name}\"：名字空间 \"{namespace}\" 中没有 {ty} 类型的 NetworkPolicy 选中其 Pod（{labels_zh}），其{zh}流量不受限制",
        ),
    };
    sink.fail(object, pod_labels_path(object), message);
}

/// A document parsed as the loader parses files (tests only).
#[cfg(test)]
pub(crate) fn test_node(text: &str) -> kcheck_model::Node {
    let parsed = kcheck_load::parse_documents(text, &kcheck_load::Limits::default());
    match parsed.documents.into_iter().next() {
        Some(kcheck_load::DocOutcome::Node(node)) => node,
        _ => panic!("not a document: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::Source;

    fn object(json: &str) -> Object {
        let root = test_node(json);
        let meta = root.get("metadata");
        Object {
            api_version: root.str_at("apiVersion").unwrap_or("v1").into(),
            kind: root.str_at("kind").unwrap().into(),
            namespace: meta.and_then(|m| m.str_at("namespace")).map(Into::into),
            name: meta.and_then(|m| m.str_at("name")).unwrap_or("").into(),
            root,
            source: Source::Api { path: "/x".into() },
        }
    }

    fn inventory() -> Inventory {
        Inventory::new(vec![
            object(
                r#"{"kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "a"}}}"#,
            ),
            object(
                r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
                    "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}"#,
            ),
            object(
                r#"{"kind": "Pod", "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"}},
                    "spec": {"containers": []}}"#,
            ),
            object(r#"{"kind": "Pod", "metadata": {"name": "loose"}, "spec": {"containers": []}}"#),
            object(
                r#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": "web-in", "namespace": "shop"},
                    "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}]}}"#,
            ),
            object(
                r#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": "deny-egress", "namespace": "shop"},
                    "spec": {"podSelector": {}, "policyTypes": ["Egress"]}}"#,
            ),
        ])
    }

    fn names<'a>(policies: Vec<Policy<'a>>) -> Vec<&'a str> {
        policies.iter().map(|p| p.object.name.as_str()).collect()
    }

    #[test]
    fn which_policies_select_a_workload() {
        let inv = inventory();
        let web = inv.get("Deployment", Some("shop"), "web").unwrap();
        let db = inv.get("Pod", Some("shop"), "db").unwrap();
        let loose = inv.get("Pod", None, "loose").unwrap();
        assert_eq!(
            names(policies_selecting(&inv, web, Direction::Ingress)),
            ["web-in"]
        );
        assert_eq!(
            names(policies_selecting(&inv, web, Direction::Egress)),
            ["deny-egress"]
        );
        assert!(policies_selecting(&inv, db, Direction::Ingress).is_empty());
        assert_eq!(
            names(policies_selecting(&inv, db, Direction::Egress)),
            ["deny-egress"]
        );
        assert!(policies_selecting(&inv, loose, Direction::Egress).is_empty());
        assert_eq!(pod_labels(web).get("app").map(String::as_str), Some("web"));
        assert_eq!(
            pod_labels_path(web).to_string(),
            "spec.template.metadata.labels"
        );
        assert_eq!(pod_labels_path(db).to_string(), "metadata.labels");
        assert_eq!(pod_labels_path(loose).to_string(), "metadata");
    }

    #[test]
    fn namespaces_are_known_and_selected_by_labels() {
        let inv = inventory();
        assert_eq!(known_namespaces(&inv), ["default", "shop"]);
        let sel = |json: &str| Selector::parse(&test_node(json));
        assert_eq!(
            namespaces_selected(&inv, &sel(r#"{"matchLabels": {"team": "a"}}"#)),
            ["shop"]
        );
        assert_eq!(
            namespaces_selected(
                &inv,
                &sel(r#"{"matchLabels": {"kubernetes.io/metadata.name": "default"}}"#)
            ),
            ["default"]
        );
        assert_eq!(namespaces_selected(&inv, &sel("{}")), ["default", "shop"]);
    }
}

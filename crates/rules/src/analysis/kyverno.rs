//! Reading Kyverno policies (ClusterPolicy, Policy): which namespaces a rule reaches for pods,
//! and whether it blocks or only reports. Shared by item 7.3 (image verification) and item 8.2
//! (pod security enforced by a policy engine).

use crate::analysis::label_selector as selector;
use kcheck_model::{Node, Object};

/// How much of a namespace's pods a rule reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    None,
    /// Some pods only: a pod selector, names, excluded users, or kinds other than Pod.
    Partial,
    Full,
}

/// `*` (any run of characters) and `?` (one character), as Kyverno matches names and images.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    crate::waivers::glob(pattern, text)
}

/// Whether a policy's action is `Enforce` (Kyverno accepts either case); `Audit` is the default.
pub fn enforces(action: Option<&str>) -> bool {
    action.is_some_and(|a| a.eq_ignore_ascii_case("enforce"))
}

/// The policy-wide `validationFailureAction`.
pub fn policy_action(policy: &Object) -> Option<&str> {
    policy
        .root
        .path(&["spec", "validationFailureAction"])
        .and_then(Node::as_str)
}

/// The rules of a policy, with their index in `spec.rules`.
pub fn rules(policy: &Object) -> impl Iterator<Item = (usize, &Node)> {
    policy
        .root
        .path(&["spec", "rules"])
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// A resource filter (`match.any[]`, `match.all[]`, the older `match.resources`), for a pod in
/// a namespace with these labels.
fn filter_reach(filter: &Node, namespace: &str, labels: &[kcheck_model::Entry]) -> Reach {
    let resources = filter.get("resources").unwrap_or(filter);
    let kinds = strings(resources.get("kinds"));
    let pod_kind = |k: &&str| {
        let k = k.rsplit('/').next().unwrap_or(k);
        k == "Pod" || k == "*"
    };
    let kind_reach = if kinds.is_empty() || kinds.iter().any(pod_kind) {
        Reach::Full
    } else if kinds.iter().any(|k| {
        let k = k.rsplit('/').next().unwrap_or(k);
        matches!(
            k,
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "ReplicaSet"
        )
    }) {
        Reach::Partial
    } else {
        return Reach::None;
    };
    let namespaces = strings(resources.get("namespaces"));
    if !namespaces.is_empty() && !namespaces.iter().any(|p| wildcard(p, namespace)) {
        return Reach::None;
    }
    if let Some(sel) = resources.get("namespaceSelector") {
        if !selector::matches(sel, labels) {
            return Reach::None;
        }
    }
    let narrowed = resources.get("selector").is_some()
        || resources.get("names").is_some()
        || resources.get("name").is_some()
        || ["subjects", "roles", "clusterRoles"]
            .iter()
            .any(|k| filter.get(k).is_some());
    if narrowed {
        Reach::Partial
    } else {
        kind_reach
    }
}

/// How far a `match` or `exclude` block reaches a namespace's pods: `any` is the best of its
/// filters, `all` the worst, the older form is one filter.
fn block_reach(block: &Node, namespace: &str, labels: &[kcheck_model::Entry]) -> Reach {
    let mut parts = Vec::new();
    if let Some(any) = block.get("any") {
        parts.push(
            any.as_seq()
                .iter()
                .map(|f| filter_reach(f, namespace, labels))
                .max()
                .unwrap_or(Reach::None),
        );
    }
    if let Some(all) = block.get("all") {
        parts.push(
            all.as_seq()
                .iter()
                .map(|f| filter_reach(f, namespace, labels))
                .min()
                .unwrap_or(Reach::None),
        );
    }
    if block.get("resources").is_some()
        || ["subjects", "roles", "clusterRoles"]
            .iter()
            .any(|k| block.get(k).is_some())
    {
        parts.push(filter_reach(block, namespace, labels));
    }
    parts.into_iter().min().unwrap_or(Reach::None)
}

/// How far a rule of `policy` reaches the pods of `namespace` (its Namespace's labels given):
/// what `match` selects, less what `exclude` removes. A namespaced Policy reaches its own
/// namespace only.
pub fn rule_reach(
    policy: &Object,
    rule: &Node,
    namespace: &str,
    labels: &[kcheck_model::Entry],
) -> Reach {
    if policy.kind == "Policy" && policy.namespace.as_deref() != Some(namespace) {
        return Reach::None;
    }
    let Some(matched) = rule.get("match") else {
        return Reach::None;
    };
    let reach = block_reach(matched, namespace, labels);
    if reach == Reach::None {
        return reach;
    }
    let Some(exclude) = rule.get("exclude") else {
        return reach;
    };
    match block_reach(exclude, namespace, labels) {
        Reach::Full => Reach::None,
        Reach::Partial => Reach::Partial,
        Reach::None => reach,
    }
}

/// Whether `validationFailureActionOverrides` turns a namespace back to Audit.
pub fn audited_by_override(
    policy: &Object,
    namespace: &str,
    labels: &[kcheck_model::Entry],
) -> bool {
    policy
        .root
        .path(&["spec", "validationFailureActionOverrides"])
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter(|o| !enforces(o.str_at("action")))
        .any(|o| {
            let by_name = strings(o.get("namespaces"))
                .iter()
                .any(|p| wildcard(p, namespace));
            let by_selector = o
                .get("namespaceSelector")
                .is_some_and(|s| selector::matches(s, labels));
            by_name || by_selector
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("ghcr.io/acme/*", "ghcr.io/acme/web:1.2"));
        assert!(wildcard("*", ""));
        assert!(wildcard("prod-?", "prod-a"));
        assert!(!wildcard("prod-?", "prod-ab"));
        assert!(wildcard("*.io/*/web*", "ghcr.io/acme/web"));
        assert!(!wildcard("ghcr.io/acme/*", "docker.io/acme/web"));
    }
}

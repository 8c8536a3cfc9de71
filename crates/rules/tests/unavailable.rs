//! Kinds a run could not list: the items whose rules read them never pass.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inputs, Inventory, Status, Text, Unavailable, UnavailableCause};
use kcheck_rules::{registry, Engine};

const OBJECTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
"#;

fn unavailable(kind: &str, resource: &str) -> Unavailable {
    Unavailable {
        kind: kind.into(),
        resource: resource.into(),
        cause: UnavailableCause::Forbidden,
        reason: Text::new(
            format!("forbidden: list {resource}"),
            format!("无权限：list {resource}"),
        ),
    }
}

fn run(unseen: Vec<Unavailable>) -> kcheck_model::Report {
    let loaded = load_bytes("objects.yaml", OBJECTS.as_bytes(), &Limits::default());
    assert!(loaded.inputs.diagnostics.is_empty());
    let inventory = Inventory::new(loaded.objects);
    let inputs = Inputs {
        unavailable: unseen,
        ..Inputs::default()
    };
    Engine::default().run(&inventory, &[Evidence::Objects, Evidence::Cluster], inputs)
}

fn item<'r>(report: &'r kcheck_model::Report, id: &str) -> &'r kcheck_model::ItemResult {
    report.items.iter().find(|i| i.item.id == id).unwrap()
}

#[test]
fn an_item_that_passes_with_everything_seen_is_not_evaluated_when_a_kind_it_reads_is_forbidden() {
    let seen = run(Vec::new());
    assert_eq!(
        item(&seen, "2.3").status,
        Status::Pass,
        "{:?}",
        item(&seen, "2.3").reason
    );

    let blind = run(vec![unavailable(
        "NetworkPolicy",
        "networkpolicies.networking.k8s.io",
    )]);
    let r = item(&blind, "2.3");
    assert_eq!(r.status, Status::NotEvaluated);
    let reason = r.reason.as_ref().unwrap();
    assert_eq!(
        reason.en,
        "could not see: forbidden: list networkpolicies.networking.k8s.io"
    );
    assert!(reason.zh.starts_with("无法查看："));
    // Items that read nothing unseen are unchanged.
    assert_eq!(item(&blind, "1.6").status, item(&seen, "1.6").status);
}

#[test]
fn a_failure_found_in_what_was_seen_stands_and_says_it_is_incomplete() {
    // The wildcard ClusterRole fails 1.6 whatever the bindings are.
    let report = run(vec![unavailable(
        "ClusterRoleBinding",
        "clusterrolebindings.rbac.authorization.k8s.io",
    )]);
    let r = item(&report, "1.6");
    assert_eq!(r.status, Status::Fail);
    assert!(r
        .reason
        .as_ref()
        .unwrap()
        .en
        .starts_with("incomplete, could not see: forbidden"));
}

#[test]
fn a_failure_that_may_come_from_what_was_not_seen_is_not_a_verdict() {
    // Without the NetworkPolicies, every workload would look uncovered (item 2.2).
    let yaml = format!(
        "{OBJECTS}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: web, namespace: shop}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n"
    );
    let loaded = load_bytes("objects.yaml", yaml.as_bytes(), &Limits::default());
    let inventory = Inventory::new(
        loaded
            .objects
            .into_iter()
            .filter(|o| o.kind != "NetworkPolicy")
            .collect(),
    );
    let inputs = Inputs {
        unavailable: vec![unavailable(
            "NetworkPolicy",
            "networkpolicies.networking.k8s.io",
        )],
        ..Inputs::default()
    };
    let report = Engine::default().run(&inventory, &[Evidence::Objects], inputs);
    let r = item(&report, "2.2");
    assert_eq!(r.status, Status::NotEvaluated, "{:?}", r.reason);
    assert!(!r.findings.is_empty(), "the findings are still reported");
}

#[test]
fn every_kind_a_rule_reads_is_a_kind_name() {
    for rule in registry::all() {
        for kind in rule.kinds_read() {
            assert!(
                kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && kind.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}: {kind}",
                rule.code
            );
        }
    }
}

#[test]
fn the_cluster_evidence_table_names_the_items_a_kind_leaves_unjudged() {
    // 2.1 reads DaemonSets (the network plugin); a run that could not list them cannot judge it.
    let report = run(vec![unavailable("DaemonSet", "daemonsets.apps")]);
    let r = item(&report, "2.1");
    assert_eq!(r.status, Status::NotEvaluated);
    assert!(
        r.reason
            .as_ref()
            .unwrap()
            .en
            .contains("forbidden: list daemonsets.apps"),
        "{:?}",
        r.reason
    );
}

//! An item passes only when every rule of it could look: a rule that examined nothing and said
//! why (a node scan without the PKI, control-plane flags read from the API without the files)
//! keeps the item not evaluated, with that reason, even when another rule of the item looked
//! and found nothing.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inputs, Inventory, Status};
use kcheck_node::testing::NodeTree;
use kcheck_rules::Engine;
#[path = "support/mod.rs"]
mod support;
use support::rule;

const BINDINGS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: view-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: team}
"#;

fn item_1_1(tree: NodeTree) -> (Status, String) {
    let facts = tree.facts();
    let loaded = load_bytes("bindings.yaml", BINDINGS.as_bytes(), &Limits::default());
    let inventory = Inventory::new(loaded.objects);
    let report = Engine::default().run_with_node(
        &inventory,
        Some(&facts),
        &[Evidence::Objects, Evidence::Node],
        Inputs::default(),
    );
    let item = report.items.iter().find(|i| i.item.id == "1.1").unwrap();
    (
        item.status,
        item.reason
            .as_ref()
            .map_or(String::new(), |r| r.en.to_string()),
    )
}

#[test]
fn a_rule_that_could_not_look_keeps_a_clean_item_from_passing() {
    // Everything there: the bindings and the node's kubeconfigs are clean.
    let (status, reason) = item_1_1(NodeTree::secure());
    assert_eq!(status, Status::Pass, "{reason}");
    // No kubeconfigs and no PKI on the node: KC101 saw a clean binding, KC107 saw nothing.
    let bare = NodeTree::secure()
        .remove("/etc/kubernetes/pki")
        .remove("/etc/kubernetes/admin.conf")
        .remove("/etc/kubernetes/controller-manager.conf")
        .remove("/etc/kubernetes/scheduler.conf")
        .remove("/etc/kubernetes/kubelet.conf")
        .remove("/var/lib/kubelet/pki")
        .remove("/etc/kubernetes/admission/webhook-kubeconfig.yaml");
    let (status, reason) = item_1_1(bare);
    assert_eq!(status, Status::NotEvaluated, "{reason}");
    assert!(
        reason.starts_with("no problem in what was checked; "),
        "{reason}"
    );
}

/// Item 1.5 over the bindings alone, as a scan of manifests and as a cluster.
fn item_1_5(evidence: &[Evidence]) -> (Status, String) {
    let loaded = load_bytes("bindings.yaml", BINDINGS.as_bytes(), &Limits::default());
    let report =
        Engine::default().run(&Inventory::new(loaded.objects), evidence, Inputs::default());
    let item = report.items.iter().find(|i| i.item.id == "1.5").unwrap();
    (
        item.status,
        item.reason
            .as_ref()
            .map_or(String::new(), |r| r.en.to_string()),
    )
}

#[test]
fn a_missing_access_review_record_fails_a_cluster_and_leaves_a_scan_not_evaluated() {
    // An application repository holds bindings, not the cluster's review record.
    assert_eq!(
        item_1_5(&[Evidence::Objects]),
        (
            Status::NotEvaluated,
            "not examined: no access-review record in the input: add it (kcheck access-review --record writes it) or audit the cluster with kcheck cluster".to_string()
        )
    );
    // A cluster without one has not recorded a review.
    assert_eq!(
        item_1_5(&[Evidence::Objects, Evidence::Cluster]).0,
        Status::Fail
    );
}

/// A cluster audit that read Secrets as metadata only (no `--read-secret-data`) cannot see the
/// certificates and keys in them: items 1.3 and 1.4 say so, and pass on nothing.
#[test]
fn secret_values_not_read_leave_certificate_items_not_examined() {
    let metadata_only =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: web-tls, namespace: shop}\n";
    let run = |yaml: &str, evidence: &[Evidence]| {
        let loaded = load_bytes("secrets.yaml", yaml.as_bytes(), &Limits::default());
        let inventory = Inventory::new(loaded.objects);
        let rules = vec![rule("KC111"), rule("KC112")];
        Engine::new(rules).run(&inventory, evidence, Inputs::default())
    };
    let cluster = run(metadata_only, &[Evidence::Objects, Evidence::Cluster]);
    for (id, code) in [("1.3", "KC112"), ("1.4", "KC111")] {
        let item = cluster.items.iter().find(|i| i.item.id == id).unwrap();
        assert_eq!(item.status, Status::NotEvaluated, "{id}");
        let notes: Vec<_> = cluster
            .notes_of(item, kcheck_model::NoteKind::NotExamined)
            .collect();
        assert_eq!(notes.len(), 1, "{id}");
        assert_eq!(notes[0].code, code);
        assert!(
            notes[0].message.en.contains("--read-secret-data"),
            "{}",
            notes[0].message.en
        );
    }
    // Manifests: a Secret without values is just that, and says nothing.
    let scan = run(metadata_only, &[Evidence::Objects]);
    assert!(scan.notes.is_empty() && scan.findings.is_empty());
}

//! The cluster-evidence rules (KC214, KC215, KC609, KC703, KC704, KC808) as the engine judges
//! their items: what makes an item not evaluated rather than passed, what can only warn, and
//! how KC808 reads Pod Security Admission from a node scan in the same run.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{Evidence, Inputs, Inventory, Level, NodeFacts, Report, Status};
use kcheck_node::testing::NodeTree;
use kcheck_rules::{registry, Engine, Rule};

fn inventory(yaml: &str) -> Inventory {
    let loaded = load_bytes("cluster.yaml", yaml.as_bytes(), &Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    Inventory::new(loaded.objects)
}

fn cluster_rules() -> Vec<&'static Rule> {
    registry::all()
        .iter()
        .copied()
        // KC704 judges scan results wherever they are found, manifests included.
        .filter(|r| r.evidence == Evidence::Cluster || r.code == "KC704")
        .collect()
}

fn run(yaml: &str, node: Option<&NodeFacts>) -> Report {
    let mut evidence = vec![Evidence::Objects, Evidence::Cluster];
    if node.is_some() {
        evidence.push(Evidence::Node);
    }
    Engine::new(cluster_rules()).run_with_node(&inventory(yaml), node, &evidence, Inputs::default())
}

fn item<'r>(report: &'r Report, id: &str) -> &'r kcheck_model::ItemResult {
    report.items.iter().find(|i| i.item.id == id).expect("item")
}

fn codes(report: &Report, level: Level) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.level == level)
        .map(|f| {
            format!(
                "{} {}",
                f.code,
                f.object.as_ref().map_or("-".into(), ToString::to_string)
            )
        })
        .collect()
}

const KUBE_SYSTEM: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system}
spec:
  template:
    spec:
      containers:
      - {name: kube-proxy, image: registry.k8s.io/kube-proxy:v1.31.0}
";

#[test]
fn nothing_listed_is_not_evaluated() {
    let r = run(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\n",
        None,
    );
    for id in ["2.1", "2.4", "6.3", "7.4", "8.2"] {
        assert_eq!(item(&r, id).status, Status::NotEvaluated, "{id}");
    }
    assert!(r.findings.is_empty());
}

#[test]
fn without_a_scanner_item_7_4_says_why() {
    let r = run(KUBE_SYSTEM, None);
    let i = item(&r, "7.4");
    assert_eq!(i.status, Status::NotEvaluated);
    let reason = i.reason.as_ref().expect("reason");
    assert!(reason.en.contains("trivy-operator"), "{}", reason.en);
    // A scan of the same manifests does not expect scan results there: it needs the cluster.
    let scan = Engine::new(cluster_rules()).run(
        &inventory(KUBE_SYSTEM),
        &[Evidence::Objects],
        Inputs::default(),
    );
    let i = item(&scan, "7.4");
    assert_eq!(i.status, Status::NotEvaluated);
    assert_eq!(
        i.reason.as_ref().map(|r| r.en.as_ref()),
        Some("needs a live cluster: kcheck cluster")
    );
    assert!(scan.notes.is_empty() && scan.findings.is_empty());
    // An unknown plugin warns; no encryption warns; no store with no Secrets passes.
    assert_eq!(item(&r, "2.1").status, Status::Warn);
    assert_eq!(item(&r, "2.4").status, Status::Warn);
    assert_eq!(item(&r, "6.3").status, Status::Pass);
}

#[test]
fn secret_stores_never_fail() {
    let mut yaml = KUBE_SYSTEM.to_string();
    for i in 0..50 {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s{i}, namespace: shop}}\ntype: Opaque\n"
        ));
    }
    let r = run(&yaml, None);
    assert_eq!(item(&r, "6.3").status, Status::Warn);
    assert!(codes(&r, Level::Fail)
        .iter()
        .all(|c| !c.starts_with("KC609")));
}

const UNLABELLED: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop}
";

const RESTRICTED: &str = "
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted}
";

#[test]
fn pod_security_defaults_from_a_node_scan() {
    // Without a node scan the defaults are unknown: a warning.
    let r = run(UNLABELLED, None);
    assert_eq!(codes(&r, Level::Warn), vec!["KC808 Namespace shop"]);

    // kubeadm's API server has no PodSecurity defaults: nothing protects the namespace.
    let kubeadm = NodeTree::kubeadm_default().facts();
    let r = run(UNLABELLED, Some(&kubeadm));
    assert_eq!(codes(&r, Level::Fail), vec!["KC808 Namespace shop"]);
    assert_eq!(item(&r, "8.2").status, Status::Fail);

    // The hardened tree enforces a default level: unlabelled namespaces are covered.
    let secure = NodeTree::secure().facts();
    let r = run(UNLABELLED, Some(&secure));
    assert!(codes(&r, Level::Fail).is_empty() && codes(&r, Level::Warn).is_empty());

    // With PodSecurity off, labels enforce nothing.
    let off = NodeTree::secure()
        .flag(
            ComponentKind::ApiServer,
            "disable-admission-plugins",
            "PodSecurity",
        )
        .facts();
    let r = run(RESTRICTED, Some(&off));
    assert_eq!(codes(&r, Level::Fail), vec!["KC808 Namespace shop"]);
    let r = run(RESTRICTED, Some(&secure));
    assert!(codes(&r, Level::Fail).is_empty());
}

#[test]
fn flannel_next_to_calico_passes() {
    let yaml = format!(
        "{KUBE_SYSTEM}---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: kube-flannel-ds, namespace: kube-flannel}}
spec:
  template:
    spec:
      containers:
      - {{name: kube-flannel, image: docker.io/flannel/flannel:v0.25.6}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: calico-node, namespace: kube-system}}
spec:
  template:
    spec:
      containers:
      - {{name: calico-node, image: quay.io/calico/node:v3.28.0}}
"
    );
    let r = run(&yaml, None);
    assert_eq!(item(&r, "2.1").status, Status::Pass);
    assert_eq!(
        r.notes
            .iter()
            .filter(|n| n.code == "KC214" && n.kind == kcheck_model::NoteKind::Evidence)
            .count(),
        1
    );
}

/// KC113: a binding to a missing role is only information in manifests (the role may live in
/// another repository), a warning in a whole cluster where only cluster administrators may
/// create the role.
#[test]
fn a_binding_to_a_missing_role_informs_in_manifests_and_warns_in_a_cluster() {
    let yaml = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: exporter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exporter-v1}
subjects:
- {kind: ServiceAccount, name: exporter, namespace: monitoring}
";
    let rule = registry::by_code("KC113").unwrap();
    let levels = |evidence: &[Evidence]| -> Vec<Level> {
        Engine::new(vec![rule])
            .run(&inventory(yaml), evidence, Inputs::default())
            .findings
            .iter()
            .map(|f| f.level)
            .collect()
    };
    assert_eq!(levels(&[Evidence::Objects]), [Level::Info]);
    assert_eq!(
        levels(&[Evidence::Objects, Evidence::Cluster]),
        [Level::Warn]
    );
}

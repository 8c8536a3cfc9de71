//! An object's findings share one identity (`Arc<ObjectRef>`) instead of copying four strings
//! each: a 200k-object cluster has half a million findings.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inputs, Inventory};
use kcheck_rules::Engine;
use std::sync::Arc;

const PODS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: first, namespace: shop}
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx
    securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata: {name: second, namespace: shop}
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx:latest
"#;

#[test]
fn findings_of_one_object_share_its_identity() {
    let loaded = load_bytes("pods.yaml", PODS.as_bytes(), &Limits::default());
    let inventory = Inventory::new(loaded.objects);
    let report = Engine::default().run(&inventory, &[Evidence::Objects], Inputs::default());
    // A run over an inventory holds its findings in memory, where identities are shared.
    let findings = report.findings.in_memory().expect("in memory");
    for name in ["first", "second"] {
        // KC207 reports a namespace on the skeleton of its first workload, gathered before the
        // workload's file was dropped: one finding per namespace, with an identity of its own.
        let of_pod: Vec<_> = findings
            .iter()
            .filter(|f| f.code != "KC207")
            .filter_map(|f| f.object.as_ref())
            .filter(|o| o.kind == "Pod" && o.name == name)
            .collect();
        assert!(of_pod.len() >= 4, "{name}: {} findings", of_pod.len());
        assert!(
            of_pod.iter().all(|o| Arc::ptr_eq(o, of_pod[0])),
            "{name}: every finding points at the same identity"
        );
        assert_eq!(of_pod[0].namespace.as_deref(), Some("shop"));
    }
    let first = findings
        .iter()
        .find_map(|f| f.object.as_ref().filter(|o| o.name == "first"));
    let second = findings
        .iter()
        .find_map(|f| f.object.as_ref().filter(|o| o.name == "second"));
    assert!(!Arc::ptr_eq(first.unwrap(), second.unwrap()));
}

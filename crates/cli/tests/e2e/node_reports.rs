//! Issue 19: every node's evidence in one cluster report. Three generated node trees (a hardened
//! control-plane node, a hardened worker, a worker whose kubelet drifted) are scanned with
//! `kcheck node --root` and published as the DaemonSet of deploy/node-scan publishes them: with
//! its ServiceAccount's token and nothing more. `kcheck cluster` against the real API server
//! then merges them with what the API shows, and decides every item.

use crate::plane::ControlPlane;
use crate::{ensure, item};
use kcheck_node::testing::NodeTree;
use libtest_mimic::Failed;

const NODES: &str = r#"apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: e2e-cp-1
    labels: {node-role.kubernetes.io/control-plane: ""}
- apiVersion: v1
  kind: Node
  metadata: {name: e2e-worker-1}
- apiVersion: v1
  kind: Node
  metadata: {name: e2e-worker-2}
"#;

/// deploy/node-scan's namespace, RBAC and admission policy.
fn install_scanner(plane: &ControlPlane) {
    let _ = plane.kubectl(&["create", "namespace", "kcheck"]);
    for f in [
        "00-namespace.yaml",
        "10-rbac.yaml",
        "30-admission-policy.yaml",
    ] {
        let path = plane.root.join("deploy/node-scan").join(f);
        plane.kubectl_ok(&["apply", "-f", path.to_str().unwrap()]);
    }
}

/// A kubeconfig with the token of a DaemonSet pod on `node`: the pod as the scheduler would
/// place it (nothing runs it here), the token bound to it as the kubelet's projected token is,
/// so that the API server knows the node it comes from.
fn scanner_on(plane: &ControlPlane, node: &str) -> std::path::PathBuf {
    let pod = format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: scanner-{node}, namespace: kcheck-node-scan}}
spec:
  serviceAccountName: kcheck-node-scan
  nodeName: {node}
  containers:
  - {{name: kcheck, image: registry.example.invalid/kcheck:0.1.0}}
"
    );
    let out = plane.kubectl_as(&plane.admin, &["apply", "-f", "-"], Some(pod.as_bytes()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pod_name = format!("scanner-{node}");
    plane.service_account_kubeconfig(
        "kcheck-node-scan",
        "kcheck-node-scan",
        &format!("node-scan-{node}.kubeconfig"),
        &[
            "--bound-object-kind",
            "Pod",
            "--bound-object-name",
            &pod_name,
        ],
    )
}

/// `kcheck node --publish kcheck` of `root` as node `name` with `kubeconfig`.
fn publish(
    plane: &ControlPlane,
    root: &str,
    name: &str,
    kubeconfig: &std::path::Path,
) -> crate::plane::Run {
    let proc_dir = format!("{root}/proc");
    plane.kcheck(&[
        "node",
        "--root",
        root,
        "--proc",
        &proc_dir,
        "--node-name",
        name,
        "--publish",
        "kcheck",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--format",
        "json",
    ])
}

pub fn every_item_decided_with_node_reports(plane: &ControlPlane) -> Result<(), Failed> {
    let out = plane.kubectl_as(&plane.admin, &["apply", "-f", "-"], Some(NODES.as_bytes()));
    ensure(out.status.success(), || {
        format!("nodes: {}", String::from_utf8_lossy(&out.stderr))
    })?;
    install_scanner(plane);
    // A token of the scanner's ServiceAccount that is not a node's pod's publishes nothing (the
    // policy takes a moment to be enforced after it is created).
    let unbound = plane.service_account_kubeconfig(
        "kcheck-node-scan",
        "kcheck-node-scan",
        "node-scan-unbound.kubeconfig",
        &[],
    );
    let probe = NodeTree::secure().worker().build();
    let probe_root = probe.root().display().to_string();
    let mut refused = String::new();
    for _ in 0..40 {
        let run = publish(plane, &probe_root, "e2e-worker-1", &unbound);
        if run.code == 2 {
            refused = run.stderr;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    ensure(
        refused.contains("kcheck node reports are published with the token of a pod on a node"),
        || format!("an unbound token was not refused: {refused}"),
    )?;
    let trees = [
        ("e2e-cp-1", NodeTree::secure()),
        ("e2e-worker-1", NodeTree::secure().worker()),
        (
            "e2e-worker-2",
            NodeTree::secure()
                .worker()
                .kubelet_config("authentication.anonymous.enabled", true.into()),
        ),
    ];
    let mut tokens = Vec::new();
    for (name, tree) in trees {
        let built = tree.build();
        let root = built.root().display().to_string();
        let scanner = scanner_on(plane, name);
        let run = publish(plane, &root, name, &scanner);
        tokens.push(scanner);
        let said = format!(
            "kcheck: published the report of node {name} as configmap kcheck/kcheck-node-{name} ("
        );
        ensure(
            matches!(run.code, 0 | 1) && run.stderr.starts_with(&said),
            || format!("{name}: exit {}: {}", run.code, run.stderr),
        )?;
    }
    // A node publishes its own report only: worker-1's pod cannot write worker-2's.
    let forged = publish(plane, &probe_root, "e2e-worker-2", &tokens[1]);
    ensure(
        forged.code == 2
            && forged.stderr.contains(
                "node e2e-worker-1 may publish only configmap kcheck-node-e2e-worker-1, not kcheck-node-e2e-worker-2",
            ),
        || format!("a forged report: exit {}: {}", forged.code, forged.stderr),
    )?;
    let scanner = &tokens[1];
    // The scanner's token writes node reports and nothing else.
    for (args, what) in [
        (
            vec!["get", "configmaps", "-n", "kcheck"],
            "read the node reports",
        ),
        (
            vec!["create", "configmap", "x", "-n", "default"],
            "write outside kcheck",
        ),
        (vec!["get", "secrets", "-A"], "read Secrets"),
    ] {
        let out = plane.kubectl_as(scanner, &args, None);
        ensure(!out.status.success(), || {
            format!("the node scanner's token may {what}")
        })?;
    }

    // What a production cluster has besides the scenario: a CNI, a sensitive workload, the
    // scans of its images.
    let crd = plane
        .root
        .join("tests/e2e/crds/trivy-vulnerabilityreports.yaml");
    plane.kubectl_ok(&["apply", "-f", crd.to_str().unwrap()]);
    plane.kubectl_ok(&[
        "wait",
        "--for=condition=established",
        "--timeout=60s",
        "crd/vulnerabilityreports.aquasecurity.github.io",
        "crd/clustervulnerabilityreports.aquasecurity.github.io",
    ]);
    let cilium = plane
        .root
        .join("examples/demo-cluster/kube-system/cilium.yaml");
    plane.kubectl_ok(&["apply", "-f", cilium.to_str().unwrap()]);
    let addons = std::fs::read_to_string(plane.root.join("tests/e2e/nodes-addons.yaml"))
        .unwrap()
        .replace("@NOW@", &kcheck_model::Now::clock().rfc3339());
    let out = plane.kubectl_as(&plane.admin, &["apply", "-f", "-"], Some(addons.as_bytes()));
    ensure(out.status.success(), || {
        format!("add-ons: {}", String::from_utf8_lossy(&out.stderr))
    })?;

    let run = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        plane.admin.to_str().unwrap(),
        "--read-secret-data",
        "--format",
        "json",
    ]);
    let report = run.json();
    let nodes: Vec<(String, bool, bool)> = report["inputs"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap_or_default().to_string(),
                n["control_plane"] == true,
                n["merged"] == true,
            )
        })
        .collect();
    let want: Vec<(String, bool, bool)> = [
        ("e2e-cp-1", true, true),
        ("e2e-worker-1", false, true),
        ("e2e-worker-2", false, true),
    ]
    .iter()
    .map(|(n, c, m)| (n.to_string(), *c, *m))
    .collect();
    ensure(nodes == want, || {
        format!("nodes {nodes:?}; stderr {}", run.stderr)
    })?;
    // The drifted worker is named where it fails.
    let kc211: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "KC211")
        .map(|f| {
            format!(
                "{}:{}",
                f["node"].as_str().unwrap_or("-"),
                f["path"].as_str().unwrap_or("-")
            )
        })
        .collect();
    ensure(
        kc211 == ["e2e-worker-2:authentication.anonymous.enabled"],
        || format!("KC211 findings: {kc211:?}"),
    )?;
    ensure(item(&report, "2.5")["status"] == "fail", || {
        format!("2.5: {}", item(&report, "2.5"))
    })?;
    // Every item decided: none is "not evaluated".
    let open: Vec<String> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "not_evaluated")
        .map(|i| format!("{} ({})", i["id"], i["reason"]))
        .collect();
    ensure(open.is_empty(), || {
        format!("items not evaluated: {}", open.join("; "))
    })?;
    ensure(report["items"].as_array().map(Vec::len) == Some(35), || {
        "not 35 items".into()
    })?;

    // Left as the other checks found the cluster.
    let out = plane.kubectl_as(
        &plane.admin,
        &["delete", "-f", "-"],
        Some(addons.as_bytes()),
    );
    ensure(out.status.success(), || {
        format!(
            "deleting the add-ons: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    plane.kubectl_ok(&["delete", "-f", cilium.to_str().unwrap()]);
    plane.kubectl_ok(&[
        "delete",
        "pods",
        "-n",
        "kcheck-node-scan",
        "scanner-e2e-cp-1",
        "scanner-e2e-worker-1",
        "scanner-e2e-worker-2",
        "--wait=false",
    ]);
    let policy = plane.root.join("deploy/node-scan/30-admission-policy.yaml");
    plane.kubectl_ok(&["delete", "-f", policy.to_str().unwrap()]);
    plane.kubectl_ok(&[
        "delete",
        "nodes",
        "e2e-cp-1",
        "e2e-worker-1",
        "e2e-worker-2",
    ]);
    plane.kubectl_ok(&[
        "delete",
        "configmaps",
        "-n",
        "kcheck",
        "-l",
        "app.kubernetes.io/component=node-report",
    ]);
    Ok(())
}

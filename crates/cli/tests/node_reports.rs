//! `kcheck node --node-report` and `kcheck cluster` merging node reports, over generated node
//! trees and a dump: a ConfigMap published in the dump, files in `--node-reports DIR`, a stale
//! report, a node without one.

#[path = "support/mod.rs"]
mod support;

use kcheck_node::testing::NodeTree;
use serde_json::{json, Value};
use support::{command, json, stdout, TempDir};

/// `kcheck node` on `tree` named `name`, its node report written to `dir/name.json`.
fn scan(tree: NodeTree, name: &str, dir: &TempDir) -> Value {
    let built = tree.build();
    let root = built.root().display().to_string();
    let proc_dir = format!("{root}/proc");
    let path = dir.path(&format!("{name}.json"));
    let out = command(&[
        "node",
        "--root",
        &root,
        "--proc",
        &proc_dir,
        "--node-name",
        name,
        "--node-report",
        path.to_str().unwrap(),
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn node(name: &str, control_plane: bool) -> Value {
    let mut n = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}});
    if control_plane {
        n["metadata"]["labels"] = json!({"node-role.kubernetes.io/control-plane": ""});
    }
    n
}

/// The published form of `report`, as `kcheck node --publish kcheck` applies it.
fn config_map(report: &Value) -> Value {
    let doc: kcheck_model::node_report::NodeReport =
        serde_json::from_value(report.clone()).unwrap();
    kcheck_cluster::node_reports::to_config_map(&doc, "kcheck").unwrap()
}

fn item<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn a_cluster_audit_merges_published_and_filed_node_reports_and_names_what_is_missing() {
    let reports = TempDir::new("node-reports-dir");
    let dump = TempDir::new("node-reports-dump");
    let cp = scan(NodeTree::secure(), "cp-1", &reports);
    let w1 = scan(NodeTree::secure().worker(), "worker-1", &reports);
    // Published in the cluster, not filed.
    std::fs::remove_file(reports.path("worker-1.json")).unwrap();
    // A drifted worker: its kubelet answers anonymous requests.
    scan(
        NodeTree::secure()
            .worker()
            .kubelet_config("authentication.anonymous.enabled", true.into()),
        "worker-2",
        &reports,
    );
    // A worker whose report is two days old.
    let mut old = scan(NodeTree::secure().worker(), "worker-3", &reports);
    old["generatedAt"] = "2020-01-01T00:00:00Z".into();
    reports.write("worker-3.json", serde_json::to_vec(&old).unwrap());
    // Not a node report: said, and the rest still read.
    reports.write("notes.json", "{\"hello\": 1}");
    assert_eq!(cp["components"][0], "kube-apiserver");
    let objects = json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            node("cp-1", true),
            node("worker-1", false),
            node("worker-2", false),
            node("worker-3", false),
            node("worker-4", false),
            config_map(&w1),
        ]
    });
    dump.write("objects.json", serde_json::to_vec(&objects).unwrap());
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "cluster",
            "--from-dump",
            dump.0.to_str().unwrap(),
            "--node-reports",
            reports.0.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        command(&args).output().unwrap()
    };
    let out = audit(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let report = json(&out);
    // Each node, whether its report was merged, and why not.
    let nodes: Vec<(String, bool, bool, String)> = report["inputs"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let detail = n["detail"].as_str().unwrap();
            // The moment of a scan varies: keep what does not.
            let detail = match detail.split_once(" by kcheck ") {
                Some((_, rest)) => format!("by kcheck {rest}"),
                None => detail.to_string(),
            };
            (
                n["name"].as_str().unwrap().to_string(),
                n["control_plane"].as_bool().unwrap(),
                n["merged"].as_bool().unwrap(),
                detail,
            )
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    let dir = reports.0.display();
    let t = |s: &str| s.to_string();
    assert_eq!(
        nodes,
        [
            (
                t("cp-1"),
                true,
                true,
                format!("by kcheck {version}: 3 problems; kubeadm, control plane")
            ),
            (
                t("worker-1"),
                false,
                true,
                format!("by kcheck {version}: 0 problems; kubeadm, worker")
            ),
            (
                t("worker-2"),
                false,
                true,
                format!("by kcheck {version}: 1 problem; kubeadm, worker")
            ),
            (
                t("worker-3"),
                false,
                false,
                format!("{dir}/worker-3.json: its report is "),
            ),
            (
                t("worker-4"),
                false,
                false,
                format!("none published in namespace kcheck or found in {dir}"),
            ),
        ]
        .map(|(n, p, m, d)| {
            // The stale report's age is counted from now: its start is enough.
            let d = if d.ends_with("its report is ") {
                nodes
                    .iter()
                    .find(|x| x.0 == n)
                    .map(|x| x.3.clone())
                    .filter(|x| {
                        x.starts_with(&d)
                            && x.ends_with("old, older than --max-node-report-age 24h")
                    })
                    .unwrap_or(d)
            } else {
                d
            };
            (n, p, m, d)
        })
    );
    // The unreadable file is an input error naming it.
    let errors: Vec<String> = report["inputs"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        [format!(
            "{dir}/notes.json:1:12: not a node report (missing field `apiVersion`)"
        )]
    );
    // The drifted worker fails 2.5, named; the kubelet items cannot pass for worker-3 and 4.
    let kc211: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "KC211")
        .map(|f| {
            (
                f["node"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kc211,
        [(
            t("worker-2"),
            t("/var/lib/kubelet/config.yaml"),
            t("authentication.anonymous.enabled")
        )]
    );
    assert_eq!(item(&report, "2.5")["status"], "fail");
    let kubelet = item(&report, "1.4");
    assert_eq!(kubelet["status"], "not_evaluated");
    let reason = kubelet["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("no problem in what was checked; not examined: no usable node report from 2 nodes: worker-3 (")
            && reason.contains("; worker-4 (none published in namespace kcheck"),
        "{reason}"
    );
    // The control plane's items are decided by cp-1 alone.
    assert_eq!(item(&report, "4.2")["status"], "pass");
    assert_eq!(item(&report, "4.2")["reason"], Value::Null);
    // The ConfigMap is kcheck's own: not judged as the cluster's configuration.
    assert_eq!(report["inputs"]["objects"], 5);

    // An audit scoped to another namespace still merges the reports published in kcheck's.
    let scoped = json(&audit(&["-n", "default"]));
    let merged: Vec<&str> = scoped["inputs"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["merged"] == true)
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(merged, ["cp-1", "worker-1", "worker-2"]);
    assert_eq!(item(&scoped, "2.5")["status"], "fail");
}

#[test]
fn node_report_flags_are_checked_before_scanning() {
    let tree = NodeTree::secure().worker().build();
    let root = tree.root().display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["node", "--root", &root];
        args.extend_from_slice(extra);
        let out = command(&args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&["--node-report", "/dev/null", "deploy/"]),
        (
            Some(3),
            "kcheck: --node-report and --publish write the node's own report: judge manifests in a separate run\n".into()
        )
    );
    assert_eq!(
        run(&["--node-report", "/dev/null", "-o", "/dev/null"]),
        (
            Some(3),
            "kcheck: the node has no name to report under: give --node-name or set NODE_NAME\n"
                .into()
        )
    );
    assert_eq!(
        run(&["--publish", "kcheck", "--every", "soon"]),
        (
            Some(3),
            "kcheck: --every soon: not a duration of a second or more (such as 6h or 30m)\n".into()
        )
    );
    let (code, err) = run(&["--every", "6h"]);
    assert_eq!(code, Some(3));
    assert!(err.contains("--publish"), "{err}");
}

/// deploy/node-scan passes kcheck's own scan (what a node scanner needs, waived with why) and
/// publishes where `kcheck cluster` reads by default.
#[test]
fn the_node_scan_daemonset_passes_kchecks_own_scan_and_publishes_where_the_audit_reads() {
    let out = command(&["scan", "deploy/node-scan", "--format", "json"])
        .output()
        .unwrap();
    let report = json(&out);
    let unwaived: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] != true && f["level"] != "info")
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect();
    assert_eq!(out.status.code(), Some(0), "{unwaived:?}");
    assert!(unwaived.is_empty(), "{unwaived:?}");
    assert_eq!(report["waivers"]["problems"], json!([]));
    let daemonset =
        std::fs::read_to_string(support::root().join("deploy/node-scan/20-daemonset.yaml"))
            .unwrap();
    let namespace = kcheck_cluster::node_reports::DEFAULT_NAMESPACE;
    assert!(
        daemonset.contains(&format!(
            "args: [node, --root, /host, --publish, {namespace}, --every, 6h"
        )),
        "{daemonset}"
    );
    let rbac =
        std::fs::read_to_string(support::root().join("deploy/node-scan/10-rbac.yaml")).unwrap();
    assert!(rbac.contains(&format!(
        "  name: kcheck-node-reports\n  namespace: {namespace}\n"
    )));
    assert!(rbac.contains("  resources: [configmaps]\n  verbs: [create, patch]\n"));
    // The admission policy holds each node to the names kcheck writes.
    let policy =
        std::fs::read_to_string(support::root().join("deploy/node-scan/30-admission-policy.yaml"))
            .unwrap();
    let annotation = kcheck_cluster::node_reports::NODE_ANNOTATION;
    let name = kcheck_cluster::node_reports::config_map_name("NODE");
    for want in [
        format!("matchLabels: {{kubernetes.io/metadata.name: {namespace}}}"),
        format!(
            "object.metadata.name == '{}' + variables.node",
            name.trim_end_matches("NODE")
        ),
        format!("object.metadata.annotations['{annotation}'] == variables.node"),
        "request.userInfo.username == 'system:serviceaccount:kcheck-node-scan:kcheck-node-scan'"
            .to_string(),
    ] {
        assert!(policy.contains(&want), "{want}");
    }
}

//! `kcheck node` over generated node trees.

#[path = "support/mod.rs"]
mod support;

use kcheck_model::ComponentKind::ApiServer;
use kcheck_node::testing::NodeTree;
use support::{command, json, TempDir};

fn node(root: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let root = root.display().to_string();
    let proc_dir = format!("{root}/proc");
    let mut args = vec!["node", "--root", &root, "--proc", &proc_dir];
    args.extend_from_slice(extra);
    command(&args).output().expect("run kcheck")
}

#[test]
fn a_kubeadm_node_is_judged_item_by_item() {
    let tree = NodeTree::kubeadm_default().build();
    let out = node(tree.root(), &["--format", "json"]);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["schema"], 1);
    assert_eq!(report["items"].as_array().map(Vec::len), Some(35));
    // Node evidence reaches the rules: findings point into the node's files.
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let on_node = findings.iter().any(|f| {
        let place = format!("{} {}", f["location"]["file"], f["source"]);
        place.contains("/etc/kubernetes") || place.contains("/var/lib")
    });
    assert!(on_node || findings.is_empty(), "{findings:#?}");
}

#[test]
fn node_and_manifests_in_one_report() {
    let dir = TempDir::new("node-and-manifests");
    let manifest = dir.write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n",
    );
    let tree = NodeTree::secure()
        .flag(ApiServer, "anonymous-auth", "true")
        .build();
    let manifest = manifest.display().to_string();
    let out = node(tree.root(), &["--format", "json", &manifest]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    assert!(
        findings.iter().any(|f| f["object"]["name"] == "p"),
        "no finding on the manifest: {findings:#?}"
    );
}

#[test]
fn a_root_that_is_not_a_directory_is_a_usage_error() {
    let out = command(&["node", "--root", "/nonexistent/kcheck-root"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_broken_node_file_exits_2_with_the_report() {
    let tree = NodeTree::kubeadm_default()
        .file("/etc/kubernetes/manifests/broken.yaml", "kind: [\n")
        .build();
    let out = node(tree.root(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["items"].as_array().map(Vec::len), Some(35));
}

#[test]
fn every_sarif_result_has_a_location_and_its_own_fingerprint() {
    // A node report (findings on flags, files and components, no manifest positions) and a
    // manifest report with repeated findings on one field.
    let tree = NodeTree::kubeadm_default().build();
    let node_sarif = node(tree.root(), &["--format", "sarif"]);
    let scan = support::command(&["scan", "examples/demo-cluster", "--format", "sarif"])
        .output()
        .unwrap();
    for out in [node_sarif, scan] {
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let run = &sarif["runs"][0];
        assert!(
            run["tool"]["driver"].get("informationUri").is_none(),
            "a placeholder informationUri"
        );
        let results = run["results"].as_array().unwrap();
        assert!(results.len() > 5);
        let mut seen = std::collections::HashSet::new();
        for r in results {
            let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            assert!(
                uri.as_str().is_some_and(|u| !u.is_empty()),
                "no location: {r}"
            );
            let fp = r["partialFingerprints"]["kcheck/v1"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(seen.insert(fp.clone()), "fingerprint {fp} twice");
        }
    }
}

/// The detected distribution is in every format; `--distro` overrides it; the join token in
/// k3s's configuration never reaches a report.
#[test]
fn the_distribution_is_reported_in_every_format() {
    let tree = NodeTree::k3s_server().build();
    let expect: [(&str, &[&str]); 7] = [
        (
            "table",
            &["Distribution: k3s, control plane (detected: process 812: k3s server"],
        ),
        ("markdown", &["Distribution: k3s, control plane (detected:"]),
        (
            "html",
            &["<p class=\"distribution\">Distribution: k3s, control plane"],
        ),
        (
            "json",
            &[
                "\"distribution\"",
                "\"name\": \"k3s\"",
                "\"role\": \"control-plane\"",
            ],
        ),
        ("sarif", &["\"distribution\"", "\"name\": \"k3s\""]),
        (
            "junit",
            &[
                "<property name=\"distribution\" value=\"k3s\"/>",
                "<property name=\"node-role\" value=\"control-plane\"/>",
            ],
        ),
        (
            "policyreport",
            &[
                "kcheck.dev/distribution: \"k3s\"",
                "kcheck.dev/node-role: \"control-plane\"",
            ],
        ),
    ];
    for (format, wanted) in expect {
        let out = node(tree.root(), &["--format", format]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        for w in wanted {
            assert!(text.contains(w), "{format}: no {w:?} in\n{text}");
        }
        assert!(
            !text.contains(kcheck_node::testing::TEST_TOKEN),
            "{format}: the join token leaked"
        );
        let zh = command(&[
            "node",
            "--root",
            &tree.root().display().to_string(),
            "--proc",
            &format!("{}/proc", tree.root().display()),
            "--format",
            format,
            "--lang",
            "zh",
        ])
        .output()
        .expect("run");
        let zh = String::from_utf8_lossy(&zh.stdout).into_owned();
        assert!(!zh.contains(kcheck_node::testing::TEST_TOKEN));
        if matches!(format, "table" | "markdown" | "html") {
            assert!(
                zh.contains("发行版：k3s，控制平面（检测依据："),
                "{format}:\n{zh}"
            );
        }
    }
    let forced = json(&node(tree.root(), &["--format", "json", "--distro", "eks"]));
    assert_eq!(forced["target"]["distribution"]["name"], "eks");
    assert_eq!(forced["target"]["distribution"]["overridden"], true);
    let bad = node(tree.root(), &["--distro", "nomad"]);
    assert_eq!(
        bad.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// A managed worker's control-plane items are manual, with what to check at the provider.
#[test]
fn a_managed_worker_leaves_the_control_plane_items_manual() {
    let tree = NodeTree::managed_worker("eks").build();
    let report = json(&node(tree.root(), &["--format", "json"]));
    let items = report["items"].as_array().cloned().unwrap_or_default();
    let audit = items.iter().find(|i| i["id"] == "4.1").expect("item 4.1");
    assert_eq!(audit["status"], "manual", "{audit:#}");
    assert!(
        audit["reason"]
            .as_str()
            .is_some_and(|r| r.contains("logging.clusterLogging")),
        "{audit:#}"
    );
}

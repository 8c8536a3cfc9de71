//! Issue 19: `kcheck cluster --publish` server-side applies its PolicyReports and
//! ClusterPolicyReports into the real API server (the CRDs of tests/e2e/crds/policyreport.yaml)
//! as field manager `kcheck`, and deletes the reports of its earlier runs that a run does not
//! write; without the CRDs it says so and exits 2, the report still written.

use crate::ensure;
use crate::plane::ControlPlane;
use libtest_mimic::Failed;
use serde_json::Value;

const NS: &str = "publish-a";

const WORKLOAD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: rooted
  namespace: publish-a
spec:
  containers:
  - name: app
    image: registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    securityContext:
      privileged: true
"#;

/// A report of an earlier run that this run does not write (a split part no longer needed).
const GHOST: &str = r#"apiVersion: wgpolicyk8s.io/v1alpha2
kind: PolicyReport
metadata:
  name: kcheck-publish-a-2
  namespace: publish-a
  labels:
    app.kubernetes.io/managed-by: kcheck
results: []
"#;

/// A report of someone else, which kcheck leaves alone.
const FOREIGN: &str = r#"apiVersion: wgpolicyk8s.io/v1alpha2
kind: PolicyReport
metadata:
  name: kyverno-publish-a
  namespace: publish-a
  labels:
    app.kubernetes.io/managed-by: kyverno
results: []
"#;

fn publish(plane: &ControlPlane) -> crate::plane::Run {
    plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        plane.admin.to_str().unwrap(),
        "--format",
        "json",
        "--publish",
    ])
}

fn apply(plane: &ControlPlane, yaml: &str) {
    let out = plane.kubectl_as(&plane.admin, &["apply", "-f", "-"], Some(yaml.as_bytes()));
    assert!(
        out.status.success(),
        "kubectl apply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn get_json(plane: &ControlPlane, args: &[&str]) -> Value {
    let mut all = vec!["get"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    serde_json::from_str(&plane.kubectl_ok(&all)).unwrap()
}

/// The names of kcheck's reports of `resource`, as `namespace/name` or `name`, sorted.
fn kcheck_reports(plane: &ControlPlane, resource: &str) -> Vec<String> {
    let list = get_json(
        plane,
        &[resource, "-A", "-l", "app.kubernetes.io/managed-by=kcheck"],
    );
    let mut names: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| match o["metadata"]["namespace"].as_str() {
            Some(ns) => format!("{ns}/{}", o["metadata"]["name"].as_str().unwrap()),
            None => o["metadata"]["name"].as_str().unwrap().to_string(),
        })
        .collect();
    names.sort();
    names
}

/// The `(rule, result, resource name)` of every result of a report with `rule`.
fn results_of(report: &Value, rule: &str) -> Vec<(String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
                r["resources"][0]["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn managers(plane: &ControlPlane, args: &[&str]) -> String {
    let mut all = vec!["get"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "jsonpath={.metadata.managedFields[*].manager}"]);
    plane.kubectl_ok(&all)
}

pub fn reports_are_applied_and_stale_ones_deleted(plane: &ControlPlane) -> Result<(), Failed> {
    // No CRDs yet: a clear message, exit 2, the audit report still on standard output.
    let _ = plane.kubectl(&[
        "delete",
        "--ignore-not-found",
        "-f",
        plane
            .root
            .join("tests/e2e/crds/policyreport.yaml")
            .to_str()
            .unwrap(),
    ]);
    let without = publish(plane);
    ensure(without.code == 2, || {
        format!(
            "exit {} without the CRDs; stderr: {}",
            without.code, without.stderr
        )
    })?;
    ensure(
        without.stderr.contains(
            "kcheck: --publish: the PolicyReport CRDs (wgpolicyk8s.io/v1alpha2 \
             clusterpolicyreports) are not installed in the cluster",
        ),
        || format!("stderr without the CRDs: {}", without.stderr),
    )?;
    ensure(
        without.json()["items"].as_array().map(Vec::len) == Some(35),
        || "the audit report is not written without the CRDs".to_string(),
    )?;

    let crds = plane.root.join("tests/e2e/crds/policyreport.yaml");
    plane.kubectl_ok(&["apply", "-f", crds.to_str().unwrap()]);
    plane.kubectl_ok(&[
        "wait",
        "--for=condition=established",
        "--timeout=60s",
        "crd/policyreports.wgpolicyk8s.io",
        "crd/clusterpolicyreports.wgpolicyk8s.io",
    ]);
    plane.kubectl_ok(&["create", "namespace", NS]);
    apply(plane, WORKLOAD);
    apply(plane, GHOST);
    apply(plane, FOREIGN);

    let first = publish(plane);
    ensure(first.code == 1, || {
        format!(
            "exit {} with --publish; stderr: {}",
            first.code, first.stderr
        )
    })?;
    let line: Vec<&str> = first
        .stderr
        .lines()
        .filter(|l| l.starts_with("kcheck: published "))
        .collect();
    ensure(
        line.len() == 1
            && line[0].contains(&format!(", {NS}/kcheck-{NS}"))
            && line[0].ends_with(&format!("; deleted 1 stale ({NS}/kcheck-{NS}-2)")),
        || format!("stderr: {}", first.stderr),
    )?;

    let report = get_json(plane, &["policyreport", "-n", NS, &format!("kcheck-{NS}")]);
    ensure(
        results_of(&report, "KC301")
            == vec![(
                "KC301".to_string(),
                "fail".to_string(),
                "rooted".to_string(),
            )],
        || format!("KC301 in kcheck-{NS}: {:?}", results_of(&report, "KC301")),
    )?;
    ensure(report["summary"]["fail"].as_u64() >= Some(1), || {
        format!("summary: {}", report["summary"])
    })?;
    let cluster = get_json(plane, &["clusterpolicyreport", "kcheck-cluster"]);
    ensure(
        cluster["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kcheck",
        || format!("kcheck-cluster's labels: {}", cluster["metadata"]["labels"]),
    )?;
    let reports = kcheck_reports(plane, "policyreports");
    ensure(
        reports.contains(&format!("{NS}/kcheck-{NS}"))
            && !reports.contains(&format!("{NS}/kcheck-{NS}-2")),
        || format!("kcheck's PolicyReports: {reports:?}"),
    )?;
    ensure(
        kcheck_reports(plane, "clusterpolicyreports") == vec!["kcheck-cluster".to_string()],
        || format!("{:?}", kcheck_reports(plane, "clusterpolicyreports")),
    )?;
    // Someone else's report is left alone.
    plane.kubectl_ok(&["get", "policyreport", "-n", NS, &format!("kyverno-{NS}")]);
    let m = managers(plane, &["policyreport", "-n", NS, &format!("kcheck-{NS}")]);
    ensure(m == "kcheck", || format!("managers of kcheck-{NS}: {m:?}"))?;
    let m = managers(plane, &["clusterpolicyreport", "kcheck-cluster"]);
    ensure(m == "kcheck", || {
        format!("managers of kcheck-cluster: {m:?}")
    })?;

    // The input changes: the privileged Pod goes, and with it the namespace's findings.
    plane.kubectl_ok(&[
        "delete",
        "pod",
        "rooted",
        "-n",
        NS,
        "--grace-period=0",
        "--force",
    ]);
    let second = publish(plane);
    ensure(second.code == 1, || {
        format!(
            "exit {} on the second run; stderr: {}",
            second.code, second.stderr
        )
    })?;
    ensure(
        second.stderr.lines().any(|l| {
            l.starts_with("kcheck: published ")
                && l.ends_with(&format!("; deleted 1 stale ({NS}/kcheck-{NS})"))
        }),
        || format!("stderr of the second run: {}", second.stderr),
    )?;
    let reports = kcheck_reports(plane, "policyreports");
    ensure(
        !reports.iter().any(|r| r.starts_with(&format!("{NS}/"))),
        || format!("kcheck's PolicyReports after the second run: {reports:?}"),
    )?;
    plane.kubectl_ok(&["get", "policyreport", "-n", NS, &format!("kyverno-{NS}")]);
    let m = managers(plane, &["clusterpolicyreport", "kcheck-cluster"]);
    ensure(m == "kcheck", || {
        format!("managers of kcheck-cluster: {m:?}")
    })
}

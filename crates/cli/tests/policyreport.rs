//! `--format policyreport`: the demo scanned and audited from a dump, as wgpolicyk8s.io/v1alpha2
//! PolicyReports and a ClusterPolicyReport, every document valid against the CRD's schema
//! (`tests/data/wgpolicyk8s-v1alpha2.schema.json`, see `tests/data/README.md`).

#[path = "support/mod.rs"]
mod support;

use serde_json::{json, Value};
use support::{command, root};

/// 2026-12-07T00:00:00Z, the moment `KCHECK_TODAY` sets.
const MOMENT: i64 = 1_796_601_600;

/// Runs kcheck at `KCHECK_TODAY=2026-12-07` and returns its standard output.
fn run(args: &[&str]) -> String {
    let o = command(args)
        .env("KCHECK_TODAY", "2026-12-07")
        .output()
        .unwrap();
    // The demo has findings: exit 1, never a usage (64) or input (2) error.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The YAML documents of `text`, as the JSON the API server would see.
fn documents(text: &str) -> Vec<Value> {
    let parsed = kcheck_load::parse_documents(text, &kcheck_load::Limits::default());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    parsed
        .documents
        .iter()
        .map(|d| match d {
            kcheck_load::DocOutcome::Node(n) => n.to_json(),
            other => panic!("not an object: {other:?}"),
        })
        .collect()
}

fn validate(docs: &[Value]) {
    let path = root().join("crates/cli/tests/data/wgpolicyk8s-v1alpha2.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    for doc in docs {
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{}: {errors:#?}",
            doc["metadata"]["name"]
        );
    }
}

fn names(docs: &[Value]) -> Vec<(String, String)> {
    docs.iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["results"].as_array().unwrap()
}

/// Every report's summary counts its results; every report is labelled; all 35 items appear.
fn check_consistent(docs: &[Value]) {
    let mut policies = std::collections::BTreeSet::new();
    for doc in docs {
        let mut counts = json!({"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0});
        for r in results(doc) {
            let key = r["result"].as_str().unwrap();
            counts[key] = json!(counts[key].as_u64().unwrap() + 1);
            assert_eq!(r["source"], "kcheck");
            assert_eq!(r["scored"], true);
            assert_eq!(r["timestamp"], json!({"seconds": MOMENT, "nanos": 0}));
            policies.insert(r["policy"].as_str().unwrap().to_string());
        }
        assert_eq!(doc["summary"], counts, "{}", doc["metadata"]["name"]);
        assert_eq!(
            doc["metadata"]["labels"],
            json!({"app.kubernetes.io/managed-by": "kcheck", "app.kubernetes.io/part-of": "kcheck"})
        );
        if doc["kind"] == "PolicyReport" {
            let ns = doc["metadata"]["namespace"].as_str().unwrap();
            assert_eq!(doc["metadata"]["name"], format!("kcheck-{ns}"));
            for r in results(doc) {
                assert_eq!(r["resources"][0]["namespace"], ns);
            }
        }
    }
    let all: std::collections::BTreeSet<String> = kcheck_model::ITEMS
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(policies, all);
    assert_eq!(policies.len(), 35);
}

fn kind_names(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, n)| (k.to_string(), n.to_string()))
        .collect()
}

const REPORTS: [(&str, &str); 7] = [
    ("ClusterPolicyReport", "kcheck-cluster"),
    ("PolicyReport", "kcheck-kube-system"),
    ("PolicyReport", "kcheck-logging"),
    ("PolicyReport", "kcheck-monitoring"),
    ("PolicyReport", "kcheck-payments"),
    ("PolicyReport", "kcheck-platform"),
    ("PolicyReport", "kcheck-shop"),
];

/// The result of KC301 in `doc` (the report of `namespace`).
fn kc301<'d>(docs: &'d [Value], namespace: &str) -> Vec<&'d Value> {
    let doc = docs
        .iter()
        .find(|d| d["metadata"]["namespace"] == namespace)
        .unwrap();
    results(doc)
        .iter()
        .filter(|r| r["rule"] == "KC301")
        .collect()
}

#[test]
fn a_scan_writes_valid_policy_reports() {
    let text = run(&["scan", "examples/demo-cluster", "--format", "policyreport"]);
    assert!(
        text.starts_with("---\napiVersion: wgpolicyk8s.io/v1alpha2\nkind: ClusterPolicyReport\n")
    );
    let docs = documents(&text);
    validate(&docs);
    assert_eq!(names(&docs), kind_names(&REPORTS));
    check_consistent(&docs);

    // A failing finding on a namespaced workload.
    assert_eq!(
        kc301(&docs, "logging"),
        [&json!({
            "policy": "3.2",
            "rule": "KC301",
            "category": "Pod security",
            "severity": "critical",
            "result": "fail",
            "scored": true,
            "source": "kcheck",
            "message": "container \"fluent-bit\" runs privileged: it has every capability and the host's devices",
            "resources": [{
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "name": "fluent-bit",
                "namespace": "logging"
            }],
            "properties": {
                "fieldPath": "spec.template.spec.containers[0].securityContext.privileged",
                "fix": "Remove securityContext.privileged (or set it to false) and add only the capabilities the program needs.",
                "location": "examples/demo-cluster/logging/fluent-bit.yaml:97:13",
                "title": "An appropriate Pod Security Standard is enforced on every namespace"
            },
            "timestamp": {"seconds": MOMENT, "nanos": 0}
        })]
    );
    // A waived one is skipped, with the waiver's reason.
    let cilium = kc301(&docs, "kube-system");
    assert_eq!(cilium.len(), 1);
    assert_eq!(cilium[0]["result"], "skip");
    assert_eq!(
        cilium[0]["properties"]["waiver"],
        "CNI agent needs host networking and privileges (PLAT-12, reviewed 2026-10)"
    );
    assert_eq!(
        cilium[0]["properties"]["waiverSource"],
        "annotation kcheck.io/ignore"
    );

    // An item without findings that needs evidence a scan does not have: skipped, with why.
    let cluster = &docs[0];
    let item = |id: &str| -> Vec<&Value> {
        results(cluster)
            .iter()
            .filter(|r| r["policy"] == id && r["rule"] == "item")
            .collect()
    };
    assert_eq!(
        item("1.2"),
        [&json!({
            "policy": "1.2",
            "rule": "item",
            "category": "Authentication and authorization",
            "result": "skip",
            "scored": true,
            "source": "kcheck",
            "message": "needs a node scan: kcheck node",
            "properties": {
                "examined": "0",
                "status": "not_evaluated",
                "title": "kube-controller-manager runs with --use-service-account-credentials"
            },
            "timestamp": {"seconds": MOMENT, "nanos": 0}
        })]
    );
    assert_eq!(
        docs.iter()
            .map(|d| d["summary"].clone())
            .collect::<Vec<_>>(),
        [
            json!({"pass": 5, "fail": 24, "warn": 7, "error": 0, "skip": 9}),
            json!({"pass": 0, "fail": 18, "warn": 9, "error": 0, "skip": 6}),
            json!({"pass": 0, "fail": 11, "warn": 3, "error": 0, "skip": 0}),
            json!({"pass": 1, "fail": 22, "warn": 8, "error": 0, "skip": 0}),
            json!({"pass": 0, "fail": 1, "warn": 1, "error": 0, "skip": 0}),
            json!({"pass": 0, "fail": 10, "warn": 4, "error": 0, "skip": 0}),
            json!({"pass": 2, "fail": 28, "warn": 17, "error": 0, "skip": 0}),
        ]
    );

    // Deterministic: the same input gives the same bytes.
    let again = run(&["scan", "examples/demo-cluster", "--format", "policyreport"]);
    assert_eq!(text, again);
}

#[test]
fn a_cluster_dump_writes_valid_policy_reports() {
    let text = run(&[
        "cluster",
        "--from-dump",
        "examples/demo-cluster",
        "--format",
        "policyreport",
    ]);
    let docs = documents(&text);
    validate(&docs);
    assert_eq!(names(&docs), kind_names(&REPORTS));
    check_consistent(&docs);
    let fluent = kc301(&docs, "logging");
    assert_eq!(fluent.len(), 1);
    assert_eq!(fluent[0]["result"], "fail");
    assert_eq!(fluent[0]["severity"], "critical");
    // Objects from the API have no file: the API path says where.
    assert_eq!(
        fluent[0]["properties"]["source"],
        "/apis/apps/v1/namespaces/logging/daemonsets/fluent-bit"
    );
    assert_eq!(fluent[0]["properties"].get("location"), None);
}

#[test]
fn chinese_reports_speak_chinese() {
    let text = run(&[
        "scan",
        "examples/demo-cluster",
        "--format",
        "policyreport",
        "--lang",
        "zh",
    ]);
    let docs = documents(&text);
    validate(&docs);
    check_consistent(&docs);
    let fluent = kc301(&docs, "logging");
    let en =
        "container \"fluent-bit\" runs privileged: it has every capability and the host's devices";
    let message = fluent[0]["message"].as_str().unwrap();
    assert_ne!(message, en);
    assert!(message.chars().any(kcheck_model::text::is_cjk), "{message}");
    assert!(
        fluent[0]["category"]
            .as_str()
            .unwrap()
            .chars()
            .any(kcheck_model::text::is_cjk),
        "{}",
        fluent[0]["category"]
    );
    // Machine fields stay as they are.
    assert_eq!(fluent[0]["result"], "fail");
    assert_eq!(fluent[0]["severity"], "critical");
    assert_eq!(fluent[0]["policy"], "3.2");
}

#[test]
fn an_output_file_gets_the_same_reports() {
    let dir = support::TempDir::new("policyreport-file");
    let file = dir.path("reports.yaml");
    let file = file.to_str().unwrap();
    let o = command(&[
        "scan",
        "examples/demo-cluster",
        "--format",
        "policyreport",
        "-o",
        file,
    ])
    .env("KCHECK_TODAY", "2026-12-07")
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let written = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        written,
        run(&["scan", "examples/demo-cluster", "--format", "policyreport"])
    );
}

#[test]
fn pss_refuses_the_policy_report_format() {
    let o = command(&[
        "pss",
        "--level",
        "baseline",
        "--format",
        "policyreport",
        "examples/demo-cluster",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--format policyreport"));
    assert!(o.stdout.is_empty());
}

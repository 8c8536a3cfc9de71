//! The policy reports: hostile text stays inside its strings, and a report too large for etcd is
//! split.

use crate::fixture;
use kcheck_model::{Lang, Now};
use kcheck_report::{render, write_policy_reports_split_at, Format, RenderOptions};
use serde_json::{json, Value};

fn documents(text: &str) -> Vec<Value> {
    let parsed = kcheck_load::parse_documents(text, &kcheck_load::Limits::default());
    assert!(parsed.errors.is_empty(), "{:?}\n{text}", parsed.errors);
    parsed
        .documents
        .iter()
        .map(|d| match d {
            kcheck_load::DocOutcome::Node(n) => n.to_json(),
            other => panic!("not an object: {other:?}"),
        })
        .collect()
}

fn opts(lang: Lang) -> RenderOptions {
    RenderOptions {
        lang,
        now: Some(Now::from_unix(1_796_601_600)),
        ..Default::default()
    }
}

fn name(doc: &Value) -> &str {
    doc["metadata"]["name"].as_str().unwrap()
}

#[test]
fn hostile_messages_stay_in_their_strings() {
    for lang in [Lang::En, Lang::Zh] {
        let text = render(&fixture::report(), Format::PolicyReport, &opts(lang));
        assert!(!text.contains('\u{1b}') && !text.contains('\u{1}'));
        let docs = documents(&text);
        let prod = docs.iter().find(|d| name(d) == "kcheck-prod").unwrap();
        let hostile = prod["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "KC703")
            .unwrap();
        let expected = match lang {
            Lang::En => format!("{}\nsecond line \u{1b}[31m\u{1}", fixture::HOSTILE),
            Lang::Zh => format!("{}\n第二行", fixture::HOSTILE),
        };
        assert_eq!(hostile["message"], expected.as_str());
        // Severity info, a failing finding: still a fail.
        assert_eq!(hostile["severity"], "info");
        assert_eq!(hostile["result"], "fail");
        assert_eq!(hostile["properties"]["location"], "web.yaml:0:0");
    }
}

#[test]
fn without_a_moment_results_have_no_timestamp() {
    let text = render(
        &fixture::report(),
        Format::PolicyReport,
        &RenderOptions::default(),
    );
    assert!(!text.contains("timestamp"));
    for doc in documents(&text) {
        for r in doc["results"].as_array().unwrap() {
            assert_eq!(r.get("timestamp"), None);
        }
    }
}

#[test]
fn a_waived_finding_is_skipped_with_its_reason() {
    let docs = documents(&render(
        &fixture::report(),
        Format::PolicyReport,
        &opts(Lang::En),
    ));
    let cluster = &docs[0];
    assert_eq!(cluster["kind"], "ClusterPolicyReport");
    let waived: Vec<&Value> = cluster["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] == "skip" && r["rule"] == "KC101")
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["properties"]["waiver"], "bootstrap only (SEC-1)");
    assert_eq!(waived[0]["properties"]["waiverSource"], "waivers.yaml:3");
    assert_eq!(
        waived[0]["resources"],
        json!([{
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "name": "bootstrap-admins"
        }])
    );
}

/// A namespace whose results pass the limit goes on in `kcheck-<ns>-2`, ...; every report keeps
/// its own summary and no result is lost or repeated.
#[test]
fn large_reports_are_split() {
    let report = fixture::many_report();
    let whole = documents(&render(&report, Format::PolicyReport, &opts(Lang::En)));
    let prod = whole.iter().find(|d| name(d) == "kcheck-prod").unwrap();
    let prod_results = prod["results"].as_array().unwrap();
    assert_eq!(prod_results.len(), 9);
    // About three results a report.
    let one = serde_json::to_string(&prod_results[0]).unwrap().len();
    let mut out = Vec::new();
    write_policy_reports_split_at(&report, &opts(Lang::En), 3 * one, &mut out).unwrap();
    let split = documents(&String::from_utf8(out).unwrap());
    let parts: Vec<&Value> = split
        .iter()
        .filter(|d| d["metadata"]["namespace"] == "prod")
        .collect();
    let names: Vec<&str> = parts.iter().map(|d| name(d)).collect();
    assert!(names.len() > 1, "{names:?}");
    assert_eq!(names[0], "kcheck-prod");
    for (i, n) in names.iter().enumerate().skip(1) {
        assert_eq!(*n, format!("kcheck-prod-{}", i + 1));
    }
    let mut rejoined = Vec::new();
    for part in &parts {
        let results = part["results"].as_array().unwrap();
        assert!(!results.is_empty());
        let fails = results.iter().filter(|r| r["result"] == "fail").count();
        let skips = results.iter().filter(|r| r["result"] == "skip").count();
        assert_eq!(part["summary"]["fail"], fails);
        assert_eq!(part["summary"]["skip"], skips);
        rejoined.extend(results.iter().cloned());
    }
    assert_eq!(&rejoined, prod_results);
    // A limit smaller than any result: one result a report.
    let mut out = Vec::new();
    write_policy_reports_split_at(&report, &opts(Lang::En), 1, &mut out).unwrap();
    let tiny = documents(&String::from_utf8(out).unwrap());
    let prod_parts = tiny
        .iter()
        .filter(|d| d["metadata"]["namespace"] == "prod")
        .count();
    assert_eq!(prod_parts, 9);
    assert!(tiny.iter().any(|d| name(d) == "kcheck-prod-9"));
    // The cluster report is split the same way.
    assert!(tiny.iter().any(|d| name(d) == "kcheck-cluster-2"));
}

/// A finding merged from a node's report is about the node: it goes to the ClusterPolicyReport
/// with the Node as its resource, whatever static pod or namespace it names, and the node in
/// `properties`; the text formats put the node before its file.
#[test]
fn a_node_finding_names_its_node() {
    let mut report = fixture::report();
    let mut findings = std::mem::take(&mut report.findings).into_vec();
    let i = findings.iter().position(|f| f.code == "KC703").unwrap();
    findings[i].node = Some("cp-1".into());
    report.findings = findings.into();
    let docs = documents(&render(&report, Format::PolicyReport, &opts(Lang::En)));
    let on_node: Vec<&Value> = docs
        .iter()
        .flat_map(|d| d["results"].as_array().unwrap())
        .filter(|r| r["rule"] == "KC703")
        .collect();
    assert_eq!(on_node.len(), 1);
    assert_eq!(docs[0]["kind"], "ClusterPolicyReport");
    assert!(docs[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "KC703"));
    assert_eq!(
        on_node[0]["resources"],
        json!([{"apiVersion": "v1", "kind": "Node", "name": "cp-1"}])
    );
    assert_eq!(on_node[0]["properties"]["node"], "cp-1");
    report.inputs.nodes = vec![
        kcheck_model::NodeSeen {
            name: "cp-1".into(),
            control_plane: true,
            merged: true,
            detail: kcheck_model::Text::fixed(
                "scanned 2026-12-07T00:00:00Z by kcheck 0.1.0: 1 problem",
                "由 kcheck 0.1.0 于 2026-12-07T00:00:00Z 扫描：1 个问题",
            ),
        },
        kcheck_model::NodeSeen {
            name: "worker-3".into(),
            control_plane: false,
            merged: false,
            detail: kcheck_model::Text::fixed("none published", "没有发布"),
        },
    ];
    let table = render(&report, Format::Table, &opts(Lang::En));
    assert!(table.contains("cp-1:web.yaml"), "{table}");
    // The nodes, those not merged first.
    assert!(
        table.contains(
            "Node reports\n  worker-3  not merged: none published\n  cp-1 (control plane)  merged: \
             scanned 2026-12-07T00:00:00Z by kcheck 0.1.0: 1 problem\n"
        ),
        "{table}"
    );
    assert!(table.contains(", node reports of 1 of 2 nodes;"), "{table}");
    let zh = render(&report, Format::Table, &opts(Lang::Zh));
    assert!(
        zh.contains("节点报告\n  worker-3  未合并：没有发布\n  cp-1（控制平面）  已合并："),
        "{zh}"
    );
    let md = render(&report, Format::Markdown, &opts(Lang::En));
    assert!(
        md.contains("## Node reports\n\n- `worker-3`: not merged: none published\n- `cp-1 (control plane)`: merged: "),
        "{md}"
    );
    let html = render(&report, Format::Html, &opts(Lang::En));
    assert!(
        html.contains("<h2>Node reports</h2>\n<ul>\n<li><code>worker-3</code>: not merged: none published</li>"),
        "html"
    );
    let json: Value =
        serde_json::from_str(&render(&report, Format::Json, &opts(Lang::En))).unwrap();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KC703")
        .unwrap();
    assert_eq!(f["node"], "cp-1");
    assert!(f["fingerprint"].as_str().unwrap().ends_with("@cp-1"), "{f}");
    let sarif: Value =
        serde_json::from_str(&render(&report, Format::Sarif, &opts(Lang::En))).unwrap();
    let r = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "KC703")
        .unwrap();
    assert_eq!(r["properties"]["node"], "cp-1");
}

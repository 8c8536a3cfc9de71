//! Node reports: a node scan's verdicts written as the document `kcheck node` publishes, read
//! back, and merged over a cluster's nodes. Nodes are generated trees (kubeadm's layout,
//! hardened): one control-plane node, two workers, one of them drifted.

use kcheck_model::node_report::NodeReport;
use kcheck_model::{Evidence, Inputs, Inventory, Level, NoteKind, Now, Report, Status};
use kcheck_node::testing::NodeTree;
use kcheck_rules::node_reports::{self, Freshness, NodeInput, NodeReports};
use kcheck_rules::Engine;

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const HOUR: i64 = 3600;

/// The node scan of `tree` as its node report, through JSON as it travels.
fn node_report(tree: NodeTree, name: &str, at: i64) -> NodeReport {
    let facts = tree.at(at).build().collect();
    let report = Engine::default().at(Now::from_unix(at)).run_with_node(
        &Inventory::default(),
        Some(&facts),
        &[Evidence::Node],
        Inputs::default(),
    );
    let components = facts
        .components
        .iter()
        .map(|c| c.kind.binary().to_string())
        .collect();
    let doc = node_reports::write(&report, name, components, Now::from_unix(at));
    let json = serde_json::to_string(&doc).unwrap();
    serde_json::from_str(&json).unwrap()
}

fn fresh() -> Freshness {
    Freshness {
        now: Now::from_unix(NOW),
        max_age: 24 * HOUR,
    }
}

fn input(doc: &NodeReport, control_plane: bool) -> NodeInput {
    NodeInput {
        name: doc.node.clone(),
        control_plane,
        report: node_reports::import(doc, &doc.node, fresh()),
    }
}

fn cluster(nodes: Vec<NodeInput>) -> Report {
    Engine::default()
        .at(Now::from_unix(NOW))
        .with_node_reports(NodeReports { nodes })
        .run_with_node(
            &Inventory::default(),
            None,
            &[Evidence::Node],
            Inputs::default(),
        )
}

fn status(report: &Report, id: &str) -> (Status, String) {
    let r = report.items.iter().find(|i| i.item.id == id).unwrap();
    (
        r.status,
        r.reason
            .as_ref()
            .map(|t| t.en.to_string())
            .unwrap_or_default(),
    )
}

/// `node code level message` of every failing or warning finding.
fn problems(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.level != Level::Info)
        .map(|f| {
            format!(
                "{} {} {:?} {}",
                f.node.as_deref().unwrap_or("-"),
                f.code,
                f.level,
                f.message.en
            )
        })
        .collect()
}

/// The three nodes: `cp-1` hardened, `worker-1` hardened, `worker-2` whose kubelet answers
/// anonymous requests and runs without a default seccomp profile.
fn three_nodes() -> [NodeReport; 3] {
    [
        node_report(NodeTree::secure(), "cp-1", NOW - HOUR),
        node_report(NodeTree::secure().worker(), "worker-1", NOW - HOUR),
        node_report(
            NodeTree::secure()
                .worker()
                .kubelet_config("authentication.anonymous.enabled", true.into())
                .kubelet_config("seccompDefault", false.into()),
            "worker-2",
            NOW - HOUR,
        ),
    ]
}

/// The items node scans judge.
const NODE_ITEMS: [&str; 14] = [
    "1.1", "1.2", "1.3", "1.4", "2.5", "3.5", "3.6", "4.1", "4.2", "5.1", "6.2", "6.5", "8.1",
    "8.2",
];

#[test]
fn the_node_items_are_those_of_the_node_rules() {
    let mut want = NODE_ITEMS.to_vec();
    want.push("8.3");
    assert_eq!(node_reports::node_items(), want);
}

#[test]
fn a_node_report_reads_back_as_written() {
    let [cp, worker, _] = three_nodes();
    assert_eq!(cp.api_version, "kcheck.dev/v1alpha1");
    assert_eq!(cp.kind, "NodeReport");
    assert_eq!(cp.generated_at, "2025-12-31T23:00:00Z");
    assert_eq!(
        cp.components,
        [
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kubelet",
            "etcd"
        ]
    );
    assert_eq!(worker.components, ["kubelet"]);
    let ids: Vec<&str> = cp.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, node_reports::node_items());
    // Every finding and note in both languages.
    for item in cp.items.iter().chain(&worker.items) {
        for f in &item.findings {
            assert!(!f.message.en.is_empty() && !f.message.zh.is_empty());
        }
        for n in &item.notes {
            assert!(!n.message.en.is_empty() && !n.message.zh.is_empty());
        }
    }
    // A worker has nothing for the control-plane rules to examine, and says so.
    let audit = worker.items.iter().find(|i| i.id == "4.1").unwrap();
    assert_eq!(audit.status, Status::NotEvaluated);
    assert_eq!(audit.examined, 0);
    assert!(audit.notes.iter().all(|n| n.kind == NoteKind::NotExamined));
}

#[test]
fn three_fresh_reports_decide_every_node_item_and_name_the_drifted_node() {
    let [cp, w1, w2] = three_nodes();
    let report = cluster(vec![input(&cp, true), input(&w1, false), input(&w2, false)]);
    // The hardened control-plane node's three warnings (two CA keys online, aescbc), and the
    // drifted worker's two problems, each named after its node.
    let ca = |key: &str| {
        format!(
            "cp-1 KC109 Warn CA private key /etc/kubernetes/pki/{key} is on the node: the CA is \
             online, and anyone who reads the key can issue certificates for any identity; keep \
             it offline if you can (external CA), otherwise limit who can log in to this node"
        )
    };
    assert_eq!(
        problems(&report),
        [
            ca("etcd/ca.key"),
            ca("front-proxy-ca.key"),
            "worker-2 KC211 Fail the kubelet accepts anonymous requests (anonymous authentication true, set in /var/lib/kubelet/config.yaml)".into(),
            "worker-2 KC313 Warn the kubelet does not apply RuntimeDefault seccomp by default (seccompDefault false, set in /var/lib/kubelet/config.yaml): pods without a seccomp profile run Unconfined".into(),
            "cp-1 KC607 Warn Secrets are encrypted with aescbc, which is exposed to padding-oracle attacks; prefer kms v2, or secretbox or aesgcm with key rotation".into(),
        ]
    );
    // Where: the worker's file, as `worker-2:/var/lib/kubelet/config.yaml:L:C` reads.
    let kc211 = report.findings.iter().find(|f| f.code == "KC211").unwrap();
    let at = kc211.location.as_ref().unwrap();
    assert_eq!(
        (kc211.node.as_deref(), &*at.file, kc211.path.as_deref()),
        (
            Some("worker-2"),
            "/var/lib/kubelet/config.yaml",
            Some("authentication.anonymous.enabled")
        )
    );
    assert!(at.line > 0 && at.column > 0);
    for id in NODE_ITEMS {
        let (status, reason) = status(&report, id);
        match id {
            "2.5" => assert_eq!(status, Status::Fail),
            "1.3" | "3.5" | "6.2" => assert_eq!(status, Status::Warn, "{id} {reason}"),
            // Items whose other rules need objects; their node rules found nothing.
            "1.1" | "3.6" | "5.1" | "6.5" => assert_eq!(
                (status, reason.as_str()),
                (
                    Status::NotEvaluated,
                    "no problem in what was checked; needs Kubernetes objects: kcheck scan PATH or kcheck cluster"
                )
            ),
            _ => assert_eq!((status, reason.as_str()), (Status::Pass, ""), "{id}"),
        }
    }
    // The workers' "no kube-apiserver here" is not a gap: no note names a worker on 4.1.
    let audit = report.items.iter().find(|i| i.item.id == "4.1").unwrap();
    assert!(audit
        .notes
        .iter()
        .all(|&i| report.notes[i].kind != NoteKind::NotExamined));
    assert!(audit.examined > 0);
}

#[test]
fn a_node_without_a_report_keeps_its_items_from_passing_and_is_named() {
    let [cp, w1, _] = three_nodes();
    let missing = NodeInput {
        name: "worker-3".into(),
        control_plane: false,
        report: Err(kcheck_model::Text::fixed("none published", "未发布")),
    };
    let report = cluster(vec![input(&cp, true), input(&w1, false), missing]);
    // A kubelet item: every node counts.
    assert_eq!(
        status(&report, "1.4"),
        (
            Status::NotEvaluated,
            "no problem in what was checked; not examined: no usable node report from 1 node: worker-3 (none published)".into()
        )
    );
    // A control-plane item: a worker without a report does not matter.
    assert_eq!(status(&report, "4.1"), (Status::Pass, String::new()));
    // The Chinese reason names it too.
    let r = report.items.iter().find(|i| i.item.id == "1.4").unwrap();
    assert_eq!(
        r.reason.as_ref().unwrap().zh,
        "已检查部分未发现问题；未检查：1 个节点没有可用的节点报告：worker-3（未发布）"
    );
}

#[test]
fn a_control_plane_node_without_a_report_keeps_the_control_plane_items_open() {
    let [_, w1, w2] = three_nodes();
    let missing = NodeInput {
        name: "cp-1".into(),
        control_plane: true,
        report: Err(kcheck_model::Text::fixed("none published", "未发布")),
    };
    let report = cluster(vec![missing, input(&w1, false), input(&w2, false)]);
    let (s, reason) = status(&report, "4.1");
    assert_eq!(
        (s, reason.as_str()),
        (
            Status::NotEvaluated,
            "not examined: no usable node report from 1 node: cp-1 (none published)"
        )
    );
    // Failures found elsewhere stand.
    assert_eq!(status(&report, "2.5").0, Status::Fail);
}

#[test]
fn no_control_plane_node_at_all_says_where_the_control_plane_is_not() {
    let [_, w1, _] = three_nodes();
    let report = cluster(vec![input(&w1, false)]);
    let (s, reason) = status(&report, "8.1");
    assert_eq!(s, Status::NotEvaluated);
    assert!(
        reason.starts_with("not examined: no control-plane node among the cluster's nodes"),
        "{reason}"
    );
    assert_eq!(status(&report, "3.6").0, Status::NotEvaluated);
    assert_eq!(status(&report, "1.4"), (Status::Pass, String::new()));
}

#[test]
fn stale_future_foreign_and_forged_reports_are_refused_with_why() {
    let old = node_report(NodeTree::secure().worker(), "w", NOW - 30 * HOUR);
    let err = |doc: &NodeReport, name: &str| {
        node_reports::import(doc, name, fresh())
            .err()
            .map(|t| t.en.to_string())
    };
    assert_eq!(
        err(&old, "w").as_deref(),
        Some("its report is 30h old, older than --max-node-report-age 24h")
    );
    let ahead = node_report(NodeTree::secure().worker(), "w", NOW + HOUR);
    assert_eq!(
        err(&ahead, "w").as_deref(),
        Some("its report is dated 2026-01-01T01:00:00Z, in the future: check the node's clock")
    );
    // A few minutes ahead is a clock, not a forgery.
    let skewed = node_report(NodeTree::secure().worker(), "w", NOW + 120);
    assert_eq!(err(&skewed, "w"), None);

    let mut other = node_report(NodeTree::secure().worker(), "w", NOW);
    assert_eq!(
        err(&other, "x").as_deref(),
        Some("the report names node w, not x")
    );
    other.kcheck_version = "9.8.0".into();
    let want = format!(
        "written by kcheck 9.8.0, and this is kcheck {}: rerun the node scan with the same minor version",
        node_reports::VERSION
    );
    assert_eq!(err(&other, "w"), Some(want));
    // Another patch release of the same minor version is accepted.
    let (major, rest) = node_reports::VERSION.split_once('.').unwrap();
    let minor = rest.split('.').next().unwrap();
    other.kcheck_version = format!("{major}.{minor}.99");
    assert_eq!(err(&other, "w"), None);

    let mut shape = node_report(NodeTree::secure().worker(), "w", NOW);
    shape.api_version = "kcheck.dev/v2".into();
    assert_eq!(
        err(&shape, "w").as_deref(),
        Some("not a node report this kcheck reads (apiVersion kcheck.dev/v2, kind NodeReport; expected kcheck.dev/v1alpha1 NodeReport)")
    );

    // A rule moved to another item, a made-up rule, a severity the rule does not have.
    let drifted = node_report(
        NodeTree::secure()
            .worker()
            .kubelet_config("authentication.anonymous.enabled", true.into()),
        "w",
        NOW,
    );
    let mut moved = drifted.clone();
    let i = moved.items.iter().position(|i| i.id == "2.5").unwrap();
    moved.items[i].id = "2.4".into();
    assert_eq!(
        err(&moved, "w").as_deref(),
        Some(format!(
            "it gives KC210 under item 2.4, which is not a node rule of that item in kcheck {}",
            node_reports::VERSION
        ))
        .as_deref()
    );
    let mut severe = drifted.clone();
    severe.items[i].findings[0].severity = kcheck_model::Severity::Info;
    assert_eq!(
        err(&severe, "w").as_deref(),
        Some("it gives KC211 severity info, which the rule does not have")
    );
    let mut late = drifted;
    late.generated_at = "yesterday".into();
    assert_eq!(
        err(&late, "w").as_deref(),
        Some("its time generatedAt \"yesterday\" is not RFC 3339")
    );
}

#[test]
fn a_node_report_past_its_bound_is_refused() {
    let mut doc = node_report(
        NodeTree::secure()
            .worker()
            .kubelet_config("authentication.anonymous.enabled", true.into()),
        "w",
        NOW,
    );
    let i = doc.items.iter().position(|i| i.id == "2.5").unwrap();
    let one = doc.items[i].findings[0].clone();
    doc.items[i].findings = vec![one; node_reports::MAX_ENTRIES_PER_NODE + 1];
    assert_eq!(
        node_reports::import(&doc, "w", fresh())
            .err()
            .map(|t| t.en.to_string())
            .as_deref(),
        Some("it holds more than 5000 findings and notes")
    );
}

#[test]
fn a_waiver_on_the_node_and_one_in_the_cluster_both_apply() {
    let cp = node_report(NodeTree::secure(), "cp-1", NOW - HOUR);
    let drifted = node_report(
        NodeTree::secure()
            .worker()
            .kubelet_config("authentication.anonymous.enabled", true.into()),
        "worker-2",
        NOW - HOUR,
    );
    let mut waived_on_node = drifted.clone();
    let i = waived_on_node
        .items
        .iter()
        .position(|i| i.id == "2.5")
        .unwrap();
    waived_on_node.items[i].findings[0].waiver = Some(kcheck_model::node_report::NodeWaiver {
        source: "waivers.yaml:3".into(),
        reason: "lab node".into(),
    });
    let report = cluster(vec![input(&cp, true), input(&waived_on_node, false)]);
    let f = report.findings.iter().find(|f| f.code == "KC211").unwrap();
    assert!(f.waived);
    assert_eq!(
        f.waiver.as_ref().unwrap().source,
        "waivers.yaml:3 (worker-2)"
    );
    assert_eq!(status(&report, "2.5"), (Status::Pass, String::new()));

    // The cluster's own waivers file, by node: one for another node leaves the finding alone.
    let judged = |file: &str| {
        let parsed = kcheck_load::parse_documents(file, &kcheck_load::Limits::default());
        let Some(kcheck_load::DocOutcome::Node(root)) = parsed.documents.into_iter().next() else {
            panic!("not a document")
        };
        let (entries, problems) = kcheck_rules::waivers::parse_file(&root, "waivers.yaml");
        assert!(problems.is_empty(), "{problems:?}");
        let waivers = kcheck_rules::Waivers::new()
            .with_entries(entries, kcheck_model::Date::parse("2026-01-01").unwrap());
        let report = Engine::default()
            .at(Now::from_unix(NOW))
            .with_waivers(waivers)
            .with_node_reports(NodeReports {
                nodes: vec![input(&cp, true), input(&drifted, false)],
            })
            .run_with_node(
                &Inventory::default(),
                None,
                &[Evidence::Node],
                Inputs::default(),
            );
        let f = report.findings.iter().find(|f| f.code == "KC211").unwrap();
        (f.waived, status(&report, "2.5").0)
    };
    assert_eq!(
        judged("waivers:\n- rule: KC211\n  node: worker-2\n  reason: lab\n"),
        (true, Status::Pass)
    );
    assert_eq!(
        judged("waivers:\n- rule: KC211\n  node: worker-1\n  reason: lab\n"),
        (false, Status::Fail)
    );
    assert_eq!(
        judged("waivers:\n- rule: KC211\n  node: worker-*\n  reason: lab\n"),
        (true, Status::Pass)
    );
}

/// A worker cannot tell where the CA's key is kept; the control-plane node can. With the CA keys
/// offline there, 1.3 passes over the cluster, the workers' "cannot tell" notwithstanding.
#[test]
fn the_root_ca_is_judged_where_its_key_would_be() {
    let offline = NodeTree::secure()
        .remove("/etc/kubernetes/pki/etcd/ca.key")
        .remove("/etc/kubernetes/pki/front-proxy-ca.key");
    let cp = node_report(offline, "cp-1", NOW - HOUR);
    let worker = node_report(NodeTree::secure().worker(), "worker-1", NOW - HOUR);
    let alone = worker.items.iter().find(|i| i.id == "1.3").unwrap();
    assert_eq!(alone.status, Status::NotEvaluated);
    let report = cluster(vec![input(&cp, true), input(&worker, false)]);
    assert_eq!(status(&report, "1.3"), (Status::Pass, String::new()));
    // A CA key on a worker is found wherever it is.
    let leaky = node_report(
        NodeTree::secure().worker().file_with_mode(
            "/etc/kubernetes/pki/ca.key",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBAy7hBp5k8Zq2pGC0tOJ2y6Yc7M3sZ4dlQm0b1wQm8b\n-----END PRIVATE KEY-----\n",
            0o600,
        ),
        "worker-2",
        NOW - HOUR,
    );
    let report = cluster(vec![
        input(&cp, true),
        input(&worker, false),
        input(&leaky, false),
    ]);
    let (s, _) = status(&report, "1.3");
    assert_ne!(s, Status::Pass, "{:?}", problems(&report));
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "KC109" && f.node.as_deref() == Some("worker-2")));
}

/// EKS workers and no control-plane node: the control-plane items are the provider's to
/// configure, manual with what to check there, as on each worker's own report.
#[test]
fn a_managed_control_plane_is_manual_over_the_cluster() {
    let w1 = node_report(NodeTree::managed_worker("eks"), "ip-10-0-1-1", NOW - HOUR);
    let w2 = node_report(NodeTree::managed_worker("eks"), "ip-10-0-1-2", NOW - HOUR);
    let alone = w1.items.iter().find(|i| i.id == "4.1").unwrap();
    assert_eq!(alone.status, Status::Manual);
    let report = cluster(vec![input(&w1, false), input(&w2, false)]);
    for id in ["4.1", "6.2", "8.1"] {
        let (s, reason) = status(&report, id);
        assert_eq!(s, Status::Manual, "{id}: {reason}");
        assert_eq!(
            Some(reason.as_str()),
            alone_reason(&w1, id).as_deref(),
            "{id}: the cluster says what each worker says"
        );
    }
    // The kubelet's items are judged on the workers as ever: each EKS worker's kubelet leaves
    // seccomp unconfined by default.
    assert_eq!(status(&report, "3.5").0, Status::Warn);
    let nodes: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code == "KC313")
        .filter_map(|f| f.node.as_deref().map(str::to_string))
        .collect();
    assert_eq!(nodes, ["ip-10-0-1-1", "ip-10-0-1-2"]);
}

fn alone_reason(doc: &NodeReport, id: &str) -> Option<String> {
    let item = doc.items.iter().find(|i| i.id == id)?;
    item.reason.as_ref().map(|r| r.en.clone())
}

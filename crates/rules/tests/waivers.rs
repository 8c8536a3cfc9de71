//! Waivers from annotations and from a waiver file: what applies, what is reported.

use kcheck_load::{load_bytes, parse_documents, DocOutcome, Limits};
use kcheck_model::{Date, Evidence, Inventory, Status, WaiverProblemKind};
use kcheck_rules::{waivers::parse_file, Engine, Waivers};

const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluent-bit
  namespace: logging
  annotations:
    kcheck.io/ignore: \"KC301/agent, host-path-volume\"
    kcheck.io/ignore-reason: log shipping needs the host's logs (SEC-42)
spec:
  template:
    spec:
      containers:
      - name: agent
        image: fluent-bit@sha256:0f3c5a7e9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e
        resources: {limits: {memory: 64Mi}}
        securityContext: {privileged: true}
      - name: helper
        image: helper@sha256:0f3c5a7e9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e
        resources: {limits: {memory: 64Mi}}
        securityContext: {privileged: true}
      volumes:
      - name: logs
        hostPath: {path: /var/log}
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: ops
  annotations:
    kcheck.io/ignore: KC301
spec:
  containers:
  - name: shell
    image: busybox@sha256:0f3c5a7e9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e
    resources: {limits: {memory: 64Mi}}
    securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
";

const FILE: &str = "\
waivers:
- rule: KC201
  namespace: shop
  name: ed*
  reason: fronted by the cloud firewall (NET-7)
- rule: KC3*
  namespace: ops
  kind: Pod
  reason: expired exception
  expires: 2020-01-31
- rule: KC202
  reason: nothing matches this
- rule: KC301
  kind: Deployment
- rule: KC301
  reason: typo in a key
  namspace: ops
";

fn run(annotations: bool) -> kcheck_model::Report {
    let loaded = load_bytes("m.yaml", MANIFESTS.as_bytes(), &Limits::default());
    assert!(
        loaded.inputs.diagnostics.is_empty(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    let parsed = parse_documents(FILE, &Limits::default());
    let Some(DocOutcome::Node(root)) = parsed.documents.into_iter().next() else {
        panic!()
    };
    let (entries, problems) = parse_file(&root, "waivers.yaml");
    let today = Date::parse("2026-11-29").unwrap();
    let waivers = Waivers::new()
        .annotations(annotations)
        .with_entries(entries, today);
    for p in problems {
        waivers.problem(p);
    }
    let inventory = Inventory::new(loaded.objects);
    Engine::default()
        .with_waivers(waivers)
        .run(&inventory, &[Evidence::Objects], loaded.inputs)
}

fn lines(report: &kcheck_model::Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| ["KC201", "KC301", "KC303"].contains(&f.code))
        .map(|f| {
            let o = f.object.as_ref().unwrap();
            let w = f
                .waiver
                .as_ref()
                .map_or("-".to_string(), |w| format!("{} | {}", w.source, w.reason));
            format!(
                "{} {} {} waived={} {}",
                f.code,
                o.name,
                f.path.as_deref().unwrap_or("-"),
                f.waived,
                w
            )
        })
        .collect()
}

#[test]
fn annotation_and_file_waivers() {
    let report = run(true);
    assert_eq!(
        lines(&report),
        [
            "KC201 edge spec.type waived=true waivers.yaml:2 | fronted by the cloud firewall (NET-7)",
            "KC301 fluent-bit spec.template.spec.containers[0].securityContext.privileged waived=true annotation kcheck.io/ignore | log shipping needs the host's logs (SEC-42)",
            "KC301 fluent-bit spec.template.spec.containers[1].securityContext.privileged waived=false -",
            "KC301 debug spec.containers[0].securityContext.privileged waived=false -",
            "KC303 fluent-bit spec.template.spec.volumes[0].hostPath waived=true annotation kcheck.io/ignore | log shipping needs the host's logs (SEC-42)",
        ]
    );
    let problems: Vec<String> = report
        .waivers
        .problems
        .iter()
        .map(|p| format!("{:?} {} {}", p.kind, p.source, p.message.en))
        .collect();
    assert_eq!(
        problems,
        [
            "Expired waivers.yaml:6 waiver for KC3* expired on 2020-01-31; it no longer applies",
            "Unused waivers.yaml:11 waiver for KC202 matched no finding: remove it or fix its selectors",
            "NoReason Pod ops/debug kcheck.io/ignore without kcheck.io/ignore-reason: the waiver does not apply",
            "Invalid waivers.yaml:13 waiver for KC301 has no `reason`: not applied",
            "Invalid waivers.yaml:17 unknown waiver key `namspace`: the waiver is not applied",
        ]
    );
    assert_eq!(report.waivers.applied, 3);
    // 2.7's only finding is waived: the item passes.
    let item = |id: &str| report.items.iter().find(|i| i.item.id == id).unwrap();
    assert_eq!(item("2.7").status, Status::Pass);
    assert_eq!(item("3.2").status, Status::Fail);
}

#[test]
fn annotation_waivers_can_be_turned_off() {
    let report = run(false);
    let waived: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.waived)
        .map(|f| f.code)
        .collect();
    assert_eq!(waived, ["KC201"]);
    assert!(report.waivers.problems.iter().any(
        |p| p.kind == WaiverProblemKind::Ignored && p.source == "DaemonSet logging/fluent-bit"
    ));
}

#[test]
fn an_annotation_naming_no_rule_is_reported() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ops\n  annotations:\n    kcheck.io/ignore: \"KC3O1, privileged-container, KC302/app\"\n    kcheck.io/ignore-reason: typo test\nspec:\n  containers:\n  - {name: app, image: x, securityContext: {privileged: true}}\n";
    let loaded = load_bytes("p.yaml", yaml.as_bytes(), &Limits::default());
    let report = Engine::default()
        .with_waivers(Waivers::new().annotations(true))
        .run(
            &Inventory::new(loaded.objects),
            &[Evidence::Objects],
            kcheck_model::Inputs::default(),
        );
    let invalid: Vec<String> = report
        .waivers
        .problems
        .iter()
        .filter(|p| p.kind == WaiverProblemKind::Invalid)
        .map(|p| format!("{}: {}", p.source, p.message.en))
        .collect();
    assert_eq!(
        invalid,
        ["Pod ops/p: kcheck.io/ignore names KC3O1, which is no rule of kcheck's (kcheck rules lists them): it waives nothing"]
    );
}

/// Node findings are waived by waiver files like the others (they were not before): an entry
/// naming the rule matches, an entry naming a container cannot.
#[test]
fn waiver_files_apply_to_node_findings() {
    let tree = kcheck_node::testing::NodeTree::kubeadm_default();
    let facts = tree.facts();
    let run = |file: &str| {
        let parsed = parse_documents(file, &Limits::default());
        let Some(DocOutcome::Node(root)) = parsed.documents.into_iter().next() else {
            panic!()
        };
        let (entries, problems) = parse_file(&root, "waivers.yaml");
        assert!(problems.is_empty(), "{problems:?}");
        let waivers = Waivers::new().with_entries(entries, Date::parse("2026-12-07").unwrap());
        Engine::default()
            .with_waivers(waivers)
            .at(kcheck_model::Now::from_unix(facts.now))
            .run_with_node(
                &Inventory::default(),
                Some(&facts),
                &[Evidence::Node],
                kcheck_model::Inputs::default(),
            )
    };
    let of = |report: &kcheck_model::Report, code: &str| -> Vec<bool> {
        report
            .findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| f.waived)
            .collect()
    };
    // kubeadm leaves the /logs API on (4.2, KC404).
    let plain = run("waivers: []\n");
    assert_eq!(of(&plain, "KC404"), [false]);
    assert_eq!(
        plain
            .items
            .iter()
            .find(|i| i.item.id == "4.2")
            .unwrap()
            .status,
        Status::Fail
    );
    let waived = run("waivers:\n- rule: KC404\n  reason: kept for the support team (SUP-9)\n");
    assert_eq!(of(&waived, "KC404"), [true]);
    let f = waived.findings.iter().find(|f| f.code == "KC404").unwrap();
    assert_eq!(f.waiver.as_ref().unwrap().source, "waivers.yaml:2");
    assert_eq!(
        waived
            .items
            .iter()
            .find(|i| i.item.id == "4.2")
            .unwrap()
            .status,
        Status::Pass
    );
    let by_container =
        run("waivers:\n- rule: KC404\n  container: apiserver\n  reason: no container here\n");
    assert_eq!(of(&by_container, "KC404"), [false]);
}

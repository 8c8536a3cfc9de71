//! Node rules for items 4.1, 4.2, 5.1, 6.2, 8.1, 8.2 and 8.3 (KC401-KC404, KC504, KC607, KC608,
//! KC805-KC807) over kubeadm-like node trees written to a temporary directory and collected as
//! `kcheck node --root` does: each rule fails and passes with its exact findings, and a node
//! without kube-apiserver leaves its item not evaluated.

#[path = "support/mod.rs"]
mod support;

use kcheck_model::facts::{ComponentKind, EtcdScan};
use kcheck_model::{Evidence, Inputs, Inventory, NodeFacts, Report, Status};
use kcheck_node::testing::NodeTree;
use kcheck_rules::{Engine, Rule};

use support::rule;

const API: ComponentKind = ComponentKind::ApiServer;

fn report_with(rules: Vec<&'static Rule>, facts: &NodeFacts, inventory: &Inventory) -> Report {
    Engine::new(rules)
        .at(kcheck_model::Now::from_unix(facts.now))
        .run_with_node(inventory, Some(facts), &[Evidence::Node], Inputs::default())
}

/// The findings as lines, in the format of the fixture snapshots with the source.
fn lines(report: &Report) -> Vec<String> {
    support::node_lines(report)
}

fn run(rule: &'static Rule, facts: &NodeFacts) -> Vec<String> {
    lines(&report_with(vec![rule], facts, &Inventory::default()))
}

/// The status of `item` when only `rules` run.
fn status(rules: Vec<&'static Rule>, facts: &NodeFacts, item: &str) -> Status {
    let r = report_with(rules, facts, &Inventory::default());
    r.items
        .iter()
        .find(|i| i.item.id == item)
        .map(|i| i.status)
        .expect("item")
}

fn snapshot(name: &str, found: &[String]) {
    insta::assert_snapshot!(name, found.join("\n"));
}

fn item_4_1() -> Vec<&'static Rule> {
    vec![rule("KC401"), rule("KC402"), rule("KC403")]
}

/// The hardened tree with encryption by secretbox (the tree's own uses aescbc, a warning).
fn secure() -> NodeTree {
    NodeTree::secure().file("/etc/kubernetes/encryption/config.yaml", SECRETBOX)
}

// A 32-byte key: base64 of 32 bytes of 0x2a, test data.
const SECRETBOX: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - secretbox:
      keys:
      - name: key1
        secret: KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=
  - identity: {}
";

// --- 4.1 audit ---

#[test]
fn secure_node_passes_audit_and_logs_items() {
    let facts = secure().facts();
    for rule in item_4_1().into_iter().chain([rule("KC404")]) {
        assert_eq!(run(rule, &facts), Vec::<String>::new(), "{}", rule.code);
    }
    assert_eq!(status(item_4_1(), &facts, "4.1"), Status::Pass);
    assert_eq!(status(vec![rule("KC404")], &facts, "4.2"), Status::Pass);
}

#[test]
fn kubeadm_default_has_no_audit() {
    let facts = NodeTree::kubeadm_default().facts();
    let found = run(rule("KC401"), &facts);
    snapshot("KC401_kubeadm_default", &found);
    // Nothing to protect or rotate without a log; the item fails on KC401.
    assert!(run(rule("KC402"), &facts).is_empty());
    assert!(run(rule("KC403"), &facts).is_empty());
    assert_eq!(status(item_4_1(), &facts, "4.1"), Status::Fail);
}

#[test]
fn audit_without_backend_or_policy_file() {
    let no_backend = secure().remove_flag(API, "audit-log-path").facts();
    let no_policy = secure().remove("/etc/kubernetes/audit/policy.yaml").facts();
    let stdout = secure().flag(API, "audit-log-path", "-").facts();
    let mut found = run(rule("KC401"), &no_backend);
    found.extend(run(rule("KC401"), &no_policy));
    found.extend(run(rule("KC401"), &stdout));
    snapshot("KC401_backend_policy_stdout", &found);
    assert_eq!(status(item_4_1(), &stdout, "4.1"), Status::Pass);
}

const VERBOSE_POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: [system:kube-proxy]
- level: Metadata
  resources:
  - group: \"\"
    resources: [configmaps]
- level: RequestResponse
";

const SILENT_POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: [/healthz]
- level: None
";

#[test]
fn audit_policy_that_copies_secrets_or_records_nothing() {
    let verbose = secure()
        .file("/etc/kubernetes/audit/policy.yaml", VERBOSE_POLICY)
        .facts();
    let silent = secure()
        .file("/etc/kubernetes/audit/policy.yaml", SILENT_POLICY)
        .facts();
    let mut found = run(rule("KC401"), &verbose);
    found.extend(run(rule("KC401"), &silent));
    snapshot("KC401_policy_content", &found);
    assert_eq!(status(item_4_1(), &verbose, "4.1"), Status::Warn);
}

#[test]
fn audit_log_open_to_others() {
    let facts = secure()
        .mode("/var/log/kubernetes/audit/audit.log", 0o644)
        .owner("/var/log/kubernetes/audit/audit.log", 998, 998)
        .mode("/var/log/kubernetes/audit", 0o755)
        .facts();
    let found = run(rule("KC402"), &facts);
    snapshot("KC402_open", &found);
    assert_eq!(status(item_4_1(), &facts, "4.1"), Status::Fail);
    // 0640 and 0750 are fine.
    let facts = secure()
        .mode("/var/log/kubernetes/audit/audit.log", 0o640)
        .mode("/var/log/kubernetes/audit", 0o750)
        .facts();
    assert!(run(rule("KC402"), &facts).is_empty());
}

#[test]
fn audit_log_not_written_yet() {
    let facts = secure()
        .remove("/var/log/kubernetes/audit/audit.log")
        .facts();
    snapshot("KC402_not_yet_written", &run(rule("KC402"), &facts));
}

#[test]
fn audit_log_rotation_limits() {
    let facts = secure()
        .remove_flag(API, "audit-log-maxage")
        .flag(API, "audit-log-maxbackup", "0")
        .flag(API, "audit-log-maxsize", "big")
        .facts();
    let found = run(rule("KC403"), &facts);
    snapshot("KC403_limits", &found);
    assert_eq!(status(item_4_1(), &facts, "4.1"), Status::Warn);
}

#[test]
fn worker_node_leaves_control_plane_items_not_evaluated() {
    let facts = secure().without(API).facts();
    let rules: Vec<&'static Rule> = vec![
        rule("KC401"),
        rule("KC402"),
        rule("KC403"),
        rule("KC404"),
        rule("KC504"),
        rule("KC607"),
        rule("KC608"),
        rule("KC805"),
        rule("KC806"),
        rule("KC807"),
    ];
    let report = report_with(rules.clone(), &facts, &Inventory::default());
    for item in ["4.1", "4.2", "5.1", "6.2", "8.1", "8.2", "8.3"] {
        let i = report.items.iter().find(|i| i.item.id == item).unwrap();
        assert_eq!(i.status, Status::NotEvaluated, "item {item}");
    }
    // One note per item, never a finding that fails or warns. (The collector's reason names
    // the temporary directory the tree was written to.)
    let root = facts.root.clone();
    let found: Vec<String> = lines(&report)
        .iter()
        .map(|l| l.replace(&root, "<root>"))
        .collect();
    snapshot("worker_node", &found);
}

// --- 4.2 /logs ---

#[test]
fn logs_handler_by_version() {
    // kubeadm v1.30 does not set the flag, and it defaults to true there.
    let old = NodeTree::kubeadm_default().facts();
    let on = secure().flag(API, "enable-logs-handler", "true").facts();
    let mut unknown = NodeTree::kubeadm_default().facts();
    for c in &mut unknown.components {
        c.version = None;
    }
    let mut found = run(rule("KC404"), &old);
    found.extend(run(rule("KC404"), &on));
    found.extend(run(rule("KC404"), &unknown));
    snapshot("KC404_versions", &found);
    // From v1.31 on the flag defaults to false.
    let new = NodeTree::kubeadm_default().version("v1.31.1").facts();
    assert!(run(rule("KC404"), &new).is_empty());
    assert_eq!(status(vec![rule("KC404")], &new, "4.2"), Status::Pass);
    assert_eq!(status(vec![rule("KC404")], &old, "4.2"), Status::Fail);
}

// --- 5.1 placement plugins ---

#[test]
fn placement_plugins() {
    let default = NodeTree::kubeadm_default().facts();
    let found = run(rule("KC504"), &default);
    snapshot("KC504_kubeadm_default", &found);
    assert_eq!(status(vec![rule("KC504")], &default, "5.1"), Status::Warn);
    let secure = secure().facts();
    snapshot("KC504_secure", &run(rule("KC504"), &secure));
    // Item 5.1 also needs objects: a node scan alone never passes it.
    assert_eq!(
        status(vec![rule("KC504")], &secure, "5.1"),
        Status::NotEvaluated
    );
}

// --- 6.2 encryption at rest ---

const WEAK: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [configmaps]
  providers:
  - aesgcm:
      keys:
      - name: short
        secret: KioqKioqKioqKioqKioqKg==
  - identity: {}
- resources: ['*.']
  providers:
  - identity: {}
  - aescbc:
      keys:
      - name: tiny
        secret: KioqKioqKio=
      - name: broken
        secret: not base64!
      - name: odd
        secret: KioqKioqKioqKioqKioqKioqKio=
  - secretbox:
      keys:
      - name: half
        secret: KioqKioqKioqKioqKioqKg==
";

#[test]
fn encryption_at_rest_missing_or_weak() {
    let none = NodeTree::kubeadm_default().facts();
    let weak = secure()
        .file_with_mode("/etc/kubernetes/encryption/config.yaml", WEAK, 0o644)
        .owner("/etc/kubernetes/encryption/config.yaml", 998, 998)
        .facts();
    let gone = secure()
        .remove("/etc/kubernetes/encryption/config.yaml")
        .facts();
    let mut found = run(rule("KC607"), &none);
    found.extend(run(rule("KC607"), &weak));
    found.extend(run(rule("KC607"), &gone));
    snapshot("KC607_missing_weak", &found);
    for facts in [&none, &weak, &gone] {
        assert_eq!(status(vec![rule("KC607")], facts, "6.2"), Status::Fail);
    }
    // No key material in any message.
    assert!(!found.iter().any(|l| l.contains("KioqKio")));
}

#[test]
fn encryption_at_rest_aescbc_warns_secretbox_passes() {
    let aescbc = NodeTree::secure().facts();
    snapshot("KC607_aescbc", &run(rule("KC607"), &aescbc));
    let facts = secure().facts();
    assert!(run(rule("KC607"), &facts).is_empty());
    assert_eq!(status(vec![rule("KC607")], &facts, "6.2"), Status::Pass);
}

fn with_etcd(scan: EtcdScan) -> NodeFacts {
    let mut facts = secure().facts();
    facts.etcd = Some(scan);
    facts
}

#[test]
fn etcd_secrets_stored_in_plaintext() {
    let facts = with_etcd(EtcdScan {
        endpoint: "https://127.0.0.1:2379".into(),
        total: 3,
        plaintext: vec![
            "/registry/secrets/prod/db-password".into(),
            "/registry/secrets/default/token".into(),
        ],
        providers: vec![("k8s:enc:secretbox:v1:key1".into(), 1)],
        error: None,
    });
    let mut found = run(rule("KC608"), &facts);
    // A scan cut short still fails the Secrets it found in plaintext.
    let cut = with_etcd(EtcdScan {
        endpoint: "https://127.0.0.1:2379".into(),
        total: 1,
        plaintext: vec!["/registry/secrets/kube-system/bootstrap-token-abcdef".into()],
        providers: vec![],
        error: Some("page 2: connection reset".into()),
    });
    found.extend(run(rule("KC608"), &cut));
    snapshot("KC608_plaintext", &found);
    assert_eq!(status(vec![rule("KC608")], &cut, "6.2"), Status::Fail);
    assert_eq!(status(vec![rule("KC608")], &facts, "6.2"), Status::Fail);
}

#[test]
fn etcd_scan_clean_failed_or_absent() {
    let clean = with_etcd(EtcdScan {
        endpoint: "https://127.0.0.1:2379".into(),
        total: 2,
        plaintext: vec![],
        providers: vec![("k8s:enc:secretbox:v1:key1".into(), 2)],
        error: None,
    });
    let failed = with_etcd(EtcdScan {
        endpoint: "https://127.0.0.1:2379".into(),
        error: Some("connection refused".into()),
        ..EtcdScan::default()
    });
    let empty = with_etcd(EtcdScan {
        endpoint: "https://127.0.0.1:2379".into(),
        ..EtcdScan::default()
    });
    let mut found = run(rule("KC608"), &clean);
    found.extend(run(rule("KC608"), &failed));
    found.extend(run(rule("KC608"), &empty));
    snapshot("KC608_clean_failed_empty", &found);
    let only = |facts: &NodeFacts| status(vec![rule("KC608")], facts, "6.2");
    assert_eq!(only(&clean), Status::Pass);
    assert_eq!(only(&failed), Status::NotEvaluated);
    assert_eq!(only(&empty), Status::NotEvaluated);
    // Without an etcd scan the rule looks at nothing.
    assert_eq!(only(&secure().facts()), Status::NotEvaluated);
}

// --- 8.1 admission plugins ---

#[test]
fn admission_plugins_of_kubeadm_and_secure_nodes() {
    let default = NodeTree::kubeadm_default().facts();
    snapshot("KC805_kubeadm_default", &run(rule("KC805"), &default));
    assert_eq!(status(vec![rule("KC805")], &default, "8.1"), Status::Warn);
    let secure = secure().facts();
    snapshot("KC805_secure", &run(rule("KC805"), &secure));
    assert_eq!(status(vec![rule("KC805")], &secure, "8.1"), Status::Pass);
}

#[test]
fn admission_plugins_disabled_or_always_admit() {
    let facts = NodeTree::kubeadm_default()
        .flag(
            API,
            "enable-admission-plugins",
            "AlwaysAdmit,DenyServiceExternalIPs",
        )
        .flag(
            API,
            "disable-admission-plugins",
            "CertificateSigning,ValidatingAdmissionWebhook",
        )
        .version("v1.36.0")
        .facts();
    snapshot("KC805_disabled", &run(rule("KC805"), &facts));
    assert_eq!(status(vec![rule("KC805")], &facts, "8.1"), Status::Fail);
    let legacy = NodeTree::kubeadm_default()
        .remove_flag(API, "enable-admission-plugins")
        .flag(
            API,
            "admission-control",
            "NamespaceLifecycle,ServiceAccount,NodeRestriction",
        )
        .facts();
    snapshot("KC805_legacy_flag", &run(rule("KC805"), &legacy));
}

// --- 8.2 Pod Security Admission ---

const LAX_POD_SECURITY: &str = "\
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: privileged
  warn: baseline
exemptions:
  usernames: [ci-deployer]
  runtimeClasses: [kata]
  namespaces: [kube-system, legacy-apps]
";

#[test]
fn pod_security_defaults_and_exemptions() {
    let default = NodeTree::kubeadm_default().facts();
    let lax = secure()
        .file(
            "/etc/kubernetes/admission/pod-security.yaml",
            LAX_POD_SECURITY,
        )
        .facts();
    let secure = secure().facts();
    let mut found = run(rule("KC806"), &default);
    found.extend(run(rule("KC806"), &lax));
    found.extend(run(rule("KC806"), &secure));
    snapshot("KC806_defaults_exemptions", &found);
    let only = |facts: &NodeFacts| status(vec![rule("KC806")], facts, "8.2");
    assert_eq!(only(&default), Status::Warn);
    assert_eq!(only(&lax), Status::Warn);
    assert_eq!(only(&secure), Status::Pass);
}

#[test]
fn pod_security_admission_off() {
    let facts = secure()
        .flag(API, "disable-admission-plugins", "PodSecurity")
        .facts();
    let alone = report_with(vec![rule("KC806")], &facts, &Inventory::default());
    let engine_yaml = "\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: kyverno-resource-validating-webhook-cfg
webhooks: []
";
    let loaded =
        kcheck_load::load_bytes("webhooks.yaml", engine_yaml.as_bytes(), &Default::default());
    let inventory = Inventory::new(loaded.objects);
    let with_engine = report_with(vec![rule("KC806")], &facts, &inventory);
    let gated = secure()
        .version("v1.24.17")
        .flag(API, "feature-gates", "PodSecurity=false")
        .facts();
    let mut found = lines(&alone);
    found.extend(lines(&with_engine));
    // On v1.24 the feature gate can switch it off too.
    found.extend(run(rule("KC806"), &gated));
    snapshot("KC806_off", &found);
    let status_of = |r: &Report| r.items.iter().find(|i| i.item.id == "8.2").unwrap().status;
    assert_eq!(status_of(&alone), Status::NotEvaluated);
    assert_eq!(status_of(&with_engine), Status::Pass);
}

// --- 8.3 admission configuration files ---

const BAD_WEBHOOK_KUBECONFIG: &str = "\
apiVersion: v1
kind: Config
clusters:
- name: plain
  cluster:
    server: http://policy.example:8080
- name: unverified
  cluster:
    server: https://images.example
    insecure-skip-tls-verify: true
users:
- name: '*'
  user: {}
";

#[test]
fn admission_config_files() {
    let secure_facts = secure().facts();
    assert!(run(rule("KC807"), &secure_facts).is_empty());
    let facts = secure()
        .mode("/etc/kubernetes/admission/admission.yaml", 0o644)
        .owner(
            "/etc/kubernetes/admission/validating-webhook.yaml",
            998,
            998,
        )
        .remove("/etc/kubernetes/admission/pod-security.yaml")
        .file(
            "/etc/kubernetes/admission/webhook-kubeconfig.yaml",
            BAD_WEBHOOK_KUBECONFIG,
        )
        .facts();
    snapshot("KC807_files", &run(rule("KC807"), &facts));
    let missing_kubeconfig = secure()
        .remove("/etc/kubernetes/admission/webhook-kubeconfig.yaml")
        .facts();
    snapshot(
        "KC807_missing_kubeconfig",
        &run(rule("KC807"), &missing_kubeconfig),
    );
    // Item 8.3 also needs objects: a node scan alone never passes it.
    assert_eq!(
        status(vec![rule("KC807")], &secure_facts, "8.3"),
        Status::NotEvaluated
    );
    assert_eq!(status(vec![rule("KC807")], &facts, "8.3"), Status::Fail);
}

#[test]
fn an_unreadable_admission_configuration_is_not_judged_as_absent() {
    // The flag names the AdmissionConfiguration, but the scan could not read it (as when the
    // flags come from the API without the node's files).
    let facts = secure()
        .remove("/etc/kubernetes/admission/admission.yaml")
        .facts();
    let found = run(rule("KC806"), &facts);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("KC806 NotExamined")
            && found[0].contains("could not be read; Pod Security Admission's defaults and exemptions were not checked"),
        "{found:#?}"
    );
    assert_eq!(
        status(vec![rule("KC806")], &facts, "8.2"),
        Status::NotEvaluated
    );
    let placement = run(rule("KC504"), &facts);
    assert!(
        placement
            .iter()
            .all(|l| l.contains("KC504 NotExamined") && l.contains("could not be read")),
        "{placement:#?}"
    );
}

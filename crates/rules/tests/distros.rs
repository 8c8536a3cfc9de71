//! Node scans of the layouts that are not kubeadm's (issue 21): each generated tree is built,
//! collected by the real collector (distribution detected as on a node) and judged by every
//! rule; the snapshots hold the detection, every node item's status and reason, and every
//! finding and note with its place.

#[path = "support/mod.rs"]
mod support;

use kcheck_model::facts::{DatastoreKind, Distro, NodeRole};
use kcheck_model::{Evidence, Inputs, Inventory, Lang, NodeFacts, Report, Status};
use kcheck_node::testing::{NodeTree, TEST_TOKEN};
use kcheck_rules::Engine;

/// Items some node rule judges.
fn node_items() -> Vec<&'static str> {
    let mut items: Vec<&'static str> = kcheck_rules::registry::all()
        .iter()
        .filter(|r| r.evidence == Evidence::Node)
        .map(|r| r.item)
        .collect();
    items.sort_by_key(|i| kcheck_model::item_order(i));
    items.dedup();
    items
}

fn judge(facts: &NodeFacts) -> Report {
    Engine::default()
        .at(kcheck_model::Now::from_unix(facts.now))
        .run_with_node(
            &Inventory::default(),
            Some(facts),
            &[Evidence::Node],
            Inputs::default(),
        )
}

fn status(report: &Report, item: &str) -> (Status, String) {
    let r = report
        .items
        .iter()
        .find(|i| i.item.id == item)
        .expect("item");
    (
        r.status,
        r.reason
            .as_ref()
            .map_or(String::new(), |t| t.en.to_string()),
    )
}

/// The detection, the datastore, each node item's status and reason, then findings and notes.
fn lines(facts: &NodeFacts, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &facts.distro {
        let line = d.line();
        out.push(format!(
            "detected: {} | {}",
            line.get(Lang::En),
            line.get(Lang::Zh)
        ));
    }
    if let Some(ds) = &facts.datastore {
        let at = ds.location.as_ref().map_or("-".into(), ToString::to_string);
        out.push(format!(
            "datastore: {} {} {at}",
            ds.kind.name(),
            ds.endpoint
        ));
    }
    for item in node_items() {
        let r = report
            .items
            .iter()
            .find(|i| i.item.id == item)
            .expect("item");
        let reason = r.reason.as_ref();
        out.push(format!(
            "item {item} {} | {} | {}",
            r.status.as_str(),
            reason.map_or("", |t| t.get(Lang::En)),
            reason.map_or("", |t| t.get(Lang::Zh)),
        ));
    }
    out.extend(support::node_lines(report));
    out
}

fn snapshot(name: &str, facts: &NodeFacts) -> Report {
    let report = judge(facts);
    let found = lines(facts, &report);
    for line in &found {
        assert!(!line.contains(TEST_TOKEN), "the join token leaked: {line}");
    }
    assert!(
        !format!("{facts:?}").contains(TEST_TOKEN),
        "the join token is in the facts"
    );
    insta::assert_snapshot!(name, found.join("\n"));
    report
}

const K3S_CONFIG: &str = "/etc/rancher/k3s/config.yaml";

#[test]
fn k3s_server_default_install() {
    let facts = NodeTree::k3s_server().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!(
        (d.distro, d.role, d.overridden),
        (Distro::K3s, NodeRole::ControlPlane, false)
    );
    assert_eq!(
        facts.datastore.as_ref().map(|d| d.kind),
        Some(DatastoreKind::Sqlite)
    );
    let report = snapshot("k3s_server_default", &facts);
    // Secrets encryption is off unless enabled.
    assert_eq!(status(&report, "6.2").0, Status::Fail);
}

#[test]
fn k3s_server_with_an_insecure_pass_through_flag_and_no_encryption() {
    let config = format!(
        "write-kubeconfig-mode: \"0600\"\ntoken: \"{TEST_TOKEN}\"\nkube-apiserver-arg:\n  - \"anonymous-auth=true\"\n  - enable-logs-handler=true\n"
    );
    let facts = NodeTree::k3s_server()
        .rancher_config(K3S_CONFIG, &config)
        .facts();
    let report = snapshot("k3s_server_insecure", &facts);
    let anonymous = report
        .findings
        .iter()
        .find(|f| f.code == "KC210" && f.message.en.contains("anonymous"))
        .expect("anonymous-auth finding");
    assert_eq!(
        anonymous
            .location
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("/etc/rancher/k3s/config.yaml:4:5")
    );
    assert_eq!(status(&report, "6.2").0, Status::Fail);
}

#[test]
fn k3s_server_hardened_by_its_configuration_and_a_drop_in() {
    let config = format!(
        "token: {TEST_TOKEN}\nsecrets-encryption: true\nkube-apiserver-arg:\n  - enable-admission-plugins=NodeRestriction,EventRateLimit\n"
    );
    let facts = NodeTree::k3s_server()
        .rancher_config(K3S_CONFIG, &config)
        .rancher_config(
            "/etc/rancher/k3s/config.yaml.d/50-cis.yaml",
            "protect-kernel-defaults: true\nkube-apiserver-arg+:\n  - service-account-extend-token-expiration=false\n  - service-account-max-token-expiration=24h\ncluster-init: true\n",
        )
        .file(
            "/var/lib/rancher/k3s/server/cred/encryption-config.json",
            "{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"secretbox\":{\"keys\":[{\"name\":\"key1\",\"secret\":\"KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=\"}]}},{\"identity\":{}}]}]}\n",
        )
        .facts();
    assert_eq!(
        facts.datastore.as_ref().map(|d| d.kind),
        Some(DatastoreKind::EmbeddedEtcd)
    );
    let api = facts
        .component(kcheck_model::ComponentKind::ApiServer)
        .expect("apiserver");
    // A drop-in's `key+:` appends to the main file's list.
    assert_eq!(
        api.flags.get("service-account-max-token-expiration"),
        Some("24h")
    );
    assert_eq!(
        api.flag_location("encryption-provider-config")
            .map(|l| l.to_string())
            .as_deref(),
        Some("/etc/rancher/k3s/config.yaml:2:21")
    );
    let report = snapshot("k3s_server_hardened", &facts);
    assert_eq!(status(&report, "6.2").0, Status::Pass);
}

#[test]
fn k3s_agent_only_node() {
    let facts = NodeTree::k3s_agent().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!((d.distro, d.role), (Distro::K3s, NodeRole::Worker));
    assert!(facts.datastore.is_none());
    let report = snapshot("k3s_agent", &facts);
    let (st, reason) = status(&report, "4.1");
    assert_eq!(st, Status::NotEvaluated);
    assert!(reason.contains("is an agent"), "{reason}");
}

#[test]
fn k3s_config_that_is_not_yaml_is_a_diagnostic_with_its_position() {
    let collected = NodeTree::k3s_server()
        .rancher_config(K3S_CONFIG, "kube-apiserver-arg: [\"a=b\"\ntoken: x\n")
        .build()
        .collect_with_inputs();
    let d = collected
        .inputs
        .diagnostics
        .iter()
        .find(|d| &*d.file == K3S_CONFIG)
        .expect("a diagnostic for the bad file");
    assert!(d.line > 0 && d.column > 0, "{d:?}");
}

#[test]
fn rke2_server() {
    let facts = NodeTree::rke2_server().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!((d.distro, d.role), (Distro::Rke2, NodeRole::ControlPlane));
    snapshot("rke2_server", &facts);
}

#[test]
fn rke2_agent_from_its_configuration() {
    let facts = NodeTree::rke2_agent().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!((d.distro, d.role), (Distro::Rke2, NodeRole::Worker));
    let kubelet = facts
        .component(kcheck_model::ComponentKind::Kubelet)
        .expect("the kubelet, from config.yaml");
    // `profile: cis` turns protect-kernel-defaults on, where it is written.
    assert_eq!(
        kubelet
            .flag_location("protect-kernel-defaults")
            .map(|l| l.to_string())
            .as_deref(),
        Some("/etc/rancher/rke2/config.yaml:3:10")
    );
    let report = snapshot("rke2_agent", &facts);
    let read_only = report
        .findings
        .iter()
        .find(|f| f.code == "KC211" && f.message.en.contains("10255"))
        .expect("the read-only port finding");
    assert_eq!(
        read_only
            .location
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("/etc/rancher/rke2/config.yaml:5:5")
    );
}

#[test]
fn managed_workers_leave_the_control_plane_to_the_provider() {
    for (name, distro) in [
        ("eks", Distro::Eks),
        ("gke", Distro::Gke),
        ("aks", Distro::Aks),
    ] {
        let facts = NodeTree::managed_worker(name).facts();
        let d = facts.distro.as_ref().expect("detected");
        assert_eq!((d.distro, d.role), (distro, NodeRole::Worker), "{name}");
        if distro == Distro::Eks {
            // The unit's command uses the variables its drop-ins set.
            let kubelet = facts
                .component(kcheck_model::ComponentKind::Kubelet)
                .expect("kubelet");
            assert_eq!(kubelet.flags.get("node-ip"), Some("10.0.0.5"));
            assert_eq!(kubelet.flags.get("node-labels"), Some("team=a"));
        }
        let report = snapshot(&format!("managed_{name}"), &facts);
        for item in ["4.1", "4.2", "6.2", "8.1", "8.2", "8.3", "5.1"] {
            let (st, reason) = status(&report, item);
            assert_eq!(st, Status::Manual, "{name} {item}: {reason}");
            assert!(
                reason.contains("managed by the provider"),
                "{name} {item}: {reason}"
            );
        }
    }
}

#[test]
fn microk8s_node() {
    let facts = NodeTree::microk8s().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!(
        (d.distro, d.role),
        (Distro::MicroK8s, NodeRole::ControlPlane)
    );
    assert_eq!(
        facts.datastore.as_ref().map(|d| d.kind),
        Some(DatastoreKind::Dqlite)
    );
    snapshot("microk8s", &facts);
}

#[test]
fn kind_node_reads_as_kubeadm() {
    let facts = NodeTree::kind().facts();
    assert_eq!(facts.distro.as_ref().map(|d| d.distro), Some(Distro::Kind));
    let kubeadm = NodeTree::kubeadm_default().facts();
    // The same findings as the kubeadm node it is.
    assert_eq!(
        support::node_lines(&judge(&facts)),
        support::node_lines(&judge(&kubeadm))
    );
    snapshot("kind", &facts);
}

#[test]
fn openshift_control_plane_is_the_operators() {
    let facts = NodeTree::openshift().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!(
        (d.distro, d.role),
        (Distro::OpenShift, NodeRole::ControlPlane)
    );
    let report = snapshot("openshift", &facts);
    assert_eq!(status(&report, "6.2").0, Status::Manual);
}

#[test]
fn a_kubeadm_control_plane_on_cloud_vms_is_not_a_managed_worker() {
    let facts = NodeTree::kubeadm_default()
        .file(
            "/etc/kubernetes/azure.json",
            "{\"cloud\":\"AzurePublicCloud\"}\n",
        )
        .facts();
    assert_eq!(
        facts.distro.as_ref().map(|d| d.distro),
        Some(Distro::Kubeadm)
    );
    assert_eq!(facts.managed_by(), None);
}

#[test]
fn kubeadm_is_detected_and_distro_overrides() {
    let facts = NodeTree::kubeadm_default().facts();
    let d = facts.distro.as_ref().expect("detected");
    assert_eq!(
        (d.distro, d.role, d.overridden),
        (Distro::Kubeadm, NodeRole::ControlPlane, false)
    );
    let built = NodeTree::k3s_agent().build();
    let forced = kcheck_node::collect(&built.options().with_distro(Distro::Eks));
    let d = forced.distro.as_ref().expect("set");
    assert_eq!((d.distro, d.overridden), (Distro::Eks, true));
}

#[test]
fn k3s_data_dir_moves_what_is_read() {
    let facts = NodeTree::k3s_server()
        .rancher_config(K3S_CONFIG, "data-dir: /opt/k3s\n")
        .facts();
    let api = facts
        .component(kcheck_model::ComponentKind::ApiServer)
        .expect("apiserver");
    assert_eq!(
        api.flags.get("tls-cert-file"),
        Some("/opt/k3s/server/tls/serving-kube-apiserver.crt")
    );
    assert_eq!(
        facts.missing("pki").and_then(|m| m.path.as_deref()),
        Some("/opt/k3s/server/tls")
    );
    assert_eq!(
        facts.datastore.as_ref().map(|d| d.endpoint.as_str()),
        Some("/opt/k3s/server/db/state.db")
    );
}

#[test]
fn k3s_certificates_near_expiry_are_renewed_at_start() {
    let mut facts = NodeTree::k3s_server().facts();
    // 300 days after the install: the 365-day leaves have 65 days left.
    facts.now += 300 * 86_400;
    let report = judge(&facts);
    let notes: Vec<String> = support::node_lines(&report)
        .into_iter()
        .filter(|l| l.starts_with("KC110 Evidence"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].contains("k3s renews them each time it starts"),
        "{}",
        notes[0]
    );
    // Not yet within kcheck's own 30 days: nothing warns, the item passes.
    assert_eq!(status(&report, "1.4").0, Status::Pass);
}

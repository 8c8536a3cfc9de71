//! Collection over generated node trees: the exact facts a kubeadm-like node gives.

use kcheck_model::facts::{ConfigRole, FileRole, FileStat, Origin};
use kcheck_model::ComponentKind::{ApiServer, ControllerManager, Etcd, Kubelet, Scheduler};
use kcheck_model::NodeFacts;
use kcheck_node::testing::{CertSpec, KeyType, NodeTree};

const NOW: i64 = 1_750_000_000;
const DAY: i64 = 86_400;
const CA: &str = "/etc/kubernetes/pki/ca.crt";

fn stat(facts: &NodeFacts, path: &str) -> (FileRole, Option<u32>, Option<String>) {
    let f = facts
        .file(path)
        .unwrap_or_else(|| panic!("no file fact for {path}"));
    let owner = match &f.stat {
        FileStat::Present { owner, .. } => owner.clone(),
        _ => None,
    };
    (f.role, f.stat.mode(), owner)
}

#[test]
fn kubeadm_default_components_with_flag_locations() {
    let facts = NodeTree::kubeadm_default().at(NOW).facts();
    assert_eq!(facts.now, NOW);
    let kinds: Vec<_> = facts.components.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ApiServer, ControllerManager, Scheduler, Kubelet, Etcd]
    );

    let api = facts.component(ApiServer).unwrap();
    let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    assert_eq!(
        api.origin,
        Origin::StaticPod {
            path: manifest.into()
        }
    );
    assert_eq!(api.version.as_deref(), Some("v1.30.4"));
    assert_eq!(api.minor(), Some(30));
    assert_eq!(
        api.manifest.as_ref().map(|m| m.name.as_str()),
        Some("kube-apiserver")
    );
    // The first flag is on line 13 (after `- kube-apiserver`), each list element at column 7.
    let at = |name: &str| {
        let l = api.flag_location(name).unwrap();
        (l.file.to_string(), l.line, l.column)
    };
    assert_eq!(at("advertise-address"), (manifest.to_string(), 13, 7));
    assert_eq!(at("allow-privileged"), (manifest.to_string(), 14, 7));
    assert_eq!(at("tls-private-key-file"), (manifest.to_string(), 39, 7));
    assert_eq!(api.flags.get("authorization-mode"), Some("Node,RBAC"));
    assert_eq!(
        api.flags.list("enable-admission-plugins"),
        ["NodeRestriction"]
    );
    assert!(!api.flags.has("anonymous-auth"));

    let cm = facts.component(ControllerManager).unwrap();
    assert!(cm.flags.get_bool("use-service-account-credentials", false));
    let etcd = facts.component(Etcd).unwrap();
    assert_eq!(etcd.version.as_deref(), Some("3.5.15-0"));
    assert!(etcd.flags.get_bool("client-cert-auth", false));

    // No kubelet process: the kubeadm drop-in and its environment file, with locations.
    let kubelet = facts.component(Kubelet).unwrap();
    let drop_in = "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf";
    assert_eq!(
        kubelet.origin,
        Origin::Systemd {
            unit: drop_in.into()
        }
    );
    assert_eq!(
        kubelet.flags.get("config"),
        Some("/var/lib/kubelet/config.yaml")
    );
    assert_eq!(
        kubelet.flags.get("kubeconfig"),
        Some("/etc/kubernetes/kubelet.conf")
    );
    let loc = kubelet.flag_location("container-runtime-endpoint").unwrap();
    assert_eq!(
        (&*loc.file, loc.line, loc.column),
        ("/var/lib/kubelet/kubeadm-flags.env", 1, 23)
    );
    let loc = kubelet.flag_location("config").unwrap();
    assert_eq!((&*loc.file, loc.line, loc.column), (drop_in, 4, 34));

    let kc = facts.config(ConfigRole::Kubelet).unwrap();
    assert_eq!(kc.path, "/var/lib/kubelet/config.yaml");
    assert_eq!(kc.object.kind, "KubeletConfiguration");
    let mode = kc
        .object
        .root
        .path(&["authorization", "mode"])
        .and_then(|n| n.as_str());
    assert_eq!(mode, Some("Webhook"));
    // Nothing else is configured on a kubeadm node.
    for role in [
        ConfigRole::Encryption,
        ConfigRole::Admission,
        ConfigRole::AuditPolicy,
    ] {
        assert!(facts.config(role).is_none(), "{role:?}");
    }
    assert!(
        facts.missing.iter().all(|m| m.what == "processes"),
        "{:?}",
        facts.missing
    );
}

#[test]
fn kubeadm_default_pki_and_kubeconfigs() {
    let facts = NodeTree::kubeadm_default().at(NOW).facts();
    let ca = facts
        .certificates
        .iter()
        .find(|c| c.path == CA && c.within.is_empty())
        .unwrap();
    assert!(ca.is_ca && ca.self_signed);
    assert_eq!(ca.common_name, "kubernetes");
    assert_eq!(ca.subject, "CN=kubernetes");
    assert_eq!(
        (ca.not_before, ca.not_after),
        (NOW - DAY, NOW - DAY + 3650 * DAY)
    );
    assert_eq!((ca.key.algorithm.as_str(), ca.key.bits), ("RSA", 2048));
    assert_eq!(ca.fingerprint.len(), 64);

    let leaf = facts
        .certificates
        .iter()
        .find(|c| c.path == "/etc/kubernetes/pki/apiserver.crt")
        .unwrap();
    assert!(!leaf.is_ca && !leaf.self_signed);
    assert_eq!(leaf.issuer, "CN=kubernetes");
    assert_eq!(leaf.extended_key_usage, ["serverAuth"]);
    assert_eq!(leaf.not_after - leaf.not_before, 365 * DAY);

    // The CA key is on the node, marked as such, root-owned 0600; certificates 0644.
    assert_eq!(
        stat(&facts, "/etc/kubernetes/pki/ca.key"),
        (FileRole::CaKey, Some(0o600), Some("root".into()))
    );
    assert_eq!(stat(&facts, CA).0, FileRole::Certificate);
    assert_eq!(stat(&facts, CA).1, Some(0o644));
    assert_eq!(
        stat(&facts, "/etc/kubernetes/pki").0,
        FileRole::PkiDirectory
    );
    assert_eq!(
        stat(&facts, "/etc/kubernetes/pki/etcd").0,
        FileRole::PkiDirectory
    );
    // The service-account public key is neither a certificate nor a private key.
    assert_eq!(
        stat(&facts, "/etc/kubernetes/pki/sa.pub").0,
        FileRole::Other
    );
    let ca_key = facts
        .private_keys
        .iter()
        .find(|k| k.path == "/etc/kubernetes/pki/ca.key")
        .unwrap();
    assert_eq!(
        (
            ca_key.key.algorithm.as_str(),
            ca_key.key.bits,
            ca_key.encrypted
        ),
        ("RSA", 2048, false)
    );

    // super-admin.conf carries the break-glass system:masters certificate, embedded.
    let sa = facts
        .kubeconfigs
        .iter()
        .find(|k| k.path == "/etc/kubernetes/super-admin.conf")
        .unwrap();
    assert_eq!(sa.used_by, "kubeadm default");
    let cert = &facts.certificates[sa.users[0].client_certificate.unwrap()];
    assert_eq!(
        cert.within,
        "users[kubernetes-super-admin].client-certificate-data"
    );
    assert_eq!(cert.organizations, ["system:masters"]);
    assert_eq!(cert.common_name, "kubernetes-super-admin");
    assert!(sa.clusters[0].has_ca);
    assert_eq!(sa.clusters[0].server, "https://192.168.0.10:6443");
    let admin = facts
        .kubeconfigs
        .iter()
        .find(|k| k.path == "/etc/kubernetes/admin.conf")
        .unwrap();
    let cert = &facts.certificates[admin.users[0].client_certificate.unwrap()];
    assert_eq!(cert.organizations, ["kubeadm:cluster-admins"]);

    // kubelet.conf references the rotated certificate through an absolute symlink.
    let kubelet = facts
        .kubeconfigs
        .iter()
        .find(|k| k.path == "/etc/kubernetes/kubelet.conf")
        .unwrap();
    assert_eq!(kubelet.used_by, "kubelet --kubeconfig");
    let cert = &facts.certificates[kubelet.users[0].client_certificate.unwrap()];
    assert_eq!(cert.path, "/var/lib/kubelet/pki/kubelet-client-current.pem");
    assert_eq!(cert.common_name, "system:node:node1");
    assert_eq!(cert.organizations, ["system:nodes"]);
    let cm = facts
        .kubeconfigs
        .iter()
        .find(|k| k.path == "/etc/kubernetes/controller-manager.conf")
        .unwrap();
    assert!(
        cm.used_by.contains("kube-controller-manager --kubeconfig"),
        "{}",
        cm.used_by
    );

    // Host bits.
    assert_eq!(facts.cni.len(), 1);
    assert_eq!(facts.cni[0].plugins, ["flannel", "portmap"]);
    assert_eq!(facts.lsm.apparmor, Some(true));
    assert_eq!(facts.lsm.selinux, None);
    assert!(facts.lsm.active.contains(&"apparmor".to_string()));
    assert_eq!(
        stat(&facts, "/var/lib/etcd"),
        (
            FileRole::EtcdDataDirectory,
            Some(0o700),
            Some("root".into())
        )
    );
}

#[test]
fn secure_tree_configs_audit_and_owners() {
    let facts = NodeTree::secure().at(NOW).facts();
    assert!(facts.file("/etc/kubernetes/pki/ca.key").is_none());
    assert!(facts
        .private_keys
        .iter()
        .all(|k| k.key.algorithm == "ECDSA" && k.key.bits == 256));
    let enc = facts.config(ConfigRole::Encryption).unwrap();
    assert_eq!(enc.object.kind, "EncryptionConfiguration");
    assert_eq!(
        stat(&facts, &enc.path),
        (FileRole::Config, Some(0o600), Some("root".into()))
    );
    let admission = facts.config(ConfigRole::Admission).unwrap();
    assert_eq!(admission.path, "/etc/kubernetes/admission/admission.yaml");
    let plugins: Vec<_> = facts
        .configs
        .iter()
        .filter(|c| c.role == ConfigRole::AdmissionPlugin)
        .map(|c| (c.path.as_str(), c.object.kind.as_str()))
        .collect();
    assert_eq!(
        plugins,
        [
            (
                "/etc/kubernetes/admission/pod-security.yaml",
                "PodSecurityConfiguration"
            ),
            (
                "/etc/kubernetes/admission/validating-webhook.yaml",
                "WebhookAdmissionConfiguration"
            ),
        ]
    );
    let hook = facts
        .config(ConfigRole::AdmissionWebhookKubeconfig)
        .unwrap();
    assert_eq!(
        hook.path,
        "/etc/kubernetes/admission/webhook-kubeconfig.yaml"
    );
    assert_eq!(stat(&facts, &hook.path).0, FileRole::Kubeconfig);
    assert!(facts.kubeconfigs.iter().any(|k| k.path == hook.path));
    assert_eq!(
        facts.config(ConfigRole::AuditPolicy).unwrap().object.kind,
        "Policy"
    );
    assert_eq!(
        stat(&facts, "/var/log/kubernetes/audit/audit.log"),
        (FileRole::AuditLog, Some(0o600), Some("root".into()))
    );
    assert_eq!(
        stat(&facts, "/var/log/kubernetes/audit").0,
        FileRole::AuditLogDirectory
    );
    assert_eq!(stat(&facts, "/var/log/kubernetes/audit").1, Some(0o700));
    assert_eq!(stat(&facts, "/var/lib/etcd").2.as_deref(), Some("etcd"));
    let kc = facts.config(ConfigRole::Kubelet).unwrap();
    assert_eq!(
        kc.object
            .root
            .get("seccompDefault")
            .and_then(|n| n.as_bool()),
        Some(true)
    );
    assert_eq!(
        kc.object.root.get("readOnlyPort").and_then(|n| n.as_i64()),
        Some(0)
    );
    assert_eq!(facts.cni[0].plugins, ["calico", "bandwidth", "portmap"]);
    assert!(
        facts.missing.iter().all(|m| m.what == "processes"),
        "{:?}",
        facts.missing
    );
}

#[test]
fn builder_changes_flags_certificates_modes() {
    let tree = NodeTree::secure()
        .at(NOW)
        .flag(ApiServer, "anonymous-auth", "true")
        .add_flag(ApiServer, "enable-admission-plugins", "EventRateLimit")
        .remove_flag(ApiServer, "profiling")
        .bare_flag(ControllerManager, "profiling")
        .flag(Kubelet, "read-only-port", "10255")
        .kubelet_config("authentication.anonymous.enabled", true.into())
        .remove_kubelet_config("seccompDefault")
        .mode("/etc/kubernetes/pki/apiserver.key", 0o644)
        .owner("/etc/kubernetes/pki/apiserver.key", 998, 998)
        .cert(
            "/etc/kubernetes/pki/extra/long.crt",
            CertSpec::client("long-lived", &["system:masters", "ops"], CA)
                .days(5 * 365)
                .valid_from(-10)
                .key(KeyType::Ed25519),
        )
        .cert(
            "/etc/kubernetes/pki/intermediate.crt",
            CertSpec::ca("intermediate")
                .issued_by(Some(CA))
                .key(KeyType::EcdsaP384),
        )
        .cert_lifetime("/etc/kubernetes/pki/apiserver.crt", 30);
    let facts = tree.facts();
    let api = facts.component(ApiServer).unwrap();
    assert_eq!(api.flags.get("anonymous-auth"), Some("true"));
    assert!(api
        .flags
        .list("enable-admission-plugins")
        .contains(&"EventRateLimit"));
    assert!(!api.flags.has("profiling"));
    let cm = facts.component(ControllerManager).unwrap();
    assert_eq!(cm.flags.last("profiling").unwrap().value, None);
    assert_eq!(cm.flags.get("profiling"), Some("true"));
    assert_eq!(
        facts
            .component(Kubelet)
            .unwrap()
            .flags
            .get("read-only-port"),
        Some("10255")
    );
    let kc = &facts.config(ConfigRole::Kubelet).unwrap().object.root;
    assert_eq!(
        kc.path(&["authentication", "anonymous", "enabled"])
            .and_then(|n| n.as_bool()),
        Some(true)
    );
    assert!(kc.get("seccompDefault").is_none());
    let (role, mode, owner) = stat(&facts, "/etc/kubernetes/pki/apiserver.key");
    assert_eq!((role, mode), (FileRole::PrivateKey, Some(0o644)));
    if is_root() {
        assert_eq!(owner.as_deref(), Some("etcd"));
    }
    let long = facts
        .certificates
        .iter()
        .find(|c| c.path.ends_with("/extra/long.crt"))
        .unwrap();
    assert_eq!(long.organizations, ["system:masters", "ops"]);
    assert_eq!(
        (long.not_before, long.not_after),
        (NOW - 10 * DAY, NOW - 10 * DAY + 5 * 365 * DAY)
    );
    assert_eq!(
        (long.key.algorithm.as_str(), long.key.bits),
        ("Ed25519", 256)
    );
    let inter = facts
        .certificates
        .iter()
        .find(|c| c.path.ends_with("/intermediate.crt"))
        .unwrap();
    assert!(inter.is_ca && !inter.self_signed);
    assert_eq!(
        (inter.key.algorithm.as_str(), inter.key.bits),
        ("ECDSA", 384)
    );
    let api_cert = facts
        .certificates
        .iter()
        .find(|c| c.path.ends_with("/apiserver.crt"))
        .unwrap();
    assert_eq!(api_cert.not_after - api_cert.not_before, 30 * DAY);
}

#[test]
fn missing_evidence_has_stable_keys() {
    let facts = NodeTree::kubeadm_default()
        .at(NOW)
        .without(ApiServer)
        .without(Kubelet)
        .remove("/etc/kubernetes/pki")
        .remove("/etc/cni")
        .lsm(None, None, &[])
        .facts();
    for what in [
        "component:kube-apiserver",
        "component:kubelet",
        "config:kubelet",
        "pki",
        "cni",
        "lsm",
    ] {
        assert!(facts.missing(what).is_some(), "{what}: {:?}", facts.missing);
    }
    assert_eq!(
        facts.missing("pki").unwrap().path.as_deref(),
        Some("/etc/kubernetes/pki")
    );
    assert!(facts.missing("component:etcd").is_none());
    // Files that flags name and that are gone are missing evidence, and still file facts.
    let cert = facts
        .missing
        .iter()
        .find(|m| {
            m.what == "certificate"
                && m.path.as_deref() == Some("/etc/kubernetes/pki/etcd/server.crt")
        })
        .unwrap();
    assert!(
        cert.reason.en.contains("etcd --cert-file"),
        "{:?}",
        cert.reason
    );
    assert_eq!(
        facts
            .file("/etc/kubernetes/pki/etcd/server.crt")
            .unwrap()
            .stat,
        FileStat::Missing
    );

    let facts = NodeTree::kubeadm_default()
        .at(NOW)
        .flag(
            ApiServer,
            "encryption-provider-config",
            "/etc/kubernetes/enc.yaml",
        )
        .flag(
            ApiServer,
            "admission-control-config-file",
            "/etc/kubernetes/adm.yaml",
        )
        .flag(ApiServer, "audit-policy-file", "/etc/kubernetes/audit.yaml")
        .flag(ApiServer, "audit-log-path", "/var/log/audit/kube.log")
        .file(
            "/etc/kubernetes/adm.yaml",
            "plugins:\n- name: EventRateLimit\n  path: missing.yaml\n",
        )
        .facts();
    let m = |what: &str| facts.missing(what).and_then(|m| m.path.clone());
    assert_eq!(
        m("config:encryption").as_deref(),
        Some("/etc/kubernetes/enc.yaml")
    );
    assert_eq!(
        m("config:audit-policy").as_deref(),
        Some("/etc/kubernetes/audit.yaml")
    );
    assert_eq!(
        m("config:admission-plugin").as_deref(),
        Some("/etc/kubernetes/missing.yaml")
    );
    assert!(facts.config(ConfigRole::Admission).is_some());
    assert_eq!(
        facts.file("/var/log/audit/kube.log").unwrap().stat,
        FileStat::Missing
    );
    assert_eq!(
        facts.file("/var/log/audit").unwrap().role,
        FileRole::AuditLogDirectory
    );
}

#[test]
fn kubelet_from_kubeadm_flags_alone() {
    let facts = NodeTree::kubeadm_default()
        .at(NOW)
        .remove("/etc/systemd")
        .flag(Kubelet, "config", "/etc/kubelet/custom.yaml")
        .file("/etc/kubelet/custom.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n")
        .facts();
    let kubelet = facts.component(Kubelet).unwrap();
    assert_eq!(
        kubelet.origin,
        Origin::Systemd {
            unit: "/var/lib/kubelet/kubeadm-flags.env".into()
        }
    );
    let kc = facts.config(ConfigRole::Kubelet).unwrap();
    assert_eq!(kc.path, "/etc/kubelet/custom.yaml");
    assert_eq!(
        kc.object.root.get("readOnlyPort").and_then(|n| n.as_i64()),
        Some(10255)
    );
    assert_eq!(
        facts.file("/etc/kubelet/custom.yaml").unwrap().reason,
        "kubelet --config"
    );
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

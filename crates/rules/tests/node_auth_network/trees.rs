//! The rules over kubeadm-like node trees (`kcheck_node::testing::NodeTree`), collected as
//! `kcheck node --root` does. Probe results cannot come from a tree; they are added to the
//! collected facts by hand.

use super::{run, status, NOW};
use crate::support::rule;
use kcheck_model::facts::{ComponentKind, Probe};
use kcheck_model::{NodeFacts, Status};
use kcheck_node::testing::{CertSpec, NodeTree};
use kcheck_rules::Rule;

use ComponentKind::{ApiServer, ControllerManager, Etcd, Kubelet, Scheduler};

fn rules() -> Vec<&'static Rule> {
    vec![
        rule("KC107"),
        rule("KC108"),
        rule("KC109"),
        rule("KC110"),
        rule("KC210"),
        rule("KC211"),
        rule("KC212"),
        rule("KC213"),
        rule("KC313"),
        rule("KC314"),
        rule("KC606"),
    ]
}

/// Every rule of this file over the facts, as lines.
fn run_all(facts: &NodeFacts) -> Vec<String> {
    let mut found = Vec::new();
    for rule in rules() {
        found.extend(run(rule, facts));
    }
    found
}

/// The lines of one rule.
fn of(code: &str, found: &[String]) -> Vec<String> {
    found
        .iter()
        .filter(|l| l.starts_with(&format!("{code} ")))
        .cloned()
        .collect()
}

fn kubeadm() -> NodeTree {
    NodeTree::kubeadm_default().at(NOW)
}

/// The hardened tree with every CA offline (the tree keeps the etcd and front-proxy CA keys).
fn secure() -> NodeTree {
    NodeTree::secure()
        .at(NOW)
        .remove("/etc/kubernetes/pki/etcd/ca.key")
        .remove("/etc/kubernetes/pki/front-proxy-ca.key")
}

#[test]
fn a_kubeadm_node_as_kubeadm_leaves_it() {
    let facts = kubeadm().facts();
    insta::assert_snapshot!("tree_kubeadm_default", run_all(&facts).join("\n"));
    for (rule, expected) in [
        (rule("KC108"), Status::Pass),
        (rule("KC109"), Status::Warn),
        (rule("KC110"), Status::Pass),
        (rule("KC211"), Status::Pass),
        (rule("KC212"), Status::Pass),
        (rule("KC210"), Status::Warn),
        (rule("KC313"), Status::Warn),
        (rule("KC606"), Status::Warn),
    ] {
        assert_eq!(status(rule, &facts), expected, "{}", rule.code);
    }
}

#[test]
fn a_hardened_node_passes_with_informations_only() {
    let facts = secure().facts();
    let found = run_all(&facts);
    insta::assert_snapshot!("tree_secure", found.join("\n"));
    assert!(
        found
            .iter()
            .all(|l| matches!(l.split(' ').nth(1), Some("Info" | "Evidence"))),
        "{found:#?}"
    );
    for rule in rules() {
        let expected = match rule.code {
            // No --probe: nothing looked at.
            "KC213" => Status::NotEvaluated,
            // Items that also need Kubernetes objects.
            "KC107" | "KC313" | "KC314" | "KC606" => Status::NotEvaluated,
            _ => Status::Pass,
        };
        assert_eq!(status(rule, &facts), expected, "{}", rule.code);
    }
}

#[test]
fn kc107_kc108_fail_master_credentials_and_shared_controller_identity() {
    let facts = kubeadm()
        .kubeconfig_cert(
            "/etc/kubernetes/controller-manager.conf",
            CertSpec::client(
                "system:kube-controller-manager",
                &["system:masters"],
                "/etc/kubernetes/pki/ca.crt",
            ),
        )
        .cert(
            "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            CertSpec::client(
                "kube-apiserver-kubelet-client",
                &["system:masters"],
                "/etc/kubernetes/pki/ca.crt",
            ),
        )
        .flag(
            ControllerManager,
            "use-service-account-credentials",
            "false",
        )
        .facts();
    let mut found = run(rule("KC107"), &facts);
    found.extend(run(rule("KC108"), &facts));
    insta::assert_snapshot!("tree_KC107_KC108_fail", found.join("\n"));
}

#[test]
fn kc109_kc110_fail_an_exposed_ca_key_and_long_or_expired_certificates() {
    let facts = kubeadm()
        .mode("/etc/kubernetes/pki/ca.key", 0o640)
        .owner("/etc/kubernetes/pki/ca.key", 1, 1)
        .cert_lifetime("/etc/kubernetes/pki/apiserver.crt", 5 * 365)
        .cert(
            "/etc/kubernetes/pki/front-proxy-client.crt",
            CertSpec::client(
                "front-proxy-client",
                &[],
                "/etc/kubernetes/pki/front-proxy-ca.crt",
            )
            .valid_from(-400),
        )
        .facts();
    let mut found = run(rule("KC109"), &facts);
    found.extend(of("KC110", &run(rule("KC110"), &facts)));
    insta::assert_snapshot!("tree_KC109_KC110_fail", found.join("\n"));
}

#[test]
fn kc210_kc211_kc212_fail_open_control_plane_ports() {
    let facts = kubeadm()
        .flag(ApiServer, "authorization-mode", "AlwaysAllow")
        .kubelet_config("authentication.anonymous.enabled", true.into())
        .kubelet_config("readOnlyPort", 10255.into())
        .flag(Etcd, "client-cert-auth", "false")
        .flag(Etcd, "listen-client-urls", "http://0.0.0.0:2379")
        .flag(Etcd, "trusted-ca-file", "/etc/kubernetes/pki/ca.crt")
        .facts();
    let mut found = run(rule("KC210"), &facts);
    found.extend(run(rule("KC211"), &facts));
    found.extend(run(rule("KC212"), &facts));
    insta::assert_snapshot!("tree_KC210_KC211_KC212_fail", found.join("\n"));
}

#[test]
fn kc211_kubelet_flags_override_its_file_and_an_unreadable_file_is_not_judged() {
    let flagged = kubeadm().flag(Kubelet, "anonymous-auth", "true").facts();
    let found = run(rule("KC211"), &flagged);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("KC211 Fail critical /var/lib/kubelet/kubeadm-flags.env:1:")
            && found[0].contains("set by --anonymous-auth"),
        "{found:#?}"
    );

    let unread = kubeadm().remove("/var/lib/kubelet/config.yaml").facts();
    let rule = rule("KC211");
    insta::assert_snapshot!("tree_KC211_unread", run(rule, &unread).join("\n"));
    assert_eq!(status(rule, &unread), Status::NotEvaluated);
}

#[test]
fn kc213_fails_what_answered_anonymously() {
    let mut facts = secure().facts();
    facts.probes = vec![
        Probe {
            component: Kubelet,
            url: "https://127.0.0.1:10250/pods".into(),
            status: Some(200),
            outcome: "200 OK".into(),
        },
        Probe {
            component: ApiServer,
            url: "https://127.0.0.1:6443/readyz".into(),
            status: Some(200),
            outcome: "200 OK".into(),
        },
    ];
    let rule = rule("KC213");
    assert_eq!(
        run(rule, &facts),
        ["KC213 Fail critical - https://127.0.0.1:10250/pods - | kubelet answered an anonymous request to https://127.0.0.1:10250/pods with 200 OK | kubelet 对发往 https://127.0.0.1:10250/pods 的匿名请求返回了 200 OK"]
    );
    assert_eq!(status(rule, &facts), Status::Fail);
}

#[test]
fn kc314_kc606_fail_permissive_selinux_and_unbounded_tokens() {
    let facts = secure()
        .lsm(None, Some(false), &["capability", "selinux"])
        .remove_flag(ApiServer, "service-account-issuer")
        .flag(ApiServer, "service-account-max-token-expiration", "720h")
        .facts();
    let mut found = run(rule("KC314"), &facts);
    found.extend(run(rule("KC606"), &facts));
    insta::assert_snapshot!("tree_KC314_KC606_fail", found.join("\n"));

    let unknown = secure().lsm(None, None, &[]).facts();
    let rule = rule("KC314");
    let found = run(rule, &unknown);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("KC314 NotExamined - - lsm - | lsm is not available"));
    assert_eq!(status(rule, &unknown), Status::NotEvaluated);
}

#[test]
fn a_worker_node_leaves_control_plane_items_not_evaluated() {
    let facts = kubeadm()
        .without(ApiServer)
        .without(ControllerManager)
        .without(Scheduler)
        .without(Etcd)
        .facts();
    for rule in [rule("KC108"), rule("KC210"), rule("KC212"), rule("KC606")] {
        let found = run(rule, &facts);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains(" NotExamined "), "{found:#?}");
    }
    assert_eq!(status(rule("KC108"), &facts), Status::NotEvaluated);
    // The kubelet is still judged.
    assert_eq!(status(rule("KC211"), &facts), Status::Pass);
}

#[test]
fn kc110_fails_a_controller_manager_that_signs_for_more_than_3_years() {
    let rule = rule("KC110");
    let long = NodeTree::secure()
        .flag(ControllerManager, "cluster-signing-duration", "87600h")
        .facts();
    let found: Vec<String> = run(rule, &long)
        .into_iter()
        .filter(|l| l.contains("--cluster-signing-duration"))
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("KC110 Fail medium /etc/kubernetes/manifests/kube-controller-manager.yaml:30:7 ")
            && found[0].contains("signs certificates valid for 87600h (3650 days, --cluster-signing-duration): more than 3 years"),
        "{found:#?}"
    );
    assert_eq!(status(rule, &long), Status::Fail);
    // A year (kubeadm's default, spelled out) and two years pass.
    for value in ["8760h0m0s", "17520h"] {
        let fine = NodeTree::secure()
            .flag(ControllerManager, "cluster-signing-duration", value)
            .facts();
        assert!(
            run(rule, &fine).iter().all(|l| !l.contains("signing")),
            "{value}"
        );
    }
}

//! Node fixtures: a node rule's `pass` and `fail` cases are files too
//! (`fixtures/<CODE>/{pass,fail}/<case>.yaml`), each describing a generated node tree as steps
//! over one of the testing trees. The tree is written to a temporary directory and collected by
//! the real node collector, so the rule reads what `kcheck node --root` would.
//!
//! ```yaml
//! # kubeadm leaves the /logs handler on (before v1.33)
//! base: kubeadm            # kubeadm | secure | empty
//! version: v1.30.4         # the control-plane images' tag (optional)
//! steps:
//! - flag: {component: kube-apiserver, name: --enable-logs-handler, value: "false"}
//! - add_flag: {component: kube-apiserver, name: --admission-plugin-config, value: x}
//! - bare_flag: {component: etcd, name: --auto-tls}
//! - remove_flag: {component: kube-controller-manager, name: --use-service-account-credentials}
//! - without: kubelet
//! - kubelet_config: {key: authentication.anonymous.enabled, value: true}
//! - remove_kubelet_config: seccompDefault
//! - file: {path: /etc/x.yaml, content: "...", mode: "0600"}
//! - mode: {path: /etc/kubernetes/pki/ca.key, mode: "0644"}
//! - owner: {path: /var/log/kubernetes/audit, uid: 1000, gid: 1000}
//! - remove: /etc/kubernetes/pki/ca.key
//! - cert_lifetime: {path: /etc/kubernetes/pki/apiserver.crt, days: 3650}
//! - cert_orgs: {path: /etc/kubernetes/controller-manager.conf, organizations: [system:masters]}
//! - lsm: {apparmor: true, selinux: false, active: [lockdown, capability, apparmor]}
//! probes:                  # what `--probe` would have seen (optional)
//! - {component: kubelet, url: "https://127.0.0.1:10250/pods", status: 200, outcome: 200 OK}
//! etcd:                    # what `--etcd-endpoint` would have read (optional)
//!   {endpoint: "https://127.0.0.1:2379", total: 3, plaintext: [/registry/secrets/a/b]}
//! ```
//!
//! Trees are built at a fixed moment (2026-12-07), so certificate dates and days left are the
//! same on every run.

use kcheck_model::facts::{ComponentKind, EtcdScan, Probe};
use kcheck_model::{Node, NodeFacts};
use kcheck_node::testing::NodeTree;
use std::path::Path;

/// 2026-12-07T00:00:00Z: when fixture trees are made and judged.
pub const TREE_NOW: i64 = 1_796_601_600;

fn component(name: &str, file: &Path) -> ComponentKind {
    ComponentKind::ALL
        .into_iter()
        .find(|k| k.binary() == name)
        .unwrap_or_else(|| panic!("{}: unknown component {name}", file.display()))
}

fn text<'a>(node: &'a Node, key: &str, file: &Path) -> &'a str {
    node.str_at(key)
        .unwrap_or_else(|| panic!("{}: step needs `{key}`", file.display()))
}

/// The strings of a list field (`organizations`, `active`).
fn strs<'a>(node: &'a Node, key: &str) -> Vec<&'a str> {
    node.get(key)
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn mode(node: &Node, file: &Path) -> u32 {
    let m = text(node, "mode", file);
    u32::from_str_radix(m.trim_start_matches("0o"), 8)
        .unwrap_or_else(|_| panic!("{}: mode {m} is not octal", file.display()))
}

/// The node facts a fixture file describes.
pub fn facts(file: &Path) -> NodeFacts {
    let yaml = std::fs::read_to_string(file).unwrap();
    let parsed = kcheck_load::parse_documents(&yaml, &kcheck_load::Limits::default());
    let Some(kcheck_load::DocOutcome::Node(root)) = parsed.documents.into_iter().next() else {
        panic!("{}: not a node fixture", file.display());
    };
    let mut tree = match root.str_at("base").unwrap_or("secure") {
        "kubeadm" => NodeTree::kubeadm_default(),
        "secure" => NodeTree::secure(),
        "empty" => NodeTree::empty(),
        other => panic!("{}: unknown base {other}", file.display()),
    }
    .at(TREE_NOW);
    if let Some(v) = root.str_at("version") {
        tree = tree.version(v);
    }
    for step in root.get("steps").map_or(&[][..], Node::as_seq) {
        let Some(entry) = step.as_map().first() else {
            panic!("{}: empty step", file.display());
        };
        let (op, arg) = (entry.key.as_str(), &entry.value);
        let comp = || component(text(arg, "component", file), file);
        tree = match op {
            "flag" => tree.flag(comp(), text(arg, "name", file), text(arg, "value", file)),
            "add_flag" => tree.add_flag(comp(), text(arg, "name", file), text(arg, "value", file)),
            "bare_flag" => tree.bare_flag(comp(), text(arg, "name", file)),
            "remove_flag" => tree.remove_flag(comp(), text(arg, "name", file)),
            "without" => tree.without(component(arg.as_str().unwrap_or_default(), file)),
            "kubelet_config" => {
                let value = arg
                    .get("value")
                    .unwrap_or_else(|| panic!("{}: kubelet_config needs value", file.display()));
                tree.kubelet_config(text(arg, "key", file), value.to_json())
            }
            "remove_kubelet_config" => tree.remove_kubelet_config(arg.as_str().unwrap_or_default()),
            "file" => {
                let (path, content) = (text(arg, "path", file), text(arg, "content", file));
                match arg.get("mode") {
                    Some(_) => tree.file_with_mode(path, content, mode(arg, file)),
                    None => tree.file(path, content),
                }
            }
            "mode" => tree.mode(text(arg, "path", file), mode(arg, file)),
            "owner" => {
                let id = |k: &str| {
                    arg.get(k)
                        .and_then(Node::as_i64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or_else(|| panic!("{}: owner needs {k}", file.display()))
                };
                tree.owner(text(arg, "path", file), id("uid"), id("gid"))
            }
            "remove" => tree.remove(arg.as_str().unwrap_or_default()),
            "cert_lifetime" => {
                let days = arg.get("days").and_then(Node::as_i64).unwrap_or_default();
                tree.cert_lifetime(text(arg, "path", file), days)
            }
            "cert_orgs" => {
                // The subject organizations of a certificate file or of a kubeconfig's client
                // certificate.
                let path = text(arg, "path", file);
                let orgs = strs(arg, "organizations");
                let spec = tree
                    .cert_spec(path)
                    .unwrap_or_else(|| panic!("{}: no certificate at {path}", file.display()))
                    .orgs(&orgs);
                if path.ends_with(".conf") {
                    tree.kubeconfig_cert(path, spec)
                } else {
                    tree.cert(path, spec)
                }
            }
            "lsm" => {
                let active = strs(arg, "active");
                let flag = |k: &str| arg.get(k).and_then(Node::as_bool);
                tree.lsm(flag("apparmor"), flag("selinux"), &active)
            }
            other => panic!("{}: unknown step {other}", file.display()),
        };
    }
    let mut facts = tree.facts();
    for p in root.get("probes").map_or(&[][..], Node::as_seq) {
        facts.probes.push(Probe {
            component: component(text(p, "component", file), file),
            url: text(p, "url", file).to_string(),
            status: p
                .get("status")
                .and_then(Node::as_i64)
                .and_then(|s| u16::try_from(s).ok()),
            outcome: text(p, "outcome", file).to_string(),
        });
    }
    if let Some(e) = root.get("etcd") {
        facts.etcd = Some(EtcdScan {
            endpoint: text(e, "endpoint", file).to_string(),
            total: e
                .get("total")
                .and_then(Node::as_i64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_default(),
            plaintext: strs(e, "plaintext")
                .into_iter()
                .map(str::to_string)
                .collect(),
            providers: e
                .get("providers")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .filter_map(|p| {
                    let count = p.get("count")?.as_i64()?;
                    Some((
                        p.str_at("prefix")?.to_string(),
                        usize::try_from(count).ok()?,
                    ))
                })
                .collect(),
            error: e.str_at("error").map(str::to_string),
        });
    }
    facts
}

//! The control plane's own pods in an inventory: static pods and their mirror pods carry the
//! label `component` with the component's name (kubeadm's convention, kept by most
//! distributions). Items 2.5 and 5.1 look for them.

use kcheck_model::facts::{ComponentKind, Flags};
use kcheck_model::{Inventory, Node, Object};

/// The components whose pods are the control plane.
pub const COMPONENTS: &[&str] = &[
    "kube-apiserver",
    "etcd",
    "kube-controller-manager",
    "kube-scheduler",
];

/// The pods labelled as a control-plane component, with the component: usually a handful, so
/// that a rule matching Services against them does not walk every pod of a large cluster.
pub fn pods(inventory: &Inventory) -> Vec<(&Object, &str)> {
    inventory
        .of_kind("Pod")
        .filter_map(|pod| {
            let component = pod
                .root
                .path(&["metadata", "labels", "component"])
                .and_then(Node::as_str)
                .filter(|c| COMPONENTS.contains(c))?;
            Some((pod, component))
        })
        .collect()
}

/// The flags of a Pod's kube-apiserver container, when it runs one.
pub fn apiserver_flags(pod: &Object) -> Option<Flags> {
    let spec = pod.pod_spec()?;
    spec.containers().find_map(|c| {
        let words: Vec<&str> = ["command", "args"]
            .iter()
            .filter_map(|k| c.get(k))
            .flat_map(Node::as_seq)
            .filter_map(Node::as_str)
            .collect();
        let at = words
            .iter()
            .position(|w| w.rsplit('/').next() == Some("kube-apiserver"))?;
        Some(Flags::parse(
            &words[at + 1..],
            ComponentKind::ApiServer.bool_flags(),
        ))
    })
}

/// Whether the rules that read Pods looking for the control plane look at `pod`: labelled as a
/// component ([`pods`]) or running kube-apiserver ([`apiserver_flags`]). A streaming scan
/// indexes only these Pods.
pub fn is_candidate(pod: &Object) -> bool {
    pod.root
        .path(&["metadata", "labels", "component"])
        .and_then(Node::as_str)
        .is_some_and(|c| COMPONENTS.contains(&c))
        || apiserver_flags(pod).is_some()
}

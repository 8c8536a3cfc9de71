//! The control plane's own pods in an inventory: static pods and their mirror pods carry the
//! label `component` with the component's name (kubeadm's convention, kept by most
//! distributions). Items 2.5 and 5.1 look for them.

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

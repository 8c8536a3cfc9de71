//! How a pod is scheduled: pinned to nodes, tolerating taints, running in a sandbox.

use crate::Context;
use kcheck_model::{Node, Object, PodSpec};

/// The annotation of the PodNodeSelector admission plugin on a namespace.
pub const NAMESPACE_NODE_SELECTOR: &str = "scheduler.alpha.kubernetes.io/node-selector";

/// Taint keys that mark control-plane nodes.
pub const CONTROL_PLANE_KEYS: &[&str] = &[
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
];

/// Whether the pod can only land on selected nodes: a node selector, a required node
/// affinity, a fixed node name, its namespace's PodNodeSelector annotation, or its
/// RuntimeClass's node selector.
pub fn is_pinned(pod: &PodSpec, object: &Object, ctx: &Context) -> bool {
    let selector = pod
        .get("nodeSelector")
        .is_some_and(|s| !s.as_map().is_empty());
    let affinity = pod
        .spec
        .path(&[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ])
        .is_some_and(|t| !t.as_seq().is_empty());
    let node_name = pod
        .get("nodeName")
        .and_then(Node::as_str)
        .is_some_and(|n| !n.is_empty());
    let ns = object.namespace.as_deref().unwrap_or("default");
    let namespace_selector = ctx
        .inventory
        .get("Namespace", None, ns)
        .and_then(|n| n.annotation(NAMESPACE_NODE_SELECTOR))
        .is_some_and(|s| !s.trim().is_empty());
    let runtime_selector = runtime_scheduling(pod, ctx)
        .and_then(|s| s.get("nodeSelector"))
        .is_some_and(|s| !s.as_map().is_empty());
    selector || affinity || node_name || namespace_selector || runtime_selector
}

/// The `scheduling` block of the pod's RuntimeClass, when the input holds it: the RuntimeClass
/// admission plugin adds its node selector and tolerations to every pod of the class.
fn runtime_scheduling<'a>(pod: &PodSpec, ctx: &Context<'a>) -> Option<&'a Node> {
    let name = pod.get("runtimeClassName").and_then(Node::as_str)?;
    ctx.inventory
        .get("RuntimeClass", None, name)?
        .root
        .get("scheduling")
}

pub fn tolerations<'a>(pod: &PodSpec<'a>) -> &'a [Node] {
    pod.get("tolerations").map_or(&[], Node::as_seq)
}

/// Whether a toleration of the pod, or of its RuntimeClass, admits it onto tainted nodes that
/// are not the standard node-condition taints: a sign of dedicated nodes.
pub fn tolerates_dedicated_taint(pod: &PodSpec, ctx: &Context) -> bool {
    let from_class = runtime_scheduling(pod, ctx)
        .and_then(|s| s.get("tolerations"))
        .map_or(&[][..], Node::as_seq);
    tolerations(pod).iter().chain(from_class).any(|t| {
        let key = t.str_at("key").unwrap_or("");
        let effect = t.str_at("effect").unwrap_or("");
        !key.is_empty()
            && !key.starts_with("node.kubernetes.io/")
            && !key.starts_with("node.cloudprovider.kubernetes.io/")
            && !CONTROL_PLANE_KEYS.contains(&key)
            && matches!(effect, "" | "NoSchedule" | "NoExecute")
    })
}

/// The index of a toleration that lets the pod onto control-plane nodes: one naming a
/// control-plane taint, or one with `operator: Exists` and no key, which tolerates every taint.
pub fn control_plane_toleration(pod: &PodSpec) -> Option<(usize, bool)> {
    tolerations(pod).iter().enumerate().find_map(|(i, t)| {
        let key = t.str_at("key").unwrap_or("");
        let exists = t.str_at("operator") == Some("Exists");
        let effect_ok = matches!(
            t.str_at("effect").unwrap_or(""),
            "" | "NoSchedule" | "NoExecute"
        );
        if CONTROL_PLANE_KEYS.contains(&key) && effect_ok {
            Some((i, false))
        } else if key.is_empty() && exists && effect_ok {
            Some((i, true))
        } else {
            None
        }
    })
}

/// A node selector that picks control-plane nodes.
pub fn selects_control_plane(pod: &PodSpec) -> bool {
    pod.get("nodeSelector").is_some_and(|s| {
        s.as_map()
            .iter()
            .any(|e| CONTROL_PLANE_KEYS.contains(&e.key.as_str()))
    })
}

/// Whether a RuntimeClass handler is a sandbox (gVisor, Kata Containers, Firecracker).
pub fn is_sandbox_handler(handler: &str) -> bool {
    let h = handler.to_ascii_lowercase();
    ["runsc", "gvisor", "kata", "firecracker"]
        .iter()
        .any(|s| h.contains(s))
}

/// What a pod's runtimeClassName resolves to.
pub enum Runtime<'a> {
    /// No runtimeClassName: the node's default runtime.
    Default,
    /// A RuntimeClass in the input, with its handler.
    Known { name: &'a str, handler: &'a str },
    /// A name no RuntimeClass in the input has (while the input has RuntimeClasses).
    Unknown(&'a str),
    /// The input has no RuntimeClasses at all: judged by the name.
    Unseen(&'a str),
}

pub fn runtime<'p, 'a: 'p>(pod: &PodSpec<'p>, ctx: &Context<'a>) -> Runtime<'p> {
    let Some(name) = pod.get("runtimeClassName").and_then(Node::as_str) else {
        return Runtime::Default;
    };
    match ctx.inventory.get("RuntimeClass", None, name) {
        Some(rc) => Runtime::Known {
            name,
            handler: rc.root.str_at("handler").unwrap_or(""),
        },
        None if ctx.inventory.count_kind("RuntimeClass") > 0 => Runtime::Unknown(name),
        None => Runtime::Unseen(name),
    }
}

/// Whether the pod runs in a sandboxed runtime.
pub fn is_sandboxed(pod: &PodSpec, ctx: &Context) -> bool {
    match runtime(pod, ctx) {
        Runtime::Known { handler, .. } => is_sandbox_handler(handler),
        Runtime::Unseen(name) => is_sandbox_handler(name),
        Runtime::Default | Runtime::Unknown(_) => false,
    }
}

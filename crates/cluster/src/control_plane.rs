//! The control plane as the API shows it: kubeadm's static pods appear as mirror pods in
//! `kube-system`, with their command lines. Their flags become the same facts `kcheck node`
//! gathers, with no files: everything that lives only on the node is recorded as missing, so
//! that the node rules say they could not look instead of passing.

use kcheck_model::facts::{Component, ComponentKind, Flags, Missing, Origin, Probe};
use kcheck_model::{Inventory, Node, NodeFacts, Object, Text};

const CONTROL_PLANE: [ComponentKind; 4] = [
    ComponentKind::ApiServer,
    ComponentKind::ControllerManager,
    ComponentKind::Scheduler,
    ComponentKind::Etcd,
];

/// Why node-only evidence is missing from a cluster run.
const NODE_ONLY: Text = Text::fixed(
    "on the control-plane node only, not readable through the API (run kcheck node there)",
    "只在控制平面节点上，无法通过 API 读取（请在该节点上运行 kcheck node）",
);

/// The control-plane components among the `kube-system` pods, as node facts; `None` when the
/// API shows none (a managed control plane) and no probe was made.
pub fn facts(inventory: &Inventory, probes: Vec<Probe>, now: i64) -> Option<NodeFacts> {
    let mut pods: Vec<&Object> = inventory
        .of_kind("Pod")
        .filter(|p| p.namespace.as_deref() == Some("kube-system"))
        .collect();
    pods.sort_by(|a, b| a.name.cmp(&b.name));
    let mut components = Vec::new();
    for kind in CONTROL_PLANE {
        components.extend(pods.iter().filter_map(|p| component(p, kind)));
    }
    if components.is_empty() && probes.is_empty() {
        return None;
    }
    let mut missing = vec![
        miss(
            "component:kubelet",
            None,
            Text::fixed(
                "the kubelet runs on each node, not readable through the API (run kcheck node there)",
                "kubelet 运行在每个节点上，无法通过 API 读取（请在节点上运行 kcheck node）",
            ),
        ),
        miss("pki", Some("/etc/kubernetes/pki"), NODE_ONLY),
        miss("kubeconfig", Some("/etc/kubernetes"), NODE_ONLY),
        miss("lsm", None, NODE_ONLY),
        miss("cni", Some("/etc/cni/net.d"), NODE_ONLY),
        miss(
            "config:kubelet",
            Some("/var/lib/kubelet/config.yaml"),
            NODE_ONLY,
        ),
    ];
    for kind in CONTROL_PLANE {
        if !components.iter().any(|c: &Component| c.kind == kind) {
            let name = kind.binary();
            missing.push(miss(
                &format!("component:{name}"),
                None,
                Text::new(
                    format!("no {name} pod in kube-system (a managed or external control plane)"),
                    format!("kube-system 中没有 {name} Pod（托管或外部的控制平面）"),
                ),
            ));
        }
    }
    if let Some(api) = components
        .iter()
        .find(|c| c.kind == ComponentKind::ApiServer)
    {
        for (flag, key) in [
            ("encryption-provider-config", "config:encryption"),
            ("admission-control-config-file", "config:admission"),
            ("audit-policy-file", "config:audit-policy"),
            ("audit-log-path", "audit-log"),
        ] {
            if let Some(path) = api.flags.get(flag) {
                missing.push(miss(key, Some(path), NODE_ONLY));
            }
        }
    }
    Some(NodeFacts {
        root: "/".to_string(),
        now,
        components,
        probes,
        missing,
        ..NodeFacts::default()
    })
}

fn miss(what: &str, path: Option<&str>, reason: Text) -> Missing {
    Missing {
        what: what.to_string(),
        path: path.map(str::to_string),
        reason,
    }
}

/// The component `pod` runs, when it is `kind`'s static pod: kubeadm's `component` label, or
/// the mirror pod's name (`kube-apiserver-<node>`).
fn component(pod: &Object, kind: ComponentKind) -> Option<Component> {
    let binary = kind.binary();
    let labelled = pod.label("component") == Some(binary);
    let named = pod
        .name
        .strip_prefix(binary)
        .is_some_and(|rest| rest.starts_with('-'));
    if !labelled && !named {
        return None;
    }
    let containers = pod.root.get("spec")?.get("containers")?.as_seq();
    let container = containers
        .iter()
        .find(|c| c.str_at("name") == Some(binary))
        .or_else(|| containers.first())?;
    let mut args: Vec<&str> = strings(container.get("command"));
    args.extend(strings(container.get("args")));
    if args
        .first()
        .is_some_and(|a| ComponentKind::from_binary(a).is_some() || !a.starts_with('-'))
    {
        args.remove(0);
    }
    let version = container.str_at("image").and_then(image_version);
    Some(Component {
        kind,
        origin: Origin::ApiPod {
            namespace: "kube-system".to_string(),
            name: pod.name.clone(),
        },
        flags: Flags::parse(&args, kind.bool_flags()),
        version,
        manifest: Some(pod.clone()),
    })
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// `v1.30.2` from `registry.k8s.io/kube-apiserver:v1.30.2` (a digest after it is ignored).
fn image_version(image: &str) -> Option<String> {
    let image = image.split('@').next()?;
    let (_, tag) = image.rsplit_once(':')?;
    (tag.starts_with('v') && !tag.contains('/')).then(|| tag.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_image_tags() {
        assert_eq!(
            image_version("registry.k8s.io/kube-apiserver:v1.30.2").as_deref(),
            Some("v1.30.2")
        );
        assert_eq!(image_version("registry.k8s.io/etcd:3.5.12-0"), None);
        assert_eq!(image_version("localhost:5000/kube-apiserver"), None);
        assert_eq!(
            image_version("r/kube-apiserver:v1.31.0@sha256:00").as_deref(),
            Some("v1.31.0")
        );
    }
}

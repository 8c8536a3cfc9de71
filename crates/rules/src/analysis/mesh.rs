//! What encrypts traffic inside a cluster: service meshes (Istio, Linkerd) and their reach, and
//! the network plugin's own encryption (Cilium, Calico, Antrea). Read by KC215 (item 2.4).

use super::cni::{config_value, plugins};
use kcheck_model::{FieldPath, Inventory, Node, Object, WORKLOAD_KINDS};
use rustc_hash::FxHashMap as HashMap;

/// Network-plugin encryption of pod traffic between nodes.
pub struct CniEncryption<'a> {
    /// `Cilium WireGuard`, `Calico WireGuard`, ...
    pub what: String,
    /// The object whose setting turns it on.
    pub object: &'a Object,
    pub path: FieldPath,
}

/// Every network-plugin encryption turned on.
pub fn cni_encryption(inventory: &Inventory) -> Vec<CniEncryption<'_>> {
    let mut out = Vec::new();
    for p in plugins(inventory) {
        let ns = p.daemonset.namespace.as_deref().unwrap_or("kube-system");
        if p.name.contains("Cilium") {
            for (key, what) in [
                ("enable-wireguard", "Cilium WireGuard"),
                ("enable-ipsec", "Cilium IPsec"),
            ] {
                if config_value(inventory, ns, "cilium-config", key)
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"))
                {
                    if let Some(cm) = inventory.get("ConfigMap", Some(ns), "cilium-config") {
                        out.push(CniEncryption {
                            what: what.to_string(),
                            object: cm,
                            path: FieldPath::root().key("data").key(key),
                        });
                    }
                }
            }
        }
        if p.name == "Antrea" {
            let cm = inventory
                .of_kind("ConfigMap")
                .filter(|c| {
                    c.namespace.as_deref() == Some(ns) && c.name.starts_with("antrea-config")
                })
                .find_map(|c| antrea_mode(c).map(|m| (c, m)));
            if let Some((cm, mode)) = cm {
                out.push(CniEncryption {
                    what: format!("Antrea {mode}"),
                    object: cm,
                    path: FieldPath::root().key("data").key("antrea-agent.conf"),
                });
            }
        }
    }
    for felix in inventory.of_kind("FelixConfiguration") {
        for key in ["wireguardEnabled", "wireguardEnabledV6"] {
            if felix.root.path(&["spec", key]).and_then(Node::as_bool) == Some(true) {
                out.push(CniEncryption {
                    what: "Calico WireGuard".to_string(),
                    object: felix,
                    path: FieldPath::root().key("spec").key(key),
                });
                break;
            }
        }
    }
    out
}

/// `trafficEncryptionMode` of an Antrea agent configuration, when it is not `none`.
fn antrea_mode(cm: &Object) -> Option<String> {
    let conf = cm.root.get("data")?.str_at("antrea-agent.conf")?;
    conf.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix("trafficEncryptionMode:"))
        .map(|v| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("none"))
}

/// A service mesh's control plane.
pub struct Mesh<'a> {
    /// `Istio` or `Linkerd`.
    pub name: &'static str,
    /// Its control-plane Deployment (istiod, linkerd-proxy-injector), or the CRD or Namespace
    /// that shows it.
    pub object: &'a Object,
    pub namespace: &'a str,
}

fn deployment(inventory: &Inventory, pred: impl Fn(&str) -> bool) -> Option<&Object> {
    inventory.of_kind("Deployment").find(|d| pred(&d.name))
}

pub fn istio(inventory: &Inventory) -> Option<Mesh<'_>> {
    let object = deployment(inventory, |n| n == "istiod" || n.starts_with("istiod-"))
        .or_else(|| {
            inventory.get(
                "CustomResourceDefinition",
                None,
                "peerauthentications.security.istio.io",
            )
        })
        .or_else(|| inventory.of_kind("PeerAuthentication").next())?;
    let namespace = match object.kind.as_str() {
        "CustomResourceDefinition" => "istio-system",
        _ => object.namespace.as_deref().unwrap_or("istio-system"),
    };
    Some(Mesh {
        name: "Istio",
        object,
        namespace,
    })
}

pub fn linkerd(inventory: &Inventory) -> Option<Mesh<'_>> {
    let object = deployment(inventory, |n| n == "linkerd-proxy-injector")
        .or_else(|| inventory.get("Namespace", None, "linkerd"))?;
    let namespace = match object.kind.as_str() {
        "Namespace" => object.name.as_str(),
        _ => object.namespace.as_deref().unwrap_or("linkerd"),
    };
    Some(Mesh {
        name: "Linkerd",
        object,
        namespace,
    })
}

/// Istio's root namespace: `rootNamespace` in the mesh configuration (the `istio` ConfigMap
/// beside istiod), else istiod's namespace.
pub fn istio_root_namespace<'a>(inventory: &'a Inventory, mesh: &Mesh<'a>) -> &'a str {
    inventory
        .get("ConfigMap", Some(mesh.namespace), "istio")
        .and_then(|cm| cm.root.get("data")?.str_at("mesh"))
        .and_then(|mesh| {
            mesh.lines()
                .find_map(|l| l.trim().strip_prefix("rootNamespace:"))
                .map(|v| v.trim().trim_matches('"'))
                .filter(|v| !v.is_empty())
        })
        .unwrap_or(mesh.namespace)
}

/// A PeerAuthentication's mTLS mode (`UNSET` when it names none).
pub fn peer_mode(pa: &Object) -> &str {
    pa.root
        .path(&["spec", "mtls", "mode"])
        .and_then(Node::as_str)
        .unwrap_or("UNSET")
}

/// Whether a PeerAuthentication applies to a whole namespace (no workload selector).
pub fn namespace_wide(pa: &Object) -> bool {
    pa.root
        .path(&["spec", "selector", "matchLabels"])
        .is_none_or(|m| m.as_map().is_empty())
}

/// What the workloads of one namespace show.
#[derive(Clone, Copy, Debug, Default)]
pub struct NamespaceWorkloads {
    pub count: usize,
    /// A workload asks for Istio's sidecar (`sidecar.istio.io/inject: "true"`).
    pub istio: bool,
    /// A workload asks for Linkerd's proxy (`linkerd.io/inject: enabled`).
    pub linkerd: bool,
}

/// The workloads of every namespace, read in one pass.
pub fn workloads_by_namespace(inventory: &Inventory) -> HashMap<&str, NamespaceWorkloads> {
    let mut out: HashMap<&str, NamespaceWorkloads> = HashMap::default();
    for kind in WORKLOAD_KINDS {
        for w in inventory.of_kind(kind) {
            let (Some(ns), Some(pod)) = (w.namespace.as_deref(), w.pod_spec()) else {
                continue;
            };
            let e = out.entry(ns).or_default();
            e.count += 1;
            e.istio |= pod.label("sidecar.istio.io/inject") == Some("true")
                || pod.annotation("sidecar.istio.io/inject") == Some("true");
            e.linkerd |= pod.annotation("linkerd.io/inject") == Some("enabled");
        }
    }
    out
}

/// Whether a namespace is in a mesh: by its own label or annotation, or because one of its
/// workloads asks for the proxy.
pub fn meshed(mesh: &str, namespace: &Object, workloads: NamespaceWorkloads) -> bool {
    match mesh {
        "Istio" => {
            namespace.label("istio-injection") == Some("enabled")
                || namespace.label("istio.io/rev").is_some()
                || namespace.label("istio.io/dataplane-mode") == Some("ambient")
                || workloads.istio
        }
        _ => namespace.annotation("linkerd.io/inject") == Some("enabled") || workloads.linkerd,
    }
}

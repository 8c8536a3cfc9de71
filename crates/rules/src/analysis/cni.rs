//! Which network plugin a cluster runs, read from its agent DaemonSets (names, container names,
//! images, arguments) and the plugin's configuration ConfigMap, and whether it enforces
//! NetworkPolicy. Items 2.1 (KC214) and 2.4 (KC215) share it.

use kcheck_model::{text, Inventory, Node, Object, Text};

/// Whether a plugin enforces NetworkPolicy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    Enforces,
    /// The plugin cannot enforce NetworkPolicy at all.
    Ignores,
    /// The plugin could, but its configuration turns enforcement off: the setting.
    TurnedOff(Text),
    /// The plugin's version or configuration does not tell: why.
    Unclear(Text),
}

/// A network plugin recognised from one DaemonSet.
#[derive(Clone, Debug)]
pub struct Plugin<'a> {
    /// `Calico`, `Cilium`, `flannel`, ...
    pub name: &'static str,
    pub daemonset: &'a Object,
    pub policy: Policy,
}

/// The last path component of an image reference, without tag or digest: `node` for
/// `quay.io/calico/node:v3.27.0`.
pub fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// The tag of an image reference, if any.
pub fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

/// The containers of a workload: (name, image, args and command joined).
fn containers(object: &Object) -> Vec<(&str, &str, Vec<&str>)> {
    let Some(pod) = object.pod_spec() else {
        return Vec::new();
    };
    pod.containers()
        .map(|c| {
            let words = ["command", "args"]
                .iter()
                .flat_map(|k| c.get(k).map_or(&[][..], Node::as_seq))
                .filter_map(Node::as_str)
                .collect();
            (
                c.name(),
                c.get("image").and_then(Node::as_str).unwrap_or(""),
                words,
            )
        })
        .collect()
}

/// A container's boolean `--name=value` flag, the last one winning; a bare `--name` is `true`
/// (Go's flag parsers never take the next word as a boolean's value).
fn flag<'a>(words: &[&'a str], name: &str) -> Option<&'a str> {
    let long = format!("--{name}");
    let mut found = None;
    for w in words {
        if let Some(v) = w.strip_prefix(&long).and_then(|r| r.strip_prefix('=')) {
            found = Some(v);
        } else if *w == long {
            found = Some("true");
        }
    }
    found
}

/// A key of a ConfigMap's `data`.
pub fn config_value<'a>(
    inventory: &'a Inventory,
    namespace: &str,
    name: &str,
    key: &str,
) -> Option<&'a str> {
    inventory
        .get("ConfigMap", Some(namespace), name)?
        .root
        .get("data")?
        .str_at(key)
}

/// Every network plugin the DaemonSets show, in inventory order.
pub fn plugins(inventory: &Inventory) -> Vec<Plugin<'_>> {
    inventory
        .of_kind("DaemonSet")
        .filter_map(|ds| recognise(inventory, ds))
        .collect()
}

fn recognise<'a>(inventory: &'a Inventory, ds: &'a Object) -> Option<Plugin<'a>> {
    let name = ds.name.as_str();
    let cs = containers(ds);
    let has_image = |wanted: &[&str]| cs.iter().any(|(_, i, _)| wanted.contains(&image_name(i)));
    let has_container = |wanted: &[&str]| cs.iter().any(|(n, _, _)| wanted.contains(n));
    let calico_node = cs
        .iter()
        .any(|(n, i, _)| *n == "calico-node" || (image_name(i) == "node" && i.contains("calico")));
    let flannel = has_image(&["flannel"]) || has_container(&["kube-flannel"]);
    let plugin = |name: &'static str, policy: Policy| {
        Some(Plugin {
            name,
            daemonset: ds,
            policy,
        })
    };
    if name.contains("canal") || (calico_node && flannel) {
        return plugin("Canal (Calico policy over flannel)", Policy::Enforces);
    }
    if name == "calico-node" || calico_node {
        return plugin("Calico", Policy::Enforces);
    }
    if name == "anetd" {
        return plugin("GKE Dataplane V2 (Cilium)", Policy::Enforces);
    }
    if name == "cilium"
        || cs
            .iter()
            .any(|(n, i, _)| *n == "cilium-agent" || image_name(i) == "cilium")
    {
        let ns = ds.namespace.as_deref().unwrap_or("kube-system");
        let policy = match config_value(inventory, ns, "cilium-config", "enable-policy") {
            Some(v) if v.eq_ignore_ascii_case("never") => Policy::TurnedOff(Text::fixed(
                "cilium-config sets enable-policy: never",
                "cilium-config 设置了 enable-policy: never",
            )),
            _ => Policy::Enforces,
        };
        return plugin("Cilium", policy);
    }
    if name == "weave-net" || has_image(&["weave-kube"]) {
        let npc = has_container(&["weave-npc"]) || has_image(&["weave-npc"]);
        return plugin(
            "Weave Net",
            if npc {
                Policy::Enforces
            } else {
                Policy::TurnedOff(Text::fixed(
                    "the weave-npc container is missing",
                    "缺少 weave-npc 容器",
                ))
            },
        );
    }
    if flannel || name.contains("flannel") {
        return plugin("flannel", Policy::Ignores);
    }
    if name == "antrea-agent"
        || has_image(&["antrea-agent-ubuntu", "antrea-ubuntu", "antrea-agent"])
    {
        return plugin("Antrea", Policy::Enforces);
    }
    if name == "kube-router" || has_image(&["kube-router"]) {
        let off = cs
            .iter()
            .find_map(|(_, _, w)| flag(w, "run-firewall"))
            .is_some_and(|v| v.eq_ignore_ascii_case("false"));
        return plugin(
            "kube-router",
            if off {
                Policy::TurnedOff(Text::fixed(
                    "kube-router runs with --run-firewall=false",
                    "kube-router 以 --run-firewall=false 运行",
                ))
            } else {
                Policy::Enforces
            },
        );
    }
    if name == "aws-node" || has_image(&["amazon-k8s-cni"]) {
        return plugin("Amazon VPC CNI", aws_vpc_cni(&cs));
    }
    if name == "azure-npm" || has_image(&["azure-npm"]) {
        return plugin("Azure Network Policy Manager", Policy::Enforces);
    }
    if name == "azure-cns"
        || name.starts_with("azure-cni")
        || has_image(&["azure-cns", "azure-cni"])
    {
        return plugin("Azure CNI", Policy::Ignores);
    }
    if name == "kindnet" || name.contains("kindnet") || has_image(&["kindnetd"]) {
        return plugin("kindnet", kindnet(inventory, &cs));
    }
    if name == "ovnkube-node" {
        return plugin("OVN-Kubernetes", Policy::Enforces);
    }
    if name == "kube-ovn-cni" || has_image(&["kube-ovn"]) {
        return plugin("Kube-OVN", Policy::Enforces);
    }
    if name == "sdn" && ds.namespace.as_deref() == Some("openshift-sdn") {
        return plugin("OpenShift SDN", Policy::Enforces);
    }
    if name == "netd" && ds.namespace.as_deref() == Some("kube-system") {
        // GKE's node network daemon: without Dataplane V2 (anetd) or Calico the cluster's
        // network policy enforcement is off.
        return plugin(
            "GKE network without policy enforcement",
            Policy::TurnedOff(Text::fixed(
                "neither Dataplane V2 nor network policy enforcement (Calico) is on",
                "既未启用 Dataplane V2，也未启用网络策略执行（Calico）",
            )),
        );
    }
    None
}

/// The VPC CNI enforces NetworkPolicy only through its node agent with
/// `--enable-network-policy=true` (VPC CNI 1.14 and later).
fn aws_vpc_cni(cs: &[(&str, &str, Vec<&str>)]) -> Policy {
    let agent = cs.iter().find(|(n, i, _)| {
        matches!(*n, "aws-eks-nodeagent" | "aws-network-policy-agent")
            || image_name(i) == "aws-network-policy-agent"
    });
    match agent {
        None => Policy::TurnedOff(Text::fixed(
            "no network policy agent container (VPC CNI before 1.14)",
            "没有网络策略代理容器（1.14 之前的 VPC CNI）",
        )),
        Some((n, _, words)) => match flag(words, "enable-network-policy") {
            Some(v) if v.eq_ignore_ascii_case("true") => Policy::Enforces,
            Some(v) => Policy::TurnedOff(text!(
                "container {n} runs with --enable-network-policy={v}",
                "容器 {n} 以 --enable-network-policy={v} 运行",
            )),
            None => Policy::TurnedOff(text!(
                "container {n} runs without --enable-network-policy=true",
                "容器 {n} 未设置 --enable-network-policy=true",
            )),
        },
    }
}

/// kindnet enforces NetworkPolicy since kind v0.24 (kindnetd `v20240813-...`) and kindnet
/// v1.3.0; older builds ignore it.
fn kindnet(inventory: &Inventory, cs: &[(&str, &str, Vec<&str>)]) -> Policy {
    let tag = cs
        .iter()
        .find(|(_, i, _)| image_name(i) == "kindnetd")
        .and_then(|(_, i, _)| image_tag(i));
    match tag.and_then(kindnet_supports_policy) {
        Some(true) => return Policy::Enforces,
        Some(false) => return Policy::Ignores,
        None => {}
    }
    // Builds that enforce policies need to watch them: their ClusterRole says so.
    let watches = inventory
        .get("ClusterRole", None, "kindnet")
        .is_some_and(|role| {
            role.root
                .get("rules")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .any(|r| {
                    r.get("resources")
                        .map_or(&[][..], Node::as_seq)
                        .iter()
                        .any(|x| x.as_str() == Some("networkpolicies"))
                })
        });
    if watches {
        Policy::Enforces
    } else {
        let tag = tag.unwrap_or("-");
        Policy::Unclear(text!(
            "the kindnet image tag {tag} does not tell whether this build enforces NetworkPolicy",
            "kindnet 镜像标签 {tag} 无法说明该版本是否执行网络策略",
        ))
    }
}

/// `v20240813-c6f155d6` (kind's date tags) or `v1.3.0` (kindnet releases).
fn kindnet_supports_policy(tag: &str) -> Option<bool> {
    let t = tag.strip_prefix('v')?;
    let date: String = t.chars().take_while(char::is_ascii_digit).collect();
    if date.len() == 8 {
        return date.parse::<u32>().ok().map(|d| d >= 20_240_813);
    }
    let mut parts = t.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    Some(major > 1 || (major == 1 && minor >= 3))
}

/// CRDs that show a network plugin's API even when its agent is not seen.
pub const PLUGIN_CRDS: &[(&str, &str)] = &[
    ("ciliumnetworkpolicies.cilium.io", "Cilium"),
    ("felixconfigurations.crd.projectcalico.org", "Calico"),
    ("networkpolicies.crd.antrea.io", "Antrea"),
    (
        "policyendpoints.networking.k8s.aws",
        "Amazon VPC CNI network policy",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_parts() {
        assert_eq!(image_name("quay.io/calico/node:v3.27.0"), "node");
        assert_eq!(image_name("reg:5000/x/cilium@sha256:ab"), "cilium");
        assert_eq!(
            image_tag("docker.io/kindest/kindnetd:v20240813-c6f155d6"),
            Some("v20240813-c6f155d6")
        );
        assert_eq!(image_tag("reg:5000/kindnetd"), None);
    }

    #[test]
    fn kindnet_versions() {
        assert_eq!(kindnet_supports_policy("v20240813-c6f155d6"), Some(true));
        assert_eq!(kindnet_supports_policy("v20240513-cd2ac642"), Some(false));
        assert_eq!(kindnet_supports_policy("v1.3.0"), Some(true));
        assert_eq!(kindnet_supports_policy("v1.2.9"), Some(false));
        assert_eq!(kindnet_supports_policy("latest"), None);
    }

    #[test]
    fn flags() {
        let w = ["--enable-ipv6=false", "--enable-network-policy=true"];
        assert_eq!(flag(&w, "enable-network-policy"), Some("true"));
        assert_eq!(
            flag(&["--run-firewall", "false"], "run-firewall"),
            Some("true")
        );
        assert_eq!(
            flag(&["--run-firewall=false"], "run-firewall"),
            Some("false")
        );
    }
}

use crate::analysis::cni::{plugins, Plugin, Policy, PLUGIN_CRDS};
use crate::cluster_kinds::{anchor, has_crd};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Which network plugin the cluster runs, from the DaemonSets of its node agents (their
    /// names, container names, images and arguments) and the plugin's own ConfigMap, and
    /// whether that plugin enforces NetworkPolicy:
    /// - Calico, Canal, Cilium (also GKE Dataplane V2 and Azure CNI powered by Cilium), Antrea,
    ///   kube-router, Weave Net with its `weave-npc` container, OVN-Kubernetes, Kube-OVN,
    ///   OpenShift SDN, Azure Network Policy Manager, kindnet from kind v0.24 / kindnet v1.3 on,
    ///   and the Amazon VPC CNI when its node agent runs with `--enable-network-policy=true`:
    ///   pass, with evidence naming the plugin;
    /// - flannel alone, Azure CNI alone, older kindnet builds, the Amazon VPC CNI without its
    ///   policy agent, GKE's network without Dataplane V2 or Calico, Cilium with
    ///   `enable-policy: never`, kube-router with `--run-firewall=false`: **fail**, saying how
    ///   many NetworkPolicies the cluster holds that nothing enforces;
    /// - no plugin recognised, or a kindnet build whose version does not tell: **warn**,
    ///   listing what was seen.
    ///
    /// One enforcing plugin is enough: Calico for policy next to the Amazon VPC CNI, or next to
    /// flannel, passes. The item is not evaluated when the input holds no DaemonSets at all.
    ///
    /// ## Why
    /// Checklist item 2.1: NetworkPolicy objects are only requests. The API server accepts them
    /// whatever the network plugin is, and a plugin that does not implement them ignores them
    /// without a word, so every isolation the cluster's policies describe (items 2.2, 2.3, 2.6)
    /// is imaginary.
    ///
    /// ## Fix
    /// Run a plugin that enforces NetworkPolicy, or add one for policy only (Calico's policy-only
    /// mode next to flannel or the VPC CNI). On EKS turn on the VPC CNI's agent:
    /// ```yaml
    /// # aws-node DaemonSet, container aws-eks-nodeagent (or the add-on's enableNetworkPolicy: "true")
    /// args: ["--enable-network-policy=true"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites
    /// - https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/
    /// - https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
    pub static RULE = {
        code: "KC214",
        name: "cni-without-network-policy",
        item: "2.1",
        severity: Severity::High,
        evidence: Evidence::Cluster,
        title: Text::fixed(
            "The network plugin does not enforce NetworkPolicy",
            "网络插件不执行网络策略",
        ),
        fix: Text::fixed(
            "Run a network plugin that enforces NetworkPolicy (Calico, Cilium, Antrea, ...), or turn its enforcement on.",
            "使用能执行网络策略的网络插件（Calico、Cilium、Antrea 等），或开启其策略执行功能。",
        ),
        reads: &[
            "DaemonSet",
            "ConfigMap",
            "NetworkPolicy",
            "ClusterRole",
            "CustomResourceDefinition",
            "Namespace",
        ],
        check: Check::Inventory(check),
        doc_zh: r#"
## 检查内容
集群运行的是哪个网络插件（根据其节点代理的 DaemonSet，包括名称、容器名、镜像和参数，以及插件自己的 ConfigMap 判断），以及该插件是否执行 NetworkPolicy：
- Calico、Canal、Cilium（包括 GKE Dataplane V2 和基于 Cilium 的 Azure CNI）、Antrea、kube-router、带 `weave-npc` 容器的 Weave Net、OVN-Kubernetes、Kube-OVN、OpenShift SDN、Azure Network Policy Manager、kind v0.24 / kindnet v1.3 及以后的 kindnet，以及节点代理以 `--enable-network-policy=true` 运行的 Amazon VPC CNI：通过，证据中给出插件名称；
- 单独使用的 flannel、单独使用的 Azure CNI、较早版本的 kindnet、没有策略代理的 Amazon VPC CNI、未启用 Dataplane V2 或 Calico 的 GKE 网络、设置了 `enable-policy: never` 的 Cilium、设置了 `--run-firewall=false` 的 kube-router：**不通过**，并说明集群中有多少个 NetworkPolicy 无人执行；
- 没有识别出任何插件，或 kindnet 的版本无法判断：**警告**，并列出看到的内容。

只要有一个执行策略的插件就够了：在 Amazon VPC CNI 或 flannel 旁边用 Calico 执行策略，判定为通过。输入中完全没有 DaemonSet 时，不评估这一项。

## 原因
检查清单第 2.1 项：NetworkPolicy 对象只是一种声明。无论使用哪种网络插件，API 服务器都会接受它们，而不实现网络策略的插件会悄无声息地忽略它们，于是集群的策略所描述的所有隔离（第 2.2、2.3、2.6 项）都形同虚设。

## 修复
使用能执行 NetworkPolicy 的网络插件，或者另加一个只负责策略的插件（在 flannel 或 VPC CNI 旁边使用 Calico 的仅策略模式）。在 EKS 上，开启 VPC CNI 的代理：
```yaml
# aws-node DaemonSet, container aws-eks-nodeagent (or the add-on's enableNetworkPolicy: "true")
args: ["--enable-network-policy=true"]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/network-policies/#prerequisites
- https://kubernetes.io/zh-cn/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/
- https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
"#,
    }
}

/// At most this many DaemonSet names are listed when no plugin is recognised.
const SHOWN: usize = 8;

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    if inventory.count_kind("DaemonSet") == 0 {
        return;
    }
    sink.examined();
    let found = plugins(inventory);
    let enforcing: Vec<&Plugin> = found
        .iter()
        .filter(|p| p.policy == Policy::Enforces)
        .collect();
    if !enforcing.is_empty() {
        for p in enforcing {
            let (name, ds) = (p.name, &p.daemonset.reference());
            sink.evidence(
                p.daemonset,
                FieldPath::root(),
                text!(
                    "network plugin {name} ({ds}) enforces NetworkPolicy",
                    "网络插件 {name}（{ds}）执行网络策略",
                ),
            );
        }
        return;
    }
    let policies = inventory.count_kind("NetworkPolicy");
    let ignored_en = match policies {
        0 => "no NetworkPolicy exists yet, and none would take effect".to_string(),
        1 => "the cluster's 1 NetworkPolicy is silently ignored".to_string(),
        n => format!("the cluster's {n} NetworkPolicies are silently ignored"),
    };
    let ignored_zh = match policies {
        0 => "集群中尚无网络策略，即使创建也不会生效".to_string(),
        n => format!("集群中的 {n} 条网络策略被静默忽略"),
    };
    let mut decided = false;
    for p in &found {
        let (name, ds) = (p.name, &p.daemonset.reference());
        match &p.policy {
            Policy::Ignores => {
                decided = true;
                sink.fail(
                    p.daemonset,
                    FieldPath::root(),
                    text!(
                        "network plugin {name} ({ds}) does not implement NetworkPolicy: {ignored_en}",
                        "网络插件 {name}（{ds}）不实现网络策略：{ignored_zh}",
                    ),
                );
            }
            Policy::TurnedOff(setting) => {
                decided = true;
                let (set_en, set_zh) = (&setting.en, &setting.zh);
                sink.fail(
                    p.daemonset,
                    FieldPath::root(),
                    text!(
                        "network plugin {name} ({ds}) has NetworkPolicy enforcement off ({set_en}): {ignored_en}",
                        "网络插件 {name}（{ds}）关闭了网络策略执行（{set_zh}）：{ignored_zh}",
                    ),
                );
            }
            Policy::Unclear(why) => {
                decided = true;
                let (why_en, why_zh) = (&why.en, &why.zh);
                sink.warn(
                    p.daemonset,
                    FieldPath::root(),
                    text!(
                        "network plugin {name} ({ds}): {why_en}; check that NetworkPolicies are enforced",
                        "网络插件 {name}（{ds}）：{why_zh}；请确认网络策略确实被执行",
                    ),
                );
            }
            Policy::Enforces => {}
        }
    }
    if decided {
        return;
    }
    let Some(at) = anchor(inventory) else { return };
    let crds: Vec<&str> = PLUGIN_CRDS
        .iter()
        .filter(|(crd, _)| has_crd(inventory, crd))
        .map(|(_, name)| *name)
        .collect();
    if !crds.is_empty() {
        let names = crds.join(", ");
        sink.warn(
            at,
            FieldPath::root(),
            text!(
                "the CRDs of {names} exist but no agent DaemonSet of it was seen: the network plugin and whether it enforces NetworkPolicy are unknown",
                "存在 {names} 的 CRD，但未发现其代理 DaemonSet：无法确定网络插件及其是否执行网络策略",
            ),
        );
        return;
    }
    let mut seen: Vec<String> = inventory
        .of_kind("DaemonSet")
        .map(|d| format!("{}/{}", d.namespace.as_deref().unwrap_or("-"), d.name))
        .collect();
    seen.sort();
    let more = seen.len().saturating_sub(SHOWN);
    seen.truncate(SHOWN);
    let (more_en, more_zh) = if more > 0 {
        (format!(" and {more} more"), format!(" 等另外 {more} 个"))
    } else {
        (String::new(), String::new())
    };
    let list = seen.join(", ");
    sink.warn(
        at,
        FieldPath::root(),
        text!(
            "no known network plugin among the DaemonSets ({list}{more_en}): whether NetworkPolicies are enforced is unknown ({policies} exist)",
            "DaemonSet 中没有可识别的网络插件（{list}{more_zh}）：无法确定网络策略是否被执行（现有 {policies} 条）",
        ),
    );
}

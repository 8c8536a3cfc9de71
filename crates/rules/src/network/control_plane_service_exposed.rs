use crate::analysis::services::INTERNAL;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Services that publish a control-plane endpoint outside the cluster: the Service selects
    /// the pods of kube-apiserver, etcd, kube-controller-manager or kube-scheduler (by the
    /// `component` label kubeadm gives their static pods, or by the labels of such a pod in the
    /// input), or, without a selector (Endpoints set by hand), forwards to one of their ports
    /// (6443, 2379, 2380, 10257, 10259) or the kubelet's (10250), and
    /// - claims `externalIPs` or is a `LoadBalancer` open to every source address: **fail**;
    /// - is a `NodePort`, or a `LoadBalancer` limited by `loadBalancerSourceRanges` or made
    ///   internal by its cloud annotation: **warn**, reachable beyond the cluster network
    ///   still.
    ///
    /// The API server's own `kubernetes` Service in `default` is a ClusterIP and is left alone.
    ///
    /// ## Why
    /// Checklist item 2.5: the Kubernetes API, the kubelet API and etcd are not exposed
    /// publicly. A Service added "temporarily" during an incident is a common way for the API
    /// server to end up on a public address, past the firewall that guards the nodes.
    ///
    /// ## Fix
    /// Remove the Service; reach the API through a private endpoint, a VPN or a bastion, and
    /// restrict the API server's own listener to trusted networks:
    /// ```yaml
    /// # instead of a Service with externalIPs, for an office network:
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: [192.0.2.0/24]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/concepts/security/controlling-access/
    pub static RULE = {
        code: "KC216",
        name: "control-plane-service-exposed",
        item: "2.5",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::JudgedDespite(
            "reads Pods to tell a control-plane pod by its labels; a review carries none, so a \
         Service is judged by its selector's component label and, without a selector, its \
         ports: it can miss an exposure, never invent one",
        ),
        title: Text::fixed(
            "Service publishes a control-plane endpoint outside the cluster",
            "Service 将控制平面端点暴露到集群之外",
        ),
        fix: Text::fixed(
            "Remove the Service; reach the control plane through a private endpoint, a VPN or a bastion.",
            "删除该 Service；通过私有端点、VPN 或堡垒机访问控制平面。",
        ),
        reads: &["Pod"],
        severities: &[Severity::Medium],
        check: Check::Object { kinds: &["Service"], run: check },
        doc_zh: r#"
## 检查内容
把控制平面端点发布到集群之外的 Service：该 Service 选择 kube-apiserver、etcd、kube-controller-manager 或 kube-scheduler 的 Pod（通过 kubeadm 为其静态 Pod 设置的 `component` 标签，或输入中此类 Pod 的标签判断），或者在没有选择算符时（手动设置 Endpoints）转发到它们的某个端口（6443、2379、2380、10257、10259）或 kubelet 的端口（10250），并且：
- 声明了 `externalIPs`，或者是对所有源地址开放的 `LoadBalancer`：**不通过**；
- 是 `NodePort`，或者是受 `loadBalancerSourceRanges` 限制、或通过云厂商注解设为内部的 `LoadBalancer`：**警告**，仍然可以从集群网络之外访问。

API 服务器自己在 `default` 名字空间中的 `kubernetes` Service 是 ClusterIP 类型，不检查。

## 原因
检查清单第 2.5 项：不在互联网上公开 Kubernetes API、kubelet API 和 etcd。事故处理期间“临时”添加的 Service，是 API 服务器绕过保护节点的防火墙、最终暴露在公网地址上的常见原因。

## 修复
删除该 Service；通过私有端点、VPN 或堡垒机访问 API，并把 API 服务器自身的监听限制在可信网络内：
```yaml
# instead of a Service with externalIPs, for an office network:
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [192.0.2.0/24]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/concepts/security/controlling-access/
"#,
    }
}

/// Ports of the control plane and the kubelet, with what listens there.
const PORTS: &[(i64, &str)] = &[
    (6443, "kube-apiserver"),
    (2379, "etcd"),
    (2380, "etcd"),
    (10250, "kubelet"),
    (10257, "kube-controller-manager"),
    (10259, "kube-scheduler"),
];

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    sink.examined();
    let Some(spec) = object.root.get("spec") else {
        return;
    };
    let Some((what, what_zh)) = control_plane_target(object, spec, ctx) else {
        return;
    };
    let name = &object.name;
    let external_ips: Vec<&str> = spec
        .get("externalIPs")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let kind = spec.str_at("type").unwrap_or("ClusterIP");
    if !external_ips.is_empty() {
        let ips = external_ips.join(", ");
        sink.fail(
            object,
            FieldPath::parse("spec.externalIPs"),
            text!(
                "Service \"{name}\" publishes {what} on external IP {ips}",
                "Service \"{name}\" 在外部 IP {ips} 上暴露了 {what_zh}",
            ),
        );
        return;
    }
    match kind {
        "LoadBalancer" => {
            let limited = spec
                .get("loadBalancerSourceRanges")
                .is_some_and(|r| !r.as_seq().is_empty())
                || INTERNAL
                    .iter()
                    .any(|(k, v)| object.annotation(k).is_some_and(|a| v.contains(&a)));
            if limited {
                sink.warn(
                    object,
                    FieldPath::parse("spec.type"),
                    text!(
                        "Service \"{name}\" publishes {what} through a load balancer limited to some sources",
                        "Service \"{name}\" 通过仅对部分来源开放的负载均衡器暴露了 {what_zh}",
                    ),
                )
                .severity = Severity::Medium;
            } else {
                sink.fail(
                    object,
                    FieldPath::parse("spec.type"),
                    text!(
                        "Service \"{name}\" publishes {what} through a load balancer open to every source address",
                        "Service \"{name}\" 通过对所有来源开放的负载均衡器暴露了 {what_zh}",
                    ),
                );
            }
        }
        "NodePort" => {
            sink.warn(
                object,
                FieldPath::parse("spec.type"),
                text!(
                    "Service \"{name}\" publishes {what} on a port of every node",
                    "Service \"{name}\" 在每个节点的端口上暴露了 {what_zh}",
                ),
            )
            .severity = Severity::Medium;
        }
        _ => {}
    }
}

/// What control-plane endpoint the Service forwards to, when it does: by its selector's
/// `component` label, by the pods of the input it selects, or by a target port.
fn control_plane_target(service: &Object, spec: &Node, ctx: &Context) -> Option<(String, String)> {
    let selector = spec.get("selector").map_or(&[][..], Node::as_map);
    if let Some(c) = selector
        .iter()
        .find(|e| e.key == "component")
        .and_then(|e| e.value.as_str())
        .filter(|c| crate::analysis::control_plane::COMPONENTS.contains(c))
    {
        return Some((c.to_string(), c.to_string()));
    }
    if !selector.is_empty() {
        // A selector picks pods of the Service's own namespace; only the control plane's pods
        // (a handful, found once per run) can make it a control-plane Service.
        let selected = ctx
            .control_plane_pods()
            .iter()
            .find_map(|(pod, component)| {
                if pod.namespace != service.namespace {
                    return None;
                }
                let labels = pod
                    .root
                    .path(&["metadata", "labels"])
                    .map_or(&[][..], Node::as_map);
                let all = selector.iter().all(|s| {
                    labels
                        .iter()
                        .any(|l| l.key == s.key && l.value.as_str() == s.value.as_str())
                });
                all.then_some(*component)
            });
        if let Some(c) = selected {
            return Some((c.to_string(), c.to_string()));
        }
    }
    // A Service without a selector forwards to Endpoints set by hand, the usual way to put the
    // API server (or etcd) behind a Service: known by its port. With a selector, a port alone
    // says nothing (metrics-server serves on 10250 too).
    if !selector.is_empty() {
        return None;
    }
    let ports = spec.get("ports").map_or(&[][..], Node::as_seq);
    ports.iter().find_map(|p| {
        let target = p
            .get("targetPort")
            .and_then(Node::as_i64)
            .or_else(|| p.get("port").and_then(Node::as_i64))?;
        PORTS
            .iter()
            .find(|(port, _)| *port == target)
            .map(|(port, who)| {
                (
                    format!("{who} (port {port})"),
                    format!("{who}（端口 {port}）"),
                )
            })
    })
}

use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::analysis::netpol::{pod_labels, pod_labels_path, Direction};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Workloads whose pods no NetworkPolicy isolates for egress (no policy with type `Egress`
    /// selects them, a namespace default deny included), outside the exempt system namespaces
    /// (`podSecurity.exemptNamespaces`, default `kube-system`). Such pods can connect anywhere,
    /// the cloud metadata API (`169.254.169.254`, `fd00:ec2::254`) included. Pods on the host
    /// network are noted in the message: NetworkPolicies do not apply to them on most plugins.
    ///
    /// Egress rules that open the metadata address to pods that are isolated are KC208's
    /// business; together the two rules answer "which pods can reach the metadata API".
    ///
    /// ## Why
    /// Checklist item 2.6: the metadata API hands out the node's cloud credentials; access from
    /// workloads must be filtered, and an unisolated pod is not filtered at all.
    ///
    /// ## Fix
    /// Give every namespace a default deny for egress and allow what each workload needs:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
    pub static RULE = {
        code: "KC209",
        name: "metadata-api-unfiltered",
        item: "2.6",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "judges the namespace's NetworkPolicies for egress to the metadata API: not in a review",
        ),
        title: Text::fixed(
            "Workload can reach the cloud metadata API (not isolated for egress)",
            "工作负载可访问云元数据 API（未做出站隔离）",
        ),
        fix: Text::fixed(
            "Isolate the pods for egress: a namespace default-deny egress policy plus explicit allows that except 169.254.169.254/32.",
            "对 Pod 做出站隔离：名字空间默认拒绝出站的策略，加上排除 169.254.169.254/32 的明确放行规则。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["NetworkPolicy", "Namespace"],
        doc_zh: r#"
## 检查内容
其 Pod 未被任何 NetworkPolicy 做出站隔离的工作负载（没有任何类型为 `Egress` 的策略选中它们，名字空间的默认拒绝策略也算在内），豁免的系统名字空间（`podSecurity.exemptNamespaces`，默认为 `kube-system`）除外。这样的 Pod 可以连接任何地方，包括云元数据 API（`169.254.169.254`、`fd00:ec2::254`）。使用主机网络的 Pod 会在消息中注明：在大多数网络插件上，NetworkPolicy 对它们不起作用。

对已隔离的 Pod 放开元数据地址的出站规则由 KC208 负责；两条规则合起来回答“哪些 Pod 能访问元数据 API”这个问题。

## 原因
检查清单第 2.6 项：元数据 API 会发放节点的云凭据，必须过滤工作负载对它的访问；而未做隔离的 Pod 完全没有经过过滤。

## 修复
为每个名字空间设置默认拒绝出站的策略，再放行每个工作负载所需的流量：
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    let namespace = namespace_of(object);
    if is_exempt(ctx, namespace) {
        return;
    }
    sink.examined();
    let labels = pod_labels(object);
    let isolated = ctx
        .network_policies(namespace)
        .iter()
        .any(|p| p.has_type(Direction::Egress) && p.selects(namespace, &labels));
    if isolated {
        return;
    }
    let (kind, name) = (&object.kind, &object.name);
    let host = pod.get("hostNetwork").and_then(Node::as_bool) == Some(true);
    let (note_en, note_zh) = if host {
        (
            " (it is on the host network, where policies do not apply)",
            "（它使用主机网络，网络策略对其无效）",
        )
    } else {
        ("", "")
    };
    sink.fail(
        object,
        pod_labels_path(object),
        text!(
            "{kind} \"{name}\" is not isolated for egress: its pods can reach the cloud metadata API{note_en}",
            "{kind} \"{name}\" 未做出站隔离：其 Pod 可访问云元数据 API{note_zh}",
        ),
    );
}

use crate::analysis::netpol::{check_workload, Direction};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every workload (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet,
    /// ReplicationController, PodTemplate) whose pods no NetworkPolicy of type `Ingress` selects.
    /// A policy selects the pods when it lives in the workload's namespace and its
    /// `spec.podSelector` matches the labels of the pod template (`matchLabels` and
    /// `matchExpressions`, ANDed); an empty `podSelector: {}`, such as a namespace's default
    /// deny, selects every pod and so counts. Policy types are read as the API server defaults
    /// them: a policy without `policyTypes` is always of type `Ingress`. Only
    /// `networking.k8s.io` NetworkPolicies are read; workloads in the exempt namespaces of
    /// `podSecurity.exemptNamespaces` (default `kube-system`) are skipped.
    ///
    /// A workload that is selected, but by a policy with a rule that allows everything in that
    /// direction, is reported too: policies add up, so one such rule leaves the pods open
    /// whatever the other policies say (a namespace's default deny included). "Everything" is
    /// a rule without ports whose peers are absent (`- {}`), or list every pod of every
    /// namespace (`namespaceSelector: {}`) and both whole address families (`0.0.0.0/0` and
    /// `::/0`, without `except`). Every pod of every namespace alone, or any port list, still
    /// restricts, and is accepted.
    ///
    /// ## Why
    /// Checklist item 2.2: ingress and egress network policies are applied to all workloads.
    /// A pod that no Ingress policy selects accepts connections from every pod in the cluster
    /// and from whatever can route to it, so one compromised pod can reach it freely.
    ///
    /// ## Fix
    /// Give each namespace a default deny and allow what each workload needs:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: web-from-ingress-controller
    ///   namespace: shop
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: web}
    ///   policyTypes: [Ingress]
    ///   ingress:
    ///     - from:
    ///         - namespaceSelector:
    ///             matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
    ///       ports: [{port: 8080}]
    /// ```
    /// Pods with `hostNetwork: true` are not isolated by NetworkPolicy in most network plugins:
    /// avoid them.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    pub static RULE = {
        code: "KC205",
        name: "workload-without-ingress-policy",
        item: "2.2",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "judges whether any NetworkPolicy selects the pods: a review carries no policies, and a \
         workload is created before or after its policy in any order",
        ),
        title: Text::fixed("Workload is not selected by any ingress NetworkPolicy", "工作负载未被任何入站网络策略选中"),
        fix: Text::fixed(
            "Add a NetworkPolicy of type Ingress that selects the pods (a namespace default deny with podSelector: {} counts), and allow only the sources they need.",
            "添加选中这些 Pod 的 Ingress 类型 NetworkPolicy（使用 podSelector: {} 的名字空间默认拒绝策略也算），只允许所需的来源。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["NetworkPolicy", "Namespace"],
        doc_zh: r#"
## 检查内容
其 Pod 未被任何 `Ingress` 类型的 NetworkPolicy 选中的每个工作负载（Pod、Deployment、StatefulSet、DaemonSet、Job、CronJob、ReplicaSet、ReplicationController、PodTemplate）。当策略位于工作负载所在的名字空间，且其 `spec.podSelector` 与 Pod 模板的标签匹配（`matchLabels` 与 `matchExpressions` 需同时满足）时，该策略就选中了这些 Pod；空的 `podSelector: {}`（例如名字空间的默认拒绝策略）选中所有 Pod，因此也算数。策略类型按 API 服务器设置默认值的方式解读：没有 `policyTypes` 的策略总是属于 `Ingress` 类型。只读取 `networking.k8s.io` 的 NetworkPolicy；位于 `podSecurity.exemptNamespaces` 中豁免名字空间（默认为 `kube-system`）的工作负载会被跳过。

被选中、但选中它的策略中有一条规则放行了该方向上一切流量的工作负载，同样会被报告：策略是叠加的，所以只要有一条这样的规则，无论其他策略（包括名字空间的默认拒绝策略）如何规定，这些 Pod 都是开放的。“一切流量”是指一条没有端口的规则，其对端缺失（`- {}`），或者同时列出了所有名字空间的所有 Pod（`namespaceSelector: {}`）和两个完整的地址族（`0.0.0.0/0` 和 `::/0`，且不带 `except`）。只列出所有名字空间的所有 Pod，或者带有任何端口列表的规则，仍然构成限制，可以接受。

## 原因
检查清单第 2.2 项：对集群中的所有工作负载应用入站和出站的网络策略。没有被任何 Ingress 策略选中的 Pod 会接受来自集群中所有 Pod 以及任何能路由到它的来源的连接，因此只要一个 Pod 被攻破，攻击者就能随意访问它。

## 修复
为每个名字空间设置默认拒绝策略，再放行每个工作负载所需的流量：
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-from-ingress-controller
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
      ports: [{port: 8080}]
```
在大多数网络插件中，`hostNetwork: true` 的 Pod 不受 NetworkPolicy 隔离：应避免使用。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/network-policies/
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    check_workload(object, ctx, sink, Direction::Ingress);
}

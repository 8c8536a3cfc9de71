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
            "添加选中这些 Pod 的 Ingress 类型 NetworkPolicy(使用 podSelector: {} 的名字空间默认拒绝策略也算),只允许所需的来源。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["NetworkPolicy", "Namespace"],
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    check_workload(object, ctx, sink, Direction::Ingress);
}

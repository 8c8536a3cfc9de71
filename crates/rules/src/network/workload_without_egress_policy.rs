use crate::analysis::netpol::{check_workload, Direction};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every workload (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet,
    /// ReplicationController, PodTemplate) whose pods no NetworkPolicy of type `Egress` selects.
    /// A policy selects the pods when it lives in the workload's namespace and its
    /// `spec.podSelector` matches the labels of the pod template; an empty `podSelector: {}`,
    /// such as a namespace's default deny, selects every pod and so counts. Policy types are
    /// read as the API server defaults them: without `policyTypes`, a policy is of type
    /// `Egress` only when it has `egress` rules, so a policy with only `ingress` rules leaves
    /// egress open. Only `networking.k8s.io` NetworkPolicies are read; workloads in the exempt
    /// namespaces of `podSecurity.exemptNamespaces` (default `kube-system`) are skipped.
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
    /// A pod that no Egress policy selects can connect anywhere: to every other pod, to the
    /// Kubernetes API, to the internet for exfiltration, and to the cloud metadata API
    /// (169.254.169.254) and the node credentials it hands out (item 2.6).
    ///
    /// ## Fix
    /// Deny egress by default in the namespace, then allow what the pods need, DNS first:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-dns
    ///   namespace: shop
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - to:
    ///         - namespaceSelector:
    ///             matchLabels: {kubernetes.io/metadata.name: kube-system}
    ///           podSelector:
    ///             matchLabels: {k8s-app: kube-dns}
    ///       ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    pub static RULE = {
        code: "KC206",
        name: "workload-without-egress-policy",
        item: "2.2",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "as KC205, for egress policies",
        ),
        title: Text::fixed("Workload is not selected by any egress NetworkPolicy", "工作负载未被任何出站网络策略选中"),
        fix: Text::fixed(
            "Add a NetworkPolicy with policyTypes [Egress] that selects the pods (a namespace default deny with podSelector: {} counts), and allow only the destinations they need.",
            "添加 policyTypes 为 [Egress] 且选中这些 Pod 的 NetworkPolicy(使用 podSelector: {} 的名字空间默认拒绝策略也算),只允许所需的目的地。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["NetworkPolicy", "Namespace"],
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    check_workload(object, ctx, sink, Direction::Egress);
}

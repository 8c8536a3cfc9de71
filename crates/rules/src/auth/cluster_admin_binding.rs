use crate::analysis::rbac::Binding;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// RoleBindings and ClusterRoleBindings to the ClusterRole `cluster-admin` whose subject is
    /// not part of the cluster itself: anything but `system:` users and groups and service
    /// accounts of `kube-system`. The groups that stand for everyone
    /// (`system:authenticated`, `system:unauthenticated`, `system:anonymous`) and for every
    /// service account (`system:serviceaccounts[:<ns>]`) count as not system.
    ///
    /// A RoleBinding to `cluster-admin` is reported too: it gives full control of its
    /// namespace, including its Roles, Secrets and workloads.
    ///
    /// ## Why
    /// Checklist item 1.6: `cluster-admin` allows every verb on every resource. A person or
    /// workload holding it can read every Secret, run anything on any node and grant itself
    /// anything else; a stolen credential becomes the whole cluster.
    ///
    /// ## Fix
    /// Bind a role limited to what the subject does, in the namespaces where it does it:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: ci-deploy, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects:
    /// - {kind: ServiceAccount, name: ci, namespace: ci}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
    pub static RULE = {
        code: "KC103",
        name: "cluster-admin-binding",
        item: "1.6",
        severity: Severity::Critical,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("cluster-admin is bound to a non-system subject", "cluster-admin 被绑定给非系统主体"),
        fix: Text::fixed(
            "Bind a narrower role, namespaced where possible, instead of cluster-admin.",
            "改为绑定范围更小的角色(尽量限定在名字空间内),不要使用 cluster-admin。",
        ),
        check: Check::Object { kinds: &["ClusterRoleBinding", "RoleBinding"], run: check },
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let binding = Binding::parse(object);
    if binding.role_kind != "ClusterRole" || binding.role_name != "cluster-admin" {
        return;
    }
    let (kind, name) = (&object.kind, &object.name);
    let (scope_en, scope_zh) = match binding.namespace {
        Some(ns) if !binding.cluster => {
            (format!("in namespace {ns}"), format!("在名字空间 {ns} 内"))
        }
        _ => ("cluster-wide".to_string(), "在整个集群范围".to_string()),
    };
    for subject in binding.subjects.iter().filter(|s| !s.is_system()) {
        let who = subject.describe();
        sink.fail(
            object,
            FieldPath::root().key("subjects").index(subject.index),
            text!(
                "{kind} \"{name}\" grants cluster-admin {scope_en} to {who}",
                "{kind} \"{name}\" {scope_zh}将 cluster-admin 授予 {who}",
            ),
        );
    }
}

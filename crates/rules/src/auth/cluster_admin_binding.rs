use crate::analysis::rbac::{AdminEquivalent, Binding};
use crate::rule::RBAC_KINDS;
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
    /// A ClusterRoleBinding to another role that is `cluster-admin` in all but name is reported
    /// the same way, naming the equivalence:
    /// - a rule allowing every verb on every resource of every API group, written with
    ///   wildcards or gathered by aggregation;
    /// - `bind` on ClusterRoles with `create` on ClusterRoleBindings (its holder binds
    ///   `cluster-admin` to itself), or `escalate` with `update`/`patch` on ClusterRoles (its
    ///   holder adds `*` to a role it holds).
    ///
    /// The role is looked up in the input, or among the default ClusterRoles. At admission a
    /// review carries no roles: only the binding to `cluster-admin` by name is judged there.
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
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb
    pub static RULE = {
        code: "KC103",
        name: "cluster-admin-binding",
        item: "1.6",
        severity: Severity::Critical,
        evidence: Evidence::Objects,
        admission: Admission::JudgedDespite(
            "reads the role a ClusterRoleBinding names to tell a role equivalent to \
             cluster-admin; a review carries no roles, so at admission only a binding to \
             cluster-admin by name is judged: it can miss an equivalent, never invent one",
        ),
        title: Text::fixed("cluster-admin is bound to a non-system subject", "cluster-admin 被绑定给非系统主体"),
        fix: Text::fixed(
            "Bind a narrower role, namespaced where possible, instead of cluster-admin.",
            "改为绑定范围更小的角色(尽量限定在名字空间内),不要使用 cluster-admin。",
        ),
        check: Check::Object { kinds: &["ClusterRoleBinding", "RoleBinding"], run: check },
        reads: RBAC_KINDS,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    sink.examined();
    let binding = Binding::parse(object);
    let (kind, name) = (&object.kind, &object.name);
    if binding.role_kind != "ClusterRole" {
        return;
    }
    if binding.role_name != "cluster-admin" {
        equivalent(object, &binding, ctx, sink);
        return;
    }
    let (scope_en, scope_zh) = match binding.namespace {
        Some(ns) if !binding.cluster => {
            (format!("in namespace {ns}"), format!("在名字空间 {ns} 内"))
        }
        _ => ("cluster-wide".to_string(), "在整个集群范围".to_string()),
    };
    fail_for_subjects(object, &binding, sink, |who| {
        text!(
            "{kind} \"{name}\" grants cluster-admin {scope_en} to {who}",
            "{kind} \"{name}\" {scope_zh}将 cluster-admin 授予 {who}",
        )
    });
}

/// One failure per subject that is not part of the cluster itself, at the subject.
fn fail_for_subjects(
    object: &Object,
    binding: &Binding,
    sink: &mut Sink,
    message: impl Fn(&str) -> Text,
) {
    for subject in binding.subjects.iter().filter(|s| !s.is_system()) {
        sink.fail(
            object,
            FieldPath::root().key("subjects").index(subject.index),
            message(&subject.describe()),
        );
    }
}

/// A ClusterRoleBinding to a role that is cluster-admin under another name.
fn equivalent(object: &Object, binding: &Binding, ctx: &Context, sink: &mut Sink) {
    if !binding.cluster {
        return;
    }
    let Some(role) = ctx.rbac().role_of(binding) else {
        return;
    };
    let Some(how) = role.admin_equivalent() else {
        return;
    };
    let (kind, name, role) = (&object.kind, &object.name, role.name);
    let (why_en, why_zh) = match how {
        AdminEquivalent::EveryVerbOnEverything => (
            "every verb on every resource of every API group",
            "对所有 API 组的所有资源拥有全部操作权限",
        ),
        AdminEquivalent::GrantsItselfAnything => (
            "it may bind or escalate ClusterRoles and so grant itself anything",
            "可以绑定或提升 ClusterRole,从而给自己授予任意权限",
        ),
    };
    fail_for_subjects(object, binding, sink, |who| {
        text!(
            "{kind} \"{name}\" grants ClusterRole \"{role}\" cluster-wide to {who}: equivalent to cluster-admin ({why_en})",
            "{kind} \"{name}\" 在整个集群范围将 ClusterRole \"{role}\" 授予 {who}:等同于 cluster-admin({why_zh})",
        )
    });
}

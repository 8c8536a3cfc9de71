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
            "改为绑定范围更小的角色（尽量限定在名字空间内），不要使用 cluster-admin。",
        ),
        check: Check::Object { kinds: &["ClusterRoleBinding", "RoleBinding"], run: check },
        reads: RBAC_KINDS,
        doc_zh: r#"
## 检查内容
绑定到 ClusterRole `cluster-admin`、且主体不属于集群自身的 RoleBinding 和 ClusterRoleBinding。集群自身的主体只有以 `system:` 开头的用户和组，以及 `kube-system` 中的服务账号。代表所有人的组（`system:authenticated`、`system:unauthenticated`、`system:anonymous`）和代表所有服务账号的组（`system:serviceaccounts[:<ns>]`）视为非系统主体。

绑定到 `cluster-admin` 的 RoleBinding 同样会被报告：它赋予对所在名字空间的完全控制，包括其中的 Role、Secret 和工作负载。

ClusterRoleBinding 绑定的如果是另一个除名称外与 `cluster-admin` 等价的角色，也以同样的方式报告，并指明等价的理由：
- 有一条规则允许对所有 API 组的所有资源执行所有动作，无论是用通配符写出的，还是通过聚合汇集而成的；
- 对 ClusterRole 拥有 `bind` 权限，同时对 ClusterRoleBinding 拥有 `create` 权限（持有者可以把 `cluster-admin` 绑定给自己）；或者对 ClusterRole 拥有 `escalate` 权限，同时拥有 `update`/`patch` 权限（持有者可以向自己持有的角色中加入 `*`）。

角色在输入中查找，或在默认 ClusterRole 中查找。准入时，审查请求中不包含角色：此时只判断按名称绑定到 `cluster-admin` 的情况。

## 原因
检查清单第 1.6 项：`cluster-admin` 允许对所有资源执行所有动作。持有它的人或工作负载可以读取所有 Secret，在任何节点上运行任何程序，还能给自己授予其他任何权限；一个凭据被盗，整个集群就随之失守。

## 修复
绑定一个仅限于该主体实际工作的角色，并且只在它工作的名字空间中绑定：
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deploy, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: ServiceAccount, name: ci, namespace: ci}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#least-privilege
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#user-facing-roles
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#escalate-verb
"#,
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
            "可以绑定或提升 ClusterRole，从而给自己授予任意权限",
        ),
    };
    fail_for_subjects(object, binding, sink, |who| {
        text!(
            "{kind} \"{name}\" grants ClusterRole \"{role}\" cluster-wide to {who}: equivalent to cluster-admin ({why_en})",
            "{kind} \"{name}\" 在整个集群范围将 ClusterRole \"{role}\" 授予 {who}：等同于 cluster-admin（{why_zh}）",
        )
    });
}

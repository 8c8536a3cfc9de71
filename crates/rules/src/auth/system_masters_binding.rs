use crate::analysis::rbac::{Binding, SubjectKind};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// RoleBindings and ClusterRoleBindings with a subject that is the group `system:masters`.
    /// The built-in ClusterRoleBinding `cluster-admin` (to ClusterRole `cluster-admin`) is the
    /// one binding that may name it.
    ///
    /// CertificateSigningRequests asking for `O=system:masters` are not examined yet.
    ///
    /// ## Why
    /// Checklist item 1.1: members of `system:masters` bypass every authorization check,
    /// including RBAC and webhooks, and their rights cannot be taken away by removing a
    /// binding. The group should only be used for break-glass access after bootstrap;
    /// binding more roles to it hides who is supposed to hold that power.
    ///
    /// ## Fix
    /// Delete the binding; give people and automation their own groups bound to the least
    /// role they need:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: platform-view}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    /// subjects:
    /// - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: platform-team}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    pub static RULE = {
        code: "KC101",
        name: "system-masters-binding",
        item: "1.1",
        severity: Severity::Critical,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Binding names the system:masters group", "绑定的主体是 system:masters 组"),
        fix: Text::fixed(
            "Remove system:masters from the binding; bind a dedicated group to the least role it needs.",
            "从绑定中移除 system:masters；为专用组绑定其所需的最小角色。",
        ),
        check: Check::Object { kinds: &["ClusterRoleBinding", "RoleBinding"], run: check },
        doc_zh: r#"
## 检查内容
主体中包含 `system:masters` 组的 RoleBinding 和 ClusterRoleBinding。内置的 ClusterRoleBinding `cluster-admin`（绑定到 ClusterRole `cluster-admin`）是唯一可以引用该组的绑定。

请求 `O=system:masters` 的 CertificateSigningRequest 目前尚未检查。

## 原因
检查清单第 1.1 项：`system:masters` 的成员会绕过所有鉴权检查，包括 RBAC 和 Webhook，而且删除绑定也无法收回其权限。集群引导完成后，该组只应用于应急访问；再为它绑定更多角色，只会让人看不清究竟谁应当拥有这种权力。

## 修复
删除该绑定；为人员和自动化流程设立各自的组，并绑定其所需的最小角色：
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: platform-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: platform-team}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#least-privilege
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let binding = Binding::parse(object);
    let builtin = binding.cluster
        && object.name == "cluster-admin"
        && binding.role_kind == "ClusterRole"
        && binding.role_name == "cluster-admin";
    if builtin {
        return;
    }
    for subject in &binding.subjects {
        if subject.kind != SubjectKind::Group || subject.name != "system:masters" {
            continue;
        }
        let (kind, name, role) = (&object.kind, &object.name, binding.role_name);
        sink.fail(
            object,
            FieldPath::root().key("subjects").index(subject.index),
            text!(
                "{kind} \"{name}\" binds group system:masters to role \"{role}\"",
                "{kind} \"{name}\" 将角色 \"{role}\" 绑定给 system:masters 组",
            ),
        );
    }
}

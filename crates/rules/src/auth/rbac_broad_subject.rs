use crate::analysis::rbac::{Binding, SubjectKind, BROAD};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// RoleBindings and ClusterRoleBindings whose subject stands for everyone:
    /// `system:anonymous`, `system:unauthenticated` or `system:authenticated`. The built-in
    /// ClusterRoleBindings `system:public-info-viewer`, `system:basic-user` and
    /// `system:discovery` (each to the ClusterRole of the same name) are expected.
    ///
    /// Also bindings whose subject is a namespace's `default` service account: every pod
    /// that does not name a service account runs as it and gets the grant.
    ///
    /// ## Why
    /// Checklist item 1.6: a grant to `system:authenticated` reaches every user and every
    /// service account token of the cluster (and, on some managed clusters, any account of
    /// the cloud provider); `system:anonymous` and `system:unauthenticated` reach anyone who
    /// can connect to the API server. Grants to `default` service accounts reach workloads
    /// that never asked for them.
    ///
    /// ## Fix
    /// Bind named groups or dedicated service accounts, and have the pods that need the
    /// rights use them:
    /// ```yaml
    /// subjects:
    /// - {kind: ServiceAccount, name: report-generator, namespace: shop}
    /// ---
    /// spec:
    ///   serviceAccountName: report-generator
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions
    pub static RULE = {
        code: "KC105",
        name: "rbac-broad-subject",
        item: "1.6",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Role granted to everyone or to a default service account", "角色被授予所有人或默认服务账号"),
        fix: Text::fixed(
            "Bind a named group or a dedicated service account instead.",
            "改为绑定具名的组或专用的服务账号。",
        ),
        check: Check::Object { kinds: &["ClusterRoleBinding", "RoleBinding"], run: check },
        doc_zh: r#"
## 检查内容
主体代表所有人的 RoleBinding 和 ClusterRoleBinding：`system:anonymous`、`system:unauthenticated` 或 `system:authenticated`。内置的 ClusterRoleBinding `system:public-info-viewer`、`system:basic-user` 和 `system:discovery`（各自绑定到同名的 ClusterRole）属于预期情况。

主体为某个名字空间的 `default` 服务账号的绑定也在检查之列：所有未指定服务账号的 Pod 都以它的身份运行，因而都会获得这项授权。

## 原因
检查清单第 1.6 项：授予 `system:authenticated` 的权限覆盖集群中的每个用户和每个服务账号令牌（在某些托管集群上，还包括云服务商的任何账号）；`system:anonymous` 和 `system:unauthenticated` 则覆盖任何能连接到 API 服务器的人。授予 `default` 服务账号的权限，会落到从未申请过这些权限的工作负载上。

## 修复
绑定具名的组或专用的服务账号，并让需要这些权限的 Pod 使用它们：
```yaml
subjects:
- {kind: ServiceAccount, name: report-generator, namespace: shop}
---
spec:
  serviceAccountName: report-generator
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#least-privilege
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#discovery-roles
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#service-account-permissions
"#,
    }
}

/// Built-in ClusterRoleBindings that grant their ClusterRole of the same name to everyone.
const BUILTIN: &[&str] = &[
    "system:public-info-viewer",
    "system:basic-user",
    "system:discovery",
];

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let binding = Binding::parse(object);
    let builtin = binding.cluster
        && BUILTIN.contains(&object.name.as_str())
        && binding.role_kind == "ClusterRole"
        && binding.role_name == object.name;
    let (kind, name, role) = (&object.kind, &object.name, binding.role_name);
    for subject in &binding.subjects {
        let who = subject.describe();
        let message = if subject.kind != SubjectKind::ServiceAccount
            && BROAD.contains(&subject.name)
        {
            if builtin {
                continue;
            }
            let (en, zh) = match subject.name {
                "system:authenticated" => ("every user and service account", "所有用户和服务账号"),
                "system:unauthenticated" => ("every unauthenticated request", "所有未经认证的请求"),
                _ => ("anonymous requests", "匿名请求"),
            };
            text!(
                "{kind} \"{name}\" grants role \"{role}\" to {who}: {en}",
                "{kind} \"{name}\" 将角色 \"{role}\" 授予 {who}，即{zh}",
            )
        } else if subject.kind == SubjectKind::ServiceAccount && subject.name == "default" {
            text!(
                "{kind} \"{name}\" grants role \"{role}\" to {who}, which every pod of its namespace uses unless it names another",
                "{kind} \"{name}\" 将角色 \"{role}\" 授予 {who}；该名字空间中未指定服务账号的 Pod 都会使用它",
            )
        } else {
            continue;
        };
        sink.fail(
            object,
            FieldPath::root().key("subjects").index(subject.index),
            message,
        );
    }
}

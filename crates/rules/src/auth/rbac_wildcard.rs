use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Roles and ClusterRoles with `*` in a rule's `verbs`, `resources` or `apiGroups`; each
    /// field with a wildcard is reported. The built-in `cluster-admin` and the `system:` roles
    /// are left alone: Kubernetes maintains them.
    ///
    /// ## Why
    /// Checklist item 1.6: a wildcard grants every current and future verb, resource or API
    /// group, including custom resources installed later and subresources such as
    /// `pods/exec`. Its holders get rights nobody reviewed.
    ///
    /// ## Fix
    /// List what the role needs:
    /// ```yaml
    /// rules:
    /// - apiGroups: ["apps"]
    ///   resources: ["deployments"]
    ///   verbs: ["get", "list", "watch", "update", "patch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-permissions
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
    pub static RULE = {
        code: "KC102",
        name: "rbac-wildcard",
        item: "1.6",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("RBAC rule uses a wildcard", "RBAC 规则使用了通配符"),
        fix: Text::fixed(
            "Replace * with the verbs, resources and API groups the role needs.",
            "将 * 替换为角色实际需要的动作、资源和 API 组。",
        ),
        check: Check::Object { kinds: &["Role", "ClusterRole"], run: check },
        doc_zh: r#"
## 检查内容
规则的 `verbs`、`resources` 或 `apiGroups` 中含有 `*` 的 Role 和 ClusterRole；每个含通配符的字段各报告一次。内置的 `cluster-admin` 和以 `system:` 开头的角色不在检查之列：它们由 Kubernetes 维护。

## 原因
检查清单第 1.6 项：通配符授予现有和将来的所有动作、资源或 API 组，包括以后才安装的定制资源，以及 `pods/exec` 这样的子资源。角色的持有者由此得到了没有人审查过的权限。

## 修复
逐一列出角色需要的内容：
```yaml
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "update", "patch"]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#minimize-permissions
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
"#,
    }
}

const FIELDS: &[&str] = &["verbs", "resources", "apiGroups"];

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let name = &object.name;
    if name.starts_with("system:") || (object.kind == "ClusterRole" && name == "cluster-admin") {
        return;
    }
    let rules = object.root.get("rules").map_or(&[][..], Node::as_seq);
    for (i, rule) in rules.iter().enumerate() {
        for field in FIELDS {
            let wild = rule
                .get(field)
                .map_or(&[][..], Node::as_seq)
                .iter()
                .any(|v| v.as_str() == Some("*"));
            if !wild {
                continue;
            }
            let kind = &object.kind;
            sink.fail(
                object,
                FieldPath::root().key("rules").index(i).key(field),
                text!(
                    "{kind} \"{name}\" rule {i} allows every value of {field} (\"*\")",
                    "{kind} \"{name}\" 的第 {i} 条规则允许 {field} 的任意值（\"*\"）",
                ),
            );
        }
    }
}

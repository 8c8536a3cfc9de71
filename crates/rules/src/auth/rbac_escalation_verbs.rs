use crate::analysis::rbac::{Binding, PolicyRule, Rbac, Subject};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Role rules that grant a right which leads to more rights, when the role is bound to a
    /// subject that is not part of the cluster itself (not a `system:` user or group, not a
    /// `kube-system` service account):
    ///
    /// - `escalate` or `bind` on `roles` / `clusterroles`;
    /// - `impersonate` on `users`, `groups` or `serviceaccounts`;
    /// - `create` on `serviceaccounts/token`;
    /// - `approve` or `sign` on `signers` / `certificatesigningrequests`;
    /// - `get` or `create` on `nodes/proxy`, `pods/exec` or `pods/attach`;
    /// - `create`, `update` or `patch` on validating or mutating webhook configurations;
    /// - `get`, `list` or `watch` on `secrets` through a ClusterRoleBinding (every namespace);
    /// - `update` or `patch` on `namespaces` (which can lift Pod Security labels).
    ///
    /// Wildcards count. Each rule is reported once, at its `verbs`, with every such right it
    /// grants; for an aggregated ClusterRole the rule is reported where it is written. Roles
    /// that no binding in the input grants to a non-system subject are skipped, and so are
    /// bindings to `cluster-admin` (KC103 reports them).
    ///
    /// ## Why
    /// Checklist item 1.6: each of these lets its holder get rights it was not given: write a
    /// role with more rights, act as another user, mint tokens or certificates, run commands
    /// in other pods or on nodes, intercept every API write, read every credential, or turn
    /// off the admission checks of a namespace.
    ///
    /// ## Fix
    /// Drop the right, or give it to a dedicated subject and limit it with `resourceNames`:
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["secrets"]
    ///   resourceNames: ["app-tls"]
    ///   verbs: ["get"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
    pub static RULE = {
        code: "KC104",
        name: "rbac-escalation-verbs",
        item: "1.6",
        severity: Severity::High,
        evidence: Evidence::Objects,
        title: Text::fixed("Bound role grants a right that leads to more rights", "已绑定的角色授予了可导致权限提升的权限"),
        fix: Text::fixed(
            "Remove the right from the role, or restrict it to named objects and a dedicated subject.",
            "从角色中移除该权限，或将其限定到指定对象和专用主体。",
        ),
        check: Check::Inventory(check),
        reads: crate::rule::RBAC_KINDS,
        doc_zh: r#"
## 检查内容
角色中那些所授予的权限可以带来更多权限的规则，前提是该角色绑定给了不属于集群自身的主体（既不是以 `system:` 开头的用户或组，也不是 `kube-system` 中的服务账号）：

- 对 `roles` / `clusterroles` 的 `escalate` 或 `bind`；
- 对 `users`、`groups` 或 `serviceaccounts` 的 `impersonate`；
- 对 `serviceaccounts/token` 的 `create`；
- 对 `signers` / `certificatesigningrequests` 的 `approve` 或 `sign`；
- 对 `nodes/proxy`、`pods/exec` 或 `pods/attach` 的 `get` 或 `create`；
- 对验证性或变更性 Webhook 配置的 `create`、`update` 或 `patch`；
- 通过 ClusterRoleBinding（覆盖所有名字空间）授予的对 `secrets` 的 `get`、`list` 或 `watch`；
- 对 `namespaces` 的 `update` 或 `patch`（可以借此去掉 Pod 安全准入的标签）。

通配符同样计入。每条规则只报告一次，报告在其 `verbs` 上，并列出它授予的所有此类权限；对于聚合而成的 ClusterRole，规则报告在其原本编写的位置。输入中没有任何绑定将其授予非系统主体的角色会被跳过，绑定到 `cluster-admin` 的情况也会跳过（由 KC103 报告）。

## 原因
检查清单第 1.6 项：以上每一种权限都能让持有者获得本未授予它的权限：编写一个权限更多的角色，以另一个用户的身份行事，签发令牌或证书，在其他 Pod 中或节点上执行命令，拦截所有 API 写操作，读取所有凭据，或者关闭某个名字空间的准入检查。

## 修复
移除该权限，或者只授予专用的主体，并用 `resourceNames` 加以限制：
```yaml
rules:
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["app-tls"]
  verbs: ["get"]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
"#,
    }
}

/// A right that leads to more: its label, verbs, API group and resources, and whether it
/// counts only when granted cluster-wide.
struct Dangerous {
    label: &'static str,
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
    cluster_only: bool,
}

const fn d(
    label: &'static str,
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
    cluster_only: bool,
) -> Dangerous {
    Dangerous {
        label,
        verbs,
        group,
        resources,
        cluster_only,
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";
const WEBHOOKS: &[&str] = &[
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
];
const ANY_USE: &[&str] = &["get", "create"];

const DANGEROUS: &[Dangerous] = &[
    d(
        "escalate roles",
        &["escalate"],
        RBAC,
        &["roles", "clusterroles"],
        false,
    ),
    d(
        "bind roles",
        &["bind"],
        RBAC,
        &["roles", "clusterroles"],
        false,
    ),
    d(
        "impersonate",
        &["impersonate"],
        "",
        &["users", "groups", "serviceaccounts"],
        false,
    ),
    d(
        "create serviceaccounts/token",
        &["create"],
        "",
        &["serviceaccounts/token"],
        false,
    ),
    d(
        "approve/sign certificates",
        &["approve", "sign"],
        "certificates.k8s.io",
        &["signers", "certificatesigningrequests"],
        false,
    ),
    d("nodes/proxy", ANY_USE, "", &["nodes/proxy"], false),
    d("pods/exec", ANY_USE, "", &["pods/exec"], false),
    d("pods/attach", ANY_USE, "", &["pods/attach"], false),
    d(
        "edit webhook configurations",
        &["create", "update", "patch"],
        ADMISSION,
        WEBHOOKS,
        false,
    ),
    d(
        "read secrets cluster-wide",
        &["get", "list", "watch"],
        "",
        &["secrets"],
        true,
    ),
    d(
        "update namespaces",
        &["update", "patch"],
        "",
        &["namespaces"],
        false,
    ),
];

/// What one reported rule grants, and one binding (and subject) that grants it.
struct Reported<'r, 'a> {
    rule: &'r PolicyRule<'a>,
    object: &'a Object,
    rights: Vec<&'static str>,
    binding: &'r Binding<'a>,
    subject: &'r Subject<'a>,
}

fn check(ctx: &Context, sink: &mut Sink) {
    let rbac = Rbac::new(ctx.inventory);
    let mut reported: Vec<Reported> = Vec::new();
    for binding in &rbac.bindings {
        sink.examined();
        if binding.role_kind == "ClusterRole" && binding.role_name == "cluster-admin" {
            continue;
        }
        let Some(subject) = binding.subjects.iter().find(|s| !s.is_system()) else {
            continue;
        };
        let Some(role) = rbac.role_of(binding) else {
            continue;
        };
        for rule in &role.rules {
            let Some(object) = rule.object else { continue };
            let rights = DANGEROUS.iter().filter(|d| {
                (binding.cluster || !d.cluster_only)
                    && d.verbs
                        .iter()
                        .any(|v| d.resources.iter().any(|r| rule.allows(v, d.group, r)))
            });
            let rights: Vec<&'static str> = rights.map(|d| d.label).collect();
            if rights.is_empty() {
                continue;
            }
            let entry = reported
                .iter_mut()
                .find(|r| std::ptr::eq(r.object, object) && r.rule.index == rule.index);
            match entry {
                Some(entry) => {
                    for right in rights {
                        if !entry.rights.contains(&right) {
                            entry.rights.push(right);
                        }
                    }
                }
                None => reported.push(Reported {
                    rule,
                    object,
                    rights,
                    binding,
                    subject,
                }),
            }
        }
    }
    for r in reported {
        let mut rights = r.rights;
        rights.sort_by_key(|label| DANGEROUS.iter().position(|d| d.label == *label));
        let rights = rights.join(", ");
        let (kind, name, i) = (&r.object.kind, &r.object.name, r.rule.index);
        let (bkind, bname, role) = (
            &r.binding.object.kind,
            &r.binding.object.name,
            r.binding.role_name,
        );
        let who = r.subject.describe();
        sink.fail(
            r.object,
            FieldPath::root().key("rules").index(i).key("verbs"),
            text!(
                "{kind} \"{name}\" rule {i} grants {rights}; {bkind} \"{bname}\" grants it (through \"{role}\") to {who}",
                "{kind} \"{name}\" 的第 {i} 条规则授予了 {rights};{bkind} \"{bname}\" 通过 \"{role}\" 将其授予 {who}",
            ),
        );
    }
}

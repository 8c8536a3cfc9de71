use crate::analysis::rbac::{Access, Binding, Rbac, Scope};
use crate::rule::RBAC_KINDS;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// RoleBindings and ClusterRoleBindings whose `roleRef` names a Role or ClusterRole that
    /// does not exist (the default ClusterRoles of the release, `view`, `edit`, `admin` and
    /// the `system:` ones, count as existing).
    ///
    /// - In a cluster audit or a dump, where every role is listed: **warn**. It is a
    ///   **fail** (high) when a subject other than a cluster administrator may create a role
    ///   of that name in that scope (`create` on `roles` in the binding's namespace for a
    ///   Role, on `clusterroles` for a ClusterRole), the question `kcheck who-can create roles
    ///   -n NS` answers; a rule limited to `resourceNames` does not allow `create`. Cluster
    ///   administrators are subjects bound to `cluster-admin`, or to a role allowing every
    ///   verb on every resource, cluster-wide.
    /// - In a scan of manifests the role may live in another repository: **info** only.
    ///
    /// ## Why
    /// Checklist item 1.6: a binding to a missing role grants nothing today, and whatever a
    /// role of that name holds tomorrow to subjects chosen long ago. Whoever may create that
    /// role decides what the binding's subjects get: a namespace administrator who creates
    /// the Role can hand a forgotten CI account any right they hold themselves. `roleRef`
    /// cannot be changed, so such bindings tend to stay after the role they were made for is
    /// deleted.
    ///
    /// ## Fix
    /// Delete the binding if its role is gone for good:
    /// ```sh
    /// kubectl delete rolebinding -n shop deployer-legacy
    /// ```
    /// or create the role it names, with the rules its subjects need.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review
    pub static RULE = {
        code: "KC113",
        name: "binding-to-missing-role",
        item: "1.6",
        severity: Severity::Medium,
        severities: &[Severity::High],
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "judges whether the role a binding names exists: a review carries no roles, and a \
             binding may be created before its role",
        ),
        title: Text::fixed(
            "A binding names a role that does not exist",
            "绑定引用了不存在的角色",
        ),
        fix: Text::fixed(
            "Delete the binding, or create the role it names with the rules its subjects need.",
            "删除该绑定，或按其主体所需的规则创建它引用的角色。",
        ),
        check: Check::Object { kinds: &["RoleBinding", "ClusterRoleBinding"], run: check },
        reads: RBAC_KINDS,
        doc_zh: r#"
## 检查内容
`roleRef` 引用了不存在的 Role 或 ClusterRole 的 RoleBinding 和 ClusterRoleBinding（当前版本自带的默认 ClusterRole，即 `view`、`edit`、`admin` 以及以 `system:` 开头的角色，视为存在）。

- 审计集群或集群快照时，所有角色都已列出：**警告**。如果集群管理员以外的主体可以在该作用域中创建同名角色（对 Role 而言，是在绑定所在的名字空间中对 `roles` 拥有 `create` 权限；对 ClusterRole 而言，是对 `clusterroles` 拥有 `create` 权限），则为**不通过**（高），这正是 `kcheck who-can create roles -n NS` 所回答的问题。限定了 `resourceNames` 的规则不允许 `create`。集群管理员指在集群范围内绑定到 `cluster-admin`，或绑定到允许对所有资源执行所有动作的角色的主体。
- 扫描清单文件时，角色可能位于另一个代码仓库中：仅为**提示**。

## 原因
检查清单第 1.6 项：绑定到不存在的角色，今天不授予任何权限；但将来同名角色包含什么权限，就会授予很久以前选定的那些主体。谁能创建这个角色，谁就决定了绑定中的主体能得到什么：名字空间管理员只要创建该 Role，就可以把自己拥有的任何权限交给一个早已被遗忘的 CI 账号。`roleRef` 不可修改，所以原先对应的角色被删除后，这类绑定往往还留在集群中。

## 修复
如果绑定所引用的角色已被永久删除，就删除该绑定：
```sh
kubectl delete rolebinding -n shop deployer-legacy
```
否则，创建它所引用的角色，并只写入其主体需要的规则。

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#periodic-review
"#,
    }
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    sink.examined();
    let binding = Binding::parse(object);
    if binding.role_name.is_empty() {
        return;
    }
    let rbac = ctx.rbac();
    if rbac.role_of(&binding).is_some() {
        return;
    }
    let (kind, name, role_kind, role) = (
        &object.kind,
        &object.name,
        binding.role_kind,
        binding.role_name,
    );
    let path = FieldPath::root().key("roleRef").key("name");
    let (scope_en, scope_zh) = match (role_kind, binding.namespace) {
        ("Role", Some(ns)) => (
            format!(" in namespace {ns}"),
            format!("名字空间 {ns} 中的 "),
        ),
        // A space between the Chinese verb and the Latin kind.
        _ => (String::new(), " ".to_string()),
    };
    if !ctx.whole_cluster {
        sink.inform(
            object,
            path,
            text!(
                "{kind} \"{name}\" names {role_kind} \"{role}\"{scope_en}, which is not in the input: it grants nothing until a role of that name exists, then whatever that role holds",
                "{kind} \"{name}\" 引用了{scope_zh}{role_kind} \"{role}\"，该角色不在输入中：在同名角色出现之前它不授予任何权限，出现之后则授予该角色的全部权限",
            ),
        );
        return;
    }
    let creators = creators(rbac, &binding);
    if creators.is_empty() {
        sink.warn(
            object,
            path,
            text!(
                "{kind} \"{name}\" names {role_kind} \"{role}\"{scope_en}, which does not exist: it grants nothing now, and whatever a role of that name will hold; only cluster administrators may create it",
                "{kind} \"{name}\" 引用了{scope_zh}{role_kind} \"{role}\"，该角色不存在：目前不授予任何权限，日后将授予同名角色的全部权限；只有集群管理员可以创建该角色",
            ),
        );
        return;
    }
    let shown: Vec<&str> = creators.iter().take(3).map(String::as_str).collect();
    let (list, more) = (shown.join(", "), creators.len() - shown.len());
    let (more_en, more_zh) = if more > 0 {
        (
            format!(" and {more} more"),
            format!(" 等 {more} 个其他主体"),
        )
    } else {
        (String::new(), String::new())
    };
    sink.fail(
        object,
        path,
        text!(
            "{kind} \"{name}\" names {role_kind} \"{role}\"{scope_en}, which does not exist, and {list}{more_en} may create it: whoever does decides what the binding's subjects get",
            "{kind} \"{name}\" 引用了{scope_zh}{role_kind} \"{role}\"，该角色不存在，而 {list}{more_zh} 可以创建它：创建者将决定该绑定的主体获得哪些权限",
        ),
    )
    .severity = Severity::High;
}

/// The subjects, other than cluster administrators, that may create the role `binding` names
/// in its scope, described and sorted.
fn creators(rbac: &Rbac, binding: &Binding) -> Vec<String> {
    let (resource, namespace) = match (binding.role_kind, binding.namespace) {
        ("Role", Some(ns)) => ("roles", Some(ns)),
        _ => ("clusterroles", None),
    };
    let mut out: Vec<String> = rbac
        .who_can("create", RBAC_GROUP, resource, None, namespace)
        .into_iter()
        .filter(|a| a.rule.resource_names.is_empty() && !cluster_admin(a))
        .map(|a| a.subject.describe())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether an access comes from cluster-wide full rights: `cluster-admin`, or a role allowing
/// every verb on every resource of every group.
fn cluster_admin(a: &Access) -> bool {
    a.scope == Scope::Cluster
        && (a.role.name == "cluster-admin"
            || (a.rule.verbs.contains(&"*")
                && a.rule.resources.contains(&"*")
                && a.rule.api_groups.contains(&"*")))
}

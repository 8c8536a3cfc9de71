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
                    "{kind} \"{name}\" 的第 {i} 条规则允许 {field} 的任意值(\"*\")",
                ),
            );
        }
    }
}

use crate::analysis::rbac::Scope;
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Subjects that are not part of the cluster itself (not `system:` users or groups, not
    /// `kube-system` service accounts) and may `create`, `update`, `patch` or `delete` pods or
    /// the controllers that make them: Deployments, StatefulSets, DaemonSets, ReplicaSets,
    /// Jobs, CronJobs and ReplicationControllers. One finding for each such subject of each
    /// binding, at the subject, naming the role, the verbs and the resources.
    ///
    /// The roles are read from the input, with aggregated ClusterRoles resolved; bindings to
    /// the built-in `cluster-admin`, `admin` and `edit` ClusterRoles are understood without
    /// them. Bindings to other roles missing from the input are skipped.
    ///
    /// The finding is a warning: some subjects (CI, GitOps controllers, operators) need these
    /// rights. The point is that each one is known and justified.
    ///
    /// ## Why
    /// Checklist item 3.1: whoever can create a workload can run any image with any service
    /// account of the namespace, mount its Secrets and, where Pod Security does not stop it,
    /// escape to the node. Workload write access is as strong as the strongest credential
    /// the namespace holds.
    ///
    /// ## Fix
    /// Grant workload writes only to the deploying identity, in its namespaces; give people
    /// read access:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: developers-view, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    /// subjects:
    /// - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-developers}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security
    pub static RULE = {
        code: "KC312",
        name: "workload-write-rbac",
        item: "3.1",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        title: Text::fixed("Subject may create or change workloads", "主体可以创建或修改工作负载"),
        fix: Text::fixed(
            "Keep workload write access to the identities that deploy; give others read-only roles.",
            "仅让负责部署的身份拥有工作负载写权限；其他主体只授予只读角色。",
        ),
        check: Check::Inventory(check),
        reads: crate::rule::RBAC_KINDS,
        doc_zh: r#"
## 检查内容
不属于集群自身的主体（既不是 `system:` 用户或组，也不是 `kube-system` 中的服务账号），如果可以对 Pod 或创建 Pod 的控制器（Deployment、StatefulSet、DaemonSet、ReplicaSet、Job、CronJob 和 ReplicationController）执行 `create`、`update`、`patch` 或 `delete`，则报告问题。每个绑定中的每个这样的主体报告一个问题，位置在该主体上，并指出角色、动作（verb）和资源。

角色从输入中读取，聚合的 ClusterRole 会被展开；绑定到内置 ClusterRole `cluster-admin`、`admin` 和 `edit` 的情况，即使输入中没有这些角色也能识别。绑定到输入中缺失的其他角色时跳过。

该问题是警告：有些主体（CI、GitOps 控制器、Operator）确实需要这些权限。关键在于每一个主体都是已知的，并且有正当理由。

## 原因
检查清单第 3.1 项：能创建工作负载的人，就能以该名字空间中任意服务账号的身份运行任意镜像，挂载其中的 Secret，并且在 Pod 安全机制没有阻止的情况下逃逸到节点上。工作负载的写权限，与该名字空间所持有的最强凭据同样强大。

## 修复
只把工作负载的写权限授予负责部署的身份，并限定在其名字空间内；给人员授予只读权限：
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developers-view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-developers}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#workload-creation
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#pod-security
"#,
    }
}

const VERBS: &[&str] = &["create", "update", "patch", "delete"];

/// Pods and their controllers, with their API groups.
const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

fn check(ctx: &Context, sink: &mut Sink) {
    let rbac = ctx.rbac();
    for binding in &rbac.bindings {
        sink.examined();
        let Some(role) = rbac.role_of(binding) else {
            continue;
        };
        let allowed = |verb: &str, (group, resource): (&str, &str)| {
            role.rules.iter().any(|r| r.allows(verb, group, resource))
        };
        // Resources with the same verbs are named together: "update, patch deployments; create jobs".
        let mut grants: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        for workload in WORKLOADS {
            let verbs: Vec<&str> = VERBS
                .iter()
                .copied()
                .filter(|v| allowed(v, *workload))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            match grants.iter_mut().find(|(v, _)| *v == verbs) {
                Some((_, resources)) => resources.push(workload.1),
                None => grants.push((verbs, vec![workload.1])),
            }
        }
        if grants.is_empty() {
            continue;
        }
        let what = grants
            .iter()
            .map(|(verbs, resources)| format!("{} {}", verbs.join(", "), resources.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        let (kind, name) = (&binding.object.kind, &binding.object.name);
        let role = format!("{} \"{}\"", role.kind, role.name);
        let (where_en, where_zh) = match binding.scope() {
            Scope::Namespace(ns) => (format!("in namespace {ns}"), format!("在名字空间 {ns} 内")),
            Scope::Cluster => (
                "in every namespace".to_string(),
                "在所有名字空间内".to_string(),
            ),
        };
        for subject in binding.subjects.iter().filter(|s| !s.is_system()) {
            let who = subject.describe();
            sink.warn(
                binding.object,
                FieldPath::root().key("subjects").index(subject.index),
                text!(
                    "{who} may {what} {where_en}, through {kind} \"{name}\" ({role})",
                    "{who} 可以{where_zh}执行 {what}，来源为 {kind} \"{name}\"（{role}）",
                ),
            );
        }
    }
}

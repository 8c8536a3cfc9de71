use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every workload whose pods get a service account token mounted: neither the pod spec
    /// nor its ServiceAccount (looked up in the input, in the pod's namespace; `default` when
    /// `serviceAccountName` is not set) sets `automountServiceAccountToken: false`. The pod's
    /// own setting wins over the account's, as in Kubernetes.
    ///
    /// Whether the pod needs the token depends on what its account may do:
    /// - when the input holds RBAC bindings and none of them grants the account anything
    ///   (directly, or through the `system:serviceaccounts` groups or `system:authenticated`),
    ///   the token serves no purpose but an attacker's: **fail**;
    /// - otherwise (the account has grants, or the input has no RBAC to tell): **warn**.
    ///
    /// Pods that call the API legitimately should say so with an explicit
    /// `automountServiceAccountToken: true`, which this rule accepts.
    ///
    /// ## Why
    /// Checklist item 6.4: a mounted token is a credential in every container's filesystem;
    /// whoever gets code execution in the pod can use it against the API server, and pods
    /// that never call the API do not need it.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: web}
    /// automountServiceAccountToken: false
    /// ---
    /// spec:
    ///   serviceAccountName: web
    ///   automountServiceAccountToken: false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
    /// - https://kubernetes.io/docs/concepts/security/service-accounts/
    pub static RULE = {
        code: "KC604",
        name: "token-automounted",
        item: "6.4",
        severity: Severity::Low,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "judges the service account's RBAC grants across the input: at admission every account \
         would look grant-less",
        ),
        title: Text::fixed("Pod gets a service account token it may not need", "Pod 挂载了可能不需要的服务账号令牌"),
        fix: Text::fixed(
            "Set automountServiceAccountToken: false on the ServiceAccount or the pod, unless the pod calls the Kubernetes API (then set it to true explicitly).",
            "在 ServiceAccount 或 Pod 上设置 automountServiceAccountToken: false；若 Pod 确需调用 Kubernetes API，请显式设为 true。",
        ),
        severities: &[Severity::Medium],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
        doc_zh: r#"
## 检查内容
Pod 会被挂载服务账号令牌的每个工作负载：Pod 规约及其 ServiceAccount（在输入中、Pod 所在的名字空间内查找；未设置 `serviceAccountName` 时为 `default`）都没有设置 `automountServiceAccountToken: false`。与 Kubernetes 的行为一致，Pod 自身的设置优先于服务账号的设置。

Pod 是否需要令牌，取决于其服务账号被允许做什么：
- 输入中包含 RBAC 绑定，且其中没有任何一个授予该服务账号任何权限（无论是直接授予，还是通过 `system:serviceaccounts` 组或 `system:authenticated`）时，令牌除了供攻击者利用之外别无用途：**不通过**；
- 其他情况（服务账号有授权，或输入中没有可供判断的 RBAC）：**警告**。

确实需要调用 API 的 Pod，应显式设置 `automountServiceAccountToken: true` 来表明这一点，本规则接受这种设置。

## 原因
检查清单第 6.4 项：挂载的令牌是存在于每个容器文件系统中的凭据；任何在 Pod 中获得代码执行能力的人，都能用它攻击 API 服务器，而从不调用 API 的 Pod 根本不需要它。

## 修复
```yaml
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
automountServiceAccountToken: false
---
spec:
  serviceAccountName: web
  automountServiceAccountToken: false
```

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
- https://kubernetes.io/zh-cn/docs/concepts/security/service-accounts/
"#,
    }
}

/// The service account a pod runs as.
pub fn service_account(spec: &Node) -> &str {
    spec.str_at("serviceAccountName")
        .or_else(|| spec.str_at("serviceAccount"))
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    // An explicit choice either way is respected.
    if pod
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
        .is_some()
    {
        return;
    }
    let account = service_account(pod.spec);
    let sa = ctx
        .inventory
        .get(
            "ServiceAccount",
            Some(object.namespace.as_deref().unwrap_or("default")),
            account,
        )
        .or_else(|| {
            object
                .namespace
                .is_none()
                .then(|| ctx.inventory.get("ServiceAccount", None, account))
                .flatten()
        });
    if sa
        .and_then(|s| s.root.get("automountServiceAccountToken"))
        .and_then(Node::as_bool)
        == Some(false)
    {
        return;
    }
    let (kind, name) = (&object.kind, &object.name);
    let rbac = ctx.rbac();
    let subject = crate::analysis::rbac::Subject {
        kind: crate::analysis::rbac::SubjectKind::ServiceAccount,
        name: account,
        namespace: Some(object.namespace.as_deref().unwrap_or("default")),
        index: 0,
    };
    if !rbac.bindings.is_empty() && !rbac.has_grants(&subject) {
        sink.fail(
            object,
            pod.path("automountServiceAccountToken"),
            text!(
                "{kind} \"{name}\" mounts a token for service account \"{account}\", which no binding in the input grants anything: the token only helps an attacker",
                "{kind} \"{name}\" 挂载了服务账号 \"{account}\" 的令牌，而输入中没有任何绑定授予该账号权限：令牌只会便利攻击者",
            ),
        )
        .severity = Severity::Medium;
        return;
    }
    let why_en = if sa.is_some() {
        ""
    } else {
        " (its ServiceAccount is not in the input)"
    };
    let why_zh = if sa.is_some() {
        ""
    } else {
        "（其 ServiceAccount 不在输入中）"
    };
    sink.warn(
        object,
        pod.path("automountServiceAccountToken"),
        text!(
            "{kind} \"{name}\" mounts a token for service account \"{account}\"{why_en}; disable automount unless it calls the API",
            "{kind} \"{name}\" 挂载了服务账号 \"{account}\" 的令牌{why_zh}；若不调用 API，请关闭自动挂载",
        ),
    );
}

use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Secrets of `type: kubernetes.io/service-account-token`: long-lived service account
    /// tokens stored in the API. The finding names the service account (from the
    /// `kubernetes.io/service-account.name` annotation). The token's value is never read or
    /// printed.
    ///
    /// ## Why
    /// Checklist item 6.5: such a token never expires and is not bound to a pod, so a copy that
    /// leaks (through a backup, a log or anyone who can read Secrets) works until the Secret is
    /// deleted. Since Kubernetes 1.22 pods get bound, expiring tokens through a projected
    /// volume, and since 1.24 these Secrets are no longer created automatically.
    ///
    /// ## Fix
    /// Delete the Secret. Pods get a bound token automatically; for a client outside the
    /// cluster, request a short-lived token:
    /// ```sh
    /// kubectl create token my-service-account --duration=1h
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token
    /// - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
    pub static RULE = {
        code: "KC601",
        name: "legacy-service-account-token",
        item: "6.5",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Long-lived service account token Secret", "长期有效的服务账号令牌 Secret"),
        fix: Text::fixed(
            "Delete the Secret; use bound tokens (projected volumes, or kubectl create token --duration) instead.",
            "删除该 Secret；改用绑定令牌（投射卷，或 kubectl create token --duration）。",
        ),
        check: Check::Object { kinds: &["Secret"], run: check },
        doc_zh: r#"
## 检查内容
类型为 `type: kubernetes.io/service-account-token` 的 Secret，即保存在 API 中的长期有效的服务账号令牌。问题消息会指出对应的服务账号（取自 `kubernetes.io/service-account.name` 注解）。令牌的值从不读取，也从不输出。

## 原因
检查清单第 6.5 项：这种令牌永不过期，也不与任何 Pod 绑定，因此一旦有副本泄露（通过备份、日志，或任何能读取 Secret 的人），在该 Secret 被删除之前它始终有效。自 Kubernetes 1.22 起，Pod 通过投射卷获得绑定的、会过期的令牌；自 1.24 起，这类 Secret 不再自动创建。

## 修复
删除该 Secret。Pod 会自动获得绑定令牌；集群外的客户端应申请短期令牌：
```sh
kubectl create token my-service-account --duration=1h
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/service-accounts/#get-a-token
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    if object.root.str_at("type") != Some("kubernetes.io/service-account-token") {
        return;
    }
    let account = object
        .annotation("kubernetes.io/service-account.name")
        .unwrap_or("?");
    let name = &object.name;
    sink.fail(
        object,
        FieldPath::parse("type"),
        text!(
            "Secret \"{name}\" holds a non-expiring token for service account \"{account}\"",
            "Secret \"{name}\" 保存了服务账号 \"{account}\" 的永不过期令牌",
        ),
    );
}

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
            "删除该 Secret;改用绑定令牌(投射卷,或 kubectl create token --duration)。",
        ),
        check: Check::Object { kinds: &["Secret"], run: check },
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

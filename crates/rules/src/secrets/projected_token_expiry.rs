use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Projected `serviceAccountToken` volume sources whose `expirationSeconds` is above the
    /// configured bound (`serviceAccountTokens.maxExpirationSeconds` in `--config`, default
    /// 86400, one day). Kubernetes defaults to one hour.
    ///
    /// ## Why
    /// Checklist item 6.5 asks for bound, time-limited service account tokens. A projected
    /// token is bound to its pod, but one that lives for weeks is, once copied out of the pod,
    /// almost as good as the long-lived token Secrets it replaced.
    ///
    /// ## Fix
    /// ```yaml
    /// volumes:
    /// - name: token
    ///   projected:
    ///     sources:
    ///     - serviceAccountToken: {path: token, expirationSeconds: 3600, audience: vault}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken
    /// - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
    pub static RULE = {
        code: "KC605",
        name: "projected-token-expiry",
        item: "6.5",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Projected service account token lives too long", "投射的服务账号令牌有效期过长"),
        fix: Text::fixed(
            "Lower expirationSeconds of the projected serviceAccountToken (one hour is the default).",
            "调低投射 serviceAccountToken 的 expirationSeconds（默认为一小时）。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
投射的 `serviceAccountToken` 卷来源中，`expirationSeconds` 超过所配置上限的情况（上限为 `--config` 中的 `serviceAccountTokens.maxExpirationSeconds`，默认 86400，即一天）。Kubernetes 的默认值为一小时。

## 原因
检查清单第 6.5 项要求使用绑定的、有时间限制的服务账号令牌。投射的令牌与其 Pod 绑定，但一个有效期长达数周的令牌一旦被从 Pod 中复制出去，几乎与它所取代的长期令牌 Secret 一样好用。

## 修复
```yaml
volumes:
- name: token
  projected:
    sources:
    - serviceAccountToken: {path: token, expirationSeconds: 3600, audience: vault}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/storage/projected-volumes/#serviceaccounttoken
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    let max = ctx.config.max_token_expiration_seconds;
    for (v, volume) in pod
        .get("volumes")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
    {
        let sources = volume
            .path(&["projected", "sources"])
            .map_or(&[][..], Node::as_seq);
        for (s, source) in sources.iter().enumerate() {
            let Some(token) = source.get("serviceAccountToken") else {
                continue;
            };
            let Some(secs) = token.get("expirationSeconds").and_then(Node::as_i64) else {
                continue;
            };
            if secs <= max {
                continue;
            }
            let name = volume.str_at("name").unwrap_or("");
            let hours = secs / 3600;
            sink.fail(
                object,
                pod.path(&format!("volumes[{v}].projected.sources[{s}].serviceAccountToken.expirationSeconds")),
                text!(
                    "volume \"{name}\" projects a token valid for {secs} s (about {hours} h), above the {max} s bound",
                    "卷 \"{name}\" 投射的令牌有效期为 {secs} 秒（约 {hours} 小时），超过上限 {max} 秒",
                ),
            );
        }
    }
}

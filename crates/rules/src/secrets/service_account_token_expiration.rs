use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// kube-apiserver's service account token flags:
    /// - `--service-account-issuer` or `--service-account-signing-key-file` absent: failure,
    ///   the server cannot issue bound, expiring tokens (the TokenRequest API);
    /// - `--service-account-max-token-expiration` absent (any lifetime a client asks for is
    ///   granted) or longer than the configured maximum (`serviceAccountTokens.maxExpirationSeconds`,
    ///   one day by default): warning;
    /// - `--service-account-extend-token-expiration` not `false` (its default is `true`):
    ///   information. While it is on, the tokens the kubelet mounts for pods live one year
    ///   instead of one hour, so that clients that never re-read their token keep working; their
    ///   use after the first hour is flagged in the audit log and metrics.
    ///
    /// ## Why
    /// Checklist item 6.5: bound service account tokens are tied to a pod and expire, unlike
    /// the legacy token Secrets. Their value depends on how long they may live: a token with a
    /// lifetime of months is as good as a permanent one to whoever copies it.
    ///
    /// ## Fix
    /// ```yaml
    /// - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    /// - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
    /// - --service-account-key-file=/etc/kubernetes/pki/sa.pub
    /// - --service-account-max-token-expiration=24h
    /// # once no workload relies on year-long tokens (watch the
    /// # serviceaccount_stale_tokens_total metric):
    /// - --service-account-extend-token-expiration=false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#secrets
    /// - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
    /// - https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
    pub static RULE = {
        code: "KC606",
        name: "service-account-token-expiration",
        item: "6.5",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "kube-apiserver cannot issue bound tokens or lets them live too long",
            "kube-apiserver 无法签发绑定令牌，或允许令牌有效期过长",
        ),
        fix: Text::fixed(
            "Set --service-account-issuer and --service-account-signing-key-file, and cap --service-account-max-token-expiration (for example 24h).",
            "设置 --service-account-issuer 和 --service-account-signing-key-file，并限制 --service-account-max-token-expiration（例如 24h）。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 的服务账号令牌相关参数：
- 缺少 `--service-account-issuer` 或 `--service-account-signing-key-file`：不通过，API 服务器无法签发绑定的、会过期的令牌（TokenRequest API）；
- 缺少 `--service-account-max-token-expiration`（客户端请求多长的有效期都会获准），或其值超过所配置的上限（`serviceAccountTokens.maxExpirationSeconds`，默认一天）：警告；
- `--service-account-extend-token-expiration` 不为 `false`（其默认值为 `true`）：提示。启用该参数时，kubelet 为 Pod 挂载的令牌有效期为一年而不是一小时，以便那些从不重新读取令牌的客户端继续工作；这些令牌在第一个小时之后的使用会在审计日志和指标中被标记出来。

## 原因
检查清单第 6.5 项：与旧式令牌 Secret 不同，绑定的服务账号令牌与 Pod 绑定，并且会过期。它们的价值取决于能存活多久：对于复制走令牌的人来说，有效期长达数月的令牌与永久令牌无异。

## 修复
```yaml
- --service-account-issuer=https://kubernetes.default.svc.cluster.local
- --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
- --service-account-key-file=/etc/kubernetes/pki/sa.pub
- --service-account-max-token-expiration=24h
# 当不再有工作负载依赖有效期为一年的令牌时
#（观察 serviceaccount_stale_tokens_total 指标）：
- --service-account-extend-token-expiration=false
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#secrets
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
- https://kubernetes.io/zh-cn/docs/reference/command-line-tools-reference/kube-apiserver/
"#,
    }
}

const MAX: &str = "service-account-max-token-expiration";
const EXTEND: &str = "service-account-extend-token-expiration";

fn check(facts: &NodeFacts, ctx: &Context, sink: &mut Sink) {
    let Some(api) = evidence::component(facts, ComponentKind::ApiServer, sink) else {
        return;
    };
    sink.examined();
    let origin = api.origin.to_string();
    for flag in ["service-account-issuer", "service-account-signing-key-file"] {
        if api.flags.get(flag).is_none_or(|v| v.trim().is_empty()) {
            sink.fail_on_node(
                NodePlace::flag(api, flag),
                text!(
                    "kube-apiserver ({origin}) has no --{flag}: it cannot issue bound service account tokens",
                    "kube-apiserver（{origin}）未设置 --{flag}：无法签发绑定的服务账号令牌",
                ),
            );
        }
    }

    let limit = ctx.config.max_token_expiration_seconds;
    match api.flags.get(MAX) {
        None => {
            sink.warn_on_node(
                NodePlace::flag(api, MAX),
                text!(
                    "kube-apiserver ({origin}) has no --{MAX}: clients may request tokens of any lifetime (the configured maximum is {limit}s)",
                    "kube-apiserver（{origin}）未设置 --{MAX}：客户端可以申请任意有效期的令牌（配置的上限为 {limit} 秒）",
                ),
            );
        }
        Some(value) => match kcheck_model::go_duration_seconds(value) {
            Some(seconds) if seconds > limit as f64 => {
                sink.warn_on_node(
                    NodePlace::flag(api, MAX),
                    text!(
                        "kube-apiserver ({origin}) allows tokens to live --{MAX}={value}, longer than the configured maximum of {limit}s",
                        "kube-apiserver（{origin}）允许令牌有效期为 --{MAX}={value}，超过配置的上限 {limit} 秒",
                    ),
                );
            }
            Some(_) => {}
            None => {
                sink.warn_on_node(
                    NodePlace::flag(api, MAX),
                    text!(
                        "kube-apiserver ({origin}) sets --{MAX}={value}, which is not a duration",
                        "kube-apiserver（{origin}）设置的 --{MAX}={value} 不是有效的时长",
                    ),
                );
            }
        },
    }

    if api.flags.get_bool(EXTEND, true) {
        let how = api
            .flags
            .get(EXTEND)
            .map_or_else(|| "unset, default true".to_string(), |v| format!("={v}"));
        let how_zh = api
            .flags
            .get(EXTEND)
            .map_or_else(|| "未设置，默认 true".to_string(), |v| format!("={v}"));
        sink.inform_on_node(
            NodePlace::flag(api, EXTEND),
            Text::new(
                format!("kube-apiserver ({origin}) extends the tokens the kubelet mounts to one year (--{EXTEND} {how}), for clients that never reload their token; turn it off once none remain"),
                format!("kube-apiserver（{origin}）会将 kubelet 挂载的令牌有效期延长至一年（--{EXTEND} {how_zh}），以兼容不重新读取令牌的客户端；确认不再有此类客户端后请关闭"),
            ),
        );
    }
}

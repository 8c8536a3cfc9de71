use crate::analysis::webhooks::{webhooks, KINDS};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text};

/// cert-manager's CA injector fills in caBundle from this annotation.
const CA_INJECTION: &[&str] = &[
    "cert-manager.io/inject-ca-from",
    "cert-manager.io/inject-ca-from-secret",
    "cert-manager.io/inject-apiserver-ca",
];

declare_rule! {
    /// ## What it checks
    /// How the API server reaches each admission webhook:
    /// - `clientConfig.url` (a URL, usually outside the cluster) instead of `clientConfig.service`:
    ///   **warn**; a URL with `http://`: **fail**;
    /// - no `clientConfig.caBundle`, and no cert-manager CA-injection annotation on the
    ///   configuration: **fail**, the API server then trusts its system roots (for a URL) or
    ///   cannot verify the service at all.
    ///
    /// ## Why
    /// Checklist item 8.3: admission requests carry whole objects, Secrets included; the
    /// channel must be authenticated and encrypted, and a webhook that lives outside the
    /// cluster is a dependency, and a reader of those objects, that the cluster does not control.
    ///
    /// ## Fix
    /// ```yaml
    /// clientConfig:
    ///   service: {namespace: policy, name: policy-webhook, path: /validate, port: 443}
    ///   caBundle: LS0tLS1CRUdJTi...   # or let cert-manager inject it
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#contacting-the-webhook
    /// - https://cert-manager.io/docs/concepts/ca-injector/
    pub static RULE = {
        code: "KC802",
        name: "webhook-endpoint",
        item: "8.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Webhook endpoint is not a verified in-cluster service", "Webhook 端点不是经验证的集群内服务"),
        fix: Text::fixed(
            "Point clientConfig at a Service in the cluster and set caBundle (or have cert-manager inject it).",
            "将 clientConfig 指向集群内的 Service，并设置 caBundle（或由 cert-manager 注入）。",
        ),
        check: Check::Object { kinds: KINDS, run: check },
        doc_zh: r#"
## 检查内容
API 服务器如何访问每个准入 Webhook：
- 使用 `clientConfig.url`（一个 URL，通常位于集群之外）而不是 `clientConfig.service`：**警告**；URL 使用 `http://`：**不通过**；
- 没有 `clientConfig.caBundle`，配置上也没有 cert-manager 的 CA 注入注解：**不通过**，此时 API 服务器会信任系统根证书（对 URL 而言），或根本无法验证 Service。

## 原因
检查清单第 8.3 项：准入请求携带的是完整对象，包括 Secret；这条通道必须经过认证并加密。位于集群之外的 Webhook 是集群无法控制的依赖，同时也是这些对象的读者。

## 修复
```yaml
clientConfig:
  service: {namespace: policy, name: policy-webhook, path: /validate, port: 443}
  caBundle: LS0tLS1CRUdJTi...   # 或由 cert-manager 注入
```

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/extensible-admission-controllers/#contacting-the-webhook
- https://cert-manager.io/docs/concepts/ca-injector/
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let injected = CA_INJECTION.iter().any(|a| object.annotation(a).is_some());
    for w in webhooks(object) {
        let name = w.name;
        let config = w.node.get("clientConfig");
        if let Some(url) = config.and_then(|c| c.str_at("url")) {
            if url.starts_with("http://") {
                sink.fail(
                    object,
                    w.path("clientConfig.url"),
                    text!(
                        "webhook \"{name}\" is called over plain HTTP ({url})",
                        "Webhook \"{name}\" 通过明文 HTTP 调用（{url}）",
                    ),
                );
            } else {
                sink.warn(
                    object,
                    w.path("clientConfig.url"),
                    text!(
                        "webhook \"{name}\" is called by URL ({url}), outside the cluster's control",
                        "Webhook \"{name}\" 通过 URL 调用（{url}），不受集群控制",
                    ),
                );
            }
        }
        let ca = config
            .and_then(|c| c.str_at("caBundle"))
            .is_some_and(|b| !b.trim().is_empty());
        if !ca && !injected {
            sink.fail(
                object,
                w.path("clientConfig"),
                text!(
                    "webhook \"{name}\" has no caBundle: the API server cannot verify whom it sends objects to",
                    "Webhook \"{name}\" 没有 caBundle：API 服务器无法验证接收对象的一方",
                ),
            );
        }
    }
}

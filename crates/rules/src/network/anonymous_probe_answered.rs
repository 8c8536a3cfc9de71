use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{ComponentKind, Probe};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// The anonymous requests `kcheck node --probe` made to the local control-plane ports
    /// (127.0.0.1 only), and what answered with a 2xx status:
    /// - kubelet or etcd data (anything but a health endpoint): failure;
    /// - kube-apiserver beyond its health and version endpoints (`/api`, `/apis`, ...):
    ///   warning, discovery is open to anonymous clients while anonymous authentication is on;
    /// - kube-controller-manager or kube-scheduler beyond health endpoints: warning.
    ///
    /// Health endpoints (`/healthz`, `/livez`, `/readyz`, `/health`, and `/version` on the API
    /// server) answering anonymously is expected and not reported; nor are 401/403 answers. A
    /// port where nothing answered over HTTP (refused, a failed handshake, no answer in time) is
    /// noted as not probed, so that a run where every port was closed does not read as a pass.
    /// Without `--probe` the rule has nothing to look at.
    ///
    /// ## Why
    /// Checklist item 2.5: whatever answers an anonymous request on the node answers it for
    /// anyone the network lets through. The probe shows the result of all the settings
    /// together (flags, configuration files, RBAC grants to `system:anonymous`), not what they
    /// are supposed to add up to.
    ///
    /// ## Fix
    /// For the kubelet: `authentication.anonymous.enabled: false` and `authorization.mode:
    /// Webhook` (see KC211); for etcd: `--client-cert-auth=true` over https (see KC212); for
    /// the API server: `--anonymous-auth=false`, or anonymous access limited to health
    /// endpoints, and no RBAC grants to `system:anonymous` or `system:unauthenticated`:
    /// ```sh
    /// kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)'
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
    /// - https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/
    pub static RULE = {
        code: "KC213",
        name: "anonymous-probe-answered",
        item: "2.5",
        severity: Severity::Critical,
        evidence: Evidence::Node,
        title: Text::fixed(
            "A control-plane port served an anonymous request",
            "控制平面端口响应了匿名请求",
        ),
        fix: Text::fixed(
            "Require authentication on the port that answered: disable anonymous access on the kubelet and API server, and client certificates on etcd.",
            "对响应的端口启用认证：关闭 kubelet 和 API 服务器的匿名访问，并要求 etcd 使用客户端证书。",
        ),
        severities: &[Severity::Medium],
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
`kcheck node --probe` 向本机控制平面端口（仅限 127.0.0.1）发出的匿名请求，以及哪些请求得到了 2xx 状态的响应：
- kubelet 或 etcd 返回了数据（健康检查端点之外的任何内容）：不通过；
- kube-apiserver 在健康检查和版本端点之外也作出响应（`/api`、`/apis` 等）：警告，在启用匿名认证的情况下，匿名客户端可以使用 API 发现；
- kube-controller-manager 或 kube-scheduler 在健康检查端点之外也作出响应：警告。

健康检查端点（`/healthz`、`/livez`、`/readyz`、`/health`，以及 API 服务器上的 `/version`）响应匿名请求是预期行为，不会报告；401/403 响应也不会报告。没有任何 HTTP 响应的端口（连接被拒绝、握手失败、超时无响应）记为未探测，这样，所有端口都关闭的一次运行就不会被当成通过。不带 `--probe` 时，本规则没有可检查的内容。

## 原因
检查清单第 2.5 项：节点上响应匿名请求的任何服务，对网络放行的任何人都会作出同样的响应。探测结果体现的是所有设置（参数、配置文件、授予 `system:anonymous` 的 RBAC 权限）共同作用的实际效果，而不是这些设置理应达到的效果。

## 修复
kubelet：设置 `authentication.anonymous.enabled: false` 和 `authorization.mode: Webhook`（见 KC211）；etcd：通过 https 提供服务并设置 `--client-cert-auth=true`（见 KC212）；API 服务器：设置 `--anonymous-auth=false`，或只允许匿名访问健康检查端点，并且不向 `system:anonymous` 或 `system:unauthenticated` 授予任何 RBAC 权限：
```sh
kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)'
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/authentication/#anonymous-requests
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/kubelet-authn-authz/
"#,
    }
}

/// The path of a URL, without query: `/api` for `https://127.0.0.1:6443/api?timeout=5s`.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split('?').next().unwrap_or(path)
}

fn is_health(kind: ComponentKind, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let health = ["/healthz", "/livez", "/readyz", "/health"]
        .iter()
        .any(|h| path == *h || path.starts_with(&format!("{h}/")));
    health || (kind == ComponentKind::ApiServer && path == "/version")
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let (mut refused, mut answered) = (0, 0);
    for probe in &facts.probes {
        if probe.status.is_none() {
            let (url, outcome) = (&probe.url, &probe.outcome);
            // A refused connection: nothing serves at that address (the component may still
            // listen on another one). Said as evidence; it proves nothing on its own, and any
            // other failure (a timeout, a broken handshake) leaves the question open.
            if outcome == "connection refused" {
                refused += 1;
                sink.evidence_on_node(
                    NodePlace::file(url),
                    text!(
                        "nothing listens at {url} (connection refused)",
                        "{url} 无监听（连接被拒绝）",
                    ),
                );
                continue;
            }
            sink.not_examined_on_node(
                NodePlace::file(url),
                text!(
                    "nothing answered at {url} ({outcome}): not probed",
                    "{url} 没有应答（{outcome}）：未能探测",
                ),
            );
            continue;
        }
        sink.examined();
        answered += 1;
        judge(probe, sink);
    }
    if answered == 0 && refused > 0 {
        sink.not_examined_on_node(
            NodePlace::file("--probe"),
            text!(
                "every probed port refused the connection ({refused}): no anonymous request could be made",
                "所有被探测的端口均拒绝连接（{refused} 个）：无法发出匿名请求",
            ),
        );
    }
}

fn judge(probe: &Probe, sink: &mut Sink) {
    if !probe.anonymous_allowed() {
        return;
    }
    let kind = probe.component;
    let path = url_path(&probe.url);
    if is_health(kind, path) {
        return;
    }
    let (url, outcome) = (&probe.url, &probe.outcome);
    let place = NodePlace::file(url);
    match kind {
        ComponentKind::Kubelet | ComponentKind::Etcd => {
            sink.fail_on_node(
                place,
                text!(
                    "{kind} answered an anonymous request to {url} with {outcome}",
                    "{kind} 对发往 {url} 的匿名请求返回了 {outcome}",
                ),
            );
        }
        ComponentKind::ApiServer => {
            sink.warn_on_node(
                place,
                text!(
                    "kube-apiserver answered an anonymous request to {url} with {outcome}: API discovery is open to anonymous clients while anonymous authentication is on",
                    "kube-apiserver 对发往 {url} 的匿名请求返回了 {outcome}：启用匿名认证时，API 发现接口对匿名客户端开放",
                ),
            )
            .severity = Severity::Medium;
        }
        ComponentKind::ControllerManager | ComponentKind::Scheduler => {
            sink.warn_on_node(
                place,
                text!(
                    "{kind} answered an anonymous request to {url} with {outcome}",
                    "{kind} 对发往 {url} 的匿名请求返回了 {outcome}",
                ),
            )
            .severity = Severity::Medium;
        }
    }
}

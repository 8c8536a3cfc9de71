use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// How kube-apiserver (static pod manifest or process) lets unauthenticated clients in:
    /// - `--authorization-mode` containing `AlwaysAllow`, or absent (its default is
    ///   `AlwaysAllow`) without `--authorization-config`: failure, every authenticated request
    ///   is allowed everything;
    /// - `--insecure-port` other than `0` (versions before 1.24; before 1.20 the port was 8080
    ///   unless set to 0): failure, a plain-HTTP port with no authentication or authorization;
    /// - `--anonymous-auth` not `false` (its default is `true`): warning.
    ///
    /// `--bind-address=0.0.0.0` is not judged: an API server is meant to be reached by nodes and
    /// clients, and whether the address is public depends on the network in front of it.
    ///
    /// ## Why
    /// Checklist item 2.5: the API server must not be open to the internet. Anonymous requests
    /// are allowed by default so that load balancers can check `/healthz`, `/livez` and
    /// `/readyz`; RBAC then lets `system:unauthenticated` read those and `/version`, and any
    /// binding to `system:anonymous` or `system:unauthenticated` hands more to the whole
    /// internet. Turning anonymous access off (or, from 1.32, restricting it to the health
    /// endpoints with an AuthenticationConfiguration) removes that exposure.
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - command:
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    ///     - --anonymous-auth=false   # or anonymous.conditions in --authentication-config
    /// ```
    /// and remove `--insecure-port` (or set it to `0`).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
    /// - https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
    pub static RULE = {
        code: "KC210",
        name: "apiserver-open-access",
        item: "2.5",
        severity: Severity::Critical,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "kube-apiserver allows unauthenticated or unauthorized access",
            "kube-apiserver 允许未经认证或未经授权的访问",
        ),
        fix: Text::fixed(
            "Authorize with Node,RBAC (never AlwaysAllow), keep --insecure-port at 0, and set --anonymous-auth=false or limit anonymous access to health endpoints.",
            "使用 Node,RBAC 鉴权（不要使用 AlwaysAllow），保持 --insecure-port 为 0，并设置 --anonymous-auth=false 或仅允许匿名访问健康检查端点。",
        ),
        severities: &[Severity::Medium],
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver（静态 Pod 清单或进程参数）如何放行未经认证的客户端：
- `--authorization-mode` 包含 `AlwaysAllow`，或者未设置（默认值为 `AlwaysAllow`）且没有 `--authorization-config`：不通过，所有经过认证的请求都被允许做任何事；
- `--insecure-port` 不为 `0`（1.24 之前的版本；1.20 之前，除非设为 0，否则该端口为 8080）：不通过，这是一个没有任何认证和鉴权的明文 HTTP 端口；
- `--anonymous-auth` 不为 `false`（默认值为 `true`）：警告。

不判定 `--bind-address=0.0.0.0`：API 服务器本来就需要被节点和客户端访问，地址是否公开取决于它前面的网络。

## 原因
检查清单第 2.5 项：API 服务器不能向互联网开放。默认允许匿名请求，是为了让负载均衡器能检查 `/healthz`、`/livez` 和 `/readyz`；RBAC 随后允许 `system:unauthenticated` 读取这些端点和 `/version`，而任何绑定到 `system:anonymous` 或 `system:unauthenticated` 的授权，都会把更多权限交给整个互联网。关闭匿名访问（或者从 1.32 起，用 AuthenticationConfiguration 把匿名访问限制在健康检查端点上）可以消除这一暴露面。

## 修复
```yaml
spec:
  containers:
  - command:
    - kube-apiserver
    - --authorization-mode=Node,RBAC
    - --anonymous-auth=false   # or anonymous.conditions in --authentication-config
```
并删除 `--insecure-port`（或将其设为 `0`）。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/authentication/#anonymous-requests
- https://kubernetes.io/zh-cn/docs/reference/command-line-tools-reference/kube-apiserver/
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = evidence::component(facts, ComponentKind::ApiServer, sink) else {
        return;
    };
    sink.examined();
    let origin = api.origin.to_string();

    let modes = api.flags.list("authorization-mode");
    if modes.contains(&"AlwaysAllow") {
        let list = modes.join(",");
        sink.fail_on_node(
            NodePlace::flag(api, "authorization-mode"),
            text!(
                "kube-apiserver ({origin}) authorizes with --authorization-mode={list}: AlwaysAllow lets every authenticated request do anything",
                "kube-apiserver（{origin}）使用 --authorization-mode={list}：AlwaysAllow 允许任何已认证请求执行任何操作",
            ),
        );
    } else if modes.is_empty() && !api.flags.has("authorization-config") {
        sink.fail_on_node(
            NodePlace::flag(api, "authorization-mode"),
            text!(
                "kube-apiserver ({origin}) has neither --authorization-mode nor --authorization-config: the default mode is AlwaysAllow",
                "kube-apiserver（{origin}）既未设置 --authorization-mode 也未设置 --authorization-config：默认模式为 AlwaysAllow",
            ),
        );
    }

    match api.flags.get("insecure-port") {
        Some(port) if port.trim() != "0" => {
            sink.fail_on_node(
                NodePlace::flag(api, "insecure-port"),
                text!(
                    "kube-apiserver ({origin}) serves plain HTTP on --insecure-port={port}, with no authentication or authorization",
                    "kube-apiserver（{origin}）通过 --insecure-port={port} 提供明文 HTTP 服务，不做任何认证和鉴权",
                ),
            );
        }
        None if api.minor().is_some_and(|m| m < 20) => {
            sink.fail_on_node(
                NodePlace::flag(api, "insecure-port"),
                text!(
                    "kube-apiserver ({origin}) is older than 1.20 and does not set --insecure-port=0: it serves plain HTTP on port 8080 with no authentication or authorization",
                    "kube-apiserver（{origin}）版本早于 1.20 且未设置 --insecure-port=0：会在 8080 端口提供不做认证和鉴权的明文 HTTP 服务",
                ),
            );
        }
        _ => {}
    }

    if api.flags.get_bool("anonymous-auth", true) {
        let how = match api.flags.get("anonymous-auth") {
            Some(v) => format!("--anonymous-auth={v}"),
            None => "--anonymous-auth unset, default true".to_string(),
        };
        let how_zh = match api.flags.get("anonymous-auth") {
            Some(v) => format!("--anonymous-auth={v}"),
            None => "未设置 --anonymous-auth，默认 true".to_string(),
        };
        sink.warn_on_node(
            NodePlace::flag(api, "anonymous-auth"),
            Text::new(
                format!("kube-apiserver ({origin}) accepts anonymous requests ({how}): health and version endpoints answer anyone who reaches the port, and any RBAC grant to system:anonymous or system:unauthenticated is open to them"),
                format!("kube-apiserver（{origin}）接受匿名请求（{how_zh}）：任何能访问该端口的人都可以访问健康检查和版本端点，授予 system:anonymous 或 system:unauthenticated 的 RBAC 权限也对其开放"),
            ),
        )
        .severity = Severity::Medium;
    }
}

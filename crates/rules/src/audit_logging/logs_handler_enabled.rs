use crate::analysis::components::apiserver::apiserver_or_note;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

/// The first minor version in which `--enable-logs-handler` defaults to false.
pub const OFF_BY_DEFAULT_SINCE: u32 = 31;

declare_rule! {
    /// ## What it checks
    /// Whether kube-apiserver serves `/logs`, judged from `--enable-logs-handler` and the
    /// version (from the static pod image or the process):
    /// - set to `true`: **fail**, on every version;
    /// - absent on v1.30 or older (the flag defaults to `true`): **fail**;
    /// - absent on v1.31 or newer (it defaults to `false`): fine;
    /// - absent and the version unknown: **warn**, set it explicitly;
    /// - set to `false`: fine.
    ///
    /// | kube-apiserver | `--enable-logs-handler` | default | `/logs` served when absent |
    /// |---|---|---|---|
    /// | up to v1.14 | present | `true` | yes |
    /// | v1.15 to v1.30 | deprecated (removal announced for v1.19, never done) | `true` | yes |
    /// | v1.31 and later | present (deprecation dropped in 2026) | `false` | no |
    ///
    /// Sources: kubernetes/kubernetes#77611 (deprecated in v1.15), #125787 (default `false`,
    /// CHANGELOG-1.31), #130943 (v1.33: shown in `--help` again, removal plan dropped), #138915
    /// (no longer marked deprecated, still off by default). No feature gate replaces the flag.
    ///
    /// ## Why
    /// Checklist item 4.2: `/logs` hands the contents of the API server host's (or container's)
    /// `/var/log` to any authenticated client allowed the `get` verb on the non-resource URL,
    /// which can expose security-relevant information; logs belong in a separate collector.
    ///
    /// ## Fix
    /// In `/etc/kubernetes/manifests/kube-apiserver.yaml`:
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - command:
    ///     - kube-apiserver
    ///     - --enable-logs-handler=false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#logs-and-auditing
    /// - https://github.com/kubernetes/kubernetes/pull/125787
    pub static RULE = {
        code: "KC404",
        name: "logs-handler-enabled",
        item: "4.2",
        severity: Severity::Medium,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "kube-apiserver serves the /logs API",
            "kube-apiserver 提供 /logs API",
        ),
        fix: Text::fixed(
            "Run kube-apiserver with --enable-logs-handler=false and collect control-plane logs separately.",
            "以 --enable-logs-handler=false 运行 kube-apiserver，并单独收集控制平面日志。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 是否提供 `/logs`，根据 `--enable-logs-handler` 和版本（取自静态 Pod 的镜像或进程）判断：
- 设为 `true`：**不通过**，任何版本都是如此；
- 在 v1.30 或更早版本上未设置（该参数默认为 `true`）：**不通过**；
- 在 v1.31 或更新版本上未设置（默认为 `false`）：没有问题；
- 未设置且版本未知：**警告**，请显式设置；
- 设为 `false`：没有问题。

| kube-apiserver | `--enable-logs-handler` | 默认值 | 未设置时是否提供 `/logs` |
|---|---|---|---|
| v1.14 及以前 | 存在 | `true` | 是 |
| v1.15 至 v1.30 | 已弃用（曾宣布在 v1.19 移除，但从未执行） | `true` | 是 |
| v1.31 及以后 | 存在（2026 年取消弃用） | `false` | 否 |

来源：kubernetes/kubernetes#77611（在 v1.15 中弃用），#125787（默认值改为 `false`，见 CHANGELOG-1.31），#130943（v1.33：重新在 `--help` 中显示，放弃移除计划），#138915（不再标记为弃用，仍默认关闭）。没有任何特性门控取代该参数。

## 原因
检查清单第 4.2 项：`/logs` 会把 API 服务器所在主机（或容器）中 `/var/log` 的内容交给任何已认证、且被允许对该非资源 URL 执行 `get` 动作的客户端，可能暴露与安全相关的信息；日志应交由单独的采集系统收集。

## 修复
在 `/etc/kubernetes/manifests/kube-apiserver.yaml` 中：
```yaml
spec:
  containers:
  - command:
    - kube-apiserver
    - --enable-logs-handler=false
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#logs-and-auditing
- https://github.com/kubernetes/kubernetes/pull/125787
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    sink.examined();
    let place = || NodePlace::flag(api, "enable-logs-handler");
    match api.flags.get("enable-logs-handler") {
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "false" | "0" | "f" => {}
            "true" | "1" | "t" => {
                sink.fail_on_node(
                    place(),
                    Text::fixed(
                        "--enable-logs-handler=true: kube-apiserver serves /var/log at /logs",
                        "--enable-logs-handler=true：kube-apiserver 通过 /logs 提供 /var/log 的内容",
                    ),
                );
            }
            _ => {
                sink.warn_on_node(
                    place(),
                    text!(
                        "--enable-logs-handler={v} is not a boolean; set it to false",
                        "--enable-logs-handler={v} 不是布尔值；请设为 false",
                    ),
                );
            }
        },
        None => match api.minor() {
            Some(m) if m >= OFF_BY_DEFAULT_SINCE => {}
            Some(m) => {
                sink.fail_on_node(
                    place(),
                    text!(
                        "--enable-logs-handler is not set and defaults to true on v1.{m}: kube-apiserver serves /var/log at /logs",
                        "未设置 --enable-logs-handler，在 v1.{m} 上默认为 true：kube-apiserver 通过 /logs 提供 /var/log 的内容",
                    ),
                );
            }
            None => {
                sink.warn_on_node(
                    place(),
                    Text::fixed(
                        "--enable-logs-handler is not set and kube-apiserver's version is unknown: /logs is served by default before v1.31; set --enable-logs-handler=false",
                        "未设置 --enable-logs-handler 且 kube-apiserver 版本未知：v1.31 之前默认提供 /logs；请设置 --enable-logs-handler=false",
                    ),
                );
            }
        },
    }
}

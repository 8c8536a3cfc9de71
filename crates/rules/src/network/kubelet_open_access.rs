use crate::analysis::components::evidence;
use crate::analysis::components::kubelet::{self, Effective, KubeletSetting, Reading};
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{ComponentKind, ConfigRole};
use kcheck_model::{Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// The kubelet's API access settings, as the kubelet uses them: a command-line flag wins over
    /// the KubeletConfiguration file, and what neither sets takes the default of the way the
    /// kubelet was started.
    ///
    /// | setting | must be | default with `--config` | default without |
    /// |---|---|---|---|
    /// | `--anonymous-auth` / `authentication.anonymous.enabled` | `false` | `false` | `true` |
    /// | `--authorization-mode` / `authorization.mode` | `Webhook` | `Webhook` | `AlwaysAllow` |
    /// | `--read-only-port` / `readOnlyPort` | `0` | `0` | `10255` |
    ///
    /// Each setting that is not as it must be is a failure. A kubelet started with `--config`
    /// whose file could not be read leaves the settings it does not set on the command line
    /// unknown: they are noted as not examined and not judged.
    ///
    /// ## Why
    /// Checklist item 2.5: the kubelet API (port 10250) runs commands in containers, reads their
    /// logs and secrets-bearing specs. With anonymous requests and `AlwaysAllow`, anyone who can
    /// reach the port controls every pod on the node. The read-only port (10255) serves pod
    /// specs and metrics over plain HTTP with no authentication at all. The checklist notes that
    /// a kubelet without `--config` starts with exactly these permissive defaults.
    ///
    /// ## Fix
    /// In the KubeletConfiguration (`/var/lib/kubelet/config.yaml` with kubeadm), and without
    /// command-line flags that override it:
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   anonymous:
    ///     enabled: false
    ///   webhook:
    ///     enabled: true
    ///   x509:
    ///     clientCAFile: /etc/kubernetes/pki/ca.crt
    /// authorization:
    ///   mode: Webhook
    /// readOnlyPort: 0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/
    /// - https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/
    pub static RULE = {
        code: "KC211",
        name: "kubelet-open-access",
        item: "2.5",
        severity: Severity::Critical,
        evidence: Evidence::Node,
        title: Text::fixed(
            "The kubelet API accepts anonymous or unauthorized requests",
            "kubelet API 接受匿名或未经授权的请求",
        ),
        fix: Text::fixed(
            "Run the kubelet with a configuration file setting authentication.anonymous.enabled: false, authorization.mode: Webhook and readOnlyPort: 0, and no flag overriding them.",
            "为 kubelet 使用配置文件，设置 authentication.anonymous.enabled: false、authorization.mode: Webhook 和 readOnlyPort: 0，且不要用命令行参数覆盖。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kubelet 实际使用的 API 访问设置：命令行参数优先于 KubeletConfiguration 配置文件，两者都未设置的项取 kubelet 启动方式所对应的默认值。

| 设置 | 应为 | 使用 `--config` 时的默认值 | 不使用时的默认值 |
|---|---|---|---|
| `--anonymous-auth` / `authentication.anonymous.enabled` | `false` | `false` | `true` |
| `--authorization-mode` / `authorization.mode` | `Webhook` | `Webhook` | `AlwaysAllow` |
| `--read-only-port` / `readOnlyPort` | `0` | `0` | `10255` |

每个不符合要求的设置都判为不通过。如果 kubelet 以 `--config` 启动，但其配置文件无法读取，那么命令行上未设置的项无从得知：这些项记为未检查，不做判定。

## 原因
检查清单第 2.5 项：kubelet API（端口 10250）可以在容器中执行命令，读取容器日志和含有机密信息的规约。如果允许匿名请求并使用 `AlwaysAllow`，任何能访问该端口的人都能控制节点上的所有 Pod。只读端口（10255）通过明文 HTTP 提供 Pod 规约和指标，完全不做认证。检查清单指出，没有使用 `--config` 启动的 kubelet 恰好采用这些过于宽松的默认值。

## 修复
在 KubeletConfiguration（用 kubeadm 部署时为 `/var/lib/kubelet/config.yaml`）中如下设置，并且不要用命令行参数覆盖这些设置：
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
readOnlyPort: 0
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/kubelet-authn-authz/
- https://kubernetes.io/zh-cn/docs/reference/config-api/kubelet-config.v1beta1/
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    if facts.component(ComponentKind::Kubelet).is_none()
        && facts.config(ConfigRole::Kubelet).is_none()
    {
        // Says once why, when the collector recorded it.
        evidence::component(facts, ComponentKind::Kubelet, sink);
        return;
    }
    let mut unknown = Vec::new();
    unknown.extend(judge(facts, &kubelet::ANONYMOUS_AUTH, sink, |e| {
        (e.as_bool() != Some(false)).then(|| {
            let (value, origin) = (&e.value, &e.origin);
            Text::new(
                format!(
                    "the kubelet accepts anonymous requests (anonymous authentication {value}, {})",
                    origin.en
                ),
                format!("kubelet 接受匿名请求（匿名认证为 {value}，{}）", origin.zh),
            )
        })
    }));
    unknown.extend(judge(facts, &kubelet::AUTHORIZATION_MODE, sink, |e| {
        (e.value != "Webhook").then(|| {
            let (value, origin) = (&e.value, &e.origin);
            Text::new(
                format!(
                    "the kubelet authorizes with mode {value}, not Webhook ({})",
                    origin.en
                ),
                format!(
                    "kubelet 的鉴权模式为 {value}，而非 Webhook（{}）",
                    origin.zh
                ),
            )
        })
    }));
    unknown.extend(judge(facts, &kubelet::READ_ONLY_PORT, sink, |e| {
        (e.value.trim() != "0").then(|| {
            let (value, origin) = (&e.value, &e.origin);
            Text::new(
                format!(
                    "the kubelet serves its unauthenticated read-only API on port {value} ({})",
                    origin.en
                ),
                format!(
                    "kubelet 在端口 {value} 上提供无需认证的只读 API（{}）",
                    origin.zh
                ),
            )
        })
    }));
    inform_unknown(unknown, sink);
}

/// A setting that could not be read: its flag, where, and why.
type Unknown = (&'static str, NodePlace, Text);

/// Reads one setting; fails with the message `wrong` gives; returns it when it cannot be known.
fn judge(
    facts: &NodeFacts,
    setting: &KubeletSetting,
    sink: &mut Sink,
    wrong: impl Fn(&Effective) -> Option<Text>,
) -> Option<Unknown> {
    match kubelet::read(facts, setting) {
        Reading::Known(effective) => {
            sink.examined();
            if let Some(message) = wrong(&effective) {
                sink.fail_on_node(effective.place, message);
            }
            None
        }
        Reading::Unknown { place, reason } => Some((setting.flag, place, reason)),
        Reading::NoKubelet => None,
    }
}

/// One "not examined" note per reason, naming the settings it leaves unknown.
fn inform_unknown(mut unknown: Vec<Unknown>, sink: &mut Sink) {
    while let Some((flag, place, reason)) = unknown.first().cloned() {
        let mut flags = vec![format!("--{flag}")];
        unknown.retain(|(f, _, r)| {
            let same = *r == reason;
            if same && *f != flag {
                flags.push(format!("--{f}"));
            }
            !same
        });
        let flags = flags.join(", ");
        sink.not_examined_on_node(
            place,
            Text::new(
                format!("kubelet {flags}: {}", reason.en),
                format!("kubelet {flags}：{}", reason.zh),
            ),
        );
    }
}

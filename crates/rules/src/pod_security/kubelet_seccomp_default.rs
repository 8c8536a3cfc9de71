use crate::analysis::components::evidence;
use crate::analysis::components::kubelet::{self, Reading};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::facts::{ComponentKind, ConfigRole};
use kcheck_model::{Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Whether the kubelet applies the container runtime's default seccomp profile to
    /// workloads that ask for none: `--seccomp-default` or `seccompDefault: true` in the
    /// KubeletConfiguration (the flag wins over the file). Both default to `false`.
    ///
    /// When the kubelet's configuration file could not be read and no flag sets it, the rule
    /// says so and does not judge.
    ///
    /// ## Why
    /// Checklist item 3.5: seccomp narrows the system calls a container can make, and so the
    /// kernel attack surface an escape can use. Without `seccompDefault`, every pod that does
    /// not set `securityContext.seccompProfile` runs `Unconfined`. The setting is GA since
    /// Kubernetes 1.27 (beta behind the `SeccompDefault` feature gate from 1.25).
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// seccompDefault: true
    /// ```
    /// Test workloads first: a program that needs a blocked system call fails with
    /// `EPERM`; give such a pod its own `Localhost` profile.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads
    pub static RULE = {
        code: "KC313",
        name: "kubelet-seccomp-default",
        item: "3.5",
        severity: Severity::Medium,
        evidence: Evidence::Node,
        title: Text::fixed(
            "The kubelet does not default workloads to the RuntimeDefault seccomp profile",
            "kubelet 未将 RuntimeDefault 设为工作负载的默认 Seccomp 配置",
        ),
        fix: Text::fixed(
            "Set seccompDefault: true in the KubeletConfiguration (or --seccomp-default).",
            "在 KubeletConfiguration 中设置 seccompDefault: true（或使用 --seccomp-default）。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kubelet 是否为未指定 seccomp 配置文件的工作负载应用容器运行时的默认 seccomp 配置文件：即 `--seccomp-default` 参数，或 KubeletConfiguration 中的 `seccompDefault: true`（参数优先于配置文件）。二者的默认值均为 `false`。

如果无法读取 kubelet 的配置文件，且没有参数设置该项，本规则会说明这一情况，不做判定。

## 原因
检查清单第 3.5 项：seccomp 可以缩小容器能够发起的系统调用范围，从而缩小逃逸时可利用的内核攻击面。没有 `seccompDefault` 时，所有未设置 `securityContext.seccompProfile` 的 Pod 都以 `Unconfined` 运行。该设置自 Kubernetes 1.27 起正式发布（GA），从 1.25 起以 Beta 形式提供（受 `SeccompDefault` 特性门控控制）。

## 修复
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
seccompDefault: true
```
请先测试工作负载：如果程序需要的系统调用被阻止，它会以 `EPERM` 失败；为这样的 Pod 单独设置一个 `Localhost` 配置文件。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#pod-security
- https://kubernetes.io/zh-cn/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    if facts.component(ComponentKind::Kubelet).is_none()
        && facts.config(ConfigRole::Kubelet).is_none()
    {
        evidence::component(facts, ComponentKind::Kubelet, sink);
        return;
    }
    match kubelet::read(facts, &kubelet::SECCOMP_DEFAULT) {
        Reading::Known(effective) => {
            sink.examined();
            if effective.as_bool() != Some(true) {
                let (value, origin) = (&effective.value, &effective.origin);
                sink.warn_on_node(
                    effective.place,
                    Text::new(
                        format!("the kubelet does not apply RuntimeDefault seccomp by default (seccompDefault {value}, {}): pods without a seccomp profile run Unconfined", origin.en),
                        format!("kubelet 未默认启用 RuntimeDefault Seccomp（seccompDefault 为 {value}，{}）：未设置 Seccomp 配置的 Pod 以 Unconfined 运行", origin.zh),
                    ),
                );
            }
        }
        Reading::Unknown { place, reason } => {
            sink.not_examined_on_node(
                place,
                Text::new(
                    format!("kubelet seccompDefault: {}", reason.en),
                    format!("kubelet seccompDefault:{}", reason.zh),
                ),
            );
        }
        Reading::NoKubelet => {}
    }
}

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
            "在 KubeletConfiguration 中设置 seccompDefault: true(或使用 --seccomp-default)。",
        ),
        check: Check::Node(check),
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
                        format!("kubelet 未默认启用 RuntimeDefault Seccomp(seccompDefault 为 {value},{}):未设置 Seccomp 配置的 Pod 以 Unconfined 运行", origin.zh),
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

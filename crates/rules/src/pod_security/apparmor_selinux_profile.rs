use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{
    text, ContainerKind, Evidence, Node, Object, PodSpec, Severity, Text, WORKLOAD_KINDS,
};
use kcheck_pss::Level;

declare_rule! {
    /// ## What it checks
    /// The mandatory access control profile of every container:
    /// - AppArmor `Unconfined` (field `securityContext.appArmorProfile` on the pod or the
    ///   container, or the `container.apparmor.security.beta.kubernetes.io/<name>` annotation),
    ///   or SELinux options with a type other than the container types: **fail**. These are Pod
    ///   Security Admission's `appArmorProfile` and `seLinuxOptions` checks, reused as they are
    ///   and applied to every workload.
    /// - Neither an AppArmor profile nor SELinux options set at all: **warn**. On nodes with
    ///   AppArmor enabled the container runtime applies its default profile to such a container,
    ///   on other nodes nothing confines it; setting `RuntimeDefault` makes the intent explicit
    ///   and fails closed where AppArmor is missing.
    ///
    /// Windows pods (`spec.os.name: windows`) are not checked.
    ///
    /// ## Why
    /// Checklist item 3.6: AppArmor and SELinux confine what a process may touch even when it
    /// runs as root inside the container, a last line of defence against an escape.
    ///
    /// ## Fix
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: RuntimeDefault
    /// ```
    /// or, on SELinux nodes, `seLinuxOptions: {type: container_t, level: "s0:c123,c456"}`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
    pub static RULE = {
        code: "KC311",
        name: "apparmor-selinux-profile",
        item: "3.6",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container is not confined by AppArmor or SELinux", "容器未受 AppArmor 或 SELinux 约束"),
        fix: Text::fixed(
            "Set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost), or SELinux options, and never Unconfined.",
            "设置 securityContext.appArmorProfile.type: RuntimeDefault(或 Localhost)或 SELinux 选项,不要使用 Unconfined。",
        ),
        severities: &[Severity::Low],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
    }
}

fn has_profile(sc: Option<&Node>) -> bool {
    sc.is_some_and(|s| s.get("appArmorProfile").is_some() || s.get("seLinuxOptions").is_some())
}

fn annotated(pod: &PodSpec, container: &str) -> bool {
    pod.annotation(&format!(
        "container.apparmor.security.beta.kubernetes.io/{container}"
    ))
    .is_some()
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if pod.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows") {
        return;
    }
    sink.examined();
    let Some(eval) = ctx.pss(object, Level::Restricted, ctx.config.latest()) else {
        return;
    };
    for v in ["appArmorProfile", "seLinuxOptions"]
        .iter()
        .filter_map(|c| eval.violation(c))
    {
        let (reason, detail) = (&v.reason, &v.detail);
        for field in &v.fields {
            sink.fail(
                object,
                field.clone(),
                text!("{reason}: {detail}", "{reason}:{detail}"),
            );
        }
    }
    if has_profile(pod.get("securityContext")) {
        return;
    }
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        if has_profile(c.get("securityContext")) || annotated(&pod, c.name()) {
            continue;
        }
        let (en, zh) = (c.label_en(), c.label_zh());
        sink.warn(
            object,
            c.path("securityContext.appArmorProfile"),
            text!(
                "{en} sets no AppArmor profile or SELinux options: only a node's runtime default can confine it",
                "{zh} 未设置 AppArmor 配置文件或 SELinux 选项:只能依赖节点运行时的默认配置",
            ),
        )
        .severity = Severity::Low;
    }
}

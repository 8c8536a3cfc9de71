use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every container of every workload (init, regular and ephemeral containers, in Pods and in
    /// the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs,
    /// ReplicationControllers and PodTemplates) for `securityContext.privileged: true`.
    ///
    /// ## Why
    /// Checklist item 3.2: the Baseline Pod Security Standard forbids privileged containers. A
    /// privileged container has every Linux capability and the host's devices; escaping to the
    /// node from it is trivial.
    ///
    /// ## Fix
    /// Remove the field or set it to `false`, and add only the capabilities the program needs:
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub static RULE = {
        code: "KC301",
        name: "privileged-container",
        item: "3.2",
        severity: Severity::Critical,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container runs privileged", "容器以特权模式运行"),
        fix: Text::fixed(
            "Remove securityContext.privileged (or set it to false) and add only the capabilities the program needs.",
            "删除 securityContext.privileged(或设为 false),只添加程序需要的能力(capabilities)。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        let privileged = c
            .get("securityContext")
            .and_then(|s| s.get("privileged"))
            .and_then(|p| p.as_bool());
        if privileged == Some(true) {
            let (en, zh) = (c.label_en(), c.label_zh());
            sink.fail(
                object,
                c.path("securityContext.privileged"),
                text!(
                    "{en} runs privileged: it has every capability and the host's devices",
                    "{zh} 以特权模式运行:拥有全部能力并可访问主机设备",
                ),
            );
        }
    }
}

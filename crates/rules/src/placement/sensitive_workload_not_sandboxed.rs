use crate::analysis::scheduling::{
    is_pinned, is_sandboxed, runtime, tolerates_dedicated_taint, Runtime,
};
use crate::analysis::sensitivity::is_sensitive;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// - Sensitive workloads (see KC501 for how they are marked) that are neither on dedicated
    ///   nodes (pinned by selector or required affinity, with a toleration of a dedicated
    ///   taint) nor in a sandboxed runtime: a `runtimeClassName` whose RuntimeClass handler is
    ///   gVisor (`runsc`) or Kata Containers (`kata*`), recognised from the RuntimeClass objects
    ///   in the input (or, when the input has none, from the name): **fail**.
    /// - Any workload whose `runtimeClassName` names a RuntimeClass that is not in the input
    ///   while the input does define RuntimeClasses: **warn** (the pod would not start).
    ///
    /// ## Why
    /// Checklist item 5.2: a sensitive application should run isolated, on its own nodes or
    /// in a sandbox runtime that puts a second kernel boundary between the container and the
    /// host, at some cost in performance.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: node.k8s.io/v1
    /// kind: RuntimeClass
    /// metadata: {name: gvisor}
    /// handler: runsc
    /// ---
    /// spec:
    ///   runtimeClassName: gvisor
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/runtime-class/
    /// - https://gvisor.dev/docs/user_guide/containerd/quick_start/
    pub static RULE = {
        code: "KC503",
        name: "sensitive-workload-not-sandboxed",
        item: "5.2",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "judges the RuntimeClass the pod names (its handler), an object a review does not carry",
        ),
        title: Text::fixed(
            "Sensitive workload runs neither on dedicated nodes nor in a sandbox",
            "敏感工作负载既未运行在专用节点上,也未使用沙箱运行时",
        ),
        fix: Text::fixed(
            "Give the workload a runtimeClassName whose handler is gVisor or Kata Containers, or place it on tainted dedicated nodes.",
            "为工作负载设置 handler 为 gVisor 或 Kata Containers 的 runtimeClassName,或将其部署到带污点的专用节点上。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace", "RuntimeClass"],
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    let (kind, name) = (&object.kind, &object.name);
    if let Runtime::Unknown(class) = runtime(&pod, ctx) {
        sink.warn(
            object,
            pod.path("runtimeClassName"),
            text!(
                "{kind} \"{name}\" uses RuntimeClass \"{class}\", which the input does not define",
                "{kind} \"{name}\" 使用的 RuntimeClass \"{class}\" 在输入中不存在",
            ),
        );
    }
    if !is_sensitive(object, ctx) {
        return;
    }
    sink.examined();
    let dedicated = is_pinned(&pod, object, ctx) && tolerates_dedicated_taint(&pod, ctx);
    if dedicated || is_sandboxed(&pod, ctx) {
        return;
    }
    let message = match runtime(&pod, ctx) {
        Runtime::Known { name: class, handler } => text!(
            "sensitive {kind} \"{name}\" runs on shared nodes with RuntimeClass \"{class}\" (handler {handler}), which is not a sandbox",
            "敏感的 {kind} \"{name}\" 在共享节点上使用 RuntimeClass \"{class}\"(handler {handler})运行,它不是沙箱",
        ),
        _ => text!(
            "sensitive {kind} \"{name}\" runs in the node's default runtime on shared nodes",
            "敏感的 {kind} \"{name}\" 在共享节点上使用默认运行时运行",
        ),
    };
    sink.fail(object, pod.path("runtimeClassName"), message);
}

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
            "敏感工作负载既未运行在专用节点上，也未使用沙箱运行时",
        ),
        fix: Text::fixed(
            "Give the workload a runtimeClassName whose handler is gVisor or Kata Containers, or place it on tainted dedicated nodes.",
            "为工作负载设置 handler 为 gVisor 或 Kata Containers 的 runtimeClassName，或将其部署到带污点的专用节点上。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace", "RuntimeClass"],
        doc_zh: r#"
## 检查内容
- 敏感工作负载（标记方式见 KC501）既没有运行在专用节点上（通过节点选择算符或必需的节点亲和性固定到节点，并容忍专用节点的污点），也没有使用沙箱运行时：**不通过**。沙箱运行时是指 `runtimeClassName` 所指定的 RuntimeClass 的 handler 为 gVisor（`runsc`）或 Kata Containers（`kata*`）；kcheck 依据输入中的 RuntimeClass 对象来识别，输入中没有 RuntimeClass 时则依据名称识别。
- 输入中定义了 RuntimeClass，而某个工作负载的 `runtimeClassName` 指向的 RuntimeClass 不在输入中：**警告**（这样的 Pod 无法启动）。

## 原因
检查清单第 5.2 项：敏感应用应当隔离运行，要么运行在专属的节点上，要么运行在沙箱运行时中。沙箱运行时在容器与主机之间多加了一道内核边界，代价是一定的性能损失。

## 修复
```yaml
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
---
spec:
  runtimeClassName: gvisor
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/containers/runtime-class/
- https://gvisor.dev/docs/user_guide/containerd/quick_start/
"#,
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
            "敏感的 {kind} \"{name}\" 在共享节点上使用 RuntimeClass \"{class}\"（handler {handler}）运行，它不是沙箱",
        ),
        _ => text!(
            "sensitive {kind} \"{name}\" runs in the node's default runtime on shared nodes",
            "敏感的 {kind} \"{name}\" 在共享节点上使用默认运行时运行",
        ),
    };
    sink.fail(object, pod.path("runtimeClassName"), message);
}

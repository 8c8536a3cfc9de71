use crate::analysis::scheduling::{is_pinned, tolerates_dedicated_taint};
use crate::analysis::sensitivity::is_sensitive;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Sensitive workloads (marked by `kcheck.io/sensitivity: high`, or the label or annotation
    /// set in `--config`, on the workload, its pods or its namespace) for placement on
    /// dedicated nodes:
    /// - not pinned at all (no `nodeSelector`, no required node affinity, no `nodeName`, no
    ///   `scheduler.alpha.kubernetes.io/node-selector` annotation on the namespace for the
    ///   PodNodeSelector admission plugin, and no node selector in its RuntimeClass's
    ///   `scheduling`): **fail**;
    /// - pinned, but tolerating no dedicated taint (itself or through its RuntimeClass's
    ///   `scheduling.tolerations`): **warn**, because untainted nodes accept every other pod
    ///   too, so the selection does not keep anyone else away.
    ///
    /// ## Why
    /// Checklist item 5.1: pods of different sensitivity should not share nodes, so that a
    /// container escape in an ordinary application does not reach a sensitive one. Isolation
    /// needs both halves: the sensitive pods select their nodes, and a taint keeps the others
    /// off them.
    ///
    /// ## Fix
    /// Taint the dedicated nodes (`kubectl taint nodes n1 dedicated=payments:NoSchedule`), then:
    /// ```yaml
    /// spec:
    ///   nodeSelector: {dedicated: payments}
    ///   tolerations:
    ///   - {key: dedicated, operator: Equal, value: payments, effect: NoSchedule}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#podnodeselector
    pub static RULE = {
        code: "KC501",
        name: "sensitive-workload-not-isolated",
        item: "5.1",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Sensitive workload is not placed on dedicated nodes", "敏感工作负载未部署到专用节点"),
        fix: Text::fixed(
            "Taint dedicated nodes, and give the workload a nodeSelector (or required node affinity) and a matching toleration.",
            "为专用节点添加污点，并为工作负载设置 nodeSelector（或必需的节点亲和性）和匹配的容忍度。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
敏感工作负载是否部署在专用节点上。敏感工作负载由 `kcheck.io/sensitivity: high` 标记，或由 `--config` 中设置的标签或注解标记，标记可以位于工作负载、其 Pod 或其名字空间上：
- 完全没有固定节点（没有 `nodeSelector`，没有必需的节点亲和性，没有 `nodeName`，名字空间上没有供 PodNodeSelector 准入插件使用的 `scheduler.alpha.kubernetes.io/node-selector` 注解，其 RuntimeClass 的 `scheduling` 中也没有节点选择器）：**不通过**（fail）；
- 固定了节点，但没有容忍任何专用污点（无论是自身的容忍度，还是通过其 RuntimeClass 的 `scheduling.tolerations`）：**警告**（warn），因为没有污点的节点同样接受其他所有 Pod，仅靠节点选择并不能把其他 Pod 挡在外面。

## 原因
检查清单第 5.1 项：处于不同敏感级别的 Pod 不应共享节点，以免普通应用中的容器逃逸波及敏感应用。隔离需要两方面同时做到：敏感 Pod 选择自己的节点，同时用污点把其他 Pod 挡在这些节点之外。

## 修复
为专用节点添加污点（`kubectl taint nodes n1 dedicated=payments:NoSchedule`），然后：
```yaml
spec:
  nodeSelector: {dedicated: payments}
  tolerations:
  - {key: dedicated, operator: Equal, value: payments, effect: NoSchedule}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/scheduling-eviction/taint-and-toleration/
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/admission-controllers/#podnodeselector
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if !is_sensitive(object, ctx) {
        return;
    }
    sink.examined();
    let (kind, name) = (&object.kind, &object.name);
    if !is_pinned(&pod, object, ctx) {
        sink.fail(
            object,
            pod.path("nodeSelector"),
            text!(
                "sensitive {kind} \"{name}\" can be scheduled on any node",
                "敏感的 {kind} \"{name}\" 可被调度到任意节点",
            ),
        );
    } else if !tolerates_dedicated_taint(&pod, ctx) {
        sink.warn(
            object,
            pod.path("tolerations"),
            text!(
                "sensitive {kind} \"{name}\" selects nodes but tolerates no dedicated taint: other pods can share its nodes",
                "敏感的 {kind} \"{name}\" 选择了节点，但未容忍任何专用污点：其他 Pod 仍可共享这些节点",
            ),
        );
    }
}

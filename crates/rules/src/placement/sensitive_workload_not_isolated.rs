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
            "为专用节点添加污点,并为工作负载设置 nodeSelector(或必需的节点亲和性)和匹配的容忍度。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
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
                "敏感的 {kind} \"{name}\" 选择了节点,但未容忍任何专用污点:其他 Pod 仍可共享这些节点",
            ),
        );
    }
}

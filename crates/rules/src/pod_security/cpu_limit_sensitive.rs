use crate::analysis::sensitivity::is_sensitive;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, ContainerKind, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every init and regular container of a **sensitive** workload for `resources.limits.cpu`.
    /// A workload is sensitive when it, its pod template or its namespace carries the
    /// configured label or annotation (default `kcheck.io/sensitivity: high`; set
    /// `sensitivity.key` and `sensitivity.values` in `--config`). A LimitRange in the same
    /// namespace with a default CPU limit for containers counts as a limit. Other workloads are
    /// not checked: the checklist asks for CPU limits only where they protect something.
    ///
    /// ## Why
    /// Checklist item 3.4: a CPU limit keeps a compromised or runaway neighbour from starving a
    /// sensitive workload, and a sensitive workload from being used to starve the node. CPU
    /// limits also throttle, which is why the checklist does not ask for them everywhere.
    ///
    /// ## Fix
    /// ```yaml
    /// resources:
    ///   requests: {cpu: 500m}
    ///   limits: {cpu: "1"}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security
    pub static RULE = {
        code: "KC309",
        name: "cpu-limit-sensitive",
        item: "3.4",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "as KC304, for CPU limits of sensitive workloads",
        ),
        title: Text::fixed("Sensitive workload has no CPU limit", "敏感工作负载未设置 CPU 限制"),
        fix: Text::fixed(
            "Set resources.limits.cpu on every container of the sensitive workload.",
            "为敏感工作负载的每个容器设置 resources.limits.cpu。",
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
    if crate::analysis::limit_ranges::namespace_default(object, ctx, "cpu") {
        return;
    }
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let limit = c.get("resources").and_then(|r| r.path(&["limits", "cpu"]));
        if limit.is_some_and(|l| !l.is_null()) {
            continue;
        }
        let (en, zh) = (c.label_en(), c.label_zh());
        sink.fail(
            object,
            c.path("resources.limits.cpu"),
            text!(
                "{en} of a sensitive workload has no CPU limit",
                "敏感工作负载的{zh} 未设置 CPU 限制",
            ),
        );
    }
}

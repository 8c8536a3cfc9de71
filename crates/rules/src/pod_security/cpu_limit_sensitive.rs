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
        doc_zh: r#"
## 检查内容
**敏感**工作负载的每个 Init 容器和普通容器是否设置了 `resources.limits.cpu`。如果工作负载本身、其 Pod 模板或其所在的名字空间带有所配置的标签或注解（默认为 `kcheck.io/sensitivity: high`；可在 `--config` 中通过 `sensitivity.key` 和 `sensitivity.values` 设置），该工作负载即为敏感工作负载。如果同一名字空间中有为容器设置了默认 CPU 限制的 LimitRange，也算作已设置限制。其他工作负载不做检查：检查清单只要求在 CPU 限制能起到保护作用的地方设置它。

## 原因
检查清单第 3.4 项：CPU 限制可以防止已被攻破或失控的相邻工作负载耗尽敏感工作负载的 CPU，也可以防止敏感工作负载被利用来耗尽节点的 CPU。CPU 限制同时会造成节流（throttling），这正是检查清单没有要求处处设置它的原因。

## 修复
```yaml
resources:
  requests: {cpu: 500m}
  limits: {cpu: "1"}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/configuration/manage-resources-containers/
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#pod-security
"#,
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

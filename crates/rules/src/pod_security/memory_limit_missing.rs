use crate::analysis::limit_ranges::namespace_default;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, ContainerKind, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every init and regular container of every workload for `resources.limits.memory`. A
    /// LimitRange in the same namespace with a default memory limit for containers counts as a
    /// limit, since the LimitRanger admission plugin fills it in. Ephemeral containers cannot
    /// have resources and are not checked.
    ///
    /// ## Why
    /// Checklist item 3.3: without a memory limit, a leaking or compromised container can take
    /// all of a node's memory, and the kernel's OOM killer then picks victims among its
    /// neighbours (a denial of service).
    ///
    /// ## Fix
    /// Set a memory limit equal to the request:
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 256Mi
    ///   limits:
    ///     memory: 256Mi
    /// ```
    /// or give the namespace a LimitRange with `default.memory` for type `Container`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    /// - https://kubernetes.io/docs/concepts/policy/limit-range/
    pub static RULE = {
        code: "KC304",
        name: "memory-limit-missing",
        item: "3.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Excluded(
            "a LimitRange in the namespace can supply the memory limit; the LimitRanger plugin fills \
         it into Pods before validation but never into controllers' templates, so a lone \
         Deployment would be flagged wrongly",
        ),
        title: Text::fixed("Container has no memory limit", "容器未设置内存限制"),
        fix: Text::fixed(
            "Set resources.limits.memory (equal to resources.requests.memory), or add a LimitRange with a default memory limit to the namespace.",
            "设置 resources.limits.memory（与 resources.requests.memory 相等），或为名字空间添加带默认内存限制的 LimitRange。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["LimitRange"],
        doc_zh: r#"
## 检查内容
每个工作负载的每个 Init 容器和普通容器是否设置了 `resources.limits.memory`。如果同一名字空间中有为容器设置了默认内存限制的 LimitRange，也算作已设置限制，因为 LimitRanger 准入插件会把它填入。临时容器不能设置资源，因此不做检查。

## 原因
检查清单第 3.3 项：没有内存限制时，内存泄漏或已被攻破的容器可能占用节点的全部内存，随后内核的 OOM killer会在相邻的容器中挑选牺牲者（造成拒绝服务）。

## 修复
设置与请求值相等的内存限制：
```yaml
resources:
  requests:
    memory: 256Mi
  limits:
    memory: 256Mi
```
或者为名字空间添加一个 LimitRange，为类型 `Container` 设置 `default.memory`。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/configuration/manage-resources-containers/
- https://kubernetes.io/zh-cn/docs/concepts/policy/limit-range/
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    let mut defaulted = None;
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let limit = c
            .get("resources")
            .and_then(|r| r.get("limits"))
            .and_then(|l| l.get("memory"));
        if limit.is_some_and(|l| !l.is_null()) {
            continue;
        }
        if *defaulted.get_or_insert_with(|| namespace_default(object, ctx, "memory")) {
            continue;
        }
        let (en, zh) = (c.label_en(), c.label_zh());
        sink.fail(
            object,
            c.path("resources.limits.memory"),
            text!("{en} has no memory limit", "{zh} 未设置内存限制"),
        );
    }
}

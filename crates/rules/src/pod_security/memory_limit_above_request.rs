use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{
    node_quantity, text, ContainerKind, Evidence, Object, Severity, Text, WORKLOAD_KINDS,
};

declare_rule! {
    /// ## What it checks
    /// Every init and regular container that sets both `resources.requests.memory` and
    /// `resources.limits.memory`, for a limit higher than the request. (A container with a limit
    /// and no request gets a request equal to the limit, which is fine.)
    ///
    /// ## Why
    /// Checklist item 3.3: the scheduler places pods by their requests. When limits exceed
    /// requests, the node is overcommitted: under pressure, containers that stay within their
    /// limits are still OOM-killed, and the whole node can run out of memory.
    ///
    /// ## Fix
    /// Make the limit equal to the request (raise the request if the program needs it):
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 512Mi
    ///   limits:
    ///     memory: 512Mi
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/quality-service-pod/
    pub static RULE = {
        code: "KC305",
        name: "memory-limit-above-request",
        item: "3.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container's memory limit is above its request", "容器的内存限制高于请求值"),
        fix: Text::fixed(
            "Set resources.limits.memory equal to resources.requests.memory.",
            "将 resources.limits.memory 设为与 resources.requests.memory 相等。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
同时设置了 `resources.requests.memory` 和 `resources.limits.memory` 的每个 Init 容器和普通容器，其内存限制是否高于请求值。（只设置了限制而没有设置请求的容器，其请求值会被设为与限制相等，这没有问题。）

## 原因
检查清单第 3.3 项：调度器依据请求值放置 Pod。限制高于请求时，节点就处于超售状态：内存紧张时，即使容器没有超出自己的限制，也仍会被 OOM 终止，整个节点也可能耗尽内存。

## 修复
使限制等于请求值（如果程序需要更多内存，就提高请求值）：
```yaml
resources:
  requests:
    memory: 512Mi
  limits:
    memory: 512Mi
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/configuration/manage-resources-containers/
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/quality-service-pod/
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let Some(resources) = c.get("resources") else {
            continue;
        };
        let limit = resources.path(&["limits", "memory"]);
        let request = resources.path(&["requests", "memory"]);
        let (Some(limit), Some(request)) = (limit, request) else {
            continue;
        };
        let (Some(l), Some(r)) = (node_quantity(limit), node_quantity(request)) else {
            continue;
        };
        if l > r {
            let show =
                |n: &kcheck_model::Node| n.to_json().to_string().trim_matches('"').to_string();
            let (ls, rs) = (show(limit), show(request));
            let (en, zh) = (c.label_en(), c.label_zh());
            sink.fail(
                object,
                c.path("resources.limits.memory"),
                text!(
                    "{en} has a memory limit ({ls}) above its request ({rs})",
                    "{zh} 的内存限制（{ls}）高于请求值（{rs}）",
                ),
            );
        }
    }
}

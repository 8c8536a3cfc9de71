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
            "删除 securityContext.privileged（或设为 false），只添加程序需要的能力（capabilities）。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个工作负载的每个容器（Init 容器、普通容器和临时容器，包括 Pod 中的，以及 Deployment、StatefulSet、DaemonSet、ReplicaSet、Job、CronJob、ReplicationController 和 PodTemplate 的 Pod 模板中的）是否设置了 `securityContext.privileged: true`。

## 原因
检查清单第 3.2 项：基线（Baseline）Pod 安全标准禁止特权容器。特权容器拥有所有 Linux 权能（capabilities）并能访问主机的设备，从中逃逸到节点轻而易举。

## 修复
删除该字段或将其设为 `false`，只添加程序需要的权能：
```yaml
securityContext:
  privileged: false
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/#baseline
"#,
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
                    "{zh} 以特权模式运行：拥有全部能力并可访问主机设备",
                ),
            );
        }
    }
}

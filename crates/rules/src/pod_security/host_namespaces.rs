use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The pod spec of every workload for `hostNetwork`, `hostPID` or `hostIPC` set to `true`
    /// (one finding per field).
    ///
    /// ## Why
    /// Checklist item 3.2: the Baseline Pod Security Standard forbids sharing the host's
    /// namespaces. With the host network a pod can reach node-local services (the kubelet,
    /// etcd on control-plane nodes) and sniff traffic; with the host PID namespace it sees and
    /// can signal every process on the node; with host IPC it can read shared memory of others.
    ///
    /// ## Fix
    /// Delete the fields (they default to `false`). Expose ports through a Service instead of the
    /// host network:
    /// ```yaml
    /// spec:
    ///   hostNetwork: false
    ///   hostPID: false
    ///   hostIPC: false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub static RULE = {
        code: "KC302",
        name: "host-namespaces",
        item: "3.2",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Pod shares the host's network, PID or IPC namespace", "Pod 共享主机的网络、PID 或 IPC 名字空间"),
        fix: Text::fixed(
            "Remove hostNetwork, hostPID and hostIPC from the pod spec (they default to false).",
            "从 Pod 规约中删除 hostNetwork、hostPID 和 hostIPC（默认值为 false）。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: "\
## 检查内容
每个工作负载的 Pod 规约中，`hostNetwork`、`hostPID` 或 `hostIPC` 是否设为 `true`（每个字段一个问题）。

## 原因
检查清单第 3.2 项：基线（Baseline）Pod 安全标准禁止共享主机的名字空间。使用主机网络的 Pod
可以访问节点本地的服务（kubelet，控制平面节点上的 etcd），还能监听流量；使用主机 PID
名字空间的 Pod 能看到节点上的所有进程并向它们发送信号；使用主机 IPC 的 Pod 能读取其他进程的共享内存。

## 修复
删除这些字段（默认值为 `false`）。需要对外提供端口时，用 Service，而不是主机网络：
```yaml
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/#baseline
",
    }
}

const FIELDS: [(&str, &str, &str); 3] = [
    ("hostNetwork", "the node's network stack", "节点的网络栈"),
    ("hostPID", "every process on the node", "节点上的所有进程"),
    ("hostIPC", "the node's shared memory", "节点的共享内存"),
];

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for (field, what_en, what_zh) in FIELDS {
        if pod.get(field).and_then(|v| v.as_bool()) == Some(true) {
            sink.fail(
                object,
                pod.path(field),
                text!(
                    "{field} is true: the pod shares {what_en}",
                    "{field} 为 true：Pod 共享{what_zh}"
                ),
            );
        }
    }
}

use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::analysis::scheduling::{control_plane_toleration, selects_control_plane};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Workloads outside the exempt system namespaces (`kube-system` by default,
    /// `podSecurity.exemptNamespaces` in `--config`) that can run on control-plane nodes:
    /// a toleration for `node-role.kubernetes.io/control-plane` (or the older `master`) taint,
    /// a toleration with `operator: Exists` and no key (which tolerates every taint), or a
    /// `nodeSelector` on those node-role labels.
    ///
    /// ## Why
    /// Checklist item 5.1: the API server, etcd and the controllers are the most sensitive
    /// pods of all. An ordinary workload scheduled beside them turns any container escape into
    /// control of the cluster (etcd's data, the CA key, every credential).
    ///
    /// ## Fix
    /// Remove the toleration, or name only the taints the workload really needs:
    /// ```yaml
    /// tolerations:
    /// - {key: dedicated, operator: Equal, value: logging, effect: NoSchedule}
    /// ```
    /// Node agents that must run everywhere belong to the platform team's reviewed, exempt
    /// namespaces.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/labels-annotations-taints/#node-role-kubernetes-io-control-plane-taint
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    pub static RULE = {
        code: "KC502",
        name: "control-plane-toleration",
        item: "5.1",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Workload can run on control-plane nodes", "工作负载可运行在控制平面节点上"),
        fix: Text::fixed(
            "Remove tolerations of control-plane taints (and catch-all `operator: Exists` tolerations) from ordinary workloads.",
            "从普通工作负载中删除对控制平面污点的容忍（以及不带 key 的 `operator: Exists` 容忍）。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
豁免的系统名字空间（默认为 `kube-system`，可在 `--config` 中用 `podSecurity.exemptNamespaces` 设置）之外、可以运行在控制平面节点上的工作负载：容忍 `node-role.kubernetes.io/control-plane` 污点（或较早的 `master` 污点），带有 `operator: Exists` 且不带 key 的容忍度（它容忍所有污点），或者用 `nodeSelector` 选择这些节点角色标签。

## 原因
检查清单第 5.1 项：API 服务器、etcd 和各个控制器是所有 Pod 中最敏感的。普通工作负载一旦调度到它们旁边，任何一次容器逃逸都会变成对整个集群的控制（etcd 的数据、CA 私钥以及所有凭据）。

## 修复
删除该容忍度，或者只列出工作负载真正需要的污点：
```yaml
tolerations:
- {key: dedicated, operator: Equal, value: logging, effect: NoSchedule}
```
必须在所有节点上运行的节点代理，应放在由平台团队审查过的豁免名字空间中。

## 参考
- https://kubernetes.io/zh-cn/docs/reference/labels-annotations-taints/#node-role-kubernetes-io-control-plane-taint
- https://kubernetes.io/zh-cn/docs/concepts/scheduling-eviction/taint-and-toleration/
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if is_exempt(ctx, namespace_of(object)) {
        return;
    }
    sink.examined();
    let (kind, name) = (&object.kind, &object.name);
    if let Some((i, catch_all)) = control_plane_toleration(&pod) {
        let message = if catch_all {
            text!(
                "{kind} \"{name}\" tolerates every taint, control-plane nodes included",
                "{kind} \"{name}\" 容忍所有污点，包括控制平面节点的污点",
            )
        } else {
            text!(
                "{kind} \"{name}\" tolerates the control-plane taint",
                "{kind} \"{name}\" 容忍控制平面节点的污点",
            )
        };
        sink.fail(object, pod.path(&format!("tolerations[{i}]")), message);
    }
    if selects_control_plane(&pod) {
        sink.fail(
            object,
            pod.path("nodeSelector"),
            text!(
                "{kind} \"{name}\" selects control-plane nodes",
                "{kind} \"{name}\" 选择了控制平面节点",
            ),
        );
    }
}

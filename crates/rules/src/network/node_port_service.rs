use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Services of `type: NodePort`, noted for review: each opens its port on every node's
    /// addresses. (LoadBalancer Services get node ports too; KC201 covers those.)
    ///
    /// ## Why
    /// Checklist item 2.7 asks to restrict the ways Services are exposed outside the cluster.
    /// A node port bypasses ingress controllers and, on nodes with public addresses, the
    /// cloud's load-balancer firewall.
    ///
    /// ## Fix
    /// Use a ClusterIP Service behind an Ingress or Gateway; when a node port is needed, limit
    /// access to node addresses with host firewalls or cloud security groups.
    /// ```yaml
    /// spec:
    ///   type: ClusterIP
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
    pub static RULE = {
        code: "KC204",
        name: "node-port-service",
        item: "2.7",
        severity: Severity::Info,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Service opens a port on every node", "Service 在每个节点上开放端口"),
        fix: Text::fixed(
            "Prefer a ClusterIP Service behind an Ingress or Gateway; firewall node ports that must stay.",
            "优先使用 ClusterIP Service 并通过 Ingress 或 Gateway 暴露；必须保留的节点端口应由防火墙限制。",
        ),
        check: Check::Object { kinds: &["Service"], run: check },
        doc_zh: r#"
## 检查内容
`type: NodePort` 的 Service，列出以供审查：每个这样的 Service 都会在所有节点的地址上开放其端口。（LoadBalancer Service 也会获得节点端口，由 KC201 负责检查。）

## 原因
检查清单第 2.7 项要求限制 Service 向集群外暴露的方式。节点端口会绕过 Ingress 控制器；在具有公网地址的节点上，还会绕过云负载均衡器的防火墙。

## 修复
使用 ClusterIP Service，并通过 Ingress 或 Gateway 暴露应用；确实需要节点端口时，用主机防火墙或云安全组限制对节点地址的访问。
```yaml
spec:
  type: ClusterIP
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/service/#type-nodeport
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    if object.root.path(&["spec", "type"]).and_then(|t| t.as_str()) != Some("NodePort") {
        return;
    }
    let name = &object.name;
    sink.inform(
        object,
        FieldPath::parse("spec.type"),
        text!(
            "Service \"{name}\" is a NodePort: reachable on every node's addresses",
            "Service \"{name}\" 是 NodePort：可通过每个节点的地址访问",
        ),
    );
}

use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Services with a non-empty `spec.externalIPs`.
    ///
    /// ## Why
    /// Checklist item 2.7: anyone who may create or edit a Service can claim any external IP,
    /// and the cluster will route that address's traffic to their pods. This is
    /// CVE-2020-8554, a man-in-the-middle against other tenants and against the outside world.
    /// The `DenyServiceExternalIPs` admission plugin (checklist item 8.1) blocks the field.
    ///
    /// ## Fix
    /// Remove `externalIPs`; use a LoadBalancer or an Ingress for external traffic, and enable
    /// the `DenyServiceExternalIPs` admission plugin:
    /// ```yaml
    /// spec:
    ///   type: ClusterIP
    ///   # externalIPs: removed
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
    /// - https://github.com/kubernetes/kubernetes/issues/97076 (CVE-2020-8554)
    pub static RULE = {
        code: "KC202",
        name: "service-external-ips",
        item: "2.7",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Service sets externalIPs", "Service 设置了 externalIPs"),
        fix: Text::fixed(
            "Remove spec.externalIPs and enable the DenyServiceExternalIPs admission plugin.",
            "删除 spec.externalIPs，并启用 DenyServiceExternalIPs 准入插件。",
        ),
        check: Check::Object { kinds: &["Service"], run: check },
        doc_zh: r#"
## 检查内容
`spec.externalIPs` 非空的 Service。

## 原因
检查清单第 2.7 项：任何有权创建或编辑 Service 的人都能声明任意外部 IP，集群会把发往该地址的流量路由到他们的 Pod。这就是 CVE-2020-8554，一种针对其他租户以及集群外部的中间人攻击。`DenyServiceExternalIPs` 准入插件（检查清单第 8.1 项）可以禁止使用该字段。

## 修复
删除 `externalIPs`；对外流量改用 LoadBalancer 或 Ingress，并启用 `DenyServiceExternalIPs` 准入插件：
```yaml
spec:
  type: ClusterIP
  # externalIPs: removed
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/service/#external-ips
- https://github.com/kubernetes/kubernetes/issues/97076（CVE-2020-8554）
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let ips: Vec<&str> = object
        .root
        .path(&["spec", "externalIPs"])
        .map_or(&[][..], |v| v.as_seq())
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    if ips.is_empty() {
        return;
    }
    let (name, list) = (&object.name, ips.join(", "));
    sink.fail(
        object,
        FieldPath::parse("spec.externalIPs"),
        text!(
            "Service \"{name}\" claims external IPs {list} (CVE-2020-8554)",
            "Service \"{name}\" 占用外部 IP {list}(CVE-2020-8554)",
        ),
    );
}

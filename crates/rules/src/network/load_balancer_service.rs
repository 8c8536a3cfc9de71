use crate::analysis::services::INTERNAL;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Services of `type: LoadBalancer` that are open to any source address: no
    /// `spec.loadBalancerSourceRanges`, and no annotation that makes the cloud load balancer
    /// internal (AWS, Azure, GCP, Alibaba, Oracle, IBM and OpenStack spellings are recognised).
    ///
    /// ## Why
    /// Checklist item 2.7: every LoadBalancer Service asks the cloud for an address, usually a
    /// public one, and bypasses any ingress controller that would apply authentication, TLS
    /// and rate limits. Their use should be restricted to what is reviewed and filtered.
    ///
    /// ## Fix
    /// Route HTTP through an Ingress or Gateway; when a LoadBalancer is needed, make it
    /// internal or limit its sources:
    /// ```yaml
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: ["203.0.113.0/24"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer
    /// - https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/
    pub static RULE = {
        code: "KC201",
        name: "load-balancer-service",
        item: "2.7",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("LoadBalancer Service is open to any source", "LoadBalancer 类型的 Service 对任意来源开放"),
        fix: Text::fixed(
            "Expose the app through an Ingress or Gateway, or make the load balancer internal, or set spec.loadBalancerSourceRanges.",
            "通过 Ingress 或 Gateway 暴露应用，或将负载均衡器设为内部，或设置 spec.loadBalancerSourceRanges。",
        ),
        check: Check::Object { kinds: &["Service"], run: check },
        doc_zh: r#"
## 检查内容
对任意来源地址开放的 `type: LoadBalancer` Service：既没有 `spec.loadBalancerSourceRanges`，也没有将云负载均衡器设为内部负载均衡器的注解（能识别 AWS、Azure、GCP、阿里云、Oracle、IBM 和 OpenStack 的写法）。

## 原因
检查清单第 2.7 项：每个 LoadBalancer Service 都会向云平台申请一个地址（通常是公网地址），并绕过本可实施认证、TLS 和限流的 Ingress 控制器。应当限制这类 Service 的使用，只保留经过审查并做了来源过滤的。

## 修复
HTTP 流量经由 Ingress 或 Gateway 路由；确实需要 LoadBalancer 时，将其设为内部负载均衡器，或限制其来源：
```yaml
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: ["203.0.113.0/24"]
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/service/#loadbalancer
- https://kubernetes.io/zh-cn/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let Some(spec) = object.root.get("spec") else {
        return;
    };
    if spec.str_at("type") != Some("LoadBalancer") {
        return;
    }
    let ranges = spec
        .get("loadBalancerSourceRanges")
        .map_or(0, |r| r.as_seq().len());
    let internal = INTERNAL
        .iter()
        .any(|(k, values)| object.annotation(k).is_some_and(|v| values.contains(&v)));
    if ranges > 0 || internal {
        return;
    }
    let name = &object.name;
    sink.fail(
        object,
        FieldPath::parse("spec.type"),
        text!(
            "Service \"{name}\" is a LoadBalancer open to every source address",
            "Service \"{name}\" 是对所有来源地址开放的 LoadBalancer",
        ),
    );
}

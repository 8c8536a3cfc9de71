use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Ingresses that serve hosts without TLS: no `spec.tls` at all, or rule hosts that no
    /// `spec.tls[].hosts` entry covers (wildcards such as `*.example.com` are understood). This
    /// is an informational finding: it supports item 2.4, which is decided on a live cluster
    /// (service mesh or CNI encryption).
    ///
    /// ## Why
    /// Checklist item 2.4 asks for encrypted communication where appropriate. Traffic that
    /// enters the cluster in clear text is the first place that fails.
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   tls:
    ///   - hosts: [shop.example.com]
    ///     secretName: shop-tls
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
    pub static RULE = {
        code: "KC203",
        name: "ingress-without-tls",
        item: "2.4",
        severity: Severity::Info,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Ingress serves hosts without TLS", "Ingress 以明文服务部分主机"),
        fix: Text::fixed(
            "Add spec.tls entries (with a certificate Secret) covering every host of the Ingress.",
            "为 Ingress 的每个主机添加 spec.tls 条目（及证书 Secret）。",
        ),
        check: Check::Object { kinds: &["Ingress"], run: check },
        doc_zh: r#"
## 检查内容
以明文服务部分主机的 Ingress：完全没有 `spec.tls`，或者规则中有主机不被任何 `spec.tls[].hosts` 条目覆盖（能识别 `*.example.com` 这样的通配符）。这是一条提示性的问题：它为检查清单第 2.4 项提供佐证，而该项要在运行中的集群上判定（服务网格或 CNI 加密）。

## 原因
检查清单第 2.4 项要求在合适的情况下对通信加密。以明文进入集群的流量，是最先不满足这一要求的地方。

## 修复
为 Ingress 的每个主机添加 `spec.tls` 条目，并引用存放证书的 Secret：
```yaml
spec:
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/ingress/#tls
"#,
    }
}

fn covered(host: &str, tls_hosts: &[&str]) -> bool {
    tls_hosts.iter().any(|t| {
        *t == host
            || t.strip_prefix("*.")
                .is_some_and(|suffix| host.split_once('.').is_some_and(|(_, rest)| rest == suffix))
    })
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    let spec = object.root.get("spec");
    let tls = spec
        .and_then(|s| s.get("tls"))
        .map_or(&[][..], Node::as_seq);
    let name = &object.name;
    if tls.is_empty() {
        sink.inform(
            object,
            FieldPath::parse("spec"),
            text!(
                "Ingress \"{name}\" has no TLS: it serves plain HTTP",
                "Ingress \"{name}\" 未配置 TLS：以明文 HTTP 提供服务"
            ),
        );
        return;
    }
    let tls_hosts: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.get("hosts").map_or(&[][..], Node::as_seq))
        .filter_map(Node::as_str)
        .collect();
    let rules = spec
        .and_then(|s| s.get("rules"))
        .map_or(&[][..], Node::as_seq);
    for (i, rule) in rules.iter().enumerate() {
        let Some(host) = rule.str_at("host") else {
            continue;
        };
        if !covered(host, &tls_hosts) {
            sink.inform(
                object,
                FieldPath::parse(&format!("spec.rules[{i}].host")),
                text!(
                    "Ingress \"{name}\" serves {host} without TLS",
                    "Ingress \"{name}\" 以明文服务 {host}",
                ),
            );
        }
    }
}

use crate::analysis::webhooks::{webhooks, KINDS};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// The operational safety of each admission webhook:
    /// - `timeoutSeconds` above 10: **warn**; every matching request waits that long when the
    ///   webhook hangs, and API server requests time out at 30 s in total;
    /// - rules that can match nothing (no rules, or a rule with empty `operations`,
    ///   `apiGroups`, `apiVersions` or `resources`): **warn**, the webhook checks nothing;
    /// - a webhook with `failurePolicy: Fail` that intercepts `kube-system` (its
    ///   `namespaceSelector` does not exclude it) or its own service's namespace: **warn**;
    ///   when the webhook is down, the cluster cannot repair itself, and the webhook's own pods
    ///   cannot be recreated.
    ///
    /// ## Why
    /// Checklist item 8.3 asks for a secure admission chain; a chain that can deadlock the
    /// cluster or silently check nothing is not one.
    ///
    /// ## Fix
    /// ```yaml
    /// timeoutSeconds: 5
    /// namespaceSelector:
    ///   matchExpressions:
    ///   - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, policy-system]}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#timeouts
    /// - https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/#avoid-deadlocks
    pub static RULE = {
        code: "KC804",
        name: "webhook-scope",
        item: "8.3",
        severity: Severity::Low,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Webhook can stall or deadlock the cluster, or checks nothing", "Webhook 可能拖慢或锁死集群，或未检查任何内容"),
        fix: Text::fixed(
            "Keep timeoutSeconds at 10 or less, exclude kube-system and the webhook's own namespace, and give it rules that match.",
            "将 timeoutSeconds 保持在 10 以内，排除 kube-system 和 Webhook 自身所在的名字空间，并配置能匹配的规则。",
        ),
        check: Check::Object { kinds: KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个准入 Webhook 的运行安全性：
- `timeoutSeconds` 大于 10：**警告**；Webhook 卡住时，每个匹配的请求都要等待这么久，而 API 服务器的请求总共在 30 秒后超时；
- 规则不可能匹配任何请求（没有规则，或某条规则的 `operations`、`apiGroups`、`apiVersions` 或 `resources` 为空）：**警告**，该 Webhook 什么都不检查；
- 设置了 `failurePolicy: Fail` 的 Webhook 拦截了 `kube-system`（其 `namespaceSelector` 没有排除它）或其自身 Service 所在的名字空间：**警告**；Webhook 宕机时，集群无法自我修复，Webhook 自己的 Pod 也无法重建。

## 原因
检查清单第 8.3 项要求准入链是安全的；一个可能让集群陷入死锁、或悄无声息地什么都不检查的准入链，算不上安全。

## 修复
```yaml
timeoutSeconds: 5
namespaceSelector:
  matchExpressions:
  - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, policy-system]}
```

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/extensible-admission-controllers/#timeouts
- https://kubernetes.io/zh-cn/docs/concepts/cluster-administration/admission-webhooks-good-practices/#avoid-deadlocks
"#,
    }
}

/// Whether a namespace selector keeps `ns` out: `kubernetes.io/metadata.name NotIn [ns]`
/// (or a matchLabels / In list that names other namespaces only).
fn excludes(selector: Option<&Node>, ns: &str) -> bool {
    let Some(sel) = selector else { return false };
    let name_key = "kubernetes.io/metadata.name";
    if let Some(v) = sel.get("matchLabels").and_then(|m| m.str_at(name_key)) {
        return v != ns;
    }
    sel.get("matchExpressions")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter(|e| e.str_at("key") == Some(name_key))
        .any(|e| {
            let values: Vec<&str> = e
                .get("values")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .filter_map(Node::as_str)
                .collect();
            match e.str_at("operator") {
                Some("NotIn") => values.contains(&ns),
                Some("In") => !values.contains(&ns),
                _ => false,
            }
        })
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    for w in webhooks(object) {
        let name = w.name;
        if let Some(t) = w
            .node
            .get("timeoutSeconds")
            .and_then(Node::as_i64)
            .filter(|t| *t > 10)
        {
            sink.warn(
                object,
                w.path("timeoutSeconds"),
                text!(
                    "webhook \"{name}\" may hold requests for {t} s",
                    "Webhook \"{name}\" 可能让请求等待 {t} 秒"
                ),
            );
        }
        let rules = w.node.get("rules").map_or(&[][..], Node::as_seq);
        let empty_field = |r: &Node| {
            ["operations", "apiGroups", "apiVersions", "resources"]
                .iter()
                .find(|f| r.get(f).is_some_and(|v| v.as_seq().is_empty()))
                .copied()
        };
        if rules.is_empty() {
            sink.warn(
                object,
                w.path("rules"),
                text!(
                    "webhook \"{name}\" has no rules: it is never called",
                    "Webhook \"{name}\" 没有规则：永远不会被调用"
                ),
            );
        }
        for (i, r) in rules.iter().enumerate() {
            if let Some(field) = empty_field(r) {
                sink.warn(
                    object,
                    w.path(&format!("rules[{i}].{field}")),
                    text!(
                        "webhook \"{name}\" rule {i} has an empty {field} list: it matches nothing",
                        "Webhook \"{name}\" 的第 {i} 条规则 {field} 为空：不匹配任何请求",
                    ),
                );
            }
        }
        if w.failure_policy() != "Fail" {
            continue;
        }
        let selector = w.node.get("namespaceSelector");
        let mut trapped: Vec<&str> = Vec::new();
        if !excludes(selector, "kube-system") {
            trapped.push("kube-system");
        }
        if let Some(own) = w.service_namespace().filter(|ns| *ns != "kube-system") {
            if !excludes(selector, own) {
                trapped.push(own);
            }
        }
        if !trapped.is_empty() {
            let list = trapped.join(", ");
            sink.warn(
                object,
                w.path("namespaceSelector"),
                text!(
                    "webhook \"{name}\" fails closed and intercepts {list}: if it is down, the cluster cannot heal itself",
                    "Webhook \"{name}\" 失败时拒绝且拦截 {list}：它不可用时集群无法自我恢复",
                ),
            );
        }
    }
}

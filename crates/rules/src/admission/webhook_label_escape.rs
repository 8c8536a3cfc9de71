use crate::analysis::webhooks::{webhooks, KINDS};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text};

/// The one namespace label nobody can set by hand: the API server maintains it.
const IMMUTABLE_NAMESPACE_LABEL: &str = "kubernetes.io/metadata.name";

declare_rule! {
    /// ## What it checks
    /// Selectors of security webhooks (see KC801 for how they are recognised) that let a
    /// workload escape review by labels:
    /// - an `objectSelector` with `NotIn` or `DoesNotExist`, or `matchLabels`: the object's
    ///   own author chooses its labels, so anyone who may create a pod may opt it out (or
    ///   simply not opt in): **fail**;
    /// - a `namespaceSelector` on any label other than `kubernetes.io/metadata.name` (which
    ///   the API server sets and nobody can change): **warn**, since whoever may label
    ///   namespaces may switch the webhook off for a namespace.
    ///
    /// ## Why
    /// Checklist item 8.3: a policy webhook is only as strong as its scope. When the labels
    /// that exempt a workload are in the hands of the workload's owner, the policy is advice.
    ///
    /// ## Fix
    /// Exclude namespaces by their immutable name only, and restrict who may edit namespace
    /// labels:
    /// ```yaml
    /// namespaceSelector:
    ///   matchExpressions:
    ///   - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-objectselector
    /// - https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/#why-good-webhook-design-matters
    pub static RULE = {
        code: "KC803",
        name: "webhook-label-escape",
        item: "8.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Workloads can escape a security webhook by labels", "工作负载可通过标签绕过安全类 Webhook"),
        fix: Text::fixed(
            "Drop objectSelector from security webhooks; select namespaces by kubernetes.io/metadata.name only.",
            "去掉安全类 Webhook 的 objectSelector；只按 kubernetes.io/metadata.name 选择名字空间。",
        ),
        check: Check::Object { kinds: KINDS, run: check },
        doc_zh: r#"
## 检查内容
安全类 Webhook（识别方式见 KC801）中允许工作负载借助标签逃避审查的选择算符：
- 使用 `NotIn` 或 `DoesNotExist` 的 `objectSelector`，或者使用 `matchLabels`：对象的标签由对象的作者自己决定，因此任何能创建 Pod 的人都可以让它退出审查（或干脆不加入审查）：**不通过**；
- `namespaceSelector` 依据 `kubernetes.io/metadata.name` 以外的任何标签（该标签由 API 服务器设置，任何人都无法修改）：**警告**，因为能给名字空间加标签的人就能对某个名字空间关闭该 Webhook。

## 原因
检查清单第 8.3 项：策略 Webhook 的强度取决于它的作用范围。当豁免某个工作负载的标签掌握在该工作负载的所有者手中时，策略就只是建议而已。

## 修复
只按不可变的名称排除名字空间，并限制谁可以修改名字空间的标签：
```yaml
namespaceSelector:
  matchExpressions:
  - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
```

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-objectselector
- https://kubernetes.io/zh-cn/docs/concepts/cluster-administration/admission-webhooks-good-practices/#why-good-webhook-design-matters
"#,
    }
}

/// Label keys a selector depends on.
fn selector_keys(selector: &Node) -> Vec<&str> {
    let mut keys: Vec<&str> = selector
        .get("matchLabels")
        .map_or(&[][..], Node::as_map)
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    keys.extend(
        selector
            .get("matchExpressions")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|e| e.str_at("key")),
    );
    keys
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    for w in webhooks(object) {
        if !w.enforces_security(&object.name) {
            continue;
        }
        let name = w.name;
        if let Some(sel) = w.node.get("objectSelector") {
            let keys = selector_keys(sel);
            if !keys.is_empty() {
                let list = keys.join(", ");
                sink.fail(
                    object,
                    w.path("objectSelector"),
                    text!(
                        "webhook \"{name}\" selects objects by their own labels ({list}): their authors decide whether it applies",
                        "Webhook \"{name}\" 按对象自身的标签（{list}）选择对象：是否适用由对象作者决定",
                    ),
                );
            }
        }
        if let Some(sel) = w.node.get("namespaceSelector") {
            let keys: Vec<&str> = selector_keys(sel)
                .into_iter()
                .filter(|k| *k != IMMUTABLE_NAMESPACE_LABEL)
                .collect();
            if !keys.is_empty() {
                let list = keys.join(", ");
                sink.warn(
                    object,
                    w.path("namespaceSelector"),
                    text!(
                        "webhook \"{name}\" selects namespaces by mutable labels ({list}): whoever may label a namespace may exempt it",
                        "Webhook \"{name}\" 按可修改的名字空间标签（{list}）进行选择：能修改名字空间标签的人即可将其豁免",
                    ),
                );
            }
        }
    }
}

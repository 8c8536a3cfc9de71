use crate::analysis::namespace_pss::{namespace_of, policy_for, ENFORCE};
use crate::{declare_rule, Check, Context, Gathered, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text, WORKLOAD_KINDS};
use kcheck_pss::Level;
use std::collections::HashMap;

declare_rule! {
    /// ## What it checks
    /// For every Namespace in the input that enforces less than `restricted` (and is not
    /// exempt), which of its workloads would be denied if it moved up to `restricted` at the
    /// same version, and by which checks. This is an informational finding: it never changes
    /// the item's status, it tells you what the next step costs. When every workload already
    /// meets `restricted`, it says so.
    ///
    /// ## Why
    /// Checklist item 3.2 asks for the *appropriate* standard; `restricted` is the hardened one,
    /// and the Pod Security Admission guidance is to raise namespaces step by step, using warn
    /// and audit modes first. Knowing exactly what would break makes the step safe.
    ///
    /// ## Fix
    /// Fix the listed workloads, then raise the label (try `warn` first):
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     pod-security.kubernetes.io/warn: restricted
    ///     pod-security.kubernetes.io/enforce: restricted
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/ns-level-pss/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
    pub static RULE = {
        code: "KC308",
        name: "pss-restricted-readiness",
        item: "3.2",
        severity: Severity::Info,
        evidence: Evidence::Objects,
        title: Text::fixed(
            "What would break if the namespace enforced restricted",
            "名字空间改为 restricted 时会被拒绝的工作负载",
        ),
        fix: Text::fixed(
            "Fix the listed workloads, then set pod-security.kubernetes.io/warn and enforce to restricted.",
            "修复所列工作负载，然后将 pod-security.kubernetes.io/warn 和 enforce 设为 restricted。",
        ),
        check: Check::Gather { kinds: WORKLOAD_KINDS, gather, report },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
对于输入中强制执行的级别低于 `restricted`（且不在豁免列表中）的每个 Namespace：如果它在同一版本下提升到 `restricted`，其中哪些工作负载会被拒绝，以及被哪些检查拒绝。这是一个提示性的问题：它从不改变检查项的状态，只告诉你下一步的代价。如果所有工作负载都已满足 `restricted`，它也会说明。

## 原因
检查清单第 3.2 项要求的是**合适的**标准；`restricted` 是加固程度最高的标准，而 Pod 安全准入的指导是逐步提升名字空间的级别，先使用 warn 和 audit 模式。确切知道哪些工作负载会被拒绝，才能安全地迈出这一步。

## 修复
修复所列的工作负载，然后提升标签的级别（先试用 `warn`）：
```yaml
metadata:
  labels:
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/enforce: restricted
```

## 参考
- https://kubernetes.io/zh-cn/docs/tutorials/security/ns-level-pss/
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
"#,
    }
}

/// Whether a namespace's workloads are judged: it is declared and neither enforces restricted
/// already nor is exempt.
fn judged(ctx: &Context, namespace: &str) -> bool {
    ctx.inventory.get("Namespace", None, namespace).is_some()
        && policy_for(ctx, namespace).level != Level::Restricted
        && !crate::analysis::namespace_pss::is_exempt(ctx, namespace)
}

/// One workload: its namespace, and what restricted would deny it for, if anything.
fn gather(object: &Object, ctx: &Context) -> Option<Gathered> {
    object.pod_spec()?;
    let namespace = namespace_of(object);
    if !judged(ctx, namespace) {
        return None;
    }
    let policy = policy_for(ctx, namespace);
    let eval = ctx.pss(object, Level::Restricted, policy.version)?;
    let value = (!eval.allowed()).then(|| {
        let mut checks: Vec<&str> = eval.violations.iter().map(|v| v.check).collect();
        checks.dedup();
        format!("{} {} ({})", object.kind, object.name, checks.join(", "))
    });
    Some(Gathered {
        key: namespace.to_string(),
        value,
        ..Gathered::default()
    })
}

fn report(gathered: &[Gathered], ctx: &Context, sink: &mut Sink) {
    let mut by_namespace: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
    for g in gathered {
        by_namespace
            .entry(g.key.as_str())
            .or_default()
            .push(g.value.as_deref());
    }
    for ns in ctx.inventory.of_kind("Namespace") {
        if !judged(ctx, &ns.name) {
            continue;
        }
        let policy = policy_for(ctx, &ns.name);
        sink.examined();
        let workloads = by_namespace
            .get(ns.name.as_str())
            .map_or(&[][..], Vec::as_slice);
        let total = workloads.len();
        let denied: Vec<&str> = workloads.iter().flatten().copied().collect();
        if total == 0 {
            continue;
        }
        let name = &ns.name;
        let version = policy.version;
        let path = if ns.label(ENFORCE).is_some() {
            FieldPath::root().key("metadata").key("labels").key(ENFORCE)
        } else {
            FieldPath::parse("metadata")
        };
        let message = if denied.is_empty() {
            text!(
                "namespace \"{name}\": all {total} workloads already meet restricted:{version}; it can enforce restricted",
                "名字空间 \"{name}\"：全部 {total} 个工作负载已符合 restricted:{version}，可以改为强制执行 restricted",
            )
        } else {
            let n = denied.len();
            let list = denied.join("; ");
            text!(
                "namespace \"{name}\": restricted:{version} would deny {n} of {total} workloads: {list}",
                "名字空间 \"{name}\"：改为 restricted:{version} 会拒绝 {total} 个工作负载中的 {n} 个：{list}",
            )
        };
        sink.inform(ns, path, message);
    }
}

use crate::analysis::webhooks::{webhooks, KINDS};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Validating and mutating webhooks with `failurePolicy: Ignore` whose name (or their
    /// configuration's) shows they enforce security policy: Kyverno, Gatekeeper/OPA,
    /// Kubewarden, sigstore/cosign image verification, pod security, and names with "policy",
    /// "security", "validat…" or "admission". Other webhooks that fail open get an
    /// informational finding.
    ///
    /// ## Why
    /// Checklist item 8.3: a security webhook that fails open is switched off by anything that
    /// makes it unreachable or slow: a crash, a network policy, an expired certificate, or an
    /// attacker flooding it. Everything it should have stopped is then admitted silently.
    ///
    /// ## Fix
    /// ```yaml
    /// webhooks:
    /// - name: validate.policy.example.com
    ///   failurePolicy: Fail
    ///   namespaceSelector:           # keep the cluster recoverable
    ///     matchExpressions:
    ///     - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
    /// ```
    /// and run the webhook with several replicas and a PodDisruptionBudget.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy
    /// - https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/
    pub static RULE = {
        code: "KC801",
        name: "webhook-fails-open",
        item: "8.3",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Security webhook fails open", "安全类 Webhook 在失败时放行"),
        fix: Text::fixed(
            "Set failurePolicy: Fail on webhooks that enforce security, exclude kube-system, and run them highly available.",
            "为执行安全策略的 Webhook 设置 failurePolicy: Fail，排除 kube-system，并以高可用方式运行。",
        ),
        severities: &[Severity::Info],
        check: Check::Object { kinds: KINDS, run: check },
        doc_zh: r#"
## 检查内容
设置了 `failurePolicy: Ignore`、且从其名称（或所属配置的名称）可以看出在执行安全策略的验证性和变更性 Webhook：Kyverno、Gatekeeper/OPA、Kubewarden、sigstore/cosign 镜像验证、Pod 安全，以及名称中含有 “policy”、“security”、“validat…” 或 “admission” 的 Webhook。其他在失败时放行的 Webhook 给出一个提示性的问题。

## 原因
检查清单第 8.3 项：失败时放行的安全类 Webhook，会被任何使其不可达或变慢的因素关掉：崩溃、网络策略、过期的证书，或者攻击者对它发起洪泛。此后，本应被它拦下的一切都会被悄无声息地准入。

## 修复
```yaml
webhooks:
- name: validate.policy.example.com
  failurePolicy: Fail
  namespaceSelector:           # 保证集群可以恢复
    matchExpressions:
    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
```
并以多个副本运行该 Webhook，同时为其配置 PodDisruptionBudget。

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy
- https://kubernetes.io/zh-cn/docs/concepts/cluster-administration/admission-webhooks-good-practices/
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    for w in webhooks(object) {
        if w.failure_policy() != "Ignore" {
            continue;
        }
        let name = w.name;
        let path = w.path("failurePolicy");
        if w.enforces_security(&object.name) {
            sink.fail(
                object,
                path,
                text!(
                    "webhook \"{name}\" enforces policy but fails open (failurePolicy: Ignore): when it is down, everything is admitted",
                    "Webhook \"{name}\" 执行策略却在失败时放行（failurePolicy: Ignore）：它不可用时一切请求都会被准入",
                ),
            );
        } else {
            sink.inform(
                object,
                path,
                text!(
                    "webhook \"{name}\" fails open (failurePolicy: Ignore)",
                    "Webhook \"{name}\" 在失败时放行（failurePolicy: Ignore）",
                ),
            )
            .severity = Severity::Info;
        }
    }
}

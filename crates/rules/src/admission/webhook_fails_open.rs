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
            "为执行安全策略的 Webhook 设置 failurePolicy: Fail,排除 kube-system,并以高可用方式运行。",
        ),
        severities: &[Severity::Info],
        check: Check::Object { kinds: KINDS, run: check },
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
                    "Webhook \"{name}\" 执行策略却在失败时放行(failurePolicy: Ignore):它不可用时一切请求都会被准入",
                ),
            );
        } else {
            sink.inform(
                object,
                path,
                text!(
                    "webhook \"{name}\" fails open (failurePolicy: Ignore)",
                    "Webhook \"{name}\" 在失败时放行(failurePolicy: Ignore)",
                ),
            )
            .severity = Severity::Info;
        }
    }
}

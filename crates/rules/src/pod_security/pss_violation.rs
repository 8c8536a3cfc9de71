use crate::analysis::namespace_pss::{namespace_of, policy_for, Origin};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Segment, Severity, Text, WORKLOAD_KINDS};
use kcheck_pss::{Level, INVALID};

declare_rule! {
    /// ## What it checks
    /// Every workload (Pods and the pod templates of every controller) against the Pod
    /// Security Standard its namespace enforces, exactly as Pod Security Admission would judge
    /// it (same checks, same version-dependent behaviour; see `kcheck pss`):
    /// - the level and `enforce-version` come from the Namespace object's labels in the input;
    /// - a namespace that enforces less than the configured default level (`baseline` unless
    ///   `podSecurity.defaultLevel` says otherwise), or is not in the input, is held to that
    ///   default, because a pod that breaks baseline breaks the checklist wherever it runs;
    /// - exempt namespaces (`kube-system` by default) are held to their own label only.
    ///
    /// Each violated check is a finding at the exact field, named by its Pod Security Admission
    /// check id. Baseline checks are high severity, restricted-only checks medium. Fields that
    /// KC301 (privileged), KC302 (host namespaces) and KC303 (hostPath) already report are not
    /// reported twice. A field of the wrong type (which the API server would refuse) is reported
    /// under the check id `invalid`.
    ///
    /// Unlike Pod Security Admission, which enforces only on Pods, kcheck judges the pod
    /// templates of controllers too, so a Deployment that could never create its pods is found
    /// before it is applied.
    ///
    /// ## Why
    /// Checklist item 3.2: the namespace's standard is only a promise until every workload in
    /// it meets it; a workload that does not will be rejected at its next rollout, or runs with
    /// more privilege than the namespace claims.
    ///
    /// ## Fix
    /// Change the workload to meet the standard (the message names the fields), for example
    /// for `restricted`:
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   allowPrivilegeEscalation: false
    ///   seccompProfile: {type: RuntimeDefault}
    ///   capabilities: {drop: ["ALL"]}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/
    pub static RULE = {
        code: "KC307",
        name: "pss-violation",
        item: "3.2",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed(
            "Workload violates its namespace's Pod Security Standard",
            "工作负载违反其名字空间的 Pod 安全标准",
        ),
        fix: Text::fixed(
            "Change the named fields so that the workload meets the namespace's Pod Security Standard.",
            "修改所指字段,使工作负载符合名字空间的 Pod 安全标准。",
        ),
        severities: &[Severity::Medium],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
    }
}

/// Checks whose fields have a rule of their own.
const REPORTED_ELSEWHERE: &[&str] = &["privileged", "hostNamespaces", "hostPathVolumes"];

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    if object.pod_spec().is_none() {
        return;
    }
    sink.examined();
    let ns = namespace_of(object);
    let policy = policy_for(ctx, ns);
    if policy.level == Level::Privileged {
        return;
    }
    let Some(eval) = ctx.pss(object, policy.level, policy.version) else {
        return;
    };
    let standard = format!("{}:{}", policy.level, policy.version);
    let why_en = match policy.origin {
        Origin::Label | Origin::InvalidLabel | Origin::Exempt => "",
        Origin::Default => " (the checklist's default level)",
    };
    let why_zh = match policy.origin {
        Origin::Label | Origin::InvalidLabel | Origin::Exempt => "",
        Origin::Default => "(检查清单的默认级别)",
    };
    for v in &eval.violations {
        if REPORTED_ELSEWHERE.contains(&v.check) {
            continue;
        }
        let severity = if v.check == INVALID {
            Severity::Medium
        } else {
            match kcheck_pss::check(v.check).map(|c| c.level) {
                Some(Level::Restricted) => Severity::Medium,
                _ => Severity::High,
            }
        };
        let (check, reason, detail) = (v.check, &v.reason, &v.detail);
        for field in &v.fields {
            let is_host_path = v.check == "restrictedVolumes"
                && field.0.last() == Some(&Segment::Key("hostPath".into()));
            if is_host_path {
                continue;
            }
            sink.fail(
                object,
                field.clone(),
                text!(
                    "{standard}{why_en} {check}: {reason} ({detail})",
                    "{standard}{why_zh} {check}:{reason}({detail})",
                ),
            )
            .severity = severity;
        }
    }
}

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
            "修改所指字段，使工作负载符合名字空间的 Pod 安全标准。",
        ),
        severities: &[Severity::Medium],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
按每个工作负载（Pod 以及各类控制器的 Pod 模板）所在名字空间强制执行的 Pod 安全标准逐一检查，判定方式与 Pod 安全准入完全相同（相同的检查项，相同的随版本而变的行为；参见 `kcheck pss`）：
- 级别和 `enforce-version` 取自输入中 Namespace 对象的标签；
- 名字空间强制执行的级别低于所配置的默认级别（默认为 `baseline`，可由 `podSecurity.defaultLevel` 另行指定），或者该名字空间不在输入中时，按默认级别检查，因为违反基线标准的 Pod 无论运行在哪里都违反检查清单；
- 豁免的名字空间（默认为 `kube-system`）只按其自身的标签检查。

每个未通过的检查项都在具体字段上报告为一个问题，并以 Pod 安全准入的检查项 ID 命名。基线（Baseline）检查项的严重程度为高，仅属于限制（Restricted）级别的检查项为中。已由 KC301（特权容器）、KC302（主机名字空间）和 KC303（hostPath）报告的字段不会重复报告。类型错误的字段（API 服务器会拒绝它）以检查项 ID `invalid` 报告。

Pod 安全准入只对 Pod 强制执行，而 kcheck 还会检查控制器的 Pod 模板，因此一个永远无法创建出 Pod 的 Deployment 在应用之前就会被发现。

## 原因
检查清单第 3.2 项：在名字空间中的每个工作负载都符合其标准之前，这个标准只是一句承诺；不符合标准的工作负载要么在下次滚动更新时被拒绝，要么以高于名字空间所声称的权限运行。

## 修复
修改工作负载，使其符合标准（问题消息会指出相关字段），例如对于 `restricted`：
```yaml
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  seccompProfile: {type: RuntimeDefault}
  capabilities: {drop: ["ALL"]}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-admission/
"#,
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
        Origin::Default => "（检查清单的默认级别）",
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

use crate::analysis::components::admission::{
    admission_config, effective_plugins, plugin_config, PluginConfig,
};
use crate::analysis::kyverno::Reach;
use crate::analysis::namespace_pss::{is_exempt, AUDIT, ENFORCE, WARN};
use crate::analysis::pod_security_engines::{enforcers, Enforcer, Engine};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, ComponentKind, Evidence, FieldPath, Object, Severity, Text};
use kcheck_pss::Level;

declare_rule! {
    /// ## What it checks
    /// For every namespace (except those exempt, `kube-system` by default), whether something
    /// refuses pods that break a Pod Security Standard:
    /// - Pod Security Admission: the namespace's `pod-security.kubernetes.io/enforce` label at
    ///   `baseline` or `restricted`, or, when a node scan in the same run shows kube-apiserver,
    ///   its cluster-wide `defaults.enforce`;
    /// - a policy engine: Kyverno rules with `validate.podSecurity` (or from Kyverno's Pod
    ///   Security policy set) in `Enforce` mode, Gatekeeper constraints from the `k8spsp*`
    ///   templates with `enforcementAction: deny`, ValidatingAdmissionPolicies about pod security
    ///   settings bound with `validationActions: [Deny]`, whose match reaches every pod of the
    ///   namespace.
    ///
    /// Each engine policy is reported: blocking ones as evidence (how many
    /// namespaces they reach), audit- or warn-only ones as **warnings**. A namespace that only
    /// audits or warns (labels, audit-mode policies, or blocking policies that reach some of its
    /// pods): **warn**. A namespace with nothing at all: **fail** when it is labelled
    /// `enforce: privileged` or the node scan shows the API server enforces no default (or runs
    /// without PodSecurity, which makes labels enforce nothing), **warn** otherwise (the
    /// defaults are only visible to a node scan, KC806).
    ///
    /// ## Why
    /// Checklist item 8.2: pod security policies are enforced by Pod Security Admission, or by
    /// an admission webhook. Reporting violations (audit, warn) records a privileged pod but
    /// lets it run.
    ///
    /// ## Fix
    /// Label each namespace to enforce a level, or put the engine's policy in enforce mode:
    /// ```yaml
    /// apiVersion: kyverno.io/v1
    /// kind: ClusterPolicy
    /// metadata: {name: pod-security-baseline}
    /// spec:
    ///   rules:
    ///   - name: baseline
    ///     match: {any: [{resources: {kinds: [Pod]}}]}
    ///     validate:
    ///       failureAction: Enforce
    ///       podSecurity: {level: baseline, version: latest}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/
    /// - https://kyverno.io/docs/policy-types/cluster-policy/validate/#pod-security
    /// - https://open-policy-agent.github.io/gatekeeper-library/website/pspintro
    /// - https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
    pub static RULE = {
        code: "KC808",
        name: "pod-security-not-enforced",
        item: "8.2",
        severity: Severity::High,
        evidence: Evidence::Cluster,
        title: Text::fixed(
            "Nothing refuses pods that break the Pod Security Standards",
            "没有机制拒绝违反 Pod 安全标准的 Pod",
        ),
        fix: Text::fixed(
            "Enforce a Pod Security Standard in every namespace: the pod-security.kubernetes.io/enforce label, or a policy engine in enforce mode.",
            "在每个名字空间强制执行 Pod 安全标准：设置 pod-security.kubernetes.io/enforce 标签，或以强制模式运行策略引擎。",
        ),
        reads: &[
            "Namespace",
            "ClusterPolicy",
            "Policy",
            "ConstraintTemplate",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ],
        check: Check::Inventory(check),
        doc_zh: r#"
## 检查内容
对每个名字空间（被豁免的除外，默认是 `kube-system`），检查是否有机制拒绝违反 Pod 安全标准的 Pod：
- Pod 安全准入：名字空间的 `pod-security.kubernetes.io/enforce` 标签为 `baseline` 或 `restricted`；或者，当同一次运行中的节点扫描能看到 kube-apiserver 时，其集群级 `defaults.enforce`；
- 策略引擎：`Enforce` 模式下带 `validate.podSecurity` 的 Kyverno 规则（或来自 Kyverno 的 Pod 安全策略集）；基于 `k8spsp*` 模板且 `enforcementAction: deny` 的 Gatekeeper 约束；以 `validationActions: [Deny]` 绑定、涉及 Pod 安全设置的 ValidatingAdmissionPolicy。这些策略的匹配范围须覆盖该名字空间中的所有 Pod。

每条引擎策略都会报告：起拦截作用的作为证据（注明覆盖多少个名字空间），只审计或只警告的给出**警告**。只审计或只警告的名字空间（通过标签、审计模式的策略，或只覆盖其中部分 Pod 的拦截策略）：**警告**。什么机制都没有的名字空间：若它带有 `enforce: privileged` 标签，或节点扫描显示 API 服务器未强制执行任何默认值（或运行时未启用 PodSecurity，此时标签不会强制执行任何东西），则**不通过**；否则**警告**（默认值只有节点扫描才能看到，见 KC806）。

## 原因
检查清单第 8.2 项：Pod 安全策略由 Pod 安全准入强制执行，或由准入 Webhook 强制执行。只报告违规（审计、警告）会记录下特权 Pod，但仍然让它运行。

## 修复
为每个名字空间加上标签以强制执行某个级别，或把引擎的策略设为强制模式：
```yaml
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: pod-security-baseline}
spec:
  rules:
  - name: baseline
    match: {any: [{resources: {kinds: [Pod]}}]}
    validate:
      failureAction: Enforce
      podSecurity: {level: baseline, version: latest}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-admission/
- https://kyverno.io/docs/policy-types/cluster-policy/validate/#pod-security
- https://open-policy-agent.github.io/gatekeeper-library/website/pspintro
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/validating-admission-policy/
"#,
    }
}

/// What a node scan in the same run says about Pod Security Admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Psa {
    /// No node scan with kube-apiserver: labels count, defaults are unknown.
    Unknown,
    /// The PodSecurity plugin is off: labels enforce nothing.
    Off,
    On {
        defaults_enforce: bool,
    },
}

fn psa(ctx: &Context) -> Psa {
    let Some(facts) = ctx.node else {
        return Psa::Unknown;
    };
    let Some(api) = facts.component(ComponentKind::ApiServer) else {
        return Psa::Unknown;
    };
    if !effective_plugins(api).has("PodSecurity") {
        return Psa::Off;
    }
    let config = plugin_config(facts, admission_config(facts, api), "PodSecurity");
    if matches!(config, PluginConfig::Unread { .. }) {
        return Psa::Unknown;
    }
    let level = config
        .node()
        .and_then(|root| root.get("defaults")?.str_at("enforce"));
    Psa::On {
        defaults_enforce: level
            .is_some_and(|l| !l.is_empty() && !l.eq_ignore_ascii_case("privileged")),
    }
}

/// Whether a namespace's enforce label refuses anything (an unparsable level enforces
/// `restricted`, as Pod Security Admission reads it).
fn label_enforces(ns: &Object) -> bool {
    ns.label(ENFORCE)
        .is_some_and(|l| !matches!(Level::parse(l), Ok(Level::Privileged)))
}

/// "Kyverno ClusterPolicy pod-security", "ValidatingAdmissionPolicyBinding no-privileged".
fn describe(e: &Enforcer) -> String {
    let o = e.object;
    let object = match &o.namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    };
    match e.engine {
        Engine::ValidatingAdmissionPolicy => object,
        engine => format!("{} {object}", engine.name()),
    }
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let all = enforcers(inventory);
    let mut namespaces: Vec<&Object> = inventory
        .of_kind("Namespace")
        .filter(|n| !is_exempt(ctx, &n.name))
        .collect();
    namespaces.sort_by(|a, b| a.name.cmp(&b.name));
    if namespaces.is_empty() && all.is_empty() {
        return;
    }
    let psa = psa(ctx);
    for e in &all {
        sink.examined();
        let who = describe(e);
        let (what_en, what_zh) = (&e.what.en, &e.what.zh);
        if !e.blocks {
            sink.warn(
                e.object,
                e.path.clone(),
                text!(
                    "{who} applies {what_en} but only audits or warns: violating pods still run",
                    "{who} 应用{what_zh}，但只审计或警告：违规的 Pod 仍可运行",
                ),
            );
            continue;
        }
        let total = namespaces.len();
        let reached = namespaces
            .iter()
            .filter(|n| {
                e.reach(inventory, &n.name) == Reach::Full && e.blocks_in(inventory, &n.name)
            })
            .count();
        sink.evidence(
            e.object,
            e.path.clone(),
            text!(
                "{who} enforces {what_en} for every pod in {reached} of {total} namespaces",
                "{who} 在 {total} 个名字空间中的 {reached} 个对所有 Pod 强制执行{what_zh}",
            ),
        );
    }
    for ns in namespaces {
        sink.examined();
        judge_namespace(ctx, ns, &all, psa, sink);
    }
}

fn judge_namespace(ctx: &Context, ns: &Object, all: &[Enforcer], psa: Psa, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let name = &ns.name;
    let labels_count = psa != Psa::Off;
    if labels_count && label_enforces(ns) {
        return;
    }
    let reach: Vec<(&Enforcer, Reach, bool)> = all
        .iter()
        .map(|e| (e, e.reach(inventory, name), e.blocks_in(inventory, name)))
        .filter(|(_, r, _)| *r != Reach::None)
        .collect();
    if reach.iter().any(|(_, r, b)| *r == Reach::Full && *b) {
        return;
    }
    // The defaults apply only to namespaces without an enforce label.
    let labelled = ns.label(ENFORCE).is_some();
    if !labelled
        && matches!(
            psa,
            Psa::On {
                defaults_enforce: true
            }
        )
    {
        return;
    }
    let mut partial: Vec<Text> = reach
        .iter()
        .map(|(e, r, b)| {
            let who = describe(e);
            match (r, b) {
                (Reach::Full, false) => text!("{who} only audits it", "{who} 仅审计此名字空间"),
                _ => text!(
                    "{who} reaches only some of its pods",
                    "{who} 只覆盖其中部分 Pod",
                ),
            }
        })
        .collect();
    if labels_count && (ns.label(WARN).is_some() || ns.label(AUDIT).is_some()) {
        partial.push(Text::fixed(
            "its pod-security labels only warn or audit",
            "其 pod-security 标签只警告或审计",
        ));
    }
    let path = FieldPath::parse("metadata");
    if !partial.is_empty() {
        let why_en: Vec<&str> = partial.iter().map(|t| t.en.as_ref()).collect();
        let why_zh: Vec<&str> = partial.iter().map(|t| t.zh.as_ref()).collect();
        let (why_en, why_zh) = (why_en.join("; "), why_zh.join(";"));
        sink.warn(
            ns,
            path,
            text!(
                "pod security is not enforced for every pod in namespace {name}: {why_en}",
                "名字空间 {name} 中并非所有 Pod 都受 Pod 安全强制约束：{why_zh}",
            ),
        );
        return;
    }
    if labelled && psa != Psa::Off {
        sink.fail(
            ns,
            path,
            text!(
                "nothing enforces pod security in namespace {name}: its enforce label is privileged and no policy engine reaches it",
                "名字空间 {name} 中没有强制执行 Pod 安全的机制：其 enforce 标签为 privileged，也没有策略引擎覆盖",
            ),
        );
        return;
    }
    let (label_en, label_zh) = ("no enforce label", "没有 enforce 标签");
    match psa {
        Psa::Unknown => {
            sink.warn(
                ns,
                path,
                text!(
                    "nothing enforces pod security in namespace {name}: {label_en} and no policy engine reaches it, unless the API server's PodSecurity defaults enforce a level (a node scan shows them, KC806)",
                    "名字空间 {name} 中没有强制执行 Pod 安全的机制：{label_zh}，也没有策略引擎覆盖，除非 API 服务器的 PodSecurity 默认值强制了某个级别（节点扫描可见，KC806）",
                ),
            );
        }
        Psa::Off => {
            sink.fail(
                ns,
                path,
                text!(
                    "nothing enforces pod security in namespace {name}: PodSecurity admission is off and no policy engine reaches it",
                    "名字空间 {name} 中没有强制执行 Pod 安全的机制：PodSecurity 准入已关闭，也没有策略引擎覆盖",
                ),
            );
        }
        Psa::On { .. } => {
            sink.fail(
                ns,
                path,
                text!(
                    "nothing enforces pod security in namespace {name}: {label_en}, the API server's PodSecurity defaults enforce nothing, and no policy engine reaches it",
                    "名字空间 {name} 中没有强制执行 Pod 安全的机制：{label_zh}，API 服务器的 PodSecurity 默认值不强制任何级别，也没有策略引擎覆盖",
                ),
            );
        }
    }
}

use crate::analysis::audit_policy::{first_body_rule_for, logs_nothing, rules};
use crate::analysis::components::apiserver::{
    apiserver_or_note, config_named, file_state, FileState,
};
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::ConfigRole;
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Whether kube-apiserver audits requests, and what its policy records:
    /// - no `--audit-policy-file` (auditing is off whatever else is set), or neither
    ///   `--audit-log-path` nor `--audit-webhook-config-file` (no backend): **fail**;
    /// - the policy file is missing: **fail**; it has no rules: **fail** (kube-apiserver refuses
    ///   it);
    /// - a rule that is the first to match requests on Secrets or ConfigMaps logs them at
    ///   `Request` or `RequestResponse` level: **warn**, the log then holds secret values;
    /// - every request's first matching rule is `None`, so nothing is recorded: **warn**;
    /// - `--audit-log-path=-` (events to standard output): **info**, their protection is then
    ///   the container runtime's log handling.
    ///
    /// A node without kube-apiserver (a worker) is reported as not examined.
    ///
    /// ## Why
    /// Checklist item 4.1: audit logs are the record of who did what in the cluster. Without a
    /// policy there is no record at all; with bodies of Secrets in it, the log becomes a copy of
    /// every secret that anyone able to read it can take.
    ///
    /// ## Fix
    /// In the kube-apiserver static pod, `--audit-policy-file=/etc/kubernetes/audit/policy.yaml`
    /// and `--audit-log-path=/var/log/kubernetes/audit/audit.log` (mount both), with a policy that
    /// keeps Secrets and ConfigMaps at `Metadata` before any verbose rule:
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// omitStages: [RequestReceived]
    /// rules:
    /// - level: Metadata
    ///   resources:
    ///   - {group: "", resources: [secrets, configmaps]}
    ///   - {group: authentication.k8s.io, resources: [tokenreviews]}
    /// - level: None
    ///   nonResourceURLs: [/healthz*, /readyz*, /livez*, /version]
    /// - level: Request
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#logs-and-auditing
    pub static RULE = {
        code: "KC401",
        name: "audit-policy",
        item: "4.1",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "API server auditing is off, or its policy records nothing or secret values",
            "API 服务器未启用审计，或其策略什么都不记录或会记录机密值",
        ),
        fix: Text::fixed(
            "Set --audit-policy-file and --audit-log-path on kube-apiserver; log Secrets and ConfigMaps at Metadata level only.",
            "为 kube-apiserver 设置 --audit-policy-file 与 --audit-log-path;Secret 和 ConfigMap 只以 Metadata 级别记录。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 是否审计请求，以及其审计策略记录了什么：
- 没有 `--audit-policy-file`（无论其他参数如何设置，审计都处于关闭状态），或者 `--audit-log-path` 和 `--audit-webhook-config-file` 都没有设置（没有后端）：**不通过**；
- 策略文件不存在：**不通过**；策略中没有规则：**不通过**（kube-apiserver 会拒绝该策略）；
- 对 Secret 或 ConfigMap 的请求最先匹配到的规则以 `Request` 或 `RequestResponse` 级别记录：**警告**，此时日志中会包含机密值；
- 每个请求最先匹配到的规则都是 `None`，什么都不记录：**警告**；
- `--audit-log-path=-`（事件输出到标准输出）：**提示**，此时日志的保护取决于容器运行时对日志的处理。

没有 kube-apiserver 的节点（工作节点）报告为未检查。

## 原因
检查清单第 4.1 项：审计日志记录了谁在集群中做了什么。没有审计策略就根本没有记录；而如果日志中含有 Secret 的内容，它就成了所有机密的副本，任何能读取日志的人都可以拿走。

## 修复
在 kube-apiserver 静态 Pod 中设置 `--audit-policy-file=/etc/kubernetes/audit/policy.yaml` 和 `--audit-log-path=/var/log/kubernetes/audit/audit.log`（两者都要挂载），并使用一个在任何详细规则之前就把 Secret 和 ConfigMap 保持在 `Metadata` 级别的策略：
```yaml
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources:
  - {group: "", resources: [secrets, configmaps]}
  - {group: authentication.k8s.io, resources: [tokenreviews]}
- level: None
  nonResourceURLs: [/healthz*, /readyz*, /livez*, /version]
- level: Request
```

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-cluster/audit/
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#logs-and-auditing
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    let flags = &api.flags;
    let policy_path = flags.value("audit-policy-file");
    let log_path = flags.value("audit-log-path");
    let webhook = flags.value("audit-webhook-config-file");
    sink.examined();
    let Some(policy_path) = policy_path else {
        sink.fail_on_node(
            NodePlace::flag(api, "audit-policy-file"),
            Text::fixed(
                "kube-apiserver has no --audit-policy-file: no request is audited",
                "kube-apiserver 未设置 --audit-policy-file：不会审计任何请求",
            ),
        );
        return;
    };
    match (log_path, webhook) {
        (None, None) => {
            sink.fail_on_node(
                NodePlace::flag(api, "audit-log-path"),
                Text::fixed(
                    "kube-apiserver has an audit policy but neither --audit-log-path nor --audit-webhook-config-file: audit events go nowhere",
                    "kube-apiserver 有审计策略，但既未设置 --audit-log-path 也未设置 --audit-webhook-config-file：审计事件无处写入",
                ),
            );
        }
        (Some("-"), _) => {
            sink.inform_on_node(
                NodePlace::flag(api, "audit-log-path"),
                Text::fixed(
                    "audit events go to kube-apiserver's standard output (--audit-log-path=-): their protection is that of the container logs",
                    "审计事件写入 kube-apiserver 的标准输出（--audit-log-path=-）：其保护程度取决于容器日志的处理方式",
                ),
            );
        }
        _ => {}
    }
    let Some(doc) = config_named(facts, ConfigRole::AuditPolicy, policy_path) else {
        match file_state(facts, policy_path) {
            FileState::Missing => {
                sink.fail_on_node(
                    NodePlace::flag(api, "audit-policy-file"),
                    text!(
                        "the audit policy file {policy_path} does not exist",
                        "审计策略文件 {policy_path} 不存在",
                    ),
                );
            }
            FileState::Present { .. } => {
                sink.not_examined_on_node(
                    NodePlace::file(policy_path),
                    text!(
                        "the audit policy {policy_path} could not be parsed; its rules were not checked",
                        "无法解析审计策略 {policy_path}；未检查其规则",
                    ),
                );
            }
            FileState::Unknown(why) => {
                let (why_en, why_zh) = (&why.en, &why.zh);
                sink.not_examined_on_node(
                    NodePlace::file(policy_path),
                    text!(
                        "the audit policy {policy_path} could not be read ({why_en}); its rules were not checked",
                        "无法读取审计策略 {policy_path}（{why_zh}）；未检查其规则",
                    ),
                );
            }
        }
        return;
    };
    let root = &doc.object.root;
    if rules(root).next().is_none() {
        sink.fail_on_node(
            NodePlace::config(doc, "rules"),
            Text::fixed(
                "the audit policy has no rules: kube-apiserver refuses to start with it",
                "审计策略没有任何规则：kube-apiserver 无法使用它启动",
            ),
        );
        return;
    }
    for (resource, kind_en, kind_zh) in [
        ("secrets", "Secrets", "Secret"),
        ("configmaps", "ConfigMaps", "ConfigMap"),
    ] {
        if let Some(rule) = first_body_rule_for(root, resource) {
            let (i, level) = (rule.index, rule.level());
            sink.warn_on_node(
                NodePlace::config(doc, &format!("rules[{i}].level")),
                text!(
                    "the audit rule rules[{i}] records {kind_en} at level {level}: their values are copied into the audit log",
                    "审计规则 rules[{i}] 以 {level} 级别记录 {kind_zh}：其内容会被复制到审计日志中",
                ),
            );
        }
    }
    if logs_nothing(root) {
        sink.warn_on_node(
            NodePlace::config(doc, "rules"),
            Text::fixed(
                "every request's first matching audit rule has level None: nothing is recorded",
                "每个请求首先匹配的审计规则级别都是 None：什么都不会被记录",
            ),
        );
    }
}

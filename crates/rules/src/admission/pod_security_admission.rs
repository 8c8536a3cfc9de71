use crate::analysis::components::admission::{
    admission_config, admission_config_unread, effective_plugins, plugin_config, PluginConfig,
};
use crate::analysis::components::apiserver::apiserver_or_note;
use crate::analysis::webhooks::KINDS as WEBHOOK_KINDS;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::Component;
use kcheck_model::{text, Evidence, Node, NodeFacts, Severity, Text};

/// Words in a webhook configuration's name that mark a policy engine able to enforce pod
/// security in place of Pod Security Admission.
const POLICY_ENGINES: &[&str] = &["kyverno", "gatekeeper", "kubewarden", "jspolicy"];

declare_rule! {
    /// ## What it checks
    /// Pod Security Admission as kube-apiserver runs it:
    /// - the `PodSecurity` plugin off (disabled by flag, or the `PodSecurity` feature gate off
    ///   on v1.23/v1.24): **info** naming the policy engine when the run's objects show one
    ///   (Kyverno, Gatekeeper, Kubewarden, jsPolicy webhooks); otherwise **info** that a node
    ///   cannot tell whether something else enforces pod security, and the item is not
    ///   evaluated;
    /// - its cluster-wide defaults (the `PodSecurity` entry of `--admission-control-config-file`):
    ///   no configuration, or `defaults.enforce` unset or `privileged`: **warn**, namespaces
    ///   without labels are not protected; `defaults.audit` or `defaults.warn` unset or
    ///   `privileged`: **info**;
    /// - exemptions: each exempted user and runtime class **info**; each exempted namespace
    ///   **warn**, except `kube-system` (**info**).
    ///
    /// Namespace labels themselves are item 3.2's matter.
    ///
    /// ## Why
    /// Checklist item 8.2: pod security must be enforced by Pod Security Admission or an
    /// admission webhook. The admission defaults decide what happens in every namespace that
    /// nobody labelled, and every exemption is a door around the standard.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: AdmissionConfiguration
    /// plugins:
    /// - name: PodSecurity
    ///   configuration:
    ///     apiVersion: pod-security.admission.config.k8s.io/v1
    ///     kind: PodSecurityConfiguration
    ///     defaults: {enforce: baseline, enforce-version: latest, audit: restricted, warn: restricted}
    ///     exemptions: {usernames: [], runtimeClasses: [], namespaces: [kube-system]}
    /// ```
    /// passed with `--admission-control-config-file`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-admission-controller/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions
    pub static RULE = {
        code: "KC806",
        name: "pod-security-admission",
        item: "8.2",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Pod Security Admission is off, enforces nothing by default, or exempts namespaces",
            "Pod 安全准入未启用、默认不强制执行，或豁免了名字空间",
        ),
        fix: Text::fixed(
            "Keep PodSecurity on and give it cluster-wide defaults (enforce baseline or restricted) with as few exemptions as possible.",
            "保持 PodSecurity 开启，并为其配置集群级默认值（enforce 为 baseline 或 restricted），尽量减少豁免。",
        ),
        check: Check::Node(check),
        reads: &["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
        doc_zh: r#"
## 检查内容
kube-apiserver 运行的 Pod 安全准入：
- `PodSecurity` 插件未启用（被参数禁用，或在 v1.23/v1.24 上关闭了 `PodSecurity` 特性门控）：若本次运行的对象中能看到策略引擎（Kyverno、Gatekeeper、Kubewarden、jsPolicy 的 Webhook），给出**提示**并指明该引擎；否则给出**提示**，说明仅凭节点无法判断是否有其他机制强制执行 Pod 安全，该项不予评估；
- 集群级默认值（`--admission-control-config-file` 中的 `PodSecurity` 条目）：没有配置，或 `defaults.enforce` 未设置或为 `privileged`：**警告**，没有标签的名字空间不受保护；`defaults.audit` 或 `defaults.warn` 未设置或为 `privileged`：**提示**；
- 豁免：每个被豁免的用户和运行时类（RuntimeClass）给出**提示**；每个被豁免的名字空间给出**警告**，`kube-system` 除外（**提示**）。

名字空间本身的标签属于检查清单第 3.2 项的范围。

## 原因
检查清单第 8.2 项：Pod 安全必须由 Pod 安全准入或准入 Webhook 强制执行。准入默认值决定了所有未加标签的名字空间中会发生什么，而每一项豁免都是绕过 Pod 安全标准的一扇门。

## 修复
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: baseline, enforce-version: latest, audit: restricted, warn: restricted}
    exemptions: {usernames: [], runtimeClasses: [], namespaces: [kube-system]}
```
通过 `--admission-control-config-file` 传给 kube-apiserver。

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/enforce-standards-admission-controller/
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-admission/#exemptions
"#,
    }
}

fn check(facts: &NodeFacts, ctx: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    if let Some(flag) = pod_security_off_by(api) {
        plugin_off(api, flag, ctx, sink);
        return;
    }
    if let Some(path) = admission_config_unread(facts, api) {
        sink.not_examined_on_node(
            NodePlace::flag(api, "admission-control-config-file"),
            text!(
                "the AdmissionConfiguration {path} could not be read; Pod Security Admission's defaults and exemptions were not checked",
                "无法读取 AdmissionConfiguration {path}；未检查 Pod 安全准入的默认值与豁免",
            ),
        );
        return;
    }
    sink.examined();
    let admission = admission_config(facts, api);
    let config = plugin_config(facts, admission, "PodSecurity");
    let Some(root) = config.node() else {
        if let PluginConfig::Unread { path, .. } = &config {
            sink.not_examined_on_node(
                config.place(""),
                text!(
                    "the PodSecurity configuration {path} could not be read; its defaults and exemptions were not checked",
                    "无法读取 PodSecurity 配置 {path}；未检查其默认值与豁免",
                ),
            );
            return;
        }
        sink.warn_on_node(
            NodePlace::flag(api, "admission-control-config-file"),
            Text::fixed(
                "Pod Security Admission has no cluster-wide defaults: namespaces without pod-security labels run at privileged",
                "Pod 安全准入没有集群级默认值：未设置 pod-security 标签的名字空间按 privileged 运行",
            ),
        );
        return;
    };
    judge_defaults(&config, root, sink);
    judge_exemptions(&config, root, sink);
}

/// The flag that keeps the plugin from running, if any: it is not in the effective set, or on
/// v1.23/v1.24 its feature gate is off.
fn pod_security_off_by(api: &Component) -> Option<&'static str> {
    let eff = effective_plugins(api);
    if !eff.has("PodSecurity") {
        return Some(eff.flag_for("PodSecurity"));
    }
    let gate_off = api
        .flags
        .list("feature-gates")
        .iter()
        .any(|g| g.replace(' ', "").eq_ignore_ascii_case("PodSecurity=false"));
    (gate_off && api.minor().is_some_and(|m| m < 25)).then_some("feature-gates")
}

fn plugin_off(api: &Component, flag: &str, ctx: &Context, sink: &mut Sink) {
    let engine = WEBHOOK_KINDS
        .iter()
        .flat_map(|k| ctx.inventory.of_kind(k))
        .find_map(|o| {
            let name = o.name.to_ascii_lowercase();
            POLICY_ENGINES
                .iter()
                .find(|e| name.contains(*e))
                .map(|e| (*e, o))
        });
    let place = NodePlace::flag(api, flag);
    match engine {
        Some((engine, object)) => {
            sink.examined();
            let (kind, name) = (&object.kind, &object.name);
            sink.inform_on_node(
                place,
                text!(
                    "PodSecurity admission is off; {kind} {name} suggests {engine} enforces pod security instead: make sure its policies cover every namespace",
                    "PodSecurity 准入未启用；{kind} {name} 表明由 {engine} 代为强制执行 Pod 安全：请确认其策略覆盖所有名字空间",
                ),
            );
        }
        None => {
            sink.inform_on_node(
                place,
                Text::fixed(
                    "PodSecurity admission is off; whether a policy engine enforces pod security instead cannot be seen from the node: scan the cluster (kcheck cluster) to tell",
                    "PodSecurity 准入未启用；从节点无法判断是否有策略引擎代为强制执行 Pod 安全：请扫描集群（kcheck cluster）以确认",
                ),
            );
        }
    }
}

fn level<'a>(root: &'a Node, mode: &str) -> Option<&'a str> {
    root.get("defaults")?.str_at(mode).filter(|l| !l.is_empty())
}

fn judge_defaults(config: &PluginConfig, root: &Node, sink: &mut Sink) {
    match level(root, "enforce") {
        Some(l) if !l.eq_ignore_ascii_case("privileged") => {}
        found => {
            let what = found.unwrap_or("unset");
            sink.warn_on_node(
                config.place("defaults.enforce"),
                text!(
                    "the cluster-wide enforce level is {what}: namespaces without pod-security labels are not protected",
                    "集群级 enforce 级别为 {what}：未设置 pod-security 标签的名字空间不受保护",
                ),
            );
        }
    }
    for mode in ["audit", "warn"] {
        match level(root, mode) {
            Some(l) if !l.eq_ignore_ascii_case("privileged") => {}
            found => {
                let what = found.unwrap_or("unset");
                sink.inform_on_node(
                    config.place(&format!("defaults.{mode}")),
                    text!(
                        "the cluster-wide {mode} level is {what}: violations in unlabelled namespaces are not reported",
                        "集群级 {mode} 级别为 {what}：未设置标签的名字空间中的违规不会被报告",
                    ),
                );
            }
        }
    }
}

fn judge_exemptions(config: &PluginConfig, root: &Node, sink: &mut Sink) {
    let Some(exemptions) = root.get("exemptions") else {
        return;
    };
    let list = |key: &str| -> Vec<(usize, String)> {
        exemptions
            .get(key)
            .map_or(&[][..], Node::as_seq)
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_str().map(|s| (i, s.to_string())))
            .collect()
    };
    for (i, user) in list("usernames") {
        sink.inform_on_node(
            config.place(&format!("exemptions.usernames[{i}]")),
            text!(
                "requests by user {user} are exempt from Pod Security Admission",
                "用户 {user} 的请求免于 Pod 安全准入检查",
            ),
        );
    }
    for (i, class) in list("runtimeClasses") {
        sink.inform_on_node(
            config.place(&format!("exemptions.runtimeClasses[{i}]")),
            text!(
                "pods with runtime class {class} are exempt from Pod Security Admission",
                "使用运行时类 {class} 的 Pod 免于 Pod 安全准入检查",
            ),
        );
    }
    for (i, ns) in list("namespaces") {
        let place = config.place(&format!("exemptions.namespaces[{i}]"));
        if ns == "kube-system" {
            sink.inform_on_node(
                place,
                Text::fixed(
                    "namespace kube-system is exempt from Pod Security Admission",
                    "名字空间 kube-system 免于 Pod 安全准入检查",
                ),
            );
        } else {
            sink.warn_on_node(
                place,
                text!(
                    "namespace {ns} is exempt from Pod Security Admission: any pod may run there",
                    "名字空间 {ns} 免于 Pod 安全准入检查：任何 Pod 都可以在其中运行",
                ),
            );
        }
    }
}

use crate::analysis::components::admission::{basis_note, effective_plugins, EffectivePlugins};
use crate::analysis::components::apiserver::apiserver_or_note;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::Component;
use kcheck_model::{text, Evidence, Level, NodeFacts, Severity, Text};

/// Plugins that must stay on, with how much their absence weighs and why it matters.
const KEEP_ON: &[(&str, Level, &str, &str)] = &[
    (
        "NodeRestriction",
        Level::Fail,
        "kubelets can modify any Node and Pod, and set node-restriction labels that steer workloads onto a node they control",
        "kubelet 可以修改任意 Node 和 Pod，并设置 node-restriction 标签把工作负载引到其控制的节点上",
    ),
    (
        "CertificateApproval",
        Level::Fail,
        "approving a CertificateSigningRequest no longer needs the approve permission on its signer",
        "批准 CertificateSigningRequest 不再需要对其签名者的 approve 权限",
    ),
    (
        "CertificateSigning",
        Level::Fail,
        "signing a CertificateSigningRequest no longer needs the sign permission on its signer",
        "签发 CertificateSigningRequest 不再需要对其签名者的 sign 权限",
    ),
    (
        "CertificateSubjectRestriction",
        Level::Fail,
        "certificate requests for the group system:masters are no longer refused",
        "不再拒绝申请 system:masters 组的证书请求",
    ),
    (
        "PodSecurity",
        Level::Warn,
        "Pod Security Standards are not enforced by the API server (see KC806, item 8.2)",
        "API 服务器不再强制执行 Pod 安全标准（见 KC806，第 8.2 项）",
    ),
    (
        "LimitRanger",
        Level::Warn,
        "LimitRange defaults and bounds are not applied",
        "不再应用 LimitRange 的默认值与上下限",
    ),
    (
        "ResourceQuota",
        Level::Warn,
        "ResourceQuota is not enforced",
        "不再强制执行 ResourceQuota",
    ),
    (
        "MutatingAdmissionWebhook",
        Level::Warn,
        "mutating webhooks, policy engines among them, are silently skipped",
        "变更型 Webhook（包括策略引擎）会被静默跳过",
    ),
    (
        "ValidatingAdmissionWebhook",
        Level::Warn,
        "validating webhooks, policy engines among them, are silently skipped",
        "验证型 Webhook（包括策略引擎）会被静默跳过",
    ),
    (
        "DenyServiceExternalIPs",
        Level::Warn,
        "new Services may set externalIPs, the man-in-the-middle path of CVE-2020-8554",
        "新建 Service 可以设置 externalIPs，即 CVE-2020-8554 的中间人攻击途径",
    ),
];

/// Plugins worth considering in some clusters.
const CONSIDER: &[(&str, &str, &str)] = &[
    (
        "AlwaysPullImages",
        "consider it on multi-tenant nodes: it makes every pod prove it may pull its image",
        "多租户节点可考虑启用：它要求每个 Pod 都证明自己有权拉取其镜像",
    ),
    (
        "ImagePolicyWebhook",
        "consider it to have an external service approve images",
        "可考虑启用，由外部服务审批镜像",
    ),
];

declare_rule! {
    /// ## What it checks
    /// kube-apiserver's effective admission plugins: the defaults of its minor version (see
    /// the table in `crates/rules/src/analysis/components/admission.rs`, v1.23 to v1.37), plus
    /// `--enable-admission-plugins`, minus `--disable-admission-plugins` (or exactly the
    /// deprecated `--admission-control` list), judged against the checklist's three groups:
    /// - `AlwaysAdmit` on: **fail**;
    /// - off: `NodeRestriction`, `CertificateApproval`, `CertificateSigning`,
    ///   `CertificateSubjectRestriction`: **fail**; `PodSecurity`, `LimitRanger`,
    ///   `ResourceQuota`, `MutatingAdmissionWebhook`, `ValidatingAdmissionWebhook`,
    ///   `DenyServiceExternalIPs`: **warn**;
    /// - a plugin both enabled and disabled (kube-apiserver refuses to start): **warn**;
    /// - `AlwaysPullImages` and `ImagePolicyWebhook` off, `--admission-control` in use, or a
    ///   version outside the known range: **info**.
    ///
    /// ## Why
    /// Checklist item 8.1: the first group (on by default) holds the checks that keep
    /// certificate signing, quotas, limits, pod security and webhooks working; turning one off
    /// silently removes a control. Of the second group, `NodeRestriction` confines each kubelet
    /// to its own Node and Pods, and `DenyServiceExternalIPs` closes CVE-2020-8554. The third
    /// group depends on the cluster.
    ///
    /// ## Fix
    /// ```yaml
    /// - --enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs
    /// ```
    /// and remove default-on plugins from `--disable-admission-plugins`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#admission-controllers
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/
    /// - https://github.com/kubernetes/kubernetes/blob/master/pkg/kubeapiserver/options/plugins.go
    pub static RULE = {
        code: "KC805",
        name: "admission-plugins",
        item: "8.1",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "A recommended admission plugin is off, or AlwaysAdmit is on",
            "推荐的准入插件未启用，或启用了 AlwaysAdmit",
        ),
        fix: Text::fixed(
            "Enable NodeRestriction and DenyServiceExternalIPs, keep the default plugins on, and never enable AlwaysAdmit.",
            "启用 NodeRestriction 与 DenyServiceExternalIPs，保持默认插件开启，且不要启用 AlwaysAdmit。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 实际生效的准入插件：其次版本的默认插件（见 `crates/rules/src/analysis/components/admission.rs` 中的表格，覆盖 v1.23 至 v1.37），加上 `--enable-admission-plugins`，减去 `--disable-admission-plugins`（若使用已弃用的 `--admission-control`，则恰好是该列表），并按检查清单中的三组插件评判：
- 启用了 `AlwaysAdmit`：**不通过**；
- 未启用 `NodeRestriction`、`CertificateApproval`、`CertificateSigning`、`CertificateSubjectRestriction`：**不通过**；未启用 `PodSecurity`、`LimitRanger`、`ResourceQuota`、`MutatingAdmissionWebhook`、`ValidatingAdmissionWebhook`、`DenyServiceExternalIPs`：**警告**；
- 某个插件同时被启用和禁用（kube-apiserver 会拒绝启动）：**警告**；
- 未启用 `AlwaysPullImages` 和 `ImagePolicyWebhook`、使用了 `--admission-control`，或版本不在已知范围内：**提示**。

## 原因
检查清单第 8.1 项：第一组插件（默认启用）负责让证书签名、资源配额、资源限制、Pod 安全和 Webhook 正常工作，关闭其中任何一个都会悄无声息地去掉一项控制。第二组中，`NodeRestriction` 把每个 kubelet 限制在它自己的 Node 和 Pod 上，`DenyServiceExternalIPs` 则封堵了 CVE-2020-8554。第三组是否启用取决于集群的具体情况。

## 修复
```yaml
- --enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs
```
并从 `--disable-admission-plugins` 中移除默认启用的插件。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#admission-controllers
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/admission-controllers/
- https://github.com/kubernetes/kubernetes/blob/master/pkg/kubeapiserver/options/plugins.go
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    sink.examined();
    let eff = effective_plugins(api);
    note_basis(api, &eff, sink);
    for plugin in &eff.conflicting {
        sink.warn_on_node(
            NodePlace::flag(api, "disable-admission-plugins"),
            text!(
                "{plugin} is both enabled and disabled: kube-apiserver refuses to start with this",
                "{plugin} 同时被启用和禁用：kube-apiserver 无法以此启动",
            ),
        );
    }
    if eff.has("AlwaysAdmit") {
        sink.fail_on_node(
            NodePlace::flag(api, eff.flag_for("AlwaysAdmit")),
            Text::fixed(
                "AlwaysAdmit is enabled: a deprecated plugin that admits everything and signals a chain nobody curated",
                "启用了 AlwaysAdmit：这是一个已弃用、放行一切请求的插件，表明准入链未经审视",
            ),
        );
    }
    for &(plugin, level, en, zh) in KEEP_ON {
        if eff.has(plugin) {
            continue;
        }
        let place = NodePlace::flag(api, eff.flag_for(plugin));
        let message = text!(
            "admission plugin {plugin} is off: {en}",
            "准入插件 {plugin} 未启用：{zh}",
        );
        match level {
            Level::Fail => sink.fail_on_node(place, message),
            _ => sink.warn_on_node(place, message),
        };
    }
    for &(plugin, en, zh) in CONSIDER {
        if !eff.has(plugin) {
            sink.inform_on_node(
                NodePlace::flag(api, "enable-admission-plugins"),
                text!(
                    "admission plugin {plugin} is off; {en}",
                    "准入插件 {plugin} 未启用；{zh}",
                ),
            );
        }
    }
}

fn note_basis(api: &Component, eff: &EffectivePlugins, sink: &mut Sink) {
    if eff.legacy_flag {
        sink.inform_on_node(
            NodePlace::flag(api, "admission-control"),
            Text::fixed(
                "--admission-control is deprecated and replaces the default plugins; use --enable-admission-plugins and --disable-admission-plugins",
                "--admission-control 已弃用，且会取代默认插件；请改用 --enable-admission-plugins 与 --disable-admission-plugins",
            ),
        );
    } else if let Some((en, zh)) = basis_note(eff.basis) {
        sink.inform_on_node(
            NodePlace::flag(api, "enable-admission-plugins"),
            Text::new(en, zh),
        );
    }
}

use crate::analysis::components::admission::{
    admission_config, admission_config_unread, effective_plugins, plugin_config, PluginConfig,
};
use crate::analysis::components::apiserver::apiserver_or_note;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

/// The two plugins, what each enforces, and the namespace annotations it reads.
const PLUGINS: &[(&str, &str, &str, &str)] = &[
    (
        "PodNodeSelector",
        "namespaces cannot pin their pods to a set of nodes (annotation scheduler.alpha.kubernetes.io/node-selector)",
        "名字空间无法把其 Pod 限定在一组节点上（注解 scheduler.alpha.kubernetes.io/node-selector）",
        "scheduler.alpha.kubernetes.io/node-selector",
    ),
    (
        "PodTolerationRestriction",
        "namespaces cannot limit which taints their pods tolerate (annotations scheduler.alpha.kubernetes.io/defaultTolerations and tolerationsWhitelist)",
        "名字空间无法限制其 Pod 可容忍的污点（注解 scheduler.alpha.kubernetes.io/defaultTolerations 与 tolerationsWhitelist）",
        "scheduler.alpha.kubernetes.io/defaultTolerations",
    ),
];

declare_rule! {
    /// ## What it checks
    /// Whether kube-apiserver can enforce placement by sensitivity: the admission plugins
    /// `PodNodeSelector` and `PodTolerationRestriction` in its effective set (version defaults
    /// plus `--enable-admission-plugins` minus `--disable-admission-plugins`; both are off by
    /// default). Each one off: **warn**. Each one on without a configuration in the
    /// AdmissionConfiguration: **info**, it then acts only through namespace annotations, with
    /// no cluster-wide default.
    ///
    /// ## Why
    /// Checklist item 5.1: pods of different sensitivity should run on different nodes, and the
    /// separation must be enforced, not left to each manifest. With these plugins the cluster
    /// administrator sets, per namespace, the nodes its pods land on and the taints they may
    /// tolerate; without them any pod can choose its node.
    ///
    /// ## Fix
    /// ```yaml
    /// - --enable-admission-plugins=NodeRestriction,PodNodeSelector,PodTolerationRestriction
    /// ```
    /// then annotate namespaces:
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     scheduler.alpha.kubernetes.io/node-selector: pool=payments
    ///     scheduler.alpha.kubernetes.io/tolerationsWhitelist: '[{"key":"pool","operator":"Equal","value":"payments"}]'
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#podnodeselector
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#podtolerationrestriction
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#pod-placement
    pub static RULE = {
        code: "KC504",
        name: "placement-admission-plugins",
        item: "5.1",
        severity: Severity::Medium,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Placement by sensitivity cannot be enforced: PodNodeSelector or PodTolerationRestriction is off",
            "无法强制按敏感级别布局：未启用 PodNodeSelector 或 PodTolerationRestriction",
        ),
        fix: Text::fixed(
            "Enable PodNodeSelector and PodTolerationRestriction on kube-apiserver and annotate namespaces with their nodes and tolerations.",
            "在 kube-apiserver 上启用 PodNodeSelector 与 PodTolerationRestriction，并为名字空间标注其节点与容忍度。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 能否强制按敏感级别布局 Pod：检查其实际生效的准入插件集合（版本默认值，加上 `--enable-admission-plugins`，减去 `--disable-admission-plugins`；这两个插件默认都未启用）中是否有 `PodNodeSelector` 和 `PodTolerationRestriction`。每有一个未启用：**警告**（warn）。每有一个已启用、但在 AdmissionConfiguration 中没有配置：**提示**（info），此时它只通过名字空间注解起作用，没有集群范围的默认值。

## 原因
检查清单第 5.1 项：处于不同敏感级别的 Pod 应该部署到不同的节点上，并且这种隔离必须强制执行，而不是交由每份清单自行决定。启用这两个插件后，集群管理员可以按名字空间设定其 Pod 所落的节点，以及可以容忍的污点；没有它们，任何 Pod 都可以自行选择节点。

## 修复
```yaml
- --enable-admission-plugins=NodeRestriction,PodNodeSelector,PodTolerationRestriction
```
然后为名字空间添加注解：
```yaml
metadata:
  annotations:
    scheduler.alpha.kubernetes.io/node-selector: pool=payments
    scheduler.alpha.kubernetes.io/tolerationsWhitelist: '[{"key":"pool","operator":"Equal","value":"payments"}]'
```

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/admission-controllers/#podnodeselector
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/admission-controllers/#podtolerationrestriction
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#pod-placement
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    sink.examined();
    let eff = effective_plugins(api);
    let admission = admission_config(facts, api);
    for &(plugin, en, zh, annotation) in PLUGINS {
        if !eff.has(plugin) {
            sink.warn_on_node(
                NodePlace::flag(api, eff.flag_for(plugin)),
                text!(
                    "admission plugin {plugin} is off: {en}",
                    "准入插件 {plugin} 未启用：{zh}",
                ),
            );
            continue;
        }
        if let Some(path) = admission_config_unread(facts, api) {
            sink.not_examined_on_node(
                NodePlace::flag(api, "admission-control-config-file"),
                text!(
                    "the AdmissionConfiguration {path} could not be read; the configuration of {plugin} was not checked",
                    "无法读取 AdmissionConfiguration {path}；未检查 {plugin} 的配置",
                ),
            );
        } else if matches!(
            plugin_config(facts, admission, plugin),
            PluginConfig::Absent
        ) {
            sink.inform_on_node(
                NodePlace::flag(api, "admission-control-config-file"),
                text!(
                    "{plugin} has no configuration in the AdmissionConfiguration: no cluster-wide default, only namespace annotations ({annotation}) apply",
                    "{plugin} 在 AdmissionConfiguration 中没有配置：没有集群级默认值，只有名字空间注解（{annotation}）生效",
                ),
            );
        }
    }
}

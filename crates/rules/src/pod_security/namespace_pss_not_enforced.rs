use crate::analysis::namespace_pss::{is_exempt, AUDIT, ENFORCE, ENFORCE_VERSION, WARN};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Object, Severity, Text};
use kcheck_pss::{Level, Version};

declare_rule! {
    /// ## What it checks
    /// Every Namespace for its Pod Security Admission labels:
    /// - no `pod-security.kubernetes.io/enforce` label: **fail** (the cluster default applies,
    ///   which is `privileged` unless the API server's admission configuration says otherwise);
    /// - `enforce: privileged` on a namespace that is not exempt (default exemption list:
    ///   `kube-system`; set `podSecurity.exemptNamespaces` in `--config`): **fail**;
    /// - an enforce level or version that Pod Security Admission cannot parse: **warn** (it then
    ///   enforces `restricted` at `latest`, which is safe but surely not what was meant);
    /// - `enforce-version` pinned to a version older than the cluster's (`--kube-version` or
    ///   `kubeVersion` in `--config`): **warn**, since the namespace misses newer checks;
    /// - no `enforce-version`: **info**, the namespace follows the cluster's version on upgrade.
    ///
    /// The `warn` and `audit` labels are shown in the findings.
    ///
    /// ## Why
    /// Checklist item 3.2 asks that an appropriate Pod Security Standard is enforced on every
    /// namespace. Without the enforce label nothing stops a privileged pod, a hostPath mount or
    /// the host network in that namespace.
    ///
    /// ## Fix
    /// Label every namespace, `restricted` where the workloads allow it (`kcheck pss --level
    /// restricted` shows what would break), `baseline` at the least, pinned to the cluster's
    /// version:
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: v1.33
    ///     pod-security.kubernetes.io/warn: restricted
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/
    pub static RULE = {
        code: "KC306",
        name: "namespace-pss-not-enforced",
        item: "3.2",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed(
            "Namespace does not enforce a Pod Security Standard",
            "名字空间未强制执行 Pod 安全标准",
        ),
        fix: Text::fixed(
            "Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline) and pin enforce-version to the cluster's version.",
            "为名字空间添加标签 pod-security.kubernetes.io/enforce=restricted（或 baseline），并将 enforce-version 固定为集群版本。",
        ),
        severities: &[Severity::Medium, Severity::Low, Severity::Info],
        check: Check::Object { kinds: &["Namespace"], run: check },
        doc_zh: r#"
## 检查内容
每个 Namespace 的 Pod 安全准入标签：
- 没有 `pod-security.kubernetes.io/enforce` 标签：**不通过**（此时适用集群的默认设置，除非 API 服务器的准入配置另有规定，否则为 `privileged`）；
- 不在豁免列表中的名字空间设置了 `enforce: privileged`（默认豁免列表为 `kube-system`；可在 `--config` 中通过 `podSecurity.exemptNamespaces` 设置）：**不通过**；
- Pod 安全准入无法解析的 enforce 级别或版本：**警告**（此时它会以 `latest` 版本强制执行 `restricted`，这是安全的，但肯定不是本意）；
- `enforce-version` 固定为比集群版本（`--kube-version`，或 `--config` 中的 `kubeVersion`）更旧的版本：**警告**，因为该名字空间会缺少较新的检查；
- 没有 `enforce-version`：**提示**，该名字空间会在升级时跟随集群版本。

`warn` 和 `audit` 标签会显示在问题中。

## 原因
检查清单第 3.2 项要求在每个名字空间上强制执行合适的 Pod 安全标准。没有 enforce 标签时，该名字空间中的特权 Pod、hostPath 挂载或主机网络都不会受到任何阻拦。

## 修复
为每个名字空间添加标签：工作负载允许时使用 `restricted`（`kcheck pss --level restricted` 可以显示哪些工作负载会被拒绝），至少使用 `baseline`，并将版本固定为集群的版本：
```yaml
metadata:
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.33
    pod-security.kubernetes.io/warn: restricted
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-admission/
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/
"#,
    }
}

fn label_path(key: &str) -> FieldPath {
    FieldPath::root().key("metadata").key("labels").key(key)
}

fn check(ns: &Object, ctx: &Context, sink: &mut Sink) {
    sink.examined();
    let name = &ns.name;
    let others = match (ns.label(WARN), ns.label(AUDIT)) {
        (None, None) => String::new(),
        (w, a) => format!(" (warn={}, audit={})", w.unwrap_or("-"), a.unwrap_or("-")),
    };
    let exempt = is_exempt(ctx, name);
    let Some(enforce) = ns.label(ENFORCE) else {
        if !exempt {
            sink.fail(
                ns,
                FieldPath::parse("metadata"),
                text!(
                    "namespace \"{name}\" has no pod-security.kubernetes.io/enforce label: nothing stops privileged pods{others}",
                    "名字空间 \"{name}\" 没有 pod-security.kubernetes.io/enforce 标签：无法阻止特权 Pod{others}",
                ),
            );
        }
        return;
    };
    match Level::parse(enforce) {
        Err(_) => {
            sink.warn(
                ns,
                label_path(ENFORCE),
                text!(
                    "namespace \"{name}\" has an invalid enforce level \"{enforce}\"; Pod Security Admission enforces restricted instead",
                    "名字空间 \"{name}\" 的 enforce 级别 \"{enforce}\" 无效；Pod 安全准入将改为强制执行 restricted",
                ),
            )
            .severity = Severity::Medium;
        }
        Ok(Level::Privileged) if !exempt => {
            sink.fail(
                ns,
                label_path(ENFORCE),
                text!(
                    "namespace \"{name}\" enforces privileged, which allows everything{others}",
                    "名字空间 \"{name}\" 强制执行 privileged 级别，等于不作任何限制{others}",
                ),
            );
        }
        Ok(_) => {}
    }
    match ns.label(ENFORCE_VERSION).map(|v| (v, Version::parse(v))) {
        None => {
            sink.inform(
                ns,
                label_path(ENFORCE),
                text!(
                    "namespace \"{name}\" does not pin enforce-version: its checks change when the cluster is upgraded",
                    "名字空间 \"{name}\" 未固定 enforce-version：集群升级时检查项会随之变化",
                ),
            )
            .severity = Severity::Info;
        }
        Some((v, Err(_))) => {
            sink.warn(
                ns,
                label_path(ENFORCE_VERSION),
                text!(
                    "namespace \"{name}\" has an invalid enforce-version \"{v}\"; it is read as latest",
                    "名字空间 \"{name}\" 的 enforce-version \"{v}\" 无效；将按 latest 处理",
                ),
            )
            .severity = Severity::Low;
        }
        Some((v, Ok(Version::Minor(pinned)))) => {
            if let Some(cluster) = ctx.config.kube_version.filter(|c| pinned < *c) {
                sink.warn(
                    ns,
                    label_path(ENFORCE_VERSION),
                    text!(
                        "namespace \"{name}\" pins enforce-version {v}, older than the cluster's v1.{cluster}: newer checks do not apply",
                        "名字空间 \"{name}\" 将 enforce-version 固定为 {v}，低于集群版本 v1.{cluster}：新增检查不会生效",
                    ),
                )
                .severity = Severity::Low;
            }
        }
        Some((_, Ok(Version::Latest))) => {}
    }
}

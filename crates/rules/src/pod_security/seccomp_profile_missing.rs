use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};
use kcheck_pss::Level;

declare_rule! {
    /// ## What it checks
    /// Every container of every workload for a seccomp profile of type `RuntimeDefault` or
    /// `Localhost`, set on the container or inherited from the pod's `securityContext`; an
    /// explicit `Unconfined` fails too. This is Pod Security Admission's
    /// `seccompProfile_restricted` check at the cluster's version, reused as it is (same
    /// fields, same Windows exemption), but applied to **every** workload whatever its
    /// namespace enforces: the checklist asks for seccomp everywhere the nodes support it,
    /// while the Baseline standard only forbids `Unconfined`.
    ///
    /// The old annotations (`seccomp.security.alpha.kubernetes.io/pod`,
    /// `container.seccomp.security.alpha.kubernetes.io/<name>`) do not count: the kubelet
    /// stopped reading them in Kubernetes 1.27, and the finding says so when they are present.
    ///
    /// ## Why
    /// Checklist item 3.5: seccomp filters the system calls a container may make, closing off
    /// most of the kernel's attack surface; `RuntimeDefault` blocks the calls container escapes
    /// rely on and breaks almost nothing. (The kubelet's `seccompDefault` setting, a node
    /// fact, makes it the default; a node scan checks it.)
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub static RULE = {
        code: "KC310",
        name: "seccomp-profile-missing",
        item: "3.5",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container runs without a seccomp profile", "容器未启用 Seccomp 配置文件"),
        fix: Text::fixed(
            "Set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or the container.",
            "在 Pod 或容器上设置 securityContext.seccompProfile.type: RuntimeDefault（或 Localhost）。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
每个工作负载的每个容器是否使用类型为 `RuntimeDefault` 或 `Localhost` 的 Seccomp 配置文件，可以设置在容器上，也可以从 Pod 的 `securityContext` 继承；显式设置为 `Unconfined` 同样不通过。这就是 Pod 安全准入在集群所用版本下的 `seccompProfile_restricted` 检查，原样复用（相同的字段，相同的 Windows 豁免），但适用于**所有**工作负载，而不论其名字空间强制执行什么标准：检查清单要求在所有支持 Seccomp 的节点上都启用它，而基线标准只禁止 `Unconfined`。

旧式注解（`seccomp.security.alpha.kubernetes.io/pod`、`container.seccomp.security.alpha.kubernetes.io/<name>`）不算数：kubelet 自 Kubernetes 1.27 起不再读取它们；存在这些注解时，问题消息会说明这一点。

## 原因
检查清单第 3.5 项：Seccomp 过滤容器可以发起的系统调用，封堵了内核的大部分攻击面；`RuntimeDefault` 能拦截容器逃逸所依赖的调用，而几乎不会影响正常运行。（kubelet 的 `seccompDefault` 设置可以让它成为默认配置，这属于节点层面的事实，由节点扫描检查。）

## 修复
```yaml
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
```

## 参考
- https://kubernetes.io/zh-cn/docs/tutorials/security/seccomp/
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/#restricted
"#,
    }
}

const LEGACY: &str = "seccomp.security.alpha.kubernetes.io/";

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    let Some(eval) = ctx.pss(object, Level::Restricted, ctx.config.latest()) else {
        return;
    };
    let Some(v) = eval.violation("seccompProfile_restricted") else {
        return;
    };
    let legacy = pod
        .metadata
        .and_then(|m| m.get("annotations"))
        .is_some_and(|a| a.as_map().iter().any(|e| e.key.contains(LEGACY)));
    let (note_en, note_zh) = if legacy {
        (
            "; the legacy seccomp annotation has had no effect since Kubernetes 1.27",
            "；旧的 seccomp 注解自 Kubernetes 1.27 起已不再生效",
        )
    } else {
        ("", "")
    };
    let detail = &v.detail;
    for field in &v.fields {
        sink.fail(
            object,
            field.clone(),
            text!("{detail}{note_en}", "{detail}{note_zh}"),
        );
    }
    // Pod Security Admission names only the explicitly wrong containers when there are any;
    // the checklist wants every unconfined container, so the silent ones are added.
    let explicit = v
        .fields
        .iter()
        .any(|f| f.to_string().ends_with("seccompProfile.type"));
    let pod_good = pod
        .get("securityContext")
        .and_then(|s| s.path(&["seccompProfile", "type"]))
        .and_then(Node::as_str)
        .is_some_and(|t| matches!(t, "RuntimeDefault" | "Localhost"));
    if !explicit || pod_good {
        return;
    }
    for c in pod.containers() {
        if c.get("securityContext")
            .and_then(|s| s.get("seccompProfile"))
            .is_some()
        {
            continue;
        }
        let (en, zh) = (c.label_en(), c.label_zh());
        sink.fail(
            object,
            c.path("securityContext.seccompProfile"),
            text!(
                "{en} sets no seccomp profile and the pod sets none to inherit",
                "{zh} 未设置 seccomp 配置文件，Pod 上也没有可继承的配置",
            ),
        );
    }
}

use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Every container (init, regular, ephemeral) for the user it runs as, from its own
    /// `securityContext` or the pod's:
    /// - `runAsUser: 0`: **fail**, it runs as root;
    /// - neither `runAsNonRoot: true` nor a non-zero `runAsUser`: **fail**, it runs as whatever
    ///   user the image names, which is root for most images.
    ///
    /// This differs on purpose from Pod Security Admission's `runAsNonRoot` check, which
    /// demands `runAsNonRoot: true` even from a container that sets `runAsUser: 1000`: such a
    /// container cannot run as root, which is all the checklist asks. (Explicit `runAsUser: 0`
    /// is the same as PSA's `runAsUser` check.) Windows pods are not checked, nor pods with
    /// `hostUsers: false`: in a user namespace, root in the container is an unprivileged user on
    /// the node (Pod Security Admission relaxes the same checks for them from v1.35).
    ///
    /// ## Why
    /// Checklist item 7.2: a process that is root inside the container is one kernel bug or one
    /// misconfigured mount away from being root on the node.
    ///
    /// ## Fix
    /// Build the image with a `USER` instruction, and state it in the pod:
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub static RULE = {
        code: "KC702",
        name: "runs-as-root",
        item: "7.2",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container may run as root", "容器可能以 root 身份运行"),
        fix: Text::fixed(
            "Set runAsNonRoot: true and a non-zero runAsUser, and build the image with a USER instruction.",
            "设置 runAsNonRoot: true 和非零的 runAsUser，并在镜像中使用 USER 指令。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个容器（Init 容器、普通容器、临时容器）运行时使用的用户，取自容器自己的 `securityContext` 或 Pod 的 `securityContext`：
- `runAsUser: 0`：**不通过**，容器以 root 身份运行；
- 既没有 `runAsNonRoot: true`，也没有非零的 `runAsUser`：**不通过**，容器以镜像指定的用户运行，而大多数镜像指定的就是 root。

这一点与 Pod 安全准入的 `runAsNonRoot` 检查有意不同：后者即使容器设置了 `runAsUser: 1000`，也要求 `runAsNonRoot: true`；而这样的容器不可能以 root 身份运行，检查清单要求的也只是这一点。（显式设置 `runAsUser: 0` 的判定与 Pod 安全准入的 `runAsUser` 检查相同。）不检查 Windows Pod，也不检查设置了 `hostUsers: false` 的 Pod：在用户名字空间中，容器内的 root 在节点上只是一个无特权的用户（从 v1.35 起，Pod 安全准入对这类 Pod 也放宽了同样的检查）。

## 原因
检查清单第 7.2 项：在容器内以 root 身份运行的进程，只差一个内核漏洞或一个配置错误的挂载，就能成为节点上的 root。

## 修复
构建镜像时使用 `USER` 指令，并在 Pod 中明确声明：
```yaml
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
```

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/security-context/
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/#restricted
"#,
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if pod.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows") {
        return;
    }
    sink.examined();
    if pod.get("hostUsers").and_then(Node::as_bool) == Some(false) {
        return;
    }
    let pod_sc = pod.get("securityContext");
    let pod_user = pod_sc
        .and_then(|s| s.get("runAsUser"))
        .and_then(Node::as_i64);
    let pod_non_root = pod_sc
        .and_then(|s| s.get("runAsNonRoot"))
        .and_then(Node::as_bool);
    for c in pod.containers() {
        let sc = c.get("securityContext");
        let own_user = sc.and_then(|s| s.get("runAsUser")).and_then(Node::as_i64);
        let user = own_user.or(pod_user);
        let non_root = sc
            .and_then(|s| s.get("runAsNonRoot"))
            .and_then(Node::as_bool)
            .or(pod_non_root);
        let (en, zh) = (c.label_en(), c.label_zh());
        match user {
            Some(0) => {
                let path = if own_user.is_some() {
                    c.path("securityContext.runAsUser")
                } else {
                    pod.path("securityContext.runAsUser")
                };
                sink.fail(
                    object,
                    path,
                    text!(
                        "{en} runs as root (runAsUser: 0)",
                        "{zh} 以 root 身份运行（runAsUser: 0）"
                    ),
                );
            }
            Some(_) => {}
            None if non_root == Some(true) => {}
            None => {
                sink.fail(
                    object,
                    c.path("securityContext.runAsNonRoot"),
                    text!(
                        "{en} sets neither runAsNonRoot: true nor a non-zero runAsUser, so it runs as the image's user (often root)",
                        "{zh} 既未设置 runAsNonRoot: true，也未设置非零的 runAsUser，将以镜像指定的用户（通常是 root）运行",
                    ),
                );
            }
        }
    }
}

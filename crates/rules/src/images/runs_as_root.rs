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
            "设置 runAsNonRoot: true 和非零的 runAsUser,并在镜像中使用 USER 指令。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
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
                        "{zh} 以 root 身份运行(runAsUser: 0)"
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
                        "{zh} 既未设置 runAsNonRoot: true,也未设置非零的 runAsUser,将以镜像指定的用户(通常是 root)运行",
                    ),
                );
            }
        }
    }
}

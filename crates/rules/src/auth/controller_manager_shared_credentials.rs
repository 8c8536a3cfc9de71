use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// kube-controller-manager (static pod manifest or running process) without
    /// `--use-service-account-credentials=true`. The flag defaults to `false`.
    ///
    /// When the node scan looked for kube-controller-manager and did not find it, the rule says
    /// so and the item is not evaluated.
    ///
    /// ## Why
    /// Checklist item 1.2: without the flag every controller loop acts with the
    /// controller-manager's own identity, which must then hold the union of all their
    /// permissions. With it, each controller gets its own service account in `kube-system`
    /// (`system:serviceaccount:kube-system:deployment-controller`, ...) bound to a role that
    /// holds only what that controller needs, and the audit log tells them apart.
    ///
    /// ## Fix
    /// Add the flag to the static pod manifest (`/etc/kubernetes/manifests/kube-controller-manager.yaml`);
    /// kubeadm sets it by default:
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - command:
    ///     - kube-controller-manager
    ///     - --use-service-account-credentials=true
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles
    /// - https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/
    pub static RULE = {
        code: "KC108",
        name: "controller-manager-shared-credentials",
        item: "1.2",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "kube-controller-manager does not use per-controller service account credentials",
            "kube-controller-manager 未为各控制器使用独立的服务账号凭据",
        ),
        fix: Text::fixed(
            "Start kube-controller-manager with --use-service-account-credentials=true.",
            "为 kube-controller-manager 设置 --use-service-account-credentials=true。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
未设置 `--use-service-account-credentials=true` 的 kube-controller-manager（静态 Pod 清单或正在运行的进程）。该参数默认为 `false`。

如果节点扫描查找过 kube-controller-manager 但没有找到，规则会说明这一点，本项未评估。

## 原因
检查清单第 1.2 项：不设置该参数时，每个控制器循环都以 controller-manager 自身的身份执行操作，因此该身份必须持有所有控制器权限的并集。设置该参数后，每个控制器在 `kube-system` 中拥有各自的服务账号（`system:serviceaccount:kube-system:deployment-controller` 等），绑定到只包含该控制器所需权限的角色，审计日志也能把它们区分开来。

## 修复
在静态 Pod 清单（`/etc/kubernetes/manifests/kube-controller-manager.yaml`）中添加该参数；kubeadm 默认会设置它：
```yaml
spec:
  containers:
  - command:
    - kube-controller-manager
    - --use-service-account-credentials=true
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/rbac/#controller-roles
- https://kubernetes.io/zh-cn/docs/reference/command-line-tools-reference/kube-controller-manager/
"#,
    }
}

const FLAG: &str = "use-service-account-credentials";

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(cm) = evidence::component(facts, ComponentKind::ControllerManager, sink) else {
        return;
    };
    sink.examined();
    if cm.flags.get_bool(FLAG, false) {
        return;
    }
    let origin = cm.origin.to_string();
    let message = match cm.flags.get(FLAG) {
        Some(value) => text!(
            "kube-controller-manager ({origin}) sets --{FLAG}={value}: every controller acts with the controller-manager's own identity",
            "kube-controller-manager（{origin}）设置了 --{FLAG}={value}：所有控制器都以 controller-manager 自身的身份运行",
        ),
        None => text!(
            "kube-controller-manager ({origin}) runs without --{FLAG} (default false): every controller acts with the controller-manager's own identity",
            "kube-controller-manager（{origin}）未设置 --{FLAG}（默认 false）：所有控制器都以 controller-manager 自身的身份运行",
        ),
    };
    sink.fail_on_node(NodePlace::flag(cm, FLAG), message);
}

use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Whether the node runs a Linux security module that can confine containers:
    /// - AppArmor enabled (`/sys/module/apparmor/parameters/enabled` is `Y`, or `apparmor` in
    ///   `/sys/kernel/security/lsm`), or SELinux enforcing: pass;
    /// - SELinux permissive (it logs but does not block), or active with a mode that could not
    ///   be read, and no AppArmor: warning;
    /// - neither: failure.
    ///
    /// When the scan could not read the LSM state at all, the rule says so and the item is not
    /// evaluated from the node side.
    ///
    /// ## Why
    /// Checklist item 3.6: AppArmor profiles and SELinux labels only confine a container when
    /// the node's kernel enforces them. Without an enforcing LSM, `appArmorProfile` and
    /// `seLinuxOptions` in pod specs do nothing (or the pod fails to start), and a compromised
    /// container loses one layer between it and the host.
    ///
    /// ## Fix
    /// Use a node image with AppArmor (Ubuntu, Debian, SUSE) or SELinux enforcing (RHEL,
    /// Fedora, Flatcar with SELinux), and a container runtime built with it:
    /// ```sh
    /// # SELinux
    /// setenforce 1 && sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config
    /// # AppArmor: boot with apparmor=1 security=apparmor, then
    /// systemctl enable --now apparmor
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
    pub static RULE = {
        code: "KC314",
        name: "node-lsm-disabled",
        item: "3.6",
        severity: Severity::High,
        evidence: Evidence::Node,
        title: Text::fixed(
            "Neither AppArmor nor SELinux enforces on the node",
            "节点未启用 AppArmor,SELinux 也未处于强制模式",
        ),
        fix: Text::fixed(
            "Enable AppArmor or put SELinux in enforcing mode on the node, with a container runtime that supports it.",
            "在节点上启用 AppArmor 或将 SELinux 置于强制模式，并使用支持它的容器运行时。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
节点是否运行了能够约束容器的 Linux 安全模块（LSM）：
- 启用了 AppArmor（`/sys/module/apparmor/parameters/enabled` 为 `Y`，或 `/sys/kernel/security/lsm` 中包含 `apparmor`），或 SELinux 处于强制（enforcing）模式：通过；
- SELinux 处于宽容（permissive）模式（只记录、不阻止），或 SELinux 已启用但无法读取其模式，且没有 AppArmor：警告；
- 二者都没有：不通过。

如果扫描完全无法读取 LSM 状态，本规则会说明这一情况，该检查项不从节点侧评估。

## 原因
检查清单第 3.6 项：只有节点的内核强制执行 AppArmor 配置文件和 SELinux 标签时，它们才能约束容器。没有处于强制状态的 LSM 时，Pod 规约中的 `appArmorProfile` 和 `seLinuxOptions` 不起任何作用（或者 Pod 无法启动），被攻破的容器与主机之间也就少了一层防护。

## 修复
使用启用了 AppArmor 的节点镜像（Ubuntu、Debian、SUSE），或 SELinux 处于强制模式的节点镜像（RHEL、Fedora、启用了 SELinux 的 Flatcar），并使用支持它的容器运行时：
```sh
# SELinux
setenforce 1 && sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config
# AppArmor：以 apparmor=1 security=apparmor 参数启动内核，然后执行
systemctl enable --now apparmor
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#pod-security
- https://kubernetes.io/zh-cn/docs/tutorials/security/apparmor/
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
"#,
    }
}

const LSM_LIST: &str = "/sys/kernel/security/lsm";
const SELINUX_ENFORCE: &str = "/sys/fs/selinux/enforce";

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let lsm = &facts.lsm;
    let active = |name: &str| lsm.active.iter().any(|a| a.eq_ignore_ascii_case(name));
    if lsm.apparmor.is_none() && lsm.selinux.is_none() && lsm.active.is_empty() {
        match facts.missing("lsm") {
            Some(m) => evidence::note_missing(m, sink),
            None => {
                sink.not_examined_on_node(
                    NodePlace::file(LSM_LIST),
                    text!(
                        "the scan holds no Linux security module state",
                        "扫描结果中没有 Linux 安全模块的状态",
                    ),
                );
            }
        }
        return;
    }
    sink.examined();
    let apparmor = lsm.apparmor.unwrap_or_else(|| active("apparmor"));
    let selinux = lsm.selinux.as_deref().map(str::to_ascii_lowercase);
    if apparmor || selinux.as_deref() == Some("enforcing") {
        return;
    }
    match selinux.as_deref() {
        Some("permissive") => {
            sink.warn_on_node(
                NodePlace::file(SELINUX_ENFORCE),
                text!(
                    "SELinux is permissive on this node and AppArmor is not enabled: policy violations are logged, not blocked",
                    "此节点的 SELinux 处于宽容模式且未启用 AppArmor：违反策略的行为只会被记录，不会被阻止",
                ),
            );
        }
        Some("unknown") => {
            sink.warn_on_node(
                NodePlace::file(SELINUX_ENFORCE),
                text!(
                    "SELinux is present on this node but its mode could not be read, and AppArmor is not enabled",
                    "此节点存在 SELinux 但无法读取其模式，且未启用 AppArmor",
                ),
            );
        }
        None if active("selinux") => {
            sink.warn_on_node(
                NodePlace::file(LSM_LIST),
                text!(
                    "SELinux is active on this node but its mode could not be read, and AppArmor is not enabled",
                    "此节点的 SELinux 已加载但无法读取其模式，且未启用 AppArmor",
                ),
            );
        }
        _ => {
            let (state, state_zh) = match selinux {
                Some(mode) => (mode.clone(), mode),
                None => ("absent".to_string(), "不存在".to_string()),
            };
            sink.fail_on_node(
                NodePlace::file(LSM_LIST),
                Text::new(
                    format!("no Linux security module confines containers on this node (AppArmor not enabled, SELinux {state})"),
                    format!("此节点没有可约束容器的 Linux 安全模块（未启用 AppArmor,SELinux 状态：{state_zh}）"),
                ),
            );
        }
    }
}

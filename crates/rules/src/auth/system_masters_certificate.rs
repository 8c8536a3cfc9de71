use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{Certificate, ComponentKind};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};
use std::collections::HashSet;

declare_rule! {
    /// ## What it checks
    /// Client certificates on a node whose subject carries `O=system:masters`:
    /// - every user of every kubeconfig the node scan found (`/etc/kubernetes/*.conf`, the
    ///   kubelet's, each component's `--kubeconfig`), with embedded or referenced certificates;
    /// - the client certificates kube-apiserver presents to others: `--kubelet-client-certificate`,
    ///   `--proxy-client-cert-file`, `--etcd-certfile`;
    /// - any other certificate file found on the node (PKI directory, files flags name).
    ///
    /// The break-glass kubeconfigs `/etc/kubernetes/admin.conf` and
    /// `/etc/kubernetes/super-admin.conf` are reported for information only. A certificate that
    /// no kubeconfig or flag uses is a warning: it is a ready-made superuser credential lying on
    /// the node.
    ///
    /// ## Why
    /// Checklist item 1.1: after bootstrap, neither users nor components should authenticate as
    /// `system:masters`. Members of that group pass every authorization check (RBAC, webhooks),
    /// and a certificate cannot be revoked: it stays a superuser credential until it expires.
    /// A component running with such a certificate turns any compromise of that component into
    /// full control of the cluster.
    ///
    /// ## Fix
    /// Issue the component or person a certificate without `O=system:masters` and bind its own
    /// group to the role it needs. kubeadm 1.29 and later give `admin.conf` the group
    /// `kubeadm:cluster-admins` (bound to `cluster-admin`) and keep `system:masters` for
    /// `super-admin.conf`; `kubeadm certs renew` on such a version re-issues older files:
    /// ```sh
    /// kubeadm certs renew admin.conf
    /// kubeadm certs renew apiserver-kubelet-client
    /// # keep the break-glass file off the node
    /// mv /etc/kubernetes/super-admin.conf /secure/offline/location/
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubeadm-certs/
    pub static RULE = {
        code: "KC107",
        name: "system-masters-certificate",
        item: "1.1",
        severity: Severity::Critical,
        evidence: Evidence::Node,
        title: Text::fixed(
            "Client certificate in group system:masters on the node",
            "节点上存在属于 system:masters 组的客户端证书",
        ),
        fix: Text::fixed(
            "Issue a certificate without O=system:masters and bind the identity's own group to the least role it needs; keep the break-glass kubeconfig offline.",
            "签发不含 O=system:masters 的证书，并为该身份自己的组绑定所需的最小角色；将应急用的 kubeconfig 离线保存。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
节点上证书主体（Subject）中带有 `O=system:masters` 的客户端证书：
- 节点扫描找到的每个 kubeconfig（`/etc/kubernetes/*.conf`、kubelet 的 kubeconfig、各组件 `--kubeconfig` 所指定的文件）中的每个用户，证书无论是内嵌还是引用；
- kube-apiserver 向其他组件出示的客户端证书：`--kubelet-client-certificate`、`--proxy-client-cert-file`、`--etcd-certfile`；
- 节点上找到的其他任何证书文件（PKI 目录中的证书，以及参数所指定的文件）。

应急用的 kubeconfig `/etc/kubernetes/admin.conf` 和 `/etc/kubernetes/super-admin.conf` 仅作为提示报告。没有被任何 kubeconfig 或参数使用的证书报告为警告：它是放在节点上的现成超级用户凭据。

## 原因
检查清单第 1.1 项：集群引导完成后，用户和组件都不应以 `system:masters` 身份进行认证。该组的成员能通过所有鉴权检查（RBAC、Webhook），而证书无法吊销：在过期之前，它始终是超级用户凭据。组件如果使用这样的证书运行，那么它一旦被攻破，攻击者就能完全控制整个集群。

## 修复
为该组件或人员签发不含 `O=system:masters` 的证书，并把它自己的组绑定到所需的角色。kubeadm 1.29 及更高版本让 `admin.conf` 使用 `kubeadm:cluster-admins` 组（绑定到 `cluster-admin`），只在 `super-admin.conf` 中保留 `system:masters`；在这样的版本上执行 `kubeadm certs renew`，会重新签发旧版本生成的文件：
```sh
kubeadm certs renew admin.conf
kubeadm certs renew apiserver-kubelet-client
# 不要把应急用的文件留在节点上
mv /etc/kubernetes/super-admin.conf /secure/offline/location/
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/setup/production-environment/tools/kubeadm/kubeadm-certs/
"#,
    }
}

/// Kubeconfigs that hold the break-glass identity by design.
const BREAK_GLASS: &[&str] = &[
    "/etc/kubernetes/admin.conf",
    "/etc/kubernetes/super-admin.conf",
];

/// Client certificates kube-apiserver presents to the kubelet, aggregated servers and etcd.
const APISERVER_CLIENT_CERTS: &[&str] = &[
    "kubelet-client-certificate",
    "proxy-client-cert-file",
    "etcd-certfile",
];

const MASTERS: &str = "system:masters";

fn in_masters(cert: &Certificate) -> bool {
    cert.organizations.iter().any(|o| o == MASTERS)
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let mut seen: HashSet<usize> = HashSet::new();
    for kc in &facts.kubeconfigs {
        for user in &kc.users {
            let Some(i) = user.client_certificate else {
                continue;
            };
            let Some(cert) = facts.certificates.get(i) else {
                continue;
            };
            sink.examined();
            seen.insert(i);
            if !in_masters(cert) {
                continue;
            }
            let (path, name, cn, used_by) = (&kc.path, &user.name, &cert.common_name, &kc.used_by);
            let place = NodePlace::file(path).at(format!("users[{name}]"));
            if BREAK_GLASS.contains(&path.as_str()) {
                sink.inform_on_node(
                    place,
                    text!(
                        "{path}: user \"{name}\" (CN={cn}) is in group system:masters; this is the break-glass credential: keep it offline and use it only when RBAC is broken",
                        "{path}：用户 \"{name}\"（CN={cn}）属于 system:masters 组；这是应急凭据：请离线保存，仅在 RBAC 失效时使用",
                    ),
                );
            } else {
                sink.fail_on_node(
                    place,
                    text!(
                        "{path} (used by {used_by}): user \"{name}\" authenticates with a certificate in group system:masters (CN={cn})",
                        "{path}（由 {used_by} 使用）：用户 \"{name}\" 使用属于 system:masters 组的证书认证（CN={cn}）",
                    ),
                );
            }
        }
    }
    if let Some(apiserver) = facts.component(ComponentKind::ApiServer) {
        for flag in APISERVER_CLIENT_CERTS {
            let Some(file) = apiserver.flags.get(flag) else {
                continue;
            };
            // The leaf is the first certificate of the file.
            let Some((i, cert)) = facts
                .certificates
                .iter()
                .enumerate()
                .find(|(_, c)| c.path == file && c.within.is_empty())
            else {
                continue;
            };
            sink.examined();
            seen.insert(i);
            if in_masters(cert) {
                let cn = &cert.common_name;
                sink.fail_on_node(
                    NodePlace::flag(apiserver, flag),
                    text!(
                        "kube-apiserver --{flag} {file} is a certificate in group system:masters (CN={cn})",
                        "kube-apiserver 的 --{flag} {file} 是属于 system:masters 组的证书（CN={cn}）",
                    ),
                );
            }
        }
    }
    for (i, cert) in facts.certificates.iter().enumerate() {
        if seen.contains(&i) {
            continue;
        }
        sink.examined();
        if !in_masters(cert) {
            continue;
        }
        let (place_text, cn) = (cert.display_place(), &cert.common_name);
        let mut place = NodePlace::file(&cert.path);
        if !cert.within.is_empty() {
            place = place.at(cert.within.clone());
        }
        sink.warn_on_node(
            place,
            text!(
                "{place_text} is a client certificate in group system:masters (CN={cn}) that no kubeconfig or component flag uses; remove it from the node",
                "{place_text} 是属于 system:masters 组的客户端证书（CN={cn}），没有 kubeconfig 或组件参数使用它；请将其从节点移除",
            ),
        );
    }
    if facts.kubeconfigs.is_empty() && facts.certificates.is_empty() {
        evidence::note_missing_where(facts, |w| w == "pki" || w.starts_with("kubeconfig"), sink);
    }
}

use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{FileRole, FileStat};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it checks
    /// The private keys of certificate authorities found on the node: the cluster CA
    /// (`pki/ca.key`, or kube-controller-manager's `--cluster-signing-key-file`), the etcd CA
    /// (`pki/etcd/ca.key`), the front-proxy CA (`pki/front-proxy-ca.key`), and any key that
    /// sits beside a CA certificate of the same name (`x.key` next to `x.crt`).
    ///
    /// - a CA key present on the node: warning, the CA is online;
    /// - its mode allows more than `0600` (group or others, or execute): failure;
    /// - its owner is not root: failure;
    /// - RSA shorter than 2048 bits, or an elliptic curve shorter than 256 bits: failure.
    ///
    /// A CA certificate in the PKI directory with no key beside it, or a key file the scan
    /// looked for and did not find, means an offline CA, and is reported as evidence. On a
    /// worker node (a k3s or RKE2 agent, a kubeadm node without an API server) it does not: the
    /// key may be on the control plane, so the item is not evaluated there.
    ///
    /// ## Why
    /// Checklist item 1.3: whoever holds a CA key can mint certificates for any identity the
    /// CA is trusted for, `system:masters` included, and certificates cannot be revoked. The
    /// key is best kept offline; when the control plane must sign (kubeadm's default, for node
    /// certificate rotation), it must at least be readable by root alone and strong.
    ///
    /// ## Fix
    /// Keep the CA offline where you can (kubeadm "external CA" mode: only `ca.crt` on the
    /// nodes, certificates signed elsewhere). Otherwise:
    /// ```sh
    /// chown root:root /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/etcd/ca.key /etc/kubernetes/pki/front-proxy-ca.key
    /// chmod 600 /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/etcd/ca.key /etc/kubernetes/pki/front-proxy-ca.key
    /// ```
    /// A weak key cannot be fixed in place: plan a CA rotation to an RSA 2048+ or ECDSA P-256+ key.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#external-ca-mode
    /// - https://kubernetes.io/docs/setup/best-practices/certificates/
    pub static RULE = {
        code: "KC109",
        name: "ca-key-exposed",
        item: "1.3",
        severity: Severity::High,
        evidence: Evidence::Node,
        // Where a CA's key is kept is a question for the control-plane nodes: a worker without it
        // says nothing (its "cannot tell" is not a gap), a worker with it is still a finding.
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "A CA private key is on the node, readable by others or weak",
            "CA 私钥存放在节点上、可被他人读取或强度不足",
        ),
        fix: Text::fixed(
            "Keep the CA key offline if possible; otherwise make it owned by root with mode 0600, and rotate weak keys.",
            "尽可能离线保存 CA 私钥；否则将其属主设为 root、权限设为 0600，并轮换强度不足的密钥。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
在节点上找到的证书机构（CA）私钥：集群 CA（`pki/ca.key`，或 kube-controller-manager 的 `--cluster-signing-key-file`）、etcd CA（`pki/etcd/ca.key`）、前端代理 CA（`pki/front-proxy-ca.key`），以及任何与同名 CA 证书放在一起的私钥（`x.crt` 旁边的 `x.key`）。

- 节点上存在 CA 私钥：警告，说明该 CA 处于在线状态；
- 其权限模式宽于 `0600`（组或其他用户有权限，或带有执行权限）：不通过；
- 其属主不是 root：不通过；
- RSA 密钥短于 2048 位，或椭圆曲线密钥短于 256 位：不通过。

PKI 目录中有 CA 证书而旁边没有私钥，或者扫描查找的私钥文件不存在，说明这是离线 CA，会作为证据报告。在工作节点上（k3s 或 RKE2 的 agent 节点、没有 API server 的 kubeadm 节点）则不能这样判断：私钥可能在控制平面上，因此该检查项在此不作评估。

## 原因
检查清单第 1.3 项：持有 CA 私钥的人可以为该 CA 所受信任的任何身份签发证书，包括 `system:masters`，而证书是无法吊销的。CA 私钥最好离线保存；如果控制平面必须签发证书（kubeadm 的默认做法，用于节点证书轮换），那么私钥至少必须只有 root 可读，并且强度足够。

## 修复
尽可能让 CA 保持离线（kubeadm 的“外部 CA”模式：节点上只有 `ca.crt`，证书在别处签发）。否则：
```sh
chown root:root /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/etcd/ca.key /etc/kubernetes/pki/front-proxy-ca.key
chmod 600 /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/etcd/ca.key /etc/kubernetes/pki/front-proxy-ca.key
```
强度不足的密钥无法就地修复：请规划一次 CA 轮换，换用 RSA 2048 位及以上或 ECDSA P-256 及以上的密钥。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#external-ca-mode
- https://kubernetes.io/zh-cn/docs/setup/best-practices/certificates/
"#,
    }
}

/// The certificate that a key at `path` belongs to, by file name: `x.key` and `x.crt`.
fn cert_path_for(key_path: &str) -> Option<String> {
    key_path
        .strip_suffix(".key")
        .map(|stem| format!("{stem}.crt"))
}

fn key_path_for(cert_path: &str) -> Option<String> {
    cert_path
        .strip_suffix(".crt")
        .map(|stem| format!("{stem}.key"))
}

fn is_ca_cert(facts: &NodeFacts, path: &str) -> bool {
    facts
        .certificates
        .iter()
        .any(|c| c.path == path && c.within.is_empty() && c.is_ca)
}

/// Every CA key path the facts know of, sorted.
fn ca_keys(facts: &NodeFacts) -> BTreeSet<&str> {
    let mut keys: BTreeSet<&str> = facts
        .files_with_role(FileRole::CaKey)
        .map(|f| f.path.as_str())
        .collect();
    let beside_ca_cert =
        |path: &str| cert_path_for(path).is_some_and(|crt| is_ca_cert(facts, &crt));
    keys.extend(
        facts
            .files_with_role(FileRole::PrivateKey)
            .map(|f| f.path.as_str())
            .filter(|p| beside_ca_cert(p)),
    );
    keys.extend(
        facts
            .private_keys
            .iter()
            .map(|k| k.path.as_str())
            .filter(|p| beside_ca_cert(p)),
    );
    keys
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let keys = ca_keys(facts);
    for &path in &keys {
        judge_key(facts, path, sink);
    }
    // CA certificates in a PKI directory that was read, with no key beside them: offline CAs.
    let read_dirs: BTreeSet<&str> = facts
        .files_with_role(FileRole::PkiDirectory)
        .filter(|f| matches!(f.stat, FileStat::Present { .. }))
        .map(|f| f.path.trim_end_matches('/'))
        .collect();
    let mut offline = BTreeSet::new();
    let worker = facts
        .distro
        .as_ref()
        .is_some_and(|d| d.role == kcheck_model::NodeRole::Worker);
    for cert in &facts.certificates {
        if !cert.is_ca || !cert.within.is_empty() {
            continue;
        }
        let Some(key) = key_path_for(&cert.path) else {
            continue;
        };
        let dir = cert.path.rsplit_once('/').map_or("", |(d, _)| d);
        let known = keys.contains(key.as_str())
            || facts.file(&key).is_some()
            || facts.private_keys.iter().any(|k| k.path == key);
        if !known && read_dirs.contains(dir) && offline.insert(cert.path.as_str()) {
            let crt = &cert.path;
            if worker {
                // A worker has the CA's certificate only: where its key is, this scan cannot
                // tell.
                sink.not_examined_on_node(
                    NodePlace::file(crt),
                    text!(
                        "CA certificate {crt} has no private key on this node, a worker: where the CA's key is kept (on the control plane, or offline) is not visible here; run kcheck node on a control-plane node",
                        "CA 证书 {crt} 在此节点上没有私钥，此节点是工作节点：CA 私钥保存在何处（控制平面上或离线）在此无法看到；请在控制平面节点上运行 kcheck node",
                    ),
                );
                continue;
            }
            sink.examined();
            sink.evidence_on_node(
                NodePlace::file(crt),
                text!(
                    "CA certificate {crt} has no private key beside it: this CA is offline",
                    "CA 证书 {crt} 旁没有私钥：该 CA 为离线 CA",
                ),
            );
        }
    }
    if keys.is_empty() && offline.is_empty() {
        evidence::note_missing_where(facts, |w| w == "pki", sink);
    }
}

fn judge_key(facts: &NodeFacts, path: &str, sink: &mut Sink) {
    let place = || NodePlace::file(path);
    match facts.file(path).map(|f| &f.stat) {
        Some(FileStat::Missing) => {
            sink.examined();
            sink.evidence_on_node(
                place(),
                text!(
                    "CA private key {path} is not on this node",
                    "CA 私钥 {path} 不在此节点上",
                ),
            );
            return;
        }
        Some(FileStat::Unreadable { error }) => {
            sink.not_examined_on_node(
                place(),
                text!(
                    "CA private key {path} could not be read ({error})",
                    "无法读取 CA 私钥 {path}（{error}）",
                ),
            );
            return;
        }
        Some(FileStat::Present {
            uid, owner, mode, ..
        }) => {
            sink.examined();
            online(path, sink);
            let (uid, mode) = (*uid, *mode & 0o7777);
            if mode & !0o600 != 0 {
                sink.fail_on_node(
                    place(),
                    text!(
                        "CA private key {path} has mode {mode:04o}; it must be 0600 or stricter",
                        "CA 私钥 {path} 的权限为 {mode:04o}；应为 0600 或更严格",
                    ),
                );
            }
            if uid != 0 {
                let who = owner
                    .as_ref()
                    .map_or_else(|| format!("uid {uid}"), |o| format!("{o} (uid {uid})"));
                sink.fail_on_node(
                    place(),
                    text!(
                        "CA private key {path} is owned by {who}; it must be owned by root",
                        "CA 私钥 {path} 的属主为 {who}；应为 root",
                    ),
                );
            }
        }
        None => {
            // Seen as a key (decoded) but without file metadata.
            sink.examined();
            online(path, sink);
        }
    }
    if let Some(key) = facts.private_keys.iter().find(|k| k.path == path) {
        let (alg, bits) = (&key.key.algorithm, key.key.bits);
        let weak = match alg.as_str() {
            "RSA" => bits > 0 && bits < 2048,
            "ECDSA" | "EC" => bits > 0 && bits < 256,
            _ => false,
        };
        if weak {
            sink.fail_on_node(
                place(),
                text!(
                    "CA private key {path} is {alg} {bits} bits; use RSA 2048 or more, or ECDSA P-256 or more",
                    "CA 私钥 {path} 为 {alg} {bits} 位；应使用 RSA 2048 位以上或 ECDSA P-256 以上",
                ),
            );
        }
    }
}

fn online(path: &str, sink: &mut Sink) {
    sink.warn_on_node(
        NodePlace::file(path),
        text!(
            "CA private key {path} is on the node: the CA is online, and anyone who reads the key can issue certificates for any identity; keep it offline if you can (external CA), otherwise limit who can log in to this node",
            "CA 私钥 {path} 存放在节点上：该 CA 为在线 CA，读取到私钥的人可以为任意身份签发证书；如可能请离线保存（外部 CA 模式），否则应限制可登录此节点的人员",
        ),
    );
}

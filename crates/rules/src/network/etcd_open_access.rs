use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{Component, ComponentKind, Datastore, DatastoreKind};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it checks
    /// etcd's listeners and TLS, from its static pod manifest or process flags:
    /// - a client URL (`--listen-client-urls`, default `http://localhost:2379`) using `http://`
    ///   on an address other than loopback: failure;
    /// - `--client-cert-auth` not `true` (default `false`): failure, any client that reaches the
    ///   port reads and writes every key;
    /// - `--auto-tls` or `--peer-auto-tls`: failure, self-signed certificates nobody verifies;
    /// - peers (`--listen-peer-urls`, default `http://localhost:2380`) on a non-loopback address
    ///   or over `https://`: `http://` off loopback fails, and so do a missing
    ///   `--peer-client-cert-auth=true`, `--peer-cert-file`, `--peer-key-file` or
    ///   `--peer-trusted-ca-file`;
    /// - etcd's `--trusted-ca-file` being the same file as kube-apiserver's `--client-ca-file`,
    ///   or holding the same certificate: failure.
    ///
    /// etcd started with `--config-file` ignores its flags; that file is not read, and the rule
    /// says so instead of judging. Settings given through `ETCD_*` environment variables are not
    /// seen.
    ///
    /// A datastore that is not etcd answers for it: k3s's SQLite, reached through kine on a
    /// local socket, has no port to expose (evidence, and the item can pass); an external MySQL,
    /// PostgreSQL or NATS datastore, or MicroK8s's dqlite, is configured where a node scan
    /// cannot see, and the rule says so. On a managed worker (EKS, GKE, AKS) etcd is the
    /// provider's: the item is manual.
    ///
    /// ## Why
    /// Checklist item 2.5: etcd holds every object of the cluster, Secrets included, and
    /// answers anyone it authenticates with no further authorization. It must only be reached
    /// over mutual TLS, and the CA it trusts must be used for etcd only: when it is the cluster
    /// CA, every client certificate the cluster issues (each kubelet's, each user's) is also a
    /// key to etcd.
    ///
    /// ## Fix
    /// kubeadm's etcd flags, with a dedicated CA under `/etc/kubernetes/pki/etcd/`:
    /// ```yaml
    /// - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379
    /// - --client-cert-auth=true
    /// - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    /// - --key-file=/etc/kubernetes/pki/etcd/server.key
    /// - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    /// - --listen-peer-urls=https://10.0.0.10:2380
    /// - --peer-client-cert-auth=true
    /// - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    /// - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    /// - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters
    /// - https://etcd.io/docs/v3.5/op-guide/security/
    pub static RULE = {
        code: "KC212",
        name: "etcd-open-access",
        item: "2.5",
        severity: Severity::Critical,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "etcd is reachable without mutual TLS or trusts the cluster CA",
            "etcd 可在无双向 TLS 的情况下访问，或信任集群 CA",
        ),
        fix: Text::fixed(
            "Serve etcd clients and peers over https with --client-cert-auth and --peer-client-cert-auth, no auto-TLS, and a CA used for etcd only.",
            "etcd 的客户端和对等端均使用 https，并启用 --client-cert-auth 和 --peer-client-cert-auth，不使用自动 TLS，并使用仅供 etcd 使用的 CA。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
etcd 的监听地址和 TLS 设置，取自其静态 Pod 清单或进程参数：
- 客户端 URL（`--listen-client-urls`，默认为 `http://localhost:2379`）在非回环地址上使用 `http://`：不通过；
- `--client-cert-auth` 不为 `true`（默认值为 `false`）：不通过，任何能访问该端口的客户端都能读写所有键；
- `--auto-tls` 或 `--peer-auto-tls`：不通过，这是没有人验证的自签名证书；
- 对等端（`--listen-peer-urls`，默认为 `http://localhost:2380`）位于非回环地址上或使用 `https://`：非回环地址上使用 `http://` 判定为不通过，缺少 `--peer-client-cert-auth=true`、`--peer-cert-file`、`--peer-key-file` 或 `--peer-trusted-ca-file` 也判定为不通过；
- etcd 的 `--trusted-ca-file` 与 kube-apiserver 的 `--client-ca-file` 是同一个文件，或包含相同的证书：不通过。

用 `--config-file` 启动的 etcd 会忽略其参数；本规则不读取该文件，会说明这一点而不作判定。通过 `ETCD_*` 环境变量给出的设置看不到。

数据存储不是 etcd 时，由该数据存储作答：k3s 的 SQLite 通过 kine 的本地套接字访问，没有可暴露的端口（记为证据，检查项可以通过）；外部的 MySQL、PostgreSQL 或 NATS 数据存储，以及 MicroK8s 的 dqlite，其设置在节点扫描看不到的地方，本规则会说明这一点。在托管集群（EKS、GKE、AKS）的工作节点上，etcd 由云服务商管理：该检查项需人工检查。

## 原因
检查清单第 2.5 项：etcd 保存着集群的所有对象（包括 Secret），并且对任何通过其认证的客户端都有问必答，不再做进一步的鉴权。只能通过双向 TLS 访问 etcd，并且它所信任的 CA 只能用于 etcd：如果它信任的是集群 CA，那么集群签发的每一个客户端证书（每个 kubelet 的、每个用户的）同时也是打开 etcd 的钥匙。

## 修复
kubeadm 的 etcd 参数，使用 `/etc/kubernetes/pki/etcd/` 下的专用 CA：
```yaml
- --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379
- --client-cert-auth=true
- --cert-file=/etc/kubernetes/pki/etcd/server.crt
- --key-file=/etc/kubernetes/pki/etcd/server.key
- --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
- --listen-peer-urls=https://10.0.0.10:2380
- --peer-client-cert-auth=true
- --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
- --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
- --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters
- https://etcd.io/docs/v3.5/op-guide/security/
"#,
    }
}

const DEFAULT_CLIENT_URL: &str = "http://localhost:2379";
const DEFAULT_PEER_URL: &str = "http://localhost:2380";

/// A listen URL's scheme and host (`https`, `10.0.0.10`), brackets of IPv6 hosts removed.
fn split_url(url: &str) -> (String, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    (scheme.to_ascii_lowercase(), host)
}

fn is_loopback(scheme: &str, host: &str) -> bool {
    scheme.starts_with("unix")
        || host.eq_ignore_ascii_case("localhost")
        || host.starts_with("127.")
        || host == "::1"
}

fn urls<'a>(etcd: &'a Component, flag: &str, default: &'a str) -> Vec<&'a str> {
    let urls = etcd.flags.last_list(flag);
    if urls.is_empty() {
        vec![default]
    } else {
        urls
    }
}

/// A datastore that is not etcd (k3s's SQLite through kine, an external database, MicroK8s's
/// dqlite) answers for etcd: a local file has no listener to expose; a database elsewhere is
/// configured where kcheck cannot see.
fn other_datastore(datastore: &Datastore, sink: &mut Sink) {
    let (kind, endpoint) = (datastore.kind.name(), datastore.endpoint.as_str());
    let place = match &datastore.location {
        Some(l) => NodePlace {
            location: Some(l.clone()),
            ..NodePlace::file(&l.file)
        }
        .at("datastore-endpoint"),
        None => NodePlace::file(endpoint),
    };
    match datastore.kind {
        DatastoreKind::Sqlite => {
            sink.examined();
            sink.evidence_on_node(
                place,
                text!(
                    "the datastore is {kind}, the file {endpoint}, which the API server reaches through kine on a local socket: there is no etcd port to expose",
                    "数据存储是 {kind}，即文件 {endpoint}，API server 通过 kine 的本地套接字访问它：没有可暴露的 etcd 端口",
                ),
            );
        }
        _ => sink.not_examined_on_node(
            place,
            text!(
                "the datastore is {kind} at {endpoint}, not etcd: who can reach it is set in that datastore and its network, which a node scan does not see",
                "数据存储是 {kind}（{endpoint}），不是 etcd：谁能访问它由该数据存储及其网络决定，节点扫描无法看到",
            ),
        ),
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    if let Some(datastore) = facts.datastore.as_ref().filter(|d| !d.kind.is_etcd()) {
        other_datastore(datastore, sink);
        return;
    }
    let Some(etcd) = evidence::component(facts, ComponentKind::Etcd, sink) else {
        return;
    };
    let origin = etcd.origin.to_string();
    if let Some(file) = etcd.flags.get("config-file") {
        sink.not_examined_on_node(
            NodePlace::flag(etcd, "config-file"),
            text!(
                "etcd ({origin}) reads its settings from --config-file {file}, which kcheck does not read; its command-line flags are ignored",
                "etcd（{origin}）从 --config-file {file} 读取配置，kcheck 不读取该文件；其命令行参数不生效",
            ),
        );
        return;
    }
    sink.examined();

    for url in urls(etcd, "listen-client-urls", DEFAULT_CLIENT_URL) {
        let (scheme, host) = split_url(url);
        if scheme == "http" && !is_loopback(&scheme, host) {
            sink.fail_on_node(
                NodePlace::flag(etcd, "listen-client-urls"),
                text!(
                    "etcd ({origin}) serves clients over plain HTTP on {url}, beyond loopback",
                    "etcd（{origin}）在非环回地址 {url} 上以明文 HTTP 为客户端提供服务",
                ),
            );
        }
    }
    if !etcd.flags.get_bool("client-cert-auth", false) {
        sink.fail_on_node(
            NodePlace::flag(etcd, "client-cert-auth"),
            text!(
                "etcd ({origin}) does not require client certificates (--client-cert-auth is not true): any client that reaches it reads every Secret",
                "etcd（{origin}）不要求客户端证书（--client-cert-auth 不为 true）：任何能连接到它的客户端都能读取所有 Secret",
            ),
        );
    }
    for flag in ["auto-tls", "peer-auto-tls"] {
        if etcd.flags.get_bool(flag, false) {
            sink.fail_on_node(
                NodePlace::flag(etcd, flag),
                text!(
                    "etcd ({origin}) uses --{flag}: self-signed certificates that no client or peer can verify",
                    "etcd（{origin}）使用了 --{flag}：自签名证书，客户端和对等端都无法验证",
                ),
            );
        }
    }
    peers(etcd, &origin, sink);
    distinct_ca(facts, etcd, &origin, sink);
}

fn peers(etcd: &Component, origin: &str, sink: &mut Sink) {
    let peer_urls = urls(etcd, "listen-peer-urls", DEFAULT_PEER_URL);
    let mut needs_tls = false;
    for url in &peer_urls {
        let (scheme, host) = split_url(url);
        let local = is_loopback(&scheme, host);
        if scheme == "http" && !local {
            sink.fail_on_node(
                NodePlace::flag(etcd, "listen-peer-urls"),
                text!(
                    "etcd ({origin}) talks to peers over plain HTTP on {url}, beyond loopback",
                    "etcd（{origin}）在非环回地址 {url} 上以明文 HTTP 与对等端通信",
                ),
            );
        }
        needs_tls |= scheme == "https" || !local;
    }
    if !needs_tls || etcd.flags.get_bool("peer-auto-tls", false) {
        return;
    }
    if !etcd.flags.get_bool("peer-client-cert-auth", false) {
        sink.fail_on_node(
            NodePlace::flag(etcd, "peer-client-cert-auth"),
            text!(
                "etcd ({origin}) listens for peers beyond loopback or over TLS without --peer-client-cert-auth=true: anyone who reaches the peer port can join or read the cluster",
                "etcd（{origin}）在非环回地址或通过 TLS 监听对等端，但未设置 --peer-client-cert-auth=true：任何能访问对等端口的人都能加入集群或读取数据",
            ),
        );
    }
    let absent: Vec<&str> = ["peer-cert-file", "peer-key-file", "peer-trusted-ca-file"]
        .into_iter()
        .filter(|f| etcd.flags.get(f).is_none_or(str::is_empty))
        .collect();
    if let Some(first) = absent.first() {
        let list = absent
            .iter()
            .map(|f| format!("--{f}"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.fail_on_node(
            NodePlace::flag(etcd, first),
            text!(
                "etcd ({origin}) has peers beyond loopback or over TLS but no {list}",
                "etcd（{origin}）的对等端在非环回地址或使用 TLS，但缺少 {list}",
            ),
        );
    }
}

fn fingerprints<'f>(facts: &'f NodeFacts, path: &str) -> BTreeSet<&'f str> {
    facts
        .certificates
        .iter()
        .filter(|c| c.path == path && !c.fingerprint.is_empty())
        .map(|c| c.fingerprint.as_str())
        .collect()
}

fn distinct_ca(facts: &NodeFacts, etcd: &Component, origin: &str, sink: &mut Sink) {
    let Some(api) = facts.component(ComponentKind::ApiServer) else {
        return;
    };
    let (Some(etcd_ca), Some(client_ca)) = (
        etcd.flags.get("trusted-ca-file"),
        api.flags.get("client-ca-file"),
    ) else {
        return;
    };
    let message = if etcd_ca == client_ca {
        text!(
            "etcd ({origin}) trusts {etcd_ca}, the same file kube-apiserver uses as --client-ca-file: every client certificate of the cluster can reach etcd",
            "etcd（{origin}）信任的 {etcd_ca} 与 kube-apiserver 的 --client-ca-file 是同一文件：集群签发的任何客户端证书都能访问 etcd",
        )
    } else if !fingerprints(facts, etcd_ca).is_disjoint(&fingerprints(facts, client_ca)) {
        text!(
            "etcd ({origin}) trusts {etcd_ca}, which holds a CA certificate also in kube-apiserver's --client-ca-file {client_ca}: every client certificate of the cluster can reach etcd",
            "etcd（{origin}）信任的 {etcd_ca} 中包含的 CA 证书也在 kube-apiserver 的 --client-ca-file {client_ca} 中：集群签发的任何客户端证书都能访问 etcd",
        )
    } else {
        return;
    };
    sink.fail_on_node(NodePlace::flag(etcd, "trusted-ca-file"), message);
}

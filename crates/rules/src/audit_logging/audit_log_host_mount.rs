use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{text, Evidence, Node, Object, PodSpec, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Workloads whose `hostPath` volumes reach the directory that holds the API server's
    /// audit log: the directory itself, a directory above it (`/var/log`, `/`) or a path inside
    /// it. The audit log's path is read from `--audit-log-path` of the kube-apiserver in the
    /// input (its static pod, or its mirror Pod in a cluster) or in a node scan of the same run.
    /// - mounted writable by a container, with the path known: **fail** (whoever runs in the
    ///   pod can read the log and rewrite or remove its records);
    /// - mounted read-only, or writable where the path is not known and the volume reaches a
    ///   directory where audit logs are usually written (`/var/log/kubernetes/audit`, k3s and
    ///   RKE2 server log directories): **warn** (whoever runs in the pod can read it, and
    ///   audit events can hold request bodies).
    ///
    /// ## Why
    /// Checklist item 4.1: audit logs, when enabled, are protected from general access. File
    /// permissions on the node (KC402) do not protect a log from a container that mounts its
    /// directory: log shippers and node agents commonly mount `/var/log` or `/` whole.
    ///
    /// ## Fix
    /// Mount only the directories the agent needs, read-only, and ship audit events through an
    /// audit webhook backend or a dedicated, restricted collector instead:
    /// ```yaml
    /// volumes:
    /// - name: containers
    ///   hostPath: {path: /var/log/containers}
    /// containers:
    /// - name: agent
    ///   volumeMounts:
    ///   - {name: containers, mountPath: /var/log/containers, readOnly: true}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#logs-and-auditing
    pub static RULE = {
        code: "KC405",
        name: "audit-log-host-mount",
        item: "4.1",
        severity: Severity::High,
        evidence: Evidence::Objects,
        title: Text::fixed(
            "Workload mounts the host directory that holds the API server's audit log",
            "工作负载挂载了存放 API 服务器审计日志的主机目录",
        ),
        fix: Text::fixed(
            "Mount only the host directories the workload needs, read-only; keep the audit log directory out of pods.",
            "只挂载工作负载所需的主机目录，并设为只读；不要让 Pod 挂载审计日志所在目录。",
        ),
        reads: &["Pod"],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        admission: Admission::Excluded("the audit log directory comes from the control plane's Pods, which a review does not show"),
        doc_zh: r#"
## 检查内容
`hostPath` 卷能触及 API 服务器审计日志所在目录的工作负载：该目录本身、它的上级目录（`/var/log`、`/`），或其中的某个路径。审计日志的路径取自输入中 kube-apiserver 的 `--audit-log-path`（其静态 Pod，或集群中对应的镜像 Pod（Mirror Pod）），或同一次运行中的节点扫描。
- 被某个容器以可写方式挂载，且已知日志路径：**不通过**（在该 Pod 中运行的任何人都能读取日志，并改写或删除其中的记录）；
- 以只读方式挂载；或以可写方式挂载、日志路径未知，但该卷能触及通常写入审计日志的目录（`/var/log/kubernetes/audit`，k3s 和 RKE2 的服务器日志目录）：**警告**（在该 Pod 中运行的任何人都能读取日志，而审计事件可能包含请求体）。

## 原因
检查清单第 4.1 项：审计日志（如果启用）应受到保护，防止常规访问。节点上的文件权限（KC402）无法防范挂载了日志目录的容器：日志采集器和节点代理通常会把 `/var/log` 或 `/` 整个挂载进来。

## 修复
只挂载代理需要的目录，并设为只读；审计事件改为通过审计 Webhook 后端，或由专用的、受限的采集器发送出去：
```yaml
volumes:
- name: containers
  hostPath: {path: /var/log/containers}
containers:
- name: agent
  volumeMounts:
  - {name: containers, mountPath: /var/log/containers, readOnly: true}
```

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-cluster/audit/#log-backend
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#logs-and-auditing
"#,
    }
}

/// Directories where audit logs are usually written, when no kube-apiserver says where.
const USUAL: &[&str] = &[
    "/var/log/kubernetes/audit",
    "/var/lib/rancher/k3s/server/logs",
    "/var/lib/rancher/rke2/server/logs",
];

/// Where the audit log is, and whether a kube-apiserver said so.
struct AuditLog {
    dir: String,
    known: bool,
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    if object.kind == "Pod" && is_mirror_of_apiserver(object) {
        // The API server writes its own log.
        return;
    }
    let Some(pod) = object.pod_spec() else {
        return;
    };
    let logs = audit_logs(ctx);
    {
        sink.examined();
        judge(object, &pod, &logs, sink);
    }
}

fn judge(object: &Object, pod: &PodSpec, logs: &[AuditLog], sink: &mut Sink) {
    let volumes = pod.get("volumes").map_or(&[][..], Node::as_seq);
    for (i, volume) in volumes.iter().enumerate() {
        let Some(path) = volume.get("hostPath").and_then(|h| h.str_at("path")) else {
            continue;
        };
        let Some(log) = logs.iter().find(|l| overlaps(path, &l.dir)) else {
            continue;
        };
        let name = volume.str_at("name").unwrap_or("");
        let Some(writable) = mounted_writable(pod, name) else {
            continue;
        };
        let dir = &log.dir;
        let at = pod.path(&format!("volumes[{i}].hostPath.path"));
        match (writable, log.known) {
            (true, true) => {
                sink.fail(
                    object,
                    at,
                    text!(
                        "volume \"{name}\" mounts host path {path} writable, which holds the API server's audit log directory {dir}: the pod can read and rewrite audit records",
                        "卷 \"{name}\" 以可写方式挂载主机路径 {path}，其中包含 API 服务器的审计日志目录 {dir}：该 Pod 可读取并篡改审计记录",
                    ),
                );
            }
            (false, true) => {
                sink.warn(
                    object,
                    at,
                    text!(
                        "volume \"{name}\" mounts host path {path} read-only, which holds the API server's audit log directory {dir}: the pod can read audit records",
                        "卷 \"{name}\" 以只读方式挂载主机路径 {path}，其中包含 API 服务器的审计日志目录 {dir}：该 Pod 可读取审计记录",
                    ),
                );
            }
            (writable, false) => {
                let (how_en, how_zh) = if writable {
                    ("writable", "可写")
                } else {
                    ("read-only", "只读")
                };
                sink.warn(
                    object,
                    at,
                    text!(
                        "volume \"{name}\" mounts host path {path} {how_en}, which holds {dir}, where audit logs are usually written",
                        "卷 \"{name}\" 以{how_zh}方式挂载主机路径 {path}，其中包含通常存放审计日志的 {dir}",
                    ),
                );
            }
        }
    }
}

/// Whether some container mounts volume `name` writable (`Some(true)`), only read-only
/// (`Some(false)`), or none mounts it (`None`).
fn mounted_writable(pod: &PodSpec, name: &str) -> Option<bool> {
    let mut mounted = None;
    for c in pod.containers() {
        let mounts = c.get("volumeMounts").map_or(&[][..], Node::as_seq);
        for m in mounts.iter().filter(|m| m.str_at("name") == Some(name)) {
            let read_only = m.get("readOnly").and_then(Node::as_bool) == Some(true);
            mounted = Some(mounted.unwrap_or(false) || !read_only);
        }
    }
    mounted
}

/// Whether host path `path` reaches directory `dir`: the same, above it, or inside it.
fn overlaps(path: &str, dir: &str) -> bool {
    let norm = |p: &str| {
        let p = p.trim_end_matches('/');
        if p.is_empty() {
            "/".to_string()
        } else {
            p.to_string()
        }
    };
    let (path, dir) = (norm(path), norm(dir));
    let under = |inner: &str, outer: &str| {
        outer == "/" || inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/')
    };
    path == dir || under(&dir, &path) || under(&path, &dir)
}

/// The audit log directories the run knows of: from `--audit-log-path` of the node scan's
/// kube-apiserver and of the kube-apiserver Pods in the input; the usual ones when there is
/// none (a file path of `-` means standard output, no file).
fn audit_logs(ctx: &Context) -> Vec<AuditLog> {
    let mut paths: Vec<String> = Vec::new();
    if let Some(api) = ctx.node.and_then(|n| n.component(ComponentKind::ApiServer)) {
        paths.extend(api.flags.get("audit-log-path").map(str::to_string));
    }
    paths.extend(ctx.audit_log_paths().iter().cloned());
    paths.retain(|p| p != "-" && p.starts_with('/'));
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return USUAL
            .iter()
            .map(|d| AuditLog {
                dir: (*d).to_string(),
                known: false,
            })
            .collect();
    }
    paths
        .into_iter()
        .map(|p| AuditLog {
            dir: match p.rsplit_once('/') {
                Some(("", _)) | None => "/".to_string(),
                Some((dir, _)) => dir.to_string(),
            },
            known: true,
        })
        .collect()
}

fn is_mirror_of_apiserver(pod: &Object) -> bool {
    crate::analysis::control_plane::apiserver_flags(pod).is_some()
}

#[cfg(test)]
mod tests {
    use super::overlaps;

    #[test]
    fn paths_above_at_and_inside_the_directory_overlap() {
        let dir = "/var/log/kubernetes/audit";
        for p in [
            "/",
            "/var/log",
            "/var/log/",
            dir,
            "/var/log/kubernetes/audit/audit.log",
        ] {
            assert!(overlaps(p, dir), "{p}");
        }
        for p in [
            "/var/log/containers",
            "/var/log/kubernetes/auditing",
            "/var/lib",
        ] {
            assert!(!overlaps(p, dir), "{p}");
        }
    }
}

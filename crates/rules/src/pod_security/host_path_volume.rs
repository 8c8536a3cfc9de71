use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The volumes of every workload's pod spec for `hostPath` volumes. Paths that hand over
    /// the node are critical: `/`, `/etc`, `/proc`, `/sys`, `/root`, `/boot`, `/dev`,
    /// `/var/lib/kubelet`, `/var/lib/etcd`, `/etc/kubernetes`, the container runtimes' sockets
    /// and state directories (`/var/run/docker.sock`, `/run/containerd`, `/var/run/crio`,
    /// `/var/lib/docker`, `/var/lib/containerd`), anything below them, and any parent of them
    /// (mounting `/var` exposes `/var/lib/kubelet`). Other host paths are high.
    ///
    /// ## Why
    /// Checklist item 3.2: the Baseline Pod Security Standard forbids hostPath volumes. A
    /// hostPath volume reads or writes the node's own files: a runtime socket or the kubelet's
    /// directory is a direct way to take over the node and every pod on it.
    ///
    /// ## Fix
    /// Use a volume type that does not reach into the node: `emptyDir`, `configMap`,
    /// `secret`, `projected`, or a PersistentVolumeClaim. Node agents that truly need host files
    /// belong in a separate namespace with a `privileged` Pod Security level and a review.
    /// ```yaml
    /// volumes:
    /// - name: cache
    ///   emptyDir: {}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub static RULE = {
        code: "KC303",
        name: "host-path-volume",
        item: "3.2",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Pod mounts a hostPath volume", "Pod 挂载了 hostPath 卷"),
        fix: Text::fixed(
            "Replace the hostPath volume with emptyDir, configMap, secret, projected or a PersistentVolumeClaim.",
            "用 emptyDir、configMap、secret、projected 或 PersistentVolumeClaim 替换 hostPath 卷。",
        ),
        severities: &[Severity::Critical],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个工作负载的 Pod 规约中的卷是否为 `hostPath` 卷。会把节点交出去的路径为严重：`/`、`/etc`、`/proc`、`/sys`、`/root`、`/boot`、`/dev`、`/var/lib/kubelet`、`/var/lib/etcd`、`/etc/kubernetes`、容器运行时的套接字和状态目录（`/var/run/docker.sock`、`/run/containerd`、`/var/run/crio`、`/var/lib/docker`、`/var/lib/containerd`），以及这些路径之下的任何路径和它们的任何上级目录（挂载 `/var` 会暴露 `/var/lib/kubelet`）。其他主机路径为高。

## 原因
检查清单第 3.2 项：基线（Baseline）Pod 安全标准禁止使用 hostPath 卷。hostPath 卷直接读写节点自身的文件：通过容器运行时的套接字或 kubelet 的目录，可以直接接管节点以及节点上的所有 Pod。

## 修复
改用不会触及节点的卷类型：`emptyDir`、`configMap`、`secret`、`projected` 或 PersistentVolumeClaim。确实需要访问主机文件的节点代理程序，应放到单独的名字空间中，该名字空间使用 `privileged` 级别的 Pod 安全标准，并经过审查。
```yaml
volumes:
- name: cache
  emptyDir: {}
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/storage/volumes/#hostpath
- https://kubernetes.io/zh-cn/docs/concepts/security/pod-security-standards/#baseline
"#,
    }
}

/// Host paths whose exposure gives away the node.
const CRITICAL: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/etc/kubernetes",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/docker",
    "/var/lib/containerd",
];

fn is_critical(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    CRITICAL.iter().any(|c| {
        path == *c
            || (*c != "/" && path.starts_with(c) && path.as_bytes().get(c.len()) == Some(&b'/'))
            || (*c != "/" && c.starts_with(path) && c.as_bytes().get(path.len()) == Some(&b'/'))
    })
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    let volumes = pod.get("volumes").map_or(&[][..], |v| v.as_seq());
    for (i, volume) in volumes.iter().enumerate() {
        let Some(host_path) = volume.get("hostPath") else {
            continue;
        };
        let path = host_path.str_at("path").unwrap_or("");
        let name = volume.str_at("name").unwrap_or("");
        let critical = is_critical(path);
        let finding = sink.fail(
            object,
            pod.path(&format!("volumes[{i}].hostPath")),
            if critical {
                text!(
                    "volume \"{name}\" mounts host path {path}, which gives control of the node",
                    "卷 \"{name}\" 挂载主机路径 {path}，可借此控制节点",
                )
            } else {
                text!(
                    "volume \"{name}\" mounts host path {path}",
                    "卷 \"{name}\" 挂载主机路径 {path}"
                )
            },
        );
        if critical {
            finding.severity = Severity::Critical;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn critical_paths() {
        for p in [
            "/",
            "/etc",
            "/etc/",
            "/var/run/docker.sock",
            "/var/lib/kubelet/pods",
            "/var",
            "/var/run",
        ] {
            assert!(super::is_critical(p), "{p}");
        }
        for p in ["/var/log", "/data", "/opt/app", "/etcetera", "/tmp"] {
            assert!(!super::is_critical(p), "{p}");
        }
    }
}

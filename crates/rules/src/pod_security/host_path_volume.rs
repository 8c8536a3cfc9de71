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
                    "卷 \"{name}\" 挂载主机路径 {path},可借此控制节点",
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

//! Where each distribution keeps what the collector reads: the static pod directory, the PKI,
//! kubeconfigs, the kubelet's configuration and units, CNI configuration.

use kcheck_model::facts::{Distro, NodeRole};

/// kubeadm's static pod directory (the default of `--manifests`).
pub const KUBEADM_MANIFESTS: &str = "/etc/kubernetes/manifests";

/// A directory of certificates and keys to walk.
#[derive(Clone, Debug)]
pub struct PkiDir {
    pub path: String,
    pub reason: &'static str,
    /// How deep the walk goes (0: the directory's own files).
    pub depth: usize,
    /// Its absence is missing evidence (`pki`).
    pub required: bool,
}

/// The paths one distribution uses.
#[derive(Clone, Debug)]
pub struct Layout {
    pub manifests_dir: String,
    pub pki_dirs: Vec<PkiDir>,
    /// Files that are a cluster CA's private key.
    pub ca_keys: Vec<String>,
    /// Kubeconfigs the distribution writes, read whether or not a flag names them.
    pub kubeconfigs: Vec<String>,
    /// What names them in the facts (`kubeadm default`).
    pub default_reason: &'static str,
    /// The kubelet's configuration file when no `--config` flag names one (`None`: the
    /// distribution's kubelet runs on flags alone).
    pub kubelet_config: Option<String>,
    /// Unit files that start the kubelet, before their drop-ins (kubeadm reads drop-ins only).
    pub kubelet_units: Vec<&'static str>,
    /// kubeadm's flags file, read when no unit starts the kubelet.
    pub kubelet_flags_env: Option<&'static str>,
    pub cni_dirs: Vec<String>,
    pub etcd_data_dir: String,
}

const KUBEADM_KUBECONFIGS: [&str; 5] = [
    "/etc/kubernetes/admin.conf",
    "/etc/kubernetes/super-admin.conf",
    "/etc/kubernetes/controller-manager.conf",
    "/etc/kubernetes/scheduler.conf",
    "/etc/kubernetes/kubelet.conf",
];

fn kubeadm() -> Layout {
    Layout {
        manifests_dir: KUBEADM_MANIFESTS.into(),
        pki_dirs: vec![
            PkiDir {
                path: "/etc/kubernetes/pki".into(),
                reason: "kubeadm PKI directory",
                depth: 8,
                required: true,
            },
            PkiDir {
                path: "/var/lib/kubelet/pki".into(),
                reason: "kubelet PKI directory",
                depth: 8,
                required: false,
            },
        ],
        ca_keys: vec!["/etc/kubernetes/pki/ca.key".into()],
        kubeconfigs: KUBEADM_KUBECONFIGS.map(String::from).to_vec(),
        default_reason: "kubeadm default",
        kubelet_config: Some("/var/lib/kubelet/config.yaml".into()),
        kubelet_units: Vec::new(),
        kubelet_flags_env: Some("/var/lib/kubelet/kubeadm-flags.env"),
        cni_dirs: vec!["/etc/cni/net.d".into()],
        etcd_data_dir: "/var/lib/etcd".into(),
    }
}

/// The directory of a Rancher distribution: `k3s` or `rke2`.
pub fn rancher_name(distro: Distro) -> &'static str {
    match distro {
        Distro::Rke2 => "rke2",
        _ => "k3s",
    }
}

fn rancher(distro: Distro, role: NodeRole) -> Layout {
    let server = role != NodeRole::Worker;
    let (manifests, tls, agent, cred, admin, cni, default_reason, db) = match distro {
        Distro::Rke2 => (
            "/var/lib/rancher/rke2/agent/pod-manifests",
            "/var/lib/rancher/rke2/server/tls",
            "/var/lib/rancher/rke2/agent",
            "/var/lib/rancher/rke2/server/cred",
            "/etc/rancher/rke2/rke2.yaml",
            "/etc/cni/net.d",
            "rke2 default",
            "/var/lib/rancher/rke2/server/db/etcd",
        ),
        _ => (
            "/var/lib/rancher/k3s/agent/pod-manifests",
            "/var/lib/rancher/k3s/server/tls",
            "/var/lib/rancher/k3s/agent",
            "/var/lib/rancher/k3s/server/cred",
            "/etc/rancher/k3s/k3s.yaml",
            "/var/lib/rancher/k3s/agent/etc/cni/net.d",
            "k3s default",
            "/var/lib/rancher/k3s/server/db/etcd",
        ),
    };
    let mut pki_dirs = Vec::new();
    let mut kubeconfigs = Vec::new();
    let mut ca_keys = Vec::new();
    if server {
        pki_dirs.push(PkiDir {
            path: tls.into(),
            reason: "server TLS directory",
            depth: 2,
            required: true,
        });
        for ca in ["client-ca.key", "server-ca.key", "request-header-ca.key"] {
            ca_keys.push(format!("{tls}/{ca}"));
        }
        kubeconfigs.push(admin.to_string());
        for name in [
            "admin",
            "controller",
            "scheduler",
            "supervisor",
            "api-server",
        ] {
            kubeconfigs.push(format!("{cred}/{name}.kubeconfig"));
        }
    }
    pki_dirs.push(PkiDir {
        path: agent.into(),
        reason: "agent TLS files",
        depth: 0,
        required: !server,
    });
    kubeconfigs.push(format!("{agent}/kubelet.kubeconfig"));
    kubeconfigs.push(format!("{agent}/kubeproxy.kubeconfig"));
    let mut cni_dirs = vec![cni.to_string()];
    if cni != "/etc/cni/net.d" {
        cni_dirs.push("/etc/cni/net.d".into());
    }
    Layout {
        manifests_dir: manifests.into(),
        pki_dirs,
        ca_keys,
        kubeconfigs,
        default_reason,
        kubelet_config: None,
        kubelet_units: Vec::new(),
        kubelet_flags_env: None,
        cni_dirs,
        etcd_data_dir: db.into(),
    }
}

/// MicroK8s's snap data directory.
pub const MICROK8S_DATA: &str = "/var/snap/microk8s/current";

fn microk8s() -> Layout {
    Layout {
        manifests_dir: KUBEADM_MANIFESTS.into(),
        pki_dirs: vec![PkiDir {
            path: format!("{MICROK8S_DATA}/certs"),
            reason: "MicroK8s certificates",
            depth: 2,
            required: true,
        }],
        ca_keys: vec![format!("{MICROK8S_DATA}/certs/ca.key")],
        kubeconfigs: ["client", "controller", "scheduler", "kubelet", "proxy"]
            .map(|n| format!("{MICROK8S_DATA}/credentials/{n}.config"))
            .to_vec(),
        default_reason: "microk8s default",
        kubelet_config: None,
        kubelet_units: Vec::new(),
        kubelet_flags_env: None,
        cni_dirs: vec![
            format!("{MICROK8S_DATA}/args/cni-network"),
            "/etc/cni/net.d".into(),
        ],
        etcd_data_dir: format!("{MICROK8S_DATA}/var/kubernetes/backend"),
    }
}

fn openshift() -> Layout {
    Layout {
        manifests_dir: KUBEADM_MANIFESTS.into(),
        pki_dirs: vec![
            PkiDir {
                path: "/etc/kubernetes/static-pod-resources".into(),
                reason: "OpenShift static pod resources",
                depth: 4,
                required: false,
            },
            PkiDir {
                path: "/var/lib/kubelet/pki".into(),
                reason: "kubelet PKI directory",
                depth: 2,
                required: false,
            },
        ],
        ca_keys: Vec::new(),
        kubeconfigs: vec!["/var/lib/kubelet/kubeconfig".into()],
        default_reason: "openshift default",
        kubelet_config: Some("/etc/kubernetes/kubelet.conf".into()),
        kubelet_units: vec!["/etc/systemd/system/kubelet.service"],
        kubelet_flags_env: None,
        cni_dirs: vec!["/etc/kubernetes/cni/net.d".into(), "/etc/cni/net.d".into()],
        etcd_data_dir: "/var/lib/etcd".into(),
    }
}

fn managed(distro: Distro) -> Layout {
    let (kubelet_config, ca_dir, reason): (&'static str, &'static str, &'static str) = match distro
    {
        Distro::Eks => (
            "/etc/kubernetes/kubelet/kubelet-config.json",
            "/etc/kubernetes/pki",
            "eks default",
        ),
        Distro::Gke => (
            "/home/kubernetes/kubelet-config.yaml",
            "/etc/srv/kubernetes/pki",
            "gke default",
        ),
        _ => (
            "/etc/default/kubeletconfig.json",
            "/etc/kubernetes/certs",
            "aks default",
        ),
    };
    Layout {
        manifests_dir: KUBEADM_MANIFESTS.into(),
        pki_dirs: vec![
            PkiDir {
                path: ca_dir.into(),
                reason: "node PKI directory",
                depth: 2,
                required: false,
            },
            PkiDir {
                path: "/var/lib/kubelet/pki".into(),
                reason: "kubelet PKI directory",
                depth: 2,
                required: false,
            },
        ],
        ca_keys: Vec::new(),
        kubeconfigs: vec!["/var/lib/kubelet/kubeconfig".into()],
        default_reason: reason,
        kubelet_config: Some(kubelet_config.into()),
        kubelet_units: vec![
            "/etc/systemd/system/kubelet.service",
            "/usr/lib/systemd/system/kubelet.service",
            "/lib/systemd/system/kubelet.service",
        ],
        kubelet_flags_env: None,
        cni_dirs: vec!["/etc/cni/net.d".into()],
        etcd_data_dir: "/var/lib/etcd".into(),
    }
}

impl Layout {
    /// The same layout with every path under `from` moved under `to` (k3s's and RKE2's
    /// `data-dir`).
    pub fn moved(mut self, from: &str, to: &str) -> Layout {
        let mv = |p: &mut String| {
            if let Some(rest) = p.strip_prefix(from) {
                *p = format!("{to}{rest}");
            }
        };
        mv(&mut self.manifests_dir);
        self.pki_dirs.iter_mut().for_each(|d| mv(&mut d.path));
        self.ca_keys.iter_mut().for_each(mv);
        self.kubeconfigs.iter_mut().for_each(mv);
        self.cni_dirs.iter_mut().for_each(mv);
        mv(&mut self.etcd_data_dir);
        self
    }

    pub fn of(distro: Distro, role: NodeRole) -> Layout {
        match distro {
            Distro::K3s | Distro::Rke2 => rancher(distro, role),
            Distro::MicroK8s => microk8s(),
            Distro::OpenShift => openshift(),
            Distro::Eks | Distro::Gke | Distro::Aks => managed(distro),
            Distro::Kubeadm | Distro::Kind | Distro::Unknown => kubeadm(),
        }
    }
}

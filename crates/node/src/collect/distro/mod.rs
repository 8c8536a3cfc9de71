//! Which distribution laid the node out, and the layouts that are not kubeadm's: k3s and RKE2
//! (`rancher`), MicroK8s (`microk8s`), OpenShift and managed worker nodes (paths only, in
//! `layout`). Every layout ends in the same facts: components with their flags and where each
//! was set, the kubelet's configuration, PKI, kubeconfigs, the datastore.

pub mod layout;
mod microk8s;
pub(crate) mod rancher;

use super::Collector;
use kcheck_model::facts::{Detection, Distro, NodeRole};
use kcheck_model::{text, Text};
pub use layout::Layout;

/// Process names a distribution runs its components under.
const DISTRO_BINARIES: [&str; 3] = ["k3s", "rke2", "kubelite"];

/// A process of a distribution (`k3s server`), as its command line reads.
#[derive(Clone, Debug)]
pub struct DistroProcess {
    pub pid: u32,
    /// The binary's base name: `k3s`, `rke2`, `kubelite`.
    pub binary: String,
    /// The arguments after the binary (`server`, `--secrets-encryption`).
    pub args: Vec<String>,
}

/// A distribution process from a command line, if it is one. k3s and RKE2 rename their process
/// (`/usr/local/bin/k3s server` in one argument), which is split here.
pub fn distro_process(pid: u32, args: &[String]) -> Option<DistroProcess> {
    let mut words: Vec<String> = match args {
        [only] if only.contains(' ') => only.split_whitespace().map(str::to_string).collect(),
        _ => args.to_vec(),
    };
    if words.is_empty() {
        return None;
    }
    let first = words.remove(0);
    let base = first.rsplit('/').next().unwrap_or(&first).to_string();
    DISTRO_BINARIES
        .contains(&base.as_str())
        .then_some(DistroProcess {
            pid,
            binary: base,
            args: words,
        })
}

/// Unit files of k3s and RKE2 by role, where their installers put them.
const UNIT_DIRS: [&str; 4] = [
    "/etc/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

impl Collector<'_> {
    /// Decides the distribution and role (or takes `--distro`), records why, and picks the
    /// layout the rest of the scan reads.
    pub(super) fn detect(&mut self) {
        let (detected, role, why) = self.detect_distro();
        let detection = match self.opts.distro {
            Some(forced) if forced != detected => {
                let (role, why) = self.role_of(forced);
                Detection {
                    distro: forced,
                    role,
                    why,
                    overridden: true,
                }
            }
            Some(forced) => Detection {
                distro: forced,
                role,
                why,
                overridden: true,
            },
            None => Detection {
                distro: detected,
                role,
                why,
                overridden: false,
            },
        };
        self.layout = Layout::of(detection.distro, detection.role);
        if let Some(dir) = &self.opts.manifests_dir {
            self.layout.manifests_dir.clone_from(dir);
        }
        let distro = detection.distro;
        self.facts.distro = Some(detection);
        if matches!(distro, Distro::K3s | Distro::Rke2) {
            self.rancher_configuration(distro);
        }
    }

    fn exists(&self, path: &str) -> bool {
        !matches!(self.host.stat(path), kcheck_model::facts::FileStat::Missing)
    }

    fn process_of(&self, binary: &str) -> Option<&DistroProcess> {
        self.distro_procs.iter().find(|p| p.binary == binary)
    }

    /// The first unit file of `names` that exists, as a host path.
    fn unit(&self, names: &[&str]) -> Option<String> {
        UNIT_DIRS.iter().find_map(|dir| {
            names
                .iter()
                .map(|n| format!("{dir}/{n}"))
                .find(|p| self.exists(p))
        })
    }

    fn detect_distro(&self) -> (Distro, NodeRole, Vec<Text>) {
        for binary in ["k3s", "rke2"] {
            if self.process_of(binary).is_some() {
                let distro = if binary == "rke2" {
                    Distro::Rke2
                } else {
                    Distro::K3s
                };
                let (role, why) = self.role_of(distro);
                return (distro, role, why);
            }
        }
        if self.process_of("kubelite").is_some()
            || self.exists(&format!("{}/args", layout::MICROK8S_DATA))
        {
            let (role, why) = self.role_of(Distro::MicroK8s);
            return (Distro::MicroK8s, role, why);
        }
        for distro in [Distro::K3s, Distro::Rke2] {
            let name = layout::rancher_name(distro);
            if self.exists(&format!("/etc/rancher/{name}"))
                || self.exists(&format!("/var/lib/rancher/{name}"))
                || self.rancher_unit(distro).is_some()
            {
                let (role, why) = self.role_of(distro);
                return (distro, role, why);
            }
        }
        // A node that runs its own API server is not a managed worker, whatever cloud files it
        // has (a kubeadm cluster on Azure VMs has /etc/kubernetes/azure.json too).
        let own_control_plane = self.kubeadm_role(&mut Vec::new()) == NodeRole::ControlPlane;
        for distro in [
            Distro::Kind,
            Distro::OpenShift,
            Distro::Eks,
            Distro::Gke,
            Distro::Aks,
        ] {
            if own_control_plane && distro.managed_control_plane() {
                continue;
            }
            let (role, why) = self.role_of(distro);
            if !why.is_empty() {
                return (distro, role, why);
            }
        }
        let (role, why) = self.role_of(Distro::Kubeadm);
        if why.is_empty() {
            return (Distro::Unknown, role, why);
        }
        (Distro::Kubeadm, role, why)
    }

    /// The unit that starts a k3s or RKE2 server or agent, and the role it starts.
    fn rancher_unit(&self, distro: Distro) -> Option<(String, NodeRole)> {
        let (server, agent) = match distro {
            Distro::Rke2 => ("rke2-server.service", "rke2-agent.service"),
            _ => ("k3s.service", "k3s-agent.service"),
        };
        self.unit(&[server])
            .map(|u| (u, NodeRole::ControlPlane))
            .or_else(|| self.unit(&[agent]).map(|u| (u, NodeRole::Worker)))
    }

    /// The node's role under `distro`, and what was seen of `distro` (empty when nothing).
    fn role_of(&self, distro: Distro) -> (NodeRole, Vec<Text>) {
        let mut why = Vec::new();
        let seen = |path: &str, why: &mut Vec<Text>| {
            let found = self.exists(path);
            if found {
                why.push(text!("{path} exists", "{path} 存在"));
            }
            found
        };
        match distro {
            Distro::K3s | Distro::Rke2 => {
                let name = layout::rancher_name(distro);
                let mut role = NodeRole::Unknown;
                if let Some(p) = self.process_of(name) {
                    let (pid, sub) = (p.pid, p.args.first().map_or("", String::as_str));
                    why.push(text!(
                        "process {pid}: {name} {sub}",
                        "进程 {pid}：{name} {sub}"
                    ));
                    role = match sub {
                        "server" => NodeRole::ControlPlane,
                        "agent" => NodeRole::Worker,
                        _ => NodeRole::Unknown,
                    };
                }
                if let Some((unit, unit_role)) = self.rancher_unit(distro) {
                    why.push(text!("unit {unit}", "单元 {unit}"));
                    if role == NodeRole::Unknown {
                        role = unit_role;
                    }
                }
                seen(&format!("/etc/rancher/{name}/config.yaml"), &mut why);
                let server_dir = format!("/var/lib/rancher/{name}/server");
                if seen(&server_dir, &mut why) && role == NodeRole::Unknown {
                    role = NodeRole::ControlPlane;
                }
                if role == NodeRole::Unknown
                    && seen(&format!("/var/lib/rancher/{name}/agent"), &mut why)
                {
                    role = NodeRole::Worker;
                }
                (role, why)
            }
            Distro::MicroK8s => {
                if let Some(p) = self.process_of("kubelite") {
                    let pid = p.pid;
                    why.push(text!("process {pid}: kubelite", "进程 {pid}：kubelite"));
                }
                let data = layout::MICROK8S_DATA;
                seen(&format!("{data}/args"), &mut why);
                // A node joined with `--worker` runs no control plane and has this lock.
                let worker = seen(&format!("{data}/var/lock/clustered.lock"), &mut why);
                let role = if worker {
                    NodeRole::Worker
                } else {
                    NodeRole::ControlPlane
                };
                (role, why)
            }
            Distro::Kind => {
                if !seen("/kind", &mut why) {
                    return (NodeRole::Unknown, why);
                }
                (self.kubeadm_role(&mut why), why)
            }
            Distro::OpenShift => {
                if !seen("/etc/kubernetes/static-pod-resources", &mut why)
                    && !seen("/etc/machine-config-daemon", &mut why)
                {
                    return (NodeRole::Unknown, why);
                }
                let role = if seen(
                    "/etc/kubernetes/manifests/kube-apiserver-pod.yaml",
                    &mut why,
                ) {
                    NodeRole::ControlPlane
                } else {
                    NodeRole::Worker
                };
                (role, why)
            }
            Distro::Eks => {
                seen("/etc/eks", &mut why);
                // Amazon Linux 2 (bootstrap.sh), then AL2023 (nodeadm).
                seen("/etc/kubernetes/kubelet/kubelet-config.json", &mut why);
                seen("/etc/kubernetes/kubelet/config.json", &mut why);
                (NodeRole::Worker, why)
            }
            Distro::Gke => {
                seen("/home/kubernetes/kubelet-config.yaml", &mut why);
                (NodeRole::Worker, why)
            }
            Distro::Aks => {
                seen("/etc/kubernetes/azure.json", &mut why);
                (NodeRole::Worker, why)
            }
            Distro::Kubeadm | Distro::Unknown => {
                let role = self.kubeadm_role(&mut why);
                for path in [
                    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
                    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                    "/var/lib/kubelet/kubeadm-flags.env",
                    "/etc/kubernetes/kubelet.conf",
                ] {
                    seen(path, &mut why);
                }
                (role, why)
            }
        }
    }

    /// A kubeadm layout's role: a control plane when it has the API server's static pod.
    fn kubeadm_role(&self, why: &mut Vec<Text>) -> NodeRole {
        let manifest = format!(
            "{}/kube-apiserver.yaml",
            self.opts
                .manifests_dir
                .as_deref()
                .unwrap_or(layout::KUBEADM_MANIFESTS)
        );
        if self.exists(&manifest) {
            why.push(text!("{manifest} exists", "{manifest} 存在"));
            return NodeRole::ControlPlane;
        }
        let process = self.facts.components.iter().any(|c| {
            c.kind == kcheck_model::ComponentKind::ApiServer
                && matches!(c.origin, kcheck_model::facts::Origin::Process { .. })
        });
        if process {
            why.push(Text::fixed(
                "a kube-apiserver process runs",
                "有 kube-apiserver 进程在运行",
            ));
            return NodeRole::ControlPlane;
        }
        NodeRole::Worker
    }

    /// Components a distribution runs from its own configuration.
    pub(super) fn distro_components(&mut self) {
        let Some(d) = self.facts.distro.clone() else {
            return;
        };
        match d.distro {
            Distro::K3s | Distro::Rke2 => self.rancher(d.distro, d.role),
            Distro::MicroK8s => self.microk8s(d.role),
            _ => {}
        }
    }

    /// Why a control-plane component is not on this node, when the distribution explains it.
    pub(super) fn distro_missing_reason(&self, kind: kcheck_model::ComponentKind) -> Option<Text> {
        let d = self.facts.distro.as_ref()?;
        let title = d.distro.title();
        let name = kind.binary();
        if kind == kcheck_model::ComponentKind::Kubelet {
            return None;
        }
        match d.distro {
            Distro::Eks | Distro::Gke | Distro::Aks => Some(text!(
                "{title} runs the control plane; {name} is the provider's, not on this worker node",
                "控制平面由 {title} 运行；{name} 属于云服务商，不在此工作节点上",
            )),
            Distro::OpenShift => Some(text!(
                "OpenShift's operators render {name}'s configuration (static pod resources under /etc/kubernetes/static-pod-resources), which kcheck does not read",
                "OpenShift 的 operator 生成 {name} 的配置（位于 /etc/kubernetes/static-pod-resources 的静态 Pod 资源），kcheck 不读取这些配置",
            )),
            Distro::K3s | Distro::Rke2 | Distro::MicroK8s if d.role == NodeRole::Worker => {
                let (role, role_zh) = if d.distro == Distro::MicroK8s {
                    ("a worker", "工作节点")
                } else {
                    ("an agent", " agent 节点")
                };
                Some(text!(
                    "this {title} node is {role}: {name} runs on the servers; run kcheck node on a server",
                    "此 {title} 节点是{role_zh}：{name} 运行在服务器节点上；请在服务器节点上运行 kcheck node",
                ))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_processes() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let p =
            distro_process(812, &args(&["/usr/local/bin/k3s", "server", "--debug"])).expect("k3s");
        assert_eq!((p.binary.as_str(), p.args.len()), ("k3s", 2));
        // k3s and RKE2 rename their process: one argument with spaces.
        let p = distro_process(9, &args(&["/usr/local/bin/rke2 agent"])).expect("rke2");
        assert_eq!((p.binary.as_str(), p.args[0].as_str()), ("rke2", "agent"));
        assert!(distro_process(1, &args(&["/usr/bin/kubelet", "--v=2"])).is_none());
        assert!(distro_process(1, &[]).is_none());
    }
}

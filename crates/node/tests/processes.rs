//! Discovery of real processes in `/proc`: harmless shells started under component names.

use kcheck_model::facts::{ConfigRole, Origin};
use kcheck_model::ComponentKind::{self, ApiServer, Etcd, Kubelet};
use kcheck_node::testing::NodeTree;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A shell that sleeps, whose argv[0] is `name` and whose other arguments are `flags` (after
/// `-c 'sleep 30; exit 0'`, which the collector sees as one more flag).
struct FakeComponent(Child);

impl FakeComponent {
    fn start(name: &str, flags: &[&str]) -> FakeComponent {
        let child = Command::new("/bin/sh")
            .arg0(name)
            .args(["-c", "sleep 30; exit 0"])
            .args(flags)
            .process_group(0)
            .spawn()
            .expect("start /bin/sh");
        // Wait until the kernel shows the new command line (after exec).
        let path = format!("/proc/{}/cmdline", child.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let cmdline = std::fs::read(&path).unwrap_or_default();
            if cmdline.starts_with(name.as_bytes()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        FakeComponent(child)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for FakeComponent {
    fn drop(&mut self) {
        // The whole group: the shell and its sleep.
        let _ = Command::new("kill")
            .args(["-9", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

#[test]
fn running_components_are_found_with_their_flags() {
    let tree = NodeTree::kubeadm_default()
        .file(
            "/var/lib/kubelet/custom.yaml",
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n",
        )
        .build();
    let apiserver = FakeComponent::start(
        "/usr/local/bin/kube-apiserver",
        &[
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--bind-address",
            "127.0.0.1",
            "--enable-admission-plugins=NodeRestriction",
            "--enable-admission-plugins=PodSecurity",
        ],
    );
    let kubelet = FakeComponent::start(
        "kubelet",
        &[
            "--config=/var/lib/kubelet/custom.yaml",
            "--kubeconfig",
            "/etc/kubernetes/kubelet.conf",
        ],
    );
    let etcd = FakeComponent::start(
        "etcd",
        &["--client-cert-auth", "--data-dir", "/var/lib/etcd-data"],
    );
    let options = tree.options().with_proc_dir("/proc");
    let facts = kcheck_node::collect(&options);
    let ours = |kind: ComponentKind, pid: u32| {
        facts
            .components
            .iter()
            .find(|c| c.kind == kind && c.origin == Origin::Process { pid })
            .unwrap_or_else(|| panic!("{kind} (pid {pid}) not found"))
    };

    let api = ours(ApiServer, apiserver.pid());
    assert_eq!(api.flags.get("anonymous-auth"), Some("false"));
    assert_eq!(api.flags.get("bind-address"), Some("127.0.0.1"));
    assert_eq!(
        api.flags.list("enable-admission-plugins"),
        ["NodeRestriction", "PodSecurity"]
    );
    assert_eq!(api.flag_location("anonymous-auth"), None);
    assert_eq!(api.version, None);
    // The static pod comes first, the process after it.
    let origins: Vec<bool> = facts
        .components
        .iter()
        .filter(|c| c.kind == ApiServer)
        .map(|c| matches!(c.origin, Origin::StaticPod { .. }))
        .collect();
    assert_eq!(origins.first(), Some(&true));
    assert!(origins.len() >= 2);

    // A running kubelet is read from its process, not from the unit, and its --config is used.
    let k = ours(Kubelet, kubelet.pid());
    assert_eq!(facts.component(Kubelet).map(|c| &c.origin), Some(&k.origin));
    assert_eq!(
        facts.config(ConfigRole::Kubelet).map(|c| c.path.as_str()),
        Some("/var/lib/kubelet/custom.yaml")
    );

    let e = ours(Etcd, etcd.pid());
    assert_eq!(e.flags.get("client-cert-auth"), Some("true"));
    assert_eq!(e.flags.get("data-dir"), Some("/var/lib/etcd-data"));
    assert!(facts.file("/var/lib/etcd-data").is_some());
    assert!(facts.missing("processes").is_none());
}

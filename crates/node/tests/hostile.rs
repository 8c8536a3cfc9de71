//! Hostile and broken input: nothing panics, hangs or reads without bound; problems are
//! diagnostics and missing evidence.

use kcheck_model::facts::FileStat;
use kcheck_model::ComponentKind::ApiServer;
use kcheck_model::DiagnosticSeverity;
use kcheck_node::testing::NodeTree;

fn errors_for(c: &kcheck_node::Collected, path: &str) -> Vec<String> {
    c.inputs
        .diagnostics
        .iter()
        .filter(|d| &*d.file == path && d.severity == DiagnosticSeverity::Error)
        .map(|d| d.message.en.to_string())
        .collect()
}

#[test]
fn garbage_files_are_diagnostics() {
    let mut binary = vec![0u8; 4096];
    for (i, b) in binary.iter_mut().enumerate() {
        *b = (i * 131 % 251) as u8;
    }
    let tree = NodeTree::kubeadm_default()
        .file("/etc/kubernetes/pki/garbage.crt", "this is not a certificate\n")
        .file(
            "/etc/kubernetes/pki/truncated.crt",
            "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n",
        )
        .file(
            "/etc/kubernetes/pki/badb64.crt",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        )
        .file("/etc/kubernetes/pki/binary.key", &binary)
        .file("/etc/kubernetes/manifests/binary.yaml", &binary)
        .file("/etc/kubernetes/manifests/list.yaml", "- a\n- b\n")
        .file(
            "/etc/kubernetes/manifests/odd.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler-x\nspec:\n  containers: nope\n",
        )
        .file(
            "/etc/kubernetes/admin.conf",
            "users:\n- name: x\n  user:\n    client-certificate-data: '%%%'\n    token: abc\nclusters: 7\n",
        )
        .file("/var/lib/kubelet/config.yaml", "[unclosed\n")
        .file("/etc/cni/net.d/99-bad.conf", "{ not json")
        .symlink("/etc/kubernetes/pki/loop.crt", "/etc/kubernetes/pki/loop.crt");
    let built = tree.build();
    let c = built.collect_with_inputs();
    let facts = &c.facts;

    for path in [
        "/etc/kubernetes/pki/garbage.crt",
        "/etc/kubernetes/pki/truncated.crt",
        "/etc/kubernetes/pki/badb64.crt",
        "/etc/kubernetes/pki/binary.key",
        "/etc/kubernetes/manifests/binary.yaml",
        "/etc/kubernetes/admin.conf",
        "/var/lib/kubelet/config.yaml",
        "/etc/cni/net.d/99-bad.conf",
        "/etc/kubernetes/pki/loop.crt",
    ] {
        assert!(
            !errors_for(&c, path).is_empty(),
            "no error for {path}: {:?}",
            c.inputs.diagnostics
        );
    }
    assert!(facts.missing("config:kubelet").is_some());
    let admin = facts
        .kubeconfigs
        .iter()
        .find(|k| k.path == "/etc/kubernetes/admin.conf")
        .unwrap();
    assert_eq!(admin.users[0].client_certificate, None);
    assert!(admin.users[0].has_token);
    assert!(admin.clusters.is_empty());
    // A pod with no containers list is no component; the real ones still are.
    assert!(facts.component(ApiServer).is_some());
    assert!(facts
        .components
        .iter()
        .all(|c| !matches!(&c.origin, kcheck_model::facts::Origin::StaticPod { path } if path.ends_with("odd.yaml"))));
}

#[test]
fn large_files_and_special_files_are_not_read() {
    let big = "x".repeat(64 * 1024);
    let tree = NodeTree::kubeadm_default().file("/etc/kubernetes/pki/big.crt", &big);
    let built = tree.build();
    let fifo = built.path("/etc/kubernetes/pki/fifo.crt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let mut options = built.options();
    options.max_file_bytes = 32 * 1024;
    let c = kcheck_node::collect_with_inputs(&options);
    let big_errors = errors_for(&c, "/etc/kubernetes/pki/big.crt");
    assert!(
        big_errors.iter().any(|e| e.contains("larger than")),
        "{big_errors:?}"
    );
    if made.is_ok_and(|s| s.success()) {
        let fifo_errors = errors_for(&c, "/etc/kubernetes/pki/fifo.crt");
        assert!(
            fifo_errors.iter().any(|e| e.contains("not a regular file")),
            "{fifo_errors:?}"
        );
    }
    // The real certificates are still there.
    assert!(c.facts.certificates.len() > 10);
}

#[test]
fn unreadable_files_are_missing_evidence() {
    if running_as_root() {
        // root reads a 000 file anyway: nothing to observe.
        return;
    }
    let tree = NodeTree::kubeadm_default().mode("/etc/kubernetes/pki/apiserver.crt", 0o000);
    let facts = tree.facts();
    let m = facts
        .missing
        .iter()
        .find(|m| m.path.as_deref() == Some("/etc/kubernetes/pki/apiserver.crt"))
        .expect("missing evidence for an unreadable certificate");
    assert!(m.reason.en.contains("permission denied"), "{:?}", m.reason);
    assert!(matches!(
        facts
            .file("/etc/kubernetes/pki/apiserver.crt")
            .unwrap()
            .stat,
        FileStat::Present { mode: 0, .. }
    ));
}

#[test]
fn random_bytes_anywhere_never_panic() {
    let targets = [
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        "/var/lib/kubelet/config.yaml",
        "/etc/kubernetes/admin.conf",
        "/etc/kubernetes/pki/ca.crt",
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "/var/lib/kubelet/kubeadm-flags.env",
        "/etc/cni/net.d/10-flannel.conflist",
        "/etc/passwd",
        "/sys/kernel/security/lsm",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut tree = NodeTree::secure();
    for (i, target) in targets.iter().enumerate() {
        let len = 64 + i * 97;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly printable, with YAML and PEM punctuation and the odd NUL.
                ALPHABET[(seed % ALPHABET.len() as u64) as usize]
            })
            .collect();
        tree = tree.file(target, &bytes);
    }
    let _ = tree.facts();
}

const ALPHABET: &[u8] = b"abc:-=\n \t\"'[]{}$#\\0/-----BEGIN \x00\xff";

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn proc_entries_that_are_symlinks_or_fifos_are_not_read() {
    // A --root image whose proc/ holds: a real-looking process, a pid directory that is a
    // symlink to a directory outside the root, and a pid whose cmdline is a FIFO.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("cmdline"),
        b"kube-apiserver\0--anonymous-auth=true\0--from-outside=yes\0",
    )
    .unwrap();
    let tree = NodeTree::kubeadm_default().file(
        "/proc/100/cmdline",
        b"kube-apiserver\0--secure-port=6443\0".as_slice(),
    );
    let built = tree.build();
    std::os::unix::fs::symlink(outside.path(), built.path("/proc/200")).unwrap();
    std::fs::create_dir_all(built.path("/proc/300")).unwrap();
    let fifo = built.path("/proc/300/cmdline");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let options = built.options().with_proc_dir(built.path("/proc"));
    let started = std::time::Instant::now();
    let c = kcheck_node::collect_with_inputs(&options);
    // The FIFO did not block the scan (a blocking open would hang here for ever).
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let from_proc: Vec<String> = c
        .facts
        .components
        .iter()
        .filter(|k| matches!(k.origin, kcheck_model::facts::Origin::Process { .. }))
        .map(|k| format!("{:?} {:?}", k.origin, k.flags.get("from-outside")))
        .collect();
    assert_eq!(from_proc, ["Process { pid: 100 } None"]);
}

/// A k3s configuration that is hostile in every way it can be: nested maps and sequences in the
/// pass-through lists, a key that is not a string, a symlink out of the root, a drop-in that is
/// binary, an anchor bomb, a file larger than the limit. The scan finishes, the rest is read,
/// nothing outside the root is opened.
#[test]
fn hostile_k3s_configuration_is_read_safely() {
    let outside = tempfile::NamedTempFile::new().expect("a file outside the tree");
    std::fs::write(outside.path(), "kube-apiserver-arg: [outside=true]\n").expect("write");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let many: String = (0..5000).map(|i| format!("  - flag-{i}=v\n")).collect();
    let tree = NodeTree::k3s_server()
        .file(
            "/etc/rancher/k3s/config.yaml",
            format!(
                "kube-apiserver-arg:\n  - {{nested: map}}\n  - [a, b]\n  - anonymous-auth=true\n  - ''\n  - '--'\n1: number-key\nkubelet-arg:\n{many}"
            ),
        )
        .symlink(
            "/etc/rancher/k3s/config.yaml.d/10-escape.yaml",
            &outside.path().display().to_string(),
        )
        .file("/etc/rancher/k3s/config.yaml.d/20-binary.yaml", [0u8, 159, 146, 150, 255])
        .file("/etc/rancher/k3s/config.yaml.d/30-bomb.yaml", bomb)
        .file(
            "/etc/rancher/k3s/config.yaml.d/40-complex.yaml",
            "secrets-encryption: true\n? [complex]\n: key\n",
        )
        .build();
    let mut options = tree.options();
    options.max_file_bytes = 1 << 20;
    let c = kcheck_node::collect_with_inputs(&options);
    let api = c
        .facts
        .component(ApiServer)
        .expect("the API server is still there");
    // What was readable is read; the escape reads the tree's own path, which does not exist.
    assert_eq!(api.flags.get("anonymous-auth"), Some("true"));
    assert!(!api.flags.has("outside"));
    assert!(
        !errors_for(&c, "/etc/rancher/k3s/config.yaml.d/20-binary.yaml").is_empty(),
        "{:?}",
        c.inputs.diagnostics
    );
    let kubelet = c
        .facts
        .component(kcheck_model::ComponentKind::Kubelet)
        .expect("kubelet");
    assert!(kubelet.flags.has("flag-4999"));
    // Every file that could not be read as a mapping says so, where the parser stopped when it
    // knows.
    for file in ["30-bomb.yaml", "40-complex.yaml"] {
        let path = format!("/etc/rancher/k3s/config.yaml.d/{file}");
        assert!(
            c.inputs
                .diagnostics
                .iter()
                .any(|d| *d.file == path && d.line > 0),
            "{file}: {:#?}",
            c.inputs.diagnostics
        );
    }
}

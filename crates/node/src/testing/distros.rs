//! Trees of the other layouts: k3s (server and agent), RKE2, MicroK8s, kind, OpenShift and the
//! managed worker nodes of EKS, GKE and AKS, each as its distribution lays it out by default.

use super::{CertSpec, Content, KeyType, KubeconfigSpec, NodeTree};
use kcheck_model::ComponentKind::{ApiServer, ControllerManager, Etcd, Scheduler};
use serde_json::json;

/// The join token written into the trees' configuration files: it must never reach a report.
pub const TEST_TOKEN: &str = "K10d0e1f2a3b4c5d6e7f8token-never-printed::server:0123456789abcdef";

const K3S_TLS: &str = "/var/lib/rancher/k3s/server/tls";
const K3S_AGENT: &str = "/var/lib/rancher/k3s/agent";
const K3S_CRED: &str = "/var/lib/rancher/k3s/server/cred";

/// A process's command line as `/proc/<pid>/cmdline` holds it.
fn cmdline(args: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for a in args {
        bytes.extend_from_slice(a.as_bytes());
        bytes.push(0);
    }
    bytes
}

fn flannel(t: NodeTree, dir: &str) -> NodeTree {
    let text = serde_json::to_string_pretty(&json!({
        "name": "cbr0",
        "cniVersion": "1.0.0",
        "plugins": [
            {"type": "flannel", "delegate": {"hairpinMode": true, "forceAddress": true, "isDefaultGateway": true}},
            {"type": "portmap", "capabilities": {"portMappings": true}},
        ],
    }))
    .unwrap_or_default();
    t.file_with_mode(&format!("{dir}/10-flannel.conflist"), text, 0o600)
}

fn apparmor(t: NodeTree) -> NodeTree {
    t.lsm(
        Some(true),
        None,
        &["lockdown", "capability", "yama", "apparmor"],
    )
}

/// A kubeconfig that names certificate files (as k3s writes its own).
fn file_kubeconfig(user: &str, server: &str, cert: &str, key: &str, ca: &str) -> KubeconfigSpec {
    KubeconfigSpec {
        user: user.into(),
        cluster: "local".into(),
        server: server.into(),
        client_cert: None,
        client_cert_path: Some((cert.into(), key.into())),
        ca: Some(ca.into()),
        token: false,
    }
}

/// The agent half every k3s node has: the kubelet's serving and client certificates, its CA,
/// kubeconfigs, flannel.
fn k3s_agent_files(mut t: NodeTree, server_ca: &str, client_ca: &str) -> NodeTree {
    let node = t.node_name.clone();
    let server = "https://127.0.0.1:6443";
    t = t
        .dir("/var/lib/rancher/k3s", 0o755)
        .dir(K3S_AGENT, 0o755)
        .cert_with_key(
            &format!("{K3S_AGENT}/client-ca.crt"),
            None,
            CertSpec::ca("k3s-client-ca"),
        )
        .cert_with_key(
            &format!("{K3S_AGENT}/server-ca.crt"),
            None,
            CertSpec::ca("k3s-server-ca"),
        )
        .cert(
            &format!("{K3S_AGENT}/serving-kubelet.crt"),
            CertSpec::server(&node, &[&node, "localhost"], server_ca)
                .key(KeyType::EcdsaP256)
                .days(365),
        )
        .cert(
            &format!("{K3S_AGENT}/client-kubelet.crt"),
            CertSpec::client(&format!("system:node:{node}"), &["system:nodes"], client_ca)
                .key(KeyType::EcdsaP256)
                .days(365),
        )
        .cert(
            &format!("{K3S_AGENT}/client-kube-proxy.crt"),
            CertSpec::client("system:kube-proxy", &[], client_ca)
                .key(KeyType::EcdsaP256)
                .days(365),
        );
    for (name, user, cert) in [
        ("kubelet", "user", "client-kubelet"),
        ("kubeproxy", "user", "client-kube-proxy"),
    ] {
        t = t.kubeconfig(
            &format!("{K3S_AGENT}/{name}.kubeconfig"),
            file_kubeconfig(
                user,
                server,
                &format!("{K3S_AGENT}/{cert}.crt"),
                &format!("{K3S_AGENT}/{cert}.key"),
                &format!("{K3S_AGENT}/server-ca.crt"),
            ),
        );
    }
    flannel(t, &format!("{K3S_AGENT}/etc/cni/net.d"))
}

impl NodeTree {
    /// A k3s server as the installer leaves it (`curl -sfL https://get.k3s.io | sh -`): one
    /// `k3s server` process, `/etc/rancher/k3s/config.yaml` with only a token and the
    /// kubeconfig mode, SQLite through kine, secrets encryption off, certificates under
    /// `/var/lib/rancher/k3s/server/tls` (CAs for ten years, leaves for 365 days, ECDSA).
    pub fn k3s_server() -> NodeTree {
        let mut t = NodeTree::empty();
        let node = t.node_name.clone();
        let client_ca = format!("{K3S_TLS}/client-ca.crt");
        let server_ca = format!("{K3S_TLS}/server-ca.crt");
        let header_ca = format!("{K3S_TLS}/request-header-ca.crt");
        let ec = KeyType::EcdsaP256;
        let leaf = |spec: CertSpec| spec.key(ec).days(365);
        t = t
            .file_with_mode("/proc/812/cmdline", cmdline(&["/usr/local/bin/k3s", "server"]), 0o444)
            .file_with_mode(
                "/etc/systemd/system/k3s.service",
                "[Unit]\nDescription=Lightweight Kubernetes\n[Service]\nType=notify\nEnvironmentFile=-/etc/systemd/system/k3s.service.env\nExecStart=/usr/local/bin/k3s server\n",
                0o644,
            )
            .dir("/etc/rancher/k3s", 0o755)
            .file(
                "/etc/rancher/k3s/config.yaml",
                format!("write-kubeconfig-mode: \"0600\"\ntoken: \"{TEST_TOKEN}\"\n"),
            )
            .dir("/var/lib/rancher/k3s/server", 0o700)
            .dir(K3S_TLS, 0o700)
            .cert(&client_ca, CertSpec::ca("k3s-client-ca").key(ec))
            .cert(&server_ca, CertSpec::ca("k3s-server-ca").key(ec))
            .cert(&header_ca, CertSpec::ca("k3s-request-header-ca").key(ec))
            .symlink(&format!("{K3S_TLS}/client-ca.nochain.crt"), &client_ca)
            .symlink(&format!("{K3S_TLS}/server-ca.nochain.crt"), &server_ca)
            .cert(
                &format!("{K3S_TLS}/serving-kube-apiserver.crt"),
                leaf(CertSpec::server(
                    "kube-apiserver",
                    &["kubernetes", "kubernetes.default", &node, "localhost"],
                    &server_ca,
                )),
            )
            .cert(
                &format!("{K3S_TLS}/client-kube-apiserver.crt"),
                leaf(CertSpec::client("system:apiserver", &["system:masters"], &client_ca)),
            )
            .cert(
                &format!("{K3S_TLS}/client-admin.crt"),
                leaf(CertSpec::client("system:admin", &["system:masters"], &client_ca)),
            )
            .cert(
                &format!("{K3S_TLS}/client-controller.crt"),
                leaf(CertSpec::client("system:kube-controller-manager", &[], &client_ca)),
            )
            .cert(
                &format!("{K3S_TLS}/client-scheduler.crt"),
                leaf(CertSpec::client("system:kube-scheduler", &[], &client_ca)),
            )
            .cert(
                &format!("{K3S_TLS}/client-auth-proxy.crt"),
                leaf(CertSpec::client("system:auth-proxy", &[], &header_ca)),
            )
            // The service-account signing key and its verification key: keys only.
            .cert_with_key(
                &format!("{K3S_TLS}/service-account.pem.tmp"),
                Some(&format!("{K3S_TLS}/service.current.key")),
                CertSpec::ca("service-account").key(KeyType::Rsa(2048)),
            )
            .remove(&format!("{K3S_TLS}/service-account.pem.tmp"))
            .put(
                &format!("{K3S_TLS}/service.key"),
                Content::KeyOf(format!("{K3S_TLS}/service-account.pem.tmp")),
                0o600,
            )
            .dir(K3S_CRED, 0o700)
            .dir("/var/lib/rancher/k3s/server/db", 0o700)
            .file("/var/lib/rancher/k3s/server/db/state.db", "SQLite format 3\0")
            .file_with_mode(
                "/var/lib/rancher/k3s/server/etc/egress-selector-config.yaml",
                "apiVersion: apiserver.k8s.io/v1beta1\nkind: EgressSelectorConfiguration\negressSelections:\n- name: cluster\n  connection:\n    proxyProtocol: Direct\n",
                0o600,
            );
        let server = "https://127.0.0.1:6444";
        for (name, user, cert) in [
            ("admin", "user", "client-admin"),
            ("controller", "user", "client-controller"),
            ("scheduler", "user", "client-scheduler"),
        ] {
            t = t.kubeconfig(
                &format!("{K3S_CRED}/{name}.kubeconfig"),
                file_kubeconfig(
                    user,
                    server,
                    &format!("{K3S_TLS}/{cert}.crt"),
                    &format!("{K3S_TLS}/{cert}.key"),
                    &server_ca,
                ),
            );
        }
        t = t.kubeconfig(
            "/etc/rancher/k3s/k3s.yaml",
            KubeconfigSpec {
                user: "default".into(),
                cluster: "default".into(),
                server: "https://127.0.0.1:6443".into(),
                client_cert: Some(leaf(CertSpec::client(
                    "system:admin",
                    &["system:masters"],
                    &client_ca,
                ))),
                client_cert_path: None,
                ca: Some(server_ca.clone()),
                token: false,
            },
        );
        t = k3s_agent_files(t, &server_ca, &client_ca);
        apparmor(t)
    }

    /// A k3s agent (worker): `k3s agent`, a config.yaml naming the server and its token, the
    /// agent's files only.
    pub fn k3s_agent() -> NodeTree {
        let mut t = NodeTree::empty();
        // The cluster's CAs live on the servers; the agent has their certificates only.
        let client_ca = "/var/lib/rancher/k3s/agent/client-ca.crt";
        let server_ca = "/var/lib/rancher/k3s/agent/server-ca.crt";
        t = t
            .file_with_mode(
                "/proc/901/cmdline",
                cmdline(&["/usr/local/bin/k3s", "agent"]),
                0o444,
            )
            .file_with_mode(
                "/etc/systemd/system/k3s-agent.service",
                "[Service]\nExecStart=/usr/local/bin/k3s agent\n",
                0o644,
            )
            .dir("/etc/rancher/k3s", 0o755)
            .file(
                "/etc/rancher/k3s/config.yaml",
                format!("server: https://192.168.0.10:6443\ntoken: {TEST_TOKEN}\n"),
            );
        t = k3s_agent_files(t, server_ca, client_ca);
        apparmor(t)
    }

    /// An RKE2 server: `rke2 server`, the control plane as static pods in
    /// `/var/lib/rancher/rke2/agent/pod-manifests`, the kubelet from its configuration, embedded
    /// etcd, secrets encryption on (RKE2's default), `profile: cis` off.
    pub fn rke2_server() -> NodeTree {
        let mut t = NodeTree::kubeadm_default();
        let tls = "/var/lib/rancher/rke2/server/tls";
        // kubeadm's paths give way to RKE2's.
        t = t
            .remove("/etc/kubernetes")
            .remove("/var/lib/kubelet")
            .remove("/etc/systemd/system/kubelet.service.d")
            .remove("/var/lib/etcd");
        let ca = format!("{tls}/server-ca.crt");
        let client_ca = format!("{tls}/client-ca.crt");
        let etcd_ca = format!("{tls}/etcd/server-ca.crt");
        let ec = KeyType::EcdsaP256;
        let leaf = |spec: CertSpec| spec.key(ec).days(365);
        t = t
            .file_with_mode("/proc/700/cmdline", cmdline(&["/usr/local/bin/rke2", "server"]), 0o444)
            .file_with_mode(
                "/usr/local/lib/systemd/system/rke2-server.service",
                "[Service]\nExecStart=/usr/local/bin/rke2 server\n",
                0o644,
            )
            .dir("/etc/rancher/rke2", 0o755)
            .file(
                "/etc/rancher/rke2/config.yaml",
                format!("token: {TEST_TOKEN}\nwrite-kubeconfig-mode: \"0600\"\n"),
            )
            .dir(tls, 0o700)
            .cert(&ca, CertSpec::ca("rke2-server-ca").key(ec))
            .cert(&client_ca, CertSpec::ca("rke2-client-ca").key(ec))
            .cert(&etcd_ca, CertSpec::ca("etcd-server-ca").key(ec))
            .cert(
                &format!("{tls}/serving-kube-apiserver.crt"),
                leaf(CertSpec::server("kube-apiserver", &["kubernetes", "localhost"], &ca)),
            )
            .cert(
                &format!("{tls}/client-kube-apiserver.crt"),
                leaf(CertSpec::client("system:apiserver", &["system:masters"], &client_ca)),
            )
            .cert(
                &format!("{tls}/etcd/client.crt"),
                leaf(CertSpec::client("etcd-client", &[], &etcd_ca)),
            )
            .cert(
                &format!("{tls}/etcd/server-client.crt"),
                leaf(CertSpec::server("etcd-server", &["localhost"], &etcd_ca).with_client_auth(true)),
            )
            .file(
                "/var/lib/rancher/rke2/server/cred/encryption-config.json",
                "{\"kind\":\"EncryptionConfiguration\",\"apiVersion\":\"apiserver.config.k8s.io/v1\",\"resources\":[{\"resources\":[\"secrets\"],\"providers\":[{\"aescbc\":{\"keys\":[{\"name\":\"aescbckey\",\"secret\":\"KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=\"}]}},{\"identity\":{}}]}]}\n",
            )
            .dir("/var/lib/rancher/rke2/server/db/etcd", 0o700)
            .cert_with_key(
                &format!("{tls}/service-account.pem.tmp"),
                Some(&format!("{tls}/service.key")),
                CertSpec::ca("service-account").key(KeyType::Rsa(2048)),
            )
            .remove(&format!("{tls}/service-account.pem.tmp"));
        let pods = "/var/lib/rancher/rke2/agent/pod-manifests";
        t.flags.insert(
            ApiServer,
            rke2_flags(&[
                ("allow-privileged", "true"),
                ("anonymous-auth", "false"),
                ("authorization-mode", "Node,RBAC"),
                ("client-ca-file", &client_ca),
                ("enable-admission-plugins", "NodeRestriction"),
                (
                    "encryption-provider-config",
                    "/var/lib/rancher/rke2/server/cred/encryption-config.json",
                ),
                ("etcd-cafile", &etcd_ca),
                ("etcd-certfile", &format!("{tls}/etcd/client.crt")),
                ("etcd-keyfile", &format!("{tls}/etcd/client.key")),
                ("etcd-servers", "https://127.0.0.1:2379"),
                ("kubelet-certificate-authority", &ca),
                (
                    "kubelet-client-certificate",
                    &format!("{tls}/client-kube-apiserver.crt"),
                ),
                (
                    "kubelet-client-key",
                    &format!("{tls}/client-kube-apiserver.key"),
                ),
                ("profiling", "false"),
                ("secure-port", "6443"),
                (
                    "service-account-issuer",
                    "https://kubernetes.default.svc.cluster.local",
                ),
                ("service-account-key-file", &format!("{tls}/service.key")),
                (
                    "service-account-signing-key-file",
                    &format!("{tls}/service.key"),
                ),
                (
                    "tls-cert-file",
                    &format!("{tls}/serving-kube-apiserver.crt"),
                ),
                (
                    "tls-private-key-file",
                    &format!("{tls}/serving-kube-apiserver.key"),
                ),
            ]),
        );
        t.flags.insert(
            ControllerManager,
            rke2_flags(&[
                ("bind-address", "127.0.0.1"),
                ("profiling", "false"),
                ("use-service-account-credentials", "true"),
            ]),
        );
        t.flags.insert(
            Scheduler,
            rke2_flags(&[("bind-address", "127.0.0.1"), ("profiling", "false")]),
        );
        t.flags.insert(
            Etcd,
            rke2_flags(&[
                ("cert-file", &format!("{tls}/etcd/server-client.crt")),
                ("client-cert-auth", "true"),
                ("data-dir", "/var/lib/rancher/rke2/server/db/etcd"),
                ("key-file", &format!("{tls}/etcd/server-client.key")),
                ("listen-client-urls", "https://127.0.0.1:2379"),
                ("peer-client-cert-auth", "true"),
                ("trusted-ca-file", &etcd_ca),
            ]),
        );
        for kind in [ApiServer, ControllerManager, Scheduler, Etcd] {
            let path = format!("{pods}/{}.yaml", kind.binary());
            t = t.put(&path, Content::StaticPod(kind), 0o600);
        }
        t.cert(
            "/var/lib/rancher/rke2/agent/serving-kubelet.crt",
            leaf(CertSpec::server("node1", &["node1"], &ca)),
        )
        .cert_with_key(
            "/var/lib/rancher/rke2/agent/client-ca.crt",
            None,
            CertSpec::ca("rke2-client-ca"),
        )
    }

    /// An RKE2 agent (worker): `rke2 agent`, its kubelet not running (made from the
    /// configuration), `profile: cis` and a pass-through kubelet flag in config.yaml.
    pub fn rke2_agent() -> NodeTree {
        let mut t = NodeTree::empty();
        let agent = "/var/lib/rancher/rke2/agent";
        let client_ca = format!("{agent}/client-ca.crt");
        let server_ca = format!("{agent}/server-ca.crt");
        t = t
            .file_with_mode("/proc/640/cmdline", cmdline(&["/usr/local/bin/rke2", "agent"]), 0o444)
            .file_with_mode(
                "/usr/local/lib/systemd/system/rke2-agent.service",
                "[Service]\nExecStart=/usr/local/bin/rke2 agent\n",
                0o644,
            )
            .dir("/etc/rancher/rke2", 0o755)
            .file(
                "/etc/rancher/rke2/config.yaml",
                format!("server: https://192.168.0.10:9345\ntoken: {TEST_TOKEN}\nprofile: cis\nkubelet-arg:\n  - read-only-port=10255\n"),
            )
            .cert_with_key(&client_ca, None, CertSpec::ca("rke2-client-ca"))
            .cert_with_key(&server_ca, None, CertSpec::ca("rke2-server-ca"))
            .cert(
                &format!("{agent}/serving-kubelet.crt"),
                CertSpec::server("node1", &["node1"], &server_ca).key(KeyType::EcdsaP256).days(365),
            )
            .cert(
                &format!("{agent}/client-kubelet.crt"),
                CertSpec::client("system:node:node1", &["system:nodes"], &client_ca)
                    .key(KeyType::EcdsaP256)
                    .days(365),
            )
            .kubeconfig(
                &format!("{agent}/kubelet.kubeconfig"),
                file_kubeconfig(
                    "user",
                    "https://127.0.0.1:6443",
                    &format!("{agent}/client-kubelet.crt"),
                    &format!("{agent}/client-kubelet.key"),
                    &server_ca,
                ),
            );
        flannel(t, "/etc/cni/net.d").lsm(Some(true), None, &["apparmor"])
    }

    /// A worker of a managed cluster: the kubelet started by a systemd unit whose flags and
    /// configuration file sit where `distro`'s node image puts them. `distro` is `eks`, `gke` or
    /// `aks`.
    pub fn managed_worker(distro: &str) -> NodeTree {
        let mut t = NodeTree::empty();
        let node = t.node_name.clone();
        let (unit, config_path, ca) = match distro {
            "gke" => (
                "[Service]\nEnvironmentFile=/etc/default/kubelet\nExecStart=/home/kubernetes/bin/kubelet $KUBELET_OPTS\n",
                "/home/kubernetes/kubelet-config.yaml",
                "/etc/srv/kubernetes/pki/ca-certificates.crt",
            ),
            "aks" => (
                "[Service]\nEnvironmentFile=/etc/default/kubelet\nExecStart=/usr/local/bin/kubelet --node-labels=\"${KUBELET_NODE_LABELS}\" $KUBELET_FLAGS\n",
                "/etc/default/kubeletconfig.json",
                "/etc/kubernetes/certs/ca.crt",
            ),
            _ => (
                "[Service]\nExecStart=/usr/bin/kubelet --config /etc/kubernetes/kubelet/kubelet-config.json --kubeconfig /var/lib/kubelet/kubeconfig --container-runtime-endpoint unix:///run/containerd/containerd.sock $KUBELET_ARGS $KUBELET_EXTRA_ARGS\n",
                "/etc/kubernetes/kubelet/kubelet-config.json",
                "/etc/kubernetes/pki/ca.crt",
            ),
        };
        let config = json!({
            "kind": "KubeletConfiguration",
            "apiVersion": "kubelet.config.k8s.io/v1beta1",
            "address": "0.0.0.0",
            "authentication": {
                "anonymous": {"enabled": false},
                "webhook": {"cacheTTL": "2m0s", "enabled": true},
                "x509": {"clientCAFile": ca},
            },
            "authorization": {"mode": "Webhook"},
            "clusterDomain": "cluster.local",
            "readOnlyPort": 0,
            "protectKernelDefaults": true,
            "serverTLSBootstrap": true,
            "rotateCertificates": true,
        });
        let text = serde_json::to_string_pretty(&config).unwrap_or_default();
        t = t
            .file_with_mode("/etc/systemd/system/kubelet.service", unit, 0o644)
            .file_with_mode(config_path, text, 0o644)
            .cert_with_key(ca, None, CertSpec::ca("kubernetes"))
            .cert_and_key(
                "/var/lib/kubelet/pki/kubelet-client-current.pem",
                CertSpec::client(&format!("system:node:{node}"), &["system:nodes"], ca),
            )
            .kubeconfig(
                "/var/lib/kubelet/kubeconfig",
                KubeconfigSpec {
                    user: "kubelet".into(),
                    cluster: "kubernetes".into(),
                    server: "https://control-plane.example:443".into(),
                    client_cert: None,
                    client_cert_path: Some((
                        "/var/lib/kubelet/pki/kubelet-client-current.pem".into(),
                        "/var/lib/kubelet/pki/kubelet-client-current.pem".into(),
                    )),
                    ca: Some(ca.into()),
                    token: false,
                },
            );
        t = match distro {
            "gke" => t.file_with_mode(
                "/etc/default/kubelet",
                format!("KUBELET_OPTS=\"--v=2 --cloud-provider=external --config={config_path} --kubeconfig=/var/lib/kubelet/kubeconfig --container-runtime-endpoint=unix:///run/containerd/containerd.sock\"\n"),
                0o644,
            ),
            "aks" => t
                .file_with_mode(
                    "/etc/default/kubelet",
                    format!("KUBELET_FLAGS=--config={config_path} --kubeconfig=/var/lib/kubelet/kubeconfig --cloud-provider=external --pod-infra-container-image=mcr.microsoft.com/oss/kubernetes/pause:3.6\nKUBELET_NODE_LABELS=kubernetes.azure.com/role=agent\n"),
                    0o644,
                )
                .file("/etc/kubernetes/azure.json", "{\"cloud\":\"AzurePublicCloud\",\"aadClientSecret\":\"never-read\"}\n"),
            // bootstrap.sh's drop-ins, after the unit that uses their variables.
            _ => t
                .dir("/etc/eks", 0o755)
                .file_with_mode("/etc/eks/bootstrap.sh", "#!/usr/bin/env bash\n", 0o755)
                .file_with_mode(
                    "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf",
                    "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.0.5 --pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5 --v=2'\n",
                    0o644,
                )
                .file_with_mode(
                    "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
                    "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--node-labels=team=a'\n",
                    0o644,
                ),
        };
        flannel(t, "/etc/cni/net.d").lsm(Some(true), None, &["apparmor"])
    }

    /// A MicroK8s node: `kubelite`, argument files under `/var/snap/microk8s/current/args`,
    /// certificates in `.../certs`, dqlite.
    pub fn microk8s() -> NodeTree {
        let mut t = NodeTree::empty();
        let data = "/var/snap/microk8s/current";
        let ca = format!("{data}/certs/ca.crt");
        t = t
            .file_with_mode(
                "/proc/1500/cmdline",
                cmdline(&["/snap/microk8s/7229/kubelite", "--scheduler-args-file=/var/snap/microk8s/7229/args/kube-scheduler"]),
                0o444,
            )
            .file_with_mode(
                &format!("{data}/args/kube-apiserver"),
                "--cert-dir=${SNAP_DATA}/certs\n--service-cluster-ip-range=10.152.183.0/24\n--authorization-mode=RBAC,Node\n--service-account-key-file=${SNAP_DATA}/certs/serviceaccount.key\n--client-ca-file=${SNAP_DATA}/certs/ca.crt\n--tls-cert-file=${SNAP_DATA}/certs/server.crt\n--tls-private-key-file=${SNAP_DATA}/certs/server.key\n--kubelet-client-certificate=${SNAP_DATA}/certs/server.crt\n--kubelet-client-key=${SNAP_DATA}/certs/server.key\n--secure-port=16443\n--etcd-servers='unix://${SNAP_DATA}/var/kubernetes/backend/kine.sock:12379'\n--allow-privileged=true\n--service-account-issuer='https://kubernetes.default.svc'\n--service-account-signing-key-file=${SNAP_DATA}/certs/serviceaccount.key\n--enable-admission-plugins=EventRateLimit\n--admission-control-config-file=${SNAP_DATA}/args/admission-control-config-file.yaml\n",
                0o660,
            )
            .file_with_mode(
                &format!("{data}/args/kube-controller-manager"),
                "--kubeconfig=${SNAP_DATA}/credentials/controller.config\n--service-account-private-key-file=${SNAP_DATA}/certs/serviceaccount.key\n--root-ca-file=${SNAP_DATA}/certs/ca.crt\n--cluster-signing-cert-file=${SNAP_DATA}/certs/ca.crt\n--cluster-signing-key-file=${SNAP_DATA}/certs/ca.key\n--use-service-account-credentials\n--profiling=false\n",
                0o660,
            )
            .file_with_mode(
                &format!("{data}/args/kube-scheduler"),
                "--kubeconfig=${SNAP_DATA}/credentials/scheduler.config\n--profiling=false\n",
                0o660,
            )
            .file_with_mode(
                &format!("{data}/args/kubelet"),
                "--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n--cert-dir=${SNAP_DATA}/certs\n--client-ca-file=${SNAP_DATA}/certs/ca.crt\n--anonymous-auth=false\n--root-dir=${SNAP_COMMON}/var/lib/kubelet\n--fail-swap-on=false\n--authentication-token-webhook=true\n--read-only-port=0\n",
                0o660,
            )
            .file_with_mode(
                &format!("{data}/args/admission-control-config-file.yaml"),
                "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  path: eventconfig.yaml\n",
                0o660,
            )
            .file_with_mode(
                &format!("{data}/args/eventconfig.yaml"),
                "apiVersion: eventratelimit.admission.k8s.io/v1alpha1\nkind: Configuration\nlimits:\n- type: Server\n  qps: 5000\n  burst: 20000\n",
                0o660,
            )
            .cert(&ca, CertSpec::ca("10.152.183.1"))
            .cert(
                &format!("{data}/certs/server.crt"),
                CertSpec::server("127.0.0.1", &["kubernetes", "localhost"], &ca).with_client_auth(true),
            )
            .cert_with_key(
                &format!("{data}/certs/serviceaccount.pem.tmp"),
                Some(&format!("{data}/certs/serviceaccount.key")),
                CertSpec::ca("serviceaccount"),
            )
            .remove(&format!("{data}/certs/serviceaccount.pem.tmp"))
            .dir(&format!("{data}/var/kubernetes/backend"), 0o700);
        for (name, user, orgs) in [
            ("client", "admin", &["system:masters"][..]),
            ("controller", "system:kube-controller-manager", &[][..]),
            ("scheduler", "system:kube-scheduler", &[][..]),
            ("kubelet", "system:node:node1", &["system:nodes"][..]),
        ] {
            t = t.kubeconfig(
                &format!("{data}/credentials/{name}.config"),
                KubeconfigSpec {
                    user: user.into(),
                    cluster: "microk8s-cluster".into(),
                    server: "https://127.0.0.1:16443".into(),
                    client_cert: Some(CertSpec::client(user, orgs, &ca)),
                    client_cert_path: None,
                    ca: Some(ca.clone()),
                    token: false,
                },
            );
        }
        flannel(t, &format!("{data}/args/cni-network")).lsm(Some(true), None, &["apparmor"])
    }

    /// A kind node: kubeadm's layout inside the node container, marked by `/kind`.
    pub fn kind() -> NodeTree {
        NodeTree::kubeadm_default()
            .dir("/kind", 0o755)
            .file_with_mode("/kind/version", "v1.30.4\n", 0o644)
    }

    /// An OpenShift control-plane node: operator-written static pods
    /// (`kube-apiserver-pod.yaml`), their resources in `/etc/kubernetes/static-pod-resources`,
    /// the kubelet's configuration in `/etc/kubernetes/kubelet.conf`.
    pub fn openshift() -> NodeTree {
        let mut t = NodeTree::empty();
        let resources = "/etc/kubernetes/static-pod-resources";
        let ca = format!("{resources}/kube-apiserver-certs/configmaps/client-ca/ca-bundle.crt");
        t = t
            .file(
                "/etc/kubernetes/manifests/kube-apiserver-pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: openshift-kube-apiserver\nspec:\n  containers:\n  - name: kube-apiserver\n    image: quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:00\n    command: [\"/bin/bash\", \"-ec\"]\n    args:\n    - |\n      exec hyperkube kube-apiserver --openshift-config=/etc/kubernetes/static-pod-resources/configmaps/config/config.yaml -v=2\n",
            )
            .cert_with_key(&ca, None, CertSpec::ca("admin-kubeconfig-signer"))
            .file_with_mode(
                "/etc/systemd/system/kubelet.service",
                "[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubernetes/kubelet.conf --bootstrap-kubeconfig=/etc/kubernetes/kubeconfig --kubeconfig=/var/lib/kubelet/kubeconfig --container-runtime-endpoint=/var/run/crio/crio.sock\n",
                0o644,
            )
            .file_with_mode(
                "/etc/kubernetes/kubelet.conf",
                "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\",\"authentication\":{\"anonymous\":{\"enabled\":false},\"webhook\":{\"enabled\":true},\"x509\":{\"clientCAFile\":\"/etc/kubernetes/kubelet-ca.crt\"}},\"authorization\":{\"mode\":\"Webhook\"},\"readOnlyPort\":0,\"protectKernelDefaults\":true,\"rotateCertificates\":true,\"serverTLSBootstrap\":true}\n",
                0o644,
            )
            .cert_with_key("/etc/kubernetes/kubelet-ca.crt", None, CertSpec::ca("kubelet-signer"));
        t.lsm(None, Some(true), &["selinux"])
    }

    /// Sets a k3s or RKE2 configuration file's text (`/etc/rancher/k3s/config.yaml`).
    pub fn rancher_config(self, path: &str, text: &str) -> NodeTree {
        self.file(path, text)
    }
}

fn rke2_flags(list: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), Some(v.to_string())))
        .collect()
}

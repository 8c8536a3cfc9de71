//! The two starting trees: what kubeadm (v1.30) writes, and the same node hardened.

use super::files::{
    ADMISSION, AUDIT_POLICY, ENCRYPTION, KUBEADM_DROP_IN, POD_SECURITY, VALIDATING_WEBHOOK,
};
use super::{manifest_path, CertSpec, Content, KeyType, KubeconfigSpec, NodeTree};
use kcheck_model::ComponentKind::{self, ApiServer, ControllerManager, Etcd, Kubelet, Scheduler};
use serde_json::json;

const PKI: &str = "/etc/kubernetes/pki";
const CA: &str = "/etc/kubernetes/pki/ca.crt";
const ETCD_CA: &str = "/etc/kubernetes/pki/etcd/ca.crt";
const FRONT_PROXY_CA: &str = "/etc/kubernetes/pki/front-proxy-ca.crt";
const KUBELET_CLIENT: &str = "/var/lib/kubelet/pki/kubelet-client-current.pem";
const KUBELET_CLIENT_DATED: &str = "/var/lib/kubelet/pki/kubelet-client-2024-01-01-00-00-00.pem";
const DROP_IN: &str = "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf";

fn flags(list: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), Some(v.to_string())))
        .collect()
}

pub fn default_tree() -> NodeTree {
    let mut t = NodeTree::empty();
    let ip = t.address.clone();
    let node = t.node_name.clone();
    t.flags.insert(
        ApiServer,
        flags(&[
            ("advertise-address", &ip),
            ("allow-privileged", "true"),
            ("authorization-mode", "Node,RBAC"),
            ("client-ca-file", CA),
            ("enable-admission-plugins", "NodeRestriction"),
            ("enable-bootstrap-token-auth", "true"),
            ("etcd-cafile", ETCD_CA),
            (
                "etcd-certfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.crt",
            ),
            (
                "etcd-keyfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.key",
            ),
            ("etcd-servers", "https://127.0.0.1:2379"),
            (
                "kubelet-client-certificate",
                "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            ),
            (
                "kubelet-client-key",
                "/etc/kubernetes/pki/apiserver-kubelet-client.key",
            ),
            (
                "kubelet-preferred-address-types",
                "InternalIP,ExternalIP,Hostname",
            ),
            (
                "proxy-client-cert-file",
                "/etc/kubernetes/pki/front-proxy-client.crt",
            ),
            (
                "proxy-client-key-file",
                "/etc/kubernetes/pki/front-proxy-client.key",
            ),
            ("requestheader-allowed-names", "front-proxy-client"),
            ("requestheader-client-ca-file", FRONT_PROXY_CA),
            ("requestheader-extra-headers-prefix", "X-Remote-Extra-"),
            ("requestheader-group-headers", "X-Remote-Group"),
            ("requestheader-username-headers", "X-Remote-User"),
            ("secure-port", "6443"),
            (
                "service-account-issuer",
                "https://kubernetes.default.svc.cluster.local",
            ),
            ("service-account-key-file", "/etc/kubernetes/pki/sa.pub"),
            (
                "service-account-signing-key-file",
                "/etc/kubernetes/pki/sa.key",
            ),
            ("service-cluster-ip-range", "10.96.0.0/12"),
            ("tls-cert-file", "/etc/kubernetes/pki/apiserver.crt"),
            ("tls-private-key-file", "/etc/kubernetes/pki/apiserver.key"),
        ]),
    );
    t.flags.insert(
        ControllerManager,
        flags(&[
            ("allocate-node-cidrs", "true"),
            (
                "authentication-kubeconfig",
                "/etc/kubernetes/controller-manager.conf",
            ),
            (
                "authorization-kubeconfig",
                "/etc/kubernetes/controller-manager.conf",
            ),
            ("bind-address", "127.0.0.1"),
            ("client-ca-file", CA),
            ("cluster-cidr", "10.244.0.0/16"),
            ("cluster-name", "kubernetes"),
            ("cluster-signing-cert-file", CA),
            ("cluster-signing-key-file", "/etc/kubernetes/pki/ca.key"),
            ("controllers", "*,bootstrapsigner,tokencleaner"),
            ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
            ("leader-elect", "true"),
            ("requestheader-client-ca-file", FRONT_PROXY_CA),
            ("root-ca-file", CA),
            (
                "service-account-private-key-file",
                "/etc/kubernetes/pki/sa.key",
            ),
            ("service-cluster-ip-range", "10.96.0.0/12"),
            ("use-service-account-credentials", "true"),
        ]),
    );
    t.flags.insert(
        Scheduler,
        flags(&[
            (
                "authentication-kubeconfig",
                "/etc/kubernetes/scheduler.conf",
            ),
            ("authorization-kubeconfig", "/etc/kubernetes/scheduler.conf"),
            ("bind-address", "127.0.0.1"),
            ("kubeconfig", "/etc/kubernetes/scheduler.conf"),
            ("leader-elect", "true"),
        ]),
    );
    let peer = format!("https://{ip}:2380");
    t.flags.insert(
        Etcd,
        flags(&[
            ("advertise-client-urls", &format!("https://{ip}:2379")),
            ("cert-file", "/etc/kubernetes/pki/etcd/server.crt"),
            ("client-cert-auth", "true"),
            ("data-dir", "/var/lib/etcd"),
            ("experimental-initial-corrupt-check", "true"),
            ("experimental-watch-progress-notify-interval", "5s"),
            ("initial-advertise-peer-urls", &peer),
            ("initial-cluster", &format!("{node}={peer}")),
            ("key-file", "/etc/kubernetes/pki/etcd/server.key"),
            (
                "listen-client-urls",
                &format!("https://127.0.0.1:2379,https://{ip}:2379"),
            ),
            ("listen-metrics-urls", "http://127.0.0.1:2381"),
            ("listen-peer-urls", &peer),
            ("name", &node),
            ("peer-cert-file", "/etc/kubernetes/pki/etcd/peer.crt"),
            ("peer-client-cert-auth", "true"),
            ("peer-key-file", "/etc/kubernetes/pki/etcd/peer.key"),
            ("peer-trusted-ca-file", ETCD_CA),
            ("snapshot-count", "10000"),
            ("trusted-ca-file", ETCD_CA),
        ]),
    );
    t.flags.insert(
        Kubelet,
        flags(&[
            (
                "container-runtime-endpoint",
                "unix:///var/run/containerd/containerd.sock",
            ),
            ("pod-infra-container-image", "registry.k8s.io/pause:3.9"),
        ]),
    );
    t.kubelet_config = json!({
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "authentication": {
            "anonymous": {"enabled": false},
            "webhook": {"cacheTTL": "0s", "enabled": true},
            "x509": {"clientCAFile": CA},
        },
        "authorization": {
            "mode": "Webhook",
            "webhook": {"cacheAuthorizedTTL": "0s", "cacheUnauthorizedTTL": "0s"},
        },
        "cgroupDriver": "systemd",
        "clusterDNS": ["10.96.0.10"],
        "clusterDomain": "cluster.local",
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": 10248,
        "rotateCertificates": true,
        "staticPodPath": "/etc/kubernetes/manifests",
    });

    // Directories and generated files.
    t = t
        .dir("/etc/kubernetes", 0o755)
        .dir("/etc/kubernetes/manifests", 0o755)
        .dir(PKI, 0o755)
        .dir("/etc/kubernetes/pki/etcd", 0o755)
        .dir("/var/lib/kubelet", 0o755)
        .dir("/var/lib/kubelet/pki", 0o755)
        .dir("/var/lib/etcd", 0o700);
    for kind in [ApiServer, ControllerManager, Scheduler, Etcd] {
        t = t.put(&manifest_path(kind), Content::StaticPod(kind), 0o600);
    }
    t = t
        .put(
            "/var/lib/kubelet/config.yaml",
            Content::KubeletConfig,
            0o644,
        )
        .put(super::KUBELET_FLAGS, Content::KubeletFlags, 0o644)
        .file_with_mode(DROP_IN, KUBEADM_DROP_IN, 0o644);

    // The PKI as kubeadm lays it out.
    let rsa = KeyType::Rsa(2048);
    let api_names = [
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "node1",
    ];
    t = t
        .cert(CA, CertSpec::ca("kubernetes").key(rsa))
        .cert(
            "/etc/kubernetes/pki/apiserver.crt",
            CertSpec::server("kube-apiserver", &api_names, CA),
        )
        .cert(
            "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            CertSpec::client(
                "kube-apiserver-kubelet-client",
                &["kubeadm:cluster-admins"],
                CA,
            ),
        )
        .cert(FRONT_PROXY_CA, CertSpec::ca("front-proxy-ca"))
        .cert(
            "/etc/kubernetes/pki/front-proxy-client.crt",
            CertSpec::client("front-proxy-client", &[], FRONT_PROXY_CA),
        )
        .cert(ETCD_CA, CertSpec::ca("etcd-ca"))
        .cert(
            "/etc/kubernetes/pki/etcd/server.crt",
            CertSpec::server(&node, &["localhost", "node1"], ETCD_CA).with_client_auth(true),
        )
        .cert(
            "/etc/kubernetes/pki/etcd/peer.crt",
            CertSpec::server(&node, &["localhost", "node1"], ETCD_CA).with_client_auth(true),
        )
        .cert(
            "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
            CertSpec::client("kube-etcd-healthcheck-client", &[], ETCD_CA),
        )
        .cert(
            "/etc/kubernetes/pki/apiserver-etcd-client.crt",
            CertSpec::client("kube-apiserver-etcd-client", &[], ETCD_CA),
        )
        // The service-account key pair: a key and its public half, no certificate.
        .file("/etc/kubernetes/pki/sa.key", sa_key("pem"))
        .file_with_mode("/etc/kubernetes/pki/sa.pub", sa_key("pub"), 0o644)
        .cert_and_key(
            KUBELET_CLIENT_DATED,
            CertSpec::client(&format!("system:node:{node}"), &["system:nodes"], CA),
        )
        .symlink(KUBELET_CLIENT, KUBELET_CLIENT_DATED);

    // kubeconfigs.
    let server = format!("https://{ip}:6443");
    let conf = |user: &str, cert: Option<CertSpec>| KubeconfigSpec {
        user: user.to_string(),
        cluster: "kubernetes".into(),
        server: server.clone(),
        client_cert: cert,
        client_cert_path: None,
        ca: Some(CA.into()),
        token: false,
    };
    t = t
        .kubeconfig(
            "/etc/kubernetes/admin.conf",
            conf(
                "kubernetes-admin",
                Some(CertSpec::client(
                    "kubernetes-admin",
                    &["kubeadm:cluster-admins"],
                    CA,
                )),
            ),
        )
        .kubeconfig(
            "/etc/kubernetes/super-admin.conf",
            conf(
                "kubernetes-super-admin",
                Some(CertSpec::client(
                    "kubernetes-super-admin",
                    &["system:masters"],
                    CA,
                )),
            ),
        )
        .kubeconfig(
            "/etc/kubernetes/controller-manager.conf",
            conf(
                "system:kube-controller-manager",
                Some(CertSpec::client("system:kube-controller-manager", &[], CA)),
            ),
        )
        .kubeconfig(
            "/etc/kubernetes/scheduler.conf",
            conf(
                "system:kube-scheduler",
                Some(CertSpec::client("system:kube-scheduler", &[], CA)),
            ),
        )
        .kubeconfig(
            "/etc/kubernetes/kubelet.conf",
            KubeconfigSpec {
                client_cert_path: Some((KUBELET_CLIENT.into(), KUBELET_CLIENT.into())),
                ..conf("default-auth", None)
            },
        );

    // The host around it.
    t.cni(
        "10-flannel.conflist",
        &json!({
            "name": "cbr0",
            "cniVersion": "0.3.1",
            "plugins": [
                {"type": "flannel", "delegate": {"hairpinMode": true, "isDefaultGateway": true}},
                {"type": "portmap", "capabilities": {"portMappings": true}},
            ],
        }),
    )
    .lsm(
        Some(true),
        None,
        &["lockdown", "capability", "landlock", "yama", "apparmor"],
    )
}

/// kubeadm's hardened sibling (see the module documentation).
pub fn secure_tree() -> NodeTree {
    let mut t = default_tree();
    // Every certificate on ECDSA P-256 (kubeadm's `encryptionAlgorithm: ECDSA-P256`).
    for spec in t.files.values_mut() {
        match &mut spec.content {
            Content::Cert(c) | Content::CertAndKey(c) => c.key = KeyType::EcdsaP256,
            Content::Kubeconfig(KubeconfigSpec {
                client_cert: Some(c),
                ..
            }) => c.key = KeyType::EcdsaP256,
            _ => {}
        }
    }
    let plugins = "NodeRestriction,DenyServiceExternalIPs,AlwaysPullImages,PodNodeSelector,PodTolerationRestriction";
    t = t
        // An offline CA: the key is not on the node, and the controller-manager signs nothing.
        .remove("/etc/kubernetes/pki/ca.key")
        .remove_flag(ControllerManager, "cluster-signing-cert-file")
        .remove_flag(ControllerManager, "cluster-signing-key-file")
        .remove("/etc/kubernetes/super-admin.conf")
        .flag(ApiServer, "anonymous-auth", "false")
        .flag(ApiServer, "profiling", "false")
        .flag(ApiServer, "enable-logs-handler", "false")
        .flag(ApiServer, "enable-admission-plugins", plugins)
        .flag(ApiServer, "admission-control-config-file", "/etc/kubernetes/admission/admission.yaml")
        .flag(ApiServer, "audit-policy-file", "/etc/kubernetes/audit/policy.yaml")
        .flag(ApiServer, "audit-log-path", "/var/log/kubernetes/audit/audit.log")
        .flag(ApiServer, "audit-log-maxage", "30")
        .flag(ApiServer, "audit-log-maxbackup", "10")
        .flag(ApiServer, "audit-log-maxsize", "100")
        .flag(ApiServer, "encryption-provider-config", "/etc/kubernetes/encryption/config.yaml")
        .flag(ApiServer, "kubelet-certificate-authority", CA)
        .flag(ApiServer, "service-account-extend-token-expiration", "false")
        .flag(ApiServer, "service-account-max-token-expiration", "24h")
        .flag(ControllerManager, "profiling", "false")
        .flag(ControllerManager, "terminated-pod-gc-threshold", "10")
        .flag(Scheduler, "profiling", "false")
        .kubelet_config("readOnlyPort", 0.into())
        .kubelet_config("seccompDefault", true.into())
        .kubelet_config("protectKernelDefaults", true.into())
        .kubelet_config("serverTLSBootstrap", true.into())
        .kubelet_config("makeIPTablesUtilChains", true.into())
        .dir("/etc/kubernetes/admission", 0o700)
        .file("/etc/kubernetes/admission/admission.yaml", ADMISSION)
        .file("/etc/kubernetes/admission/pod-security.yaml", POD_SECURITY)
        .file("/etc/kubernetes/admission/validating-webhook.yaml", VALIDATING_WEBHOOK)
        .kubeconfig(
            "/etc/kubernetes/admission/webhook-kubeconfig.yaml",
            KubeconfigSpec {
                user: "*.webhooks.svc".into(),
                cluster: "webhooks".into(),
                server: String::new(),
                client_cert: Some(
                    CertSpec::client("kube-apiserver-webhook-client", &[], CA).key(KeyType::EcdsaP256),
                ),
                client_cert_path: None,
                ca: None,
                token: false,
            },
        )
        .dir("/etc/kubernetes/audit", 0o700)
        .file("/etc/kubernetes/audit/policy.yaml", AUDIT_POLICY)
        .dir("/var/log/kubernetes/audit", 0o700)
        .file("/var/log/kubernetes/audit/audit.log", "")
        .dir("/etc/kubernetes/encryption", 0o700)
        .file("/etc/kubernetes/encryption/config.yaml", ENCRYPTION)
        .owner("/var/lib/etcd", 998, 998)
        .remove("/etc/cni/net.d/10-flannel.conflist")
        .cni(
            "10-calico.conflist",
            &json!({
                "name": "k8s-pod-network",
                "cniVersion": "0.3.1",
                "plugins": [
                    {"type": "calico", "datastore_type": "kubernetes", "ipam": {"type": "calico-ipam"}},
                    {"type": "bandwidth", "capabilities": {"bandwidth": true}},
                    {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}},
                ],
            }),
        );
    // Everything `0600` and directories `0700`, apart from what the system owns.
    for (path, spec) in t.files.iter_mut() {
        if path.starts_with("/sys/") || path == "/etc/passwd" || path == "/etc/group" {
            continue;
        }
        match spec.content {
            Content::Dir => spec.mode = 0o700,
            Content::Symlink(_) => {}
            _ => spec.mode = 0o600,
        }
    }
    t
}

/// A static pod manifest as kubeadm writes it.
pub fn static_pod(t: &NodeTree, kind: ComponentKind) -> String {
    let version = &t.version;
    let image = t.images.get(&kind).cloned().unwrap_or_else(|| match kind {
        Etcd => "registry.k8s.io/etcd:3.5.15-0".to_string(),
        _ => format!("registry.k8s.io/{}:{version}", kind.binary()),
    });
    let name = kind.binary();
    let mut command = format!("    - {name}\n");
    for (flag, value) in t.flags(kind) {
        match value {
            Some(v) => command.push_str(&format!("    - --{flag}={v}\n")),
            None => command.push_str(&format!("    - --{flag}\n")),
        }
    }
    let mounts = match kind {
        ApiServer => vec![
            ("ca-certs", "/etc/ssl/certs"),
            ("k8s-certs", "/etc/kubernetes/pki"),
        ],
        ControllerManager => vec![
            ("k8s-certs", "/etc/kubernetes/pki"),
            ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
        ],
        Scheduler => vec![("kubeconfig", "/etc/kubernetes/scheduler.conf")],
        _ => vec![
            ("etcd-data", "/var/lib/etcd"),
            ("etcd-certs", "/etc/kubernetes/pki/etcd"),
        ],
    };
    let mut volume_mounts = String::new();
    let mut volumes = String::new();
    for (volume, path) in mounts {
        volume_mounts.push_str(&format!(
            "    - mountPath: {path}\n      name: {volume}\n      readOnly: true\n"
        ));
        volumes.push_str(&format!(
            "  - hostPath:\n      path: {path}\n      type: DirectoryOrCreate\n    name: {volume}\n"
        ));
    }
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: {name}\n    tier: control-plane\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n{command}    image: {image}\n    imagePullPolicy: IfNotPresent\n    name: {name}\n    resources:\n      requests:\n        cpu: 250m\n    volumeMounts:\n{volume_mounts}  hostNetwork: true\n  priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n{volumes}status: {{}}\n"
    )
}

/// `/var/lib/kubelet/kubeadm-flags.env`.
pub fn kubelet_flags_env(t: &NodeTree) -> String {
    let words: Vec<String> = t
        .flags(Kubelet)
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("--{n}={v}"),
            None => format!("--{n}"),
        })
        .collect();
    format!("KUBELET_KUBEADM_ARGS=\"{}\"\n", words.join(" "))
}

/// The service-account key pair (ECDSA, made once per process): `pem` for the private key,
/// `pub` for the public key.
fn sa_key(which: &str) -> String {
    let key = super::certs::key_for(KeyType::EcdsaP256, "/etc/kubernetes/pki/sa.key");
    match which {
        "pub" => key.public_key_pem(),
        _ => key.serialize_pem(),
    }
}

/// `t` as a worker node: see [`NodeTree::worker`].
pub fn worker(t: NodeTree) -> NodeTree {
    let mut t = t
        .without(ApiServer)
        .without(ControllerManager)
        .without(Scheduler)
        .without(Etcd);
    let control_plane_only: Vec<String> = t
        .files
        .keys()
        .filter(|p| {
            (p.starts_with("/etc/kubernetes/") || p.starts_with("/var/log/kubernetes/"))
                && ![CA, "/etc/kubernetes/kubelet.conf"]
                    .iter()
                    .any(|keep| keep == p || keep.starts_with(&format!("{p}/")))
        })
        .cloned()
        .collect();
    for path in control_plane_only {
        t = t.remove(&path);
    }
    t
}

//! Facts about a node: what the node collector (`kcheck node`) saw, and what the cluster collector
//! reads from control-plane pods. Collectors fill these in without judging; rules read them.
//!
//! Paths are host paths as the node sees them (`/etc/kubernetes/pki/ca.key`), whatever `--root`
//! the scan used. Anything a collector looked for and could not read is a [`Missing`] entry, so
//! that a rule can tell "absent" from "not looked at".

use crate::finding::Location;
use crate::object::Object;
use std::fmt;

/// Everything one node scan collected.
#[derive(Clone, Debug, Default)]
pub struct NodeFacts {
    /// The directory the scan treated as `/` (`/` on a live node).
    pub root: String,
    /// Seconds since the Unix epoch when the scan ran; certificate lifetimes are judged against it.
    pub now: i64,
    /// Control-plane components and the kubelet, from static pods and running processes.
    pub components: Vec<Component>,
    /// Configuration documents the components point to, parsed with positions.
    pub configs: Vec<ConfigDoc>,
    /// Owner, group and mode of every file that matters.
    pub files: Vec<FileFact>,
    /// Certificates from the PKI directory, the files flags name, and kubeconfigs.
    pub certificates: Vec<Certificate>,
    /// Private keys (never their material: only algorithm, size and where they are).
    pub private_keys: Vec<PrivateKey>,
    pub kubeconfigs: Vec<Kubeconfig>,
    /// CNI configuration files found (`/etc/cni/net.d`), by file name and plugin types.
    pub cni: Vec<CniConfig>,
    /// Linux security modules.
    pub lsm: Lsm,
    /// Raw values read from etcd, when `--etcd-endpoint` was given.
    pub etcd: Option<EtcdScan>,
    /// Anonymous requests tried against local ports (`--probe`).
    pub probes: Vec<Probe>,
    /// Evidence looked for and not found or not readable, with why.
    pub missing: Vec<Missing>,
    /// Which distribution laid the node out and its part in the cluster, with why (`None`
    /// when the facts did not come from a node scan).
    pub distro: Option<Detection>,
    /// Where the API server keeps the cluster's state, when the distribution says (k3s's
    /// SQLite through kine, an external database, embedded etcd).
    pub datastore: Option<Datastore>,
}

impl NodeFacts {
    pub fn component(&self, kind: ComponentKind) -> Option<&Component> {
        self.components.iter().find(|c| c.kind == kind)
    }

    pub fn config(&self, role: ConfigRole) -> Option<&ConfigDoc> {
        self.configs.iter().find(|c| c.role == role)
    }

    pub fn file(&self, path: &str) -> Option<&FileFact> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn files_with_role(&self, role: FileRole) -> impl Iterator<Item = &FileFact> {
        self.files.iter().filter(move |f| f.role == role)
    }

    /// Why evidence about `what` is missing, if the collector recorded it.
    pub fn missing(&self, what: &str) -> Option<&Missing> {
        self.missing.iter().find(|m| m.what == what)
    }

    /// Who configures the control plane instead of its flags on a node: the cloud provider of
    /// a managed worker node (EKS, GKE, AKS), or OpenShift's operators.
    pub fn managed_by(&self) -> Option<Distro> {
        self.distro
            .as_ref()
            .map(|d| d.distro)
            .filter(|d| d.managed_control_plane() || *d == Distro::OpenShift)
    }
}

/// A Kubernetes distribution whose node layout kcheck knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    Kubeadm,
    K3s,
    Rke2,
    MicroK8s,
    Kind,
    OpenShift,
    Eks,
    Gke,
    Aks,
    /// No layout recognised: kubeadm's paths are read.
    Unknown,
}

impl Distro {
    pub const ALL: [Distro; 10] = [
        Distro::Kubeadm,
        Distro::K3s,
        Distro::Rke2,
        Distro::MicroK8s,
        Distro::Kind,
        Distro::OpenShift,
        Distro::Eks,
        Distro::Gke,
        Distro::Aks,
        Distro::Unknown,
    ];

    /// The name `--distro` takes and JSON gives: `kubeadm`, `k3s`, `rke2`, `microk8s`, `kind`,
    /// `openshift`, `eks`, `gke`, `aks`, `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Distro::Kubeadm => "kubeadm",
            Distro::K3s => "k3s",
            Distro::Rke2 => "rke2",
            Distro::MicroK8s => "microk8s",
            Distro::Kind => "kind",
            Distro::OpenShift => "openshift",
            Distro::Eks => "eks",
            Distro::Gke => "gke",
            Distro::Aks => "aks",
            Distro::Unknown => "unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<Distro> {
        let name = name.trim().to_ascii_lowercase();
        Distro::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The product's own name: `K3s`, `RKE2`, `EKS`.
    pub fn title(self) -> &'static str {
        match self {
            Distro::Kubeadm => "kubeadm",
            Distro::K3s => "K3s",
            Distro::Rke2 => "RKE2",
            Distro::MicroK8s => "MicroK8s",
            Distro::Kind => "kind",
            Distro::OpenShift => "OpenShift",
            Distro::Eks => "EKS",
            Distro::Gke => "GKE",
            Distro::Aks => "AKS",
            Distro::Unknown => "unknown",
        }
    }

    /// Whether the cluster's control plane runs at a cloud provider, out of the node's reach.
    pub fn managed_control_plane(self) -> bool {
        matches!(self, Distro::Eks | Distro::Gke | Distro::Aks)
    }
}

impl fmt::Display for Distro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A node's part in its cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// Runs the control plane (a k3s or RKE2 server, a kubeadm control-plane node).
    ControlPlane,
    /// Runs workloads only (a k3s or RKE2 agent, a managed worker).
    Worker,
    Unknown,
}

impl NodeRole {
    pub fn name(self) -> &'static str {
        match self {
            NodeRole::ControlPlane => "control-plane",
            NodeRole::Worker => "worker",
            NodeRole::Unknown => "unknown",
        }
    }

    pub fn label(self) -> crate::Text {
        match self {
            NodeRole::ControlPlane => crate::Text::fixed("control plane", "控制平面"),
            NodeRole::Worker => crate::Text::fixed("worker", "工作节点"),
            NodeRole::Unknown => crate::Text::fixed("role unknown", "角色未知"),
        }
    }
}

/// What the collector concluded about the node's distribution and role, and from what.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    pub distro: Distro,
    pub role: NodeRole,
    /// The evidence, one sentence each (`process 812: k3s server`,
    /// `/etc/rancher/k3s/config.yaml exists`).
    pub why: Vec<crate::Text>,
    /// Set by `--distro` rather than detected (`why` still says what was seen).
    pub overridden: bool,
}

impl Detection {
    /// The distribution and role alone: `k3s, control plane`.
    pub fn short(&self) -> crate::Text {
        let role = self.role.label();
        let (name, role_en, role_zh) = (self.distro.name(), &role.en, &role.zh);
        crate::text!("{name}, {role_en}", "{name}，{role_zh}")
    }

    /// One line for a report: `k3s, control plane (detected: process 812: k3s server; ...)`.
    pub fn line(&self) -> crate::Text {
        let role = self.role.label();
        let (name, role_en, role_zh) = (self.distro.name(), &role.en, &role.zh);
        let join = |lang: crate::Lang, sep: &str| {
            self.why
                .iter()
                .map(|w| w.get(lang).to_string())
                .collect::<Vec<_>>()
                .join(sep)
        };
        let (why_en, why_zh) = (join(crate::Lang::En, "; "), join(crate::Lang::Zh, "；"));
        match (self.overridden, self.why.is_empty()) {
            (true, true) => crate::text!(
                "{name}, {role_en} (set by --distro)",
                "{name}，{role_zh}（由 --distro 指定）",
            ),
            (true, false) => crate::text!(
                "{name}, {role_en} (set by --distro; seen: {why_en})",
                "{name}，{role_zh}（由 --distro 指定；所见：{why_zh}）",
            ),
            (false, true) => crate::text!(
                "{name}, {role_en} (nothing recognised: kubeadm's paths are read)",
                "{name}，{role_zh}（未识别出发行版：按 kubeadm 的路径读取）",
            ),
            (false, false) => crate::text!(
                "{name}, {role_en} (detected: {why_en})",
                "{name}，{role_zh}（检测依据：{why_zh}）",
            ),
        }
    }
}

/// Where the API server keeps the cluster's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datastore {
    pub kind: DatastoreKind,
    /// The endpoint with any user name and password removed
    /// (`postgres://db.example:5432/k3s`), or the database file.
    pub endpoint: String,
    /// Where it was set (`datastore-endpoint:` in config.yaml), when it came from a file.
    pub location: Option<Location>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatastoreKind {
    /// etcd run by the distribution itself (k3s `cluster-init`, RKE2, a static pod).
    EmbeddedEtcd,
    /// An etcd cluster elsewhere.
    ExternalEtcd,
    /// SQLite through kine (k3s's default for a single server).
    Sqlite,
    /// MySQL or MariaDB through kine.
    Mysql,
    /// PostgreSQL through kine.
    Postgres,
    /// NATS through kine.
    Nats,
    /// Dqlite (MicroK8s's default).
    Dqlite,
}

impl DatastoreKind {
    pub fn name(self) -> &'static str {
        match self {
            DatastoreKind::EmbeddedEtcd => "embedded etcd",
            DatastoreKind::ExternalEtcd => "external etcd",
            DatastoreKind::Sqlite => "SQLite (kine)",
            DatastoreKind::Mysql => "MySQL (kine)",
            DatastoreKind::Postgres => "PostgreSQL (kine)",
            DatastoreKind::Nats => "NATS (kine)",
            DatastoreKind::Dqlite => "dqlite",
        }
    }

    pub fn is_etcd(self) -> bool {
        matches!(
            self,
            DatastoreKind::EmbeddedEtcd | DatastoreKind::ExternalEtcd
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentKind {
    ApiServer,
    ControllerManager,
    Scheduler,
    Kubelet,
    Etcd,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 5] = [
        ComponentKind::ApiServer,
        ComponentKind::ControllerManager,
        ComponentKind::Scheduler,
        ComponentKind::Kubelet,
        ComponentKind::Etcd,
    ];

    /// The binary and static pod name: `kube-apiserver`, `kubelet`, `etcd`.
    pub fn binary(self) -> &'static str {
        match self {
            ComponentKind::ApiServer => "kube-apiserver",
            ComponentKind::ControllerManager => "kube-controller-manager",
            ComponentKind::Scheduler => "kube-scheduler",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::Etcd => "etcd",
        }
    }

    pub fn from_binary(name: &str) -> Option<ComponentKind> {
        let base = name.rsplit('/').next().unwrap_or(name);
        ComponentKind::ALL.into_iter().find(|k| k.binary() == base)
    }

    /// Flags of this component that take no value (`--flag` alone means true), so that
    /// `--flag next` does not swallow the next argument.
    pub fn bool_flags(self) -> &'static [&'static str] {
        match self {
            ComponentKind::ApiServer => &[
                "allow-privileged",
                "anonymous-auth",
                "profiling",
                "enable-logs-handler",
                "enable-bootstrap-token-auth",
                "enable-aggregator-routing",
                "enable-priority-and-fairness",
                "service-account-lookup",
                "service-account-extend-token-expiration",
                "kubelet-https",
                "insecure-skip-tls-verify",
                "audit-log-compress",
                "audit-log-truncate-enabled",
                "v",
            ],
            ComponentKind::ControllerManager => &[
                "use-service-account-credentials",
                "profiling",
                "leader-elect",
                "allocate-node-cidrs",
                "configure-cloud-routes",
            ],
            ComponentKind::Scheduler => &["profiling", "leader-elect"],
            ComponentKind::Kubelet => &[
                "anonymous-auth",
                "rotate-certificates",
                "rotate-server-certificates",
                "protect-kernel-defaults",
                "make-iptables-util-chains",
                "seccomp-default",
                "fail-swap-on",
                "register-node",
                "serialize-image-pulls",
            ],
            ComponentKind::Etcd => &[
                "client-cert-auth",
                "peer-client-cert-auth",
                "auto-tls",
                "peer-auto-tls",
                "experimental-initial-corrupt-check",
                "strict-reconfig-check",
                "debug",
            ],
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.binary())
    }
}

/// Where a component's flags were read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A static pod manifest on the node (the parsed object keeps the flag positions).
    StaticPod { path: String },
    /// A running process: `/proc/<pid>/cmdline`.
    Process { pid: u32 },
    /// A control-plane pod read from the API (`kube-system/kube-apiserver-node1`).
    ApiPod { namespace: String, name: String },
    /// The systemd unit that starts the component when it is not running (kubeadm's kubelet
    /// drop-in `10-kubeadm.conf` with its environment files; each flag's location says which
    /// file set it).
    Systemd { unit: String },
    /// A component a distribution runs inside its own process or from its own argument files
    /// (k3s's embedded API server, MicroK8s's `kubelite`): `host` names it (`k3s server`),
    /// `config` is where its settings were read (`/etc/rancher/k3s/config.yaml`); flags set
    /// there carry their location, the distribution's defaults none.
    Embedded { host: String, config: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::StaticPod { path } => f.write_str(path),
            Origin::Process { pid } => write!(f, "/proc/{pid}/cmdline"),
            Origin::ApiPod { namespace, name } => write!(f, "pod {namespace}/{name}"),
            Origin::Systemd { unit } => f.write_str(unit),
            Origin::Embedded { host, config } => write!(f, "{host}, {config}"),
        }
    }
}

/// One control-plane component or kubelet as configured.
#[derive(Clone, Debug)]
pub struct Component {
    pub kind: ComponentKind,
    pub origin: Origin,
    pub flags: Flags,
    /// `v1.30.2`, from the image tag or `--version`, when known.
    pub version: Option<String>,
    /// The static pod object, when the flags came from a manifest.
    pub manifest: Option<Object>,
}

impl Component {
    /// Where a flag was set, for a finding: the manifest line, else the process.
    pub fn flag_location(&self, name: &str) -> Option<Location> {
        self.flags.last(name).and_then(|a| a.location.clone())
    }

    /// The minor version (`30` for `v1.30.2`), when known.
    pub fn minor(&self) -> Option<u32> {
        let v = self.version.as_deref()?.trim_start_matches('v');
        let mut parts = v.split('.');
        let _major = parts.next()?;
        let minor = parts.next()?;
        minor
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    }
}

/// A command line's flags, in order, repeated flags kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub args: Vec<Flag>,
    /// Arguments that are not flags (the binary name is not kept).
    pub positional: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading dashes.
    pub name: String,
    /// `None` for a bare boolean flag.
    pub value: Option<String>,
    /// Where the flag is written, when it came from a file.
    pub location: Option<Location>,
}

impl Flags {
    /// Parses arguments in both `--flag=value` and `--flag value` forms (also `-flag`, as Go's
    /// `flag` package accepts). A flag listed in `bool_flags` never takes the next argument.
    pub fn parse<S: AsRef<str>>(args: &[S], bool_flags: &[&str]) -> Flags {
        let mut flags = Flags::default();
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_ref();
            i += 1;
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                flags.positional.push(arg.to_string());
                continue;
            };
            if body.is_empty() {
                // `--` ends the flags.
                flags
                    .positional
                    .extend(args[i..].iter().map(|a| a.as_ref().to_string()));
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => {
                    let takes_next = !bool_flags.contains(&body)
                        && args
                            .get(i)
                            .is_some_and(|next| !next.as_ref().starts_with('-'));
                    if takes_next {
                        i += 1;
                        (body.to_string(), Some(args[i - 1].as_ref().to_string()))
                    } else {
                        (body.to_string(), None)
                    }
                }
            };
            flags.args.push(Flag {
                name,
                value,
                location: None,
            });
        }
        flags
    }

    /// The last occurrence of a flag (the one that takes effect).
    pub fn last(&self, name: &str) -> Option<&Flag> {
        self.args.iter().rev().find(|f| f.name == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.last(name).is_some()
    }

    /// The effective value: the last occurrence; a bare flag reads as `"true"`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.last(name)
            .map(|f| f.value.as_deref().unwrap_or("true"))
    }

    /// The effective value when it is set and not empty (a path, a URL): `--flag=` names nothing.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// A boolean flag's effective value, `default` when absent or unparsable.
    pub fn get_bool(&self, name: &str, default: bool) -> bool {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            Some("true" | "1" | "t") => true,
            Some("false" | "0" | "f") => false,
            _ => default,
        }
    }

    /// A comma list flag: every element of every occurrence, trimmed, empties dropped. (Repeated
    /// list flags append in pflag's string slices; for plain strings the last one wins, which
    /// callers that need it get from [`Flags::get`].)
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.args
            .iter()
            .filter(|f| f.name == name)
            .filter_map(|f| f.value.as_deref())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The elements of the last occurrence of a comma list.
    pub fn last_list(&self, name: &str) -> Vec<&str> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What a configuration file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigRole {
    /// KubeletConfiguration (`--config` of the kubelet).
    Kubelet,
    /// EncryptionConfiguration (`--encryption-provider-config`).
    Encryption,
    /// AdmissionConfiguration (`--admission-control-config-file`).
    Admission,
    /// A plugin configuration an AdmissionConfiguration references by path
    /// (PodSecurityConfiguration, WebhookAdmissionConfiguration, ...).
    AdmissionPlugin,
    /// Audit Policy (`--audit-policy-file`).
    AuditPolicy,
    /// A webhook kubeconfig named by a WebhookAdmissionConfiguration.
    AdmissionWebhookKubeconfig,
}

/// A parsed configuration document.
#[derive(Clone, Debug)]
pub struct ConfigDoc {
    pub role: ConfigRole,
    /// Host path.
    pub path: String,
    /// The document (apiVersion/kind and fields, with positions in `path`).
    pub object: Object,
}

/// What a file is, so rules can ask for "the audit log" without knowing paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileRole {
    StaticPodManifest,
    /// A kubeconfig (`admin.conf`, `kubelet.conf`, a component's `--kubeconfig`).
    Kubeconfig,
    /// A configuration file named by a flag (kubelet config, encryption, admission, audit policy).
    Config,
    /// A certificate (`.crt`, `--*-cert-file`).
    Certificate,
    /// A private key (`.key`, `--*-key-file`).
    PrivateKey,
    /// The cluster CA's private key (`--cluster-signing-key-file` or `pki/ca.key`).
    CaKey,
    PkiDirectory,
    AuditLog,
    AuditLogDirectory,
    EtcdDataDirectory,
    CniConfig,
    Other,
}

/// A file and its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFact {
    pub path: String,
    pub role: FileRole,
    /// What points at it: `kube-apiserver --audit-log-path`, `kubeadm default`.
    pub reason: String,
    pub stat: FileStat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStat {
    Present {
        uid: u32,
        gid: u32,
        /// Names from the node's `/etc/passwd` and `/etc/group`, when found there.
        owner: Option<String>,
        group: Option<String>,
        /// Permission bits (`0o600`).
        mode: u32,
        is_dir: bool,
        size: u64,
    },
    Missing,
    Unreadable {
        error: String,
    },
}

impl FileStat {
    pub fn mode(&self) -> Option<u32> {
        match self {
            FileStat::Present { mode, .. } => Some(*mode),
            _ => None,
        }
    }
}

/// A certificate, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The file, or the kubeconfig it is embedded in.
    pub path: String,
    /// Where in the file: `""` for a PEM file's first certificate, `#2` for the third of a bundle,
    /// `users[admin].client-certificate-data` inside a kubeconfig.
    pub within: String,
    pub subject: String,
    pub common_name: String,
    /// Subject organizations (`O=`): Kubernetes reads them as groups.
    pub organizations: Vec<String>,
    pub issuer: String,
    pub serial: String,
    pub is_ca: bool,
    pub self_signed: bool,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    pub key: KeyInfo,
    /// `clientAuth`, `serverAuth`, ...
    pub extended_key_usage: Vec<String>,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
}

impl Certificate {
    /// `admin.conf users[admin].client-certificate-data`, `pki/apiserver.crt`.
    pub fn display_place(&self) -> String {
        if self.within.is_empty() {
            self.path.clone()
        } else {
            format!("{} {}", self.path, self.within)
        }
    }
}

/// A public or private key's algorithm and strength.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// `RSA`, `ECDSA`, `Ed25519`, or the OID when unknown.
    pub algorithm: String,
    /// Modulus bits for RSA, curve size for ECDSA, 256 for Ed25519; 0 when unknown.
    pub bits: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivateKey {
    pub path: String,
    pub key: KeyInfo,
    /// Whether the PEM is encrypted (then algorithm and bits may be unknown).
    pub encrypted: bool,
}

/// A kubeconfig file's users and clusters (credentials described, never copied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubeconfig {
    pub path: String,
    /// Which component uses it (`kube-controller-manager --kubeconfig`), or `kubeadm default`.
    pub used_by: String,
    pub users: Vec<KubeconfigUser>,
    pub clusters: Vec<KubeconfigCluster>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeconfigUser {
    pub name: String,
    /// Index into `NodeFacts::certificates` of the client certificate, embedded or referenced.
    pub client_certificate: Option<usize>,
    pub has_token: bool,
    pub has_password: bool,
    pub exec: bool,
    pub auth_provider: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeconfigCluster {
    pub name: String,
    pub server: String,
    pub insecure_skip_tls_verify: bool,
    pub has_ca: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CniConfig {
    pub path: String,
    pub name: Option<String>,
    /// Plugin `type`s in a conflist, in order (`calico`, `portmap`, ...).
    pub plugins: Vec<String>,
}

/// Linux security modules as the node reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lsm {
    /// `/sys/module/apparmor/parameters/enabled` (`Y`), `None` when not readable.
    pub apparmor: Option<bool>,
    /// `enforcing`, `permissive` or `disabled` (from `/sys/fs/selinux/enforce`), `None` when absent.
    pub selinux: Option<String>,
    /// `/sys/kernel/security/lsm`, the active list, when readable.
    pub active: Vec<String>,
}

/// What a look into etcd found under `/registry/secrets/`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EtcdScan {
    pub endpoint: String,
    /// Secret keys seen.
    pub total: usize,
    /// Keys (`/registry/secrets/<ns>/<name>`) whose value does not start with `k8s:enc:`.
    pub plaintext: Vec<String>,
    /// Encrypted values by provider prefix (`k8s:enc:aescbc:v1:key1`), with counts.
    pub providers: Vec<(String, usize)>,
    /// Why the scan could not run, if it could not.
    pub error: Option<String>,
}

/// One anonymous request to a local port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub component: ComponentKind,
    pub url: String,
    /// HTTP status when something answered.
    pub status: Option<u16>,
    /// What happened: `403 Forbidden`, `connection refused`, `TLS handshake failed`.
    pub outcome: String,
}

impl Probe {
    /// Whether the port served an anonymous request with success.
    pub fn anonymous_allowed(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Evidence a collector looked for and did not get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// A stable key rules ask for: `component:kube-apiserver`, `config:kubelet`, `pki`, `lsm`.
    pub what: String,
    pub path: Option<String>,
    /// Why, in both languages (system errors read the same in both).
    pub reason: crate::Text,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_both_forms_with_repeats_and_lists() {
        let args = [
            "--anonymous-auth",
            "--bind-address",
            "0.0.0.0",
            "--enable-admission-plugins=NodeRestriction,PodSecurity",
            "--enable-admission-plugins",
            "AlwaysPullImages",
            "--profiling=false",
            "-v=2",
            "extra",
        ];
        let f = Flags::parse(&args, ComponentKind::ApiServer.bool_flags());
        assert_eq!(f.get("anonymous-auth"), Some("true"));
        assert_eq!(f.get("bind-address"), Some("0.0.0.0"));
        assert_eq!(
            f.list("enable-admission-plugins"),
            ["NodeRestriction", "PodSecurity", "AlwaysPullImages"]
        );
        assert_eq!(
            f.last_list("enable-admission-plugins"),
            ["AlwaysPullImages"]
        );
        assert!(!f.get_bool("profiling", true));
        assert_eq!(f.get("v"), Some("2"));
        assert_eq!(f.positional, ["extra"]);
        assert!(!f.has("insecure-port"));
    }

    #[test]
    fn a_bool_flag_does_not_take_the_next_argument() {
        let f = Flags::parse(
            &["--client-cert-auth", "--data-dir", "/var/lib/etcd"],
            ComponentKind::Etcd.bool_flags(),
        );
        assert_eq!(f.get("client-cert-auth"), Some("true"));
        assert_eq!(f.get("data-dir"), Some("/var/lib/etcd"));
        let g = Flags::parse(
            &["--client-cert-auth", "x"],
            ComponentKind::Etcd.bool_flags(),
        );
        assert_eq!(g.positional, ["x"]);
    }

    #[test]
    fn versions_and_binaries() {
        assert_eq!(
            ComponentKind::from_binary("/usr/local/bin/kube-apiserver"),
            Some(ComponentKind::ApiServer)
        );
        assert_eq!(ComponentKind::from_binary("kubectl"), None);
        let c = Component {
            kind: ComponentKind::ApiServer,
            origin: Origin::Process { pid: 1 },
            flags: Flags::default(),
            version: Some("v1.30.2".into()),
            manifest: None,
        };
        assert_eq!(c.minor(), Some(30));
    }
}

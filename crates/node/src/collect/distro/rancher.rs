//! k3s and RKE2: one `k3s server` (or `rke2 server`) process runs the control plane, configured by
//! `/etc/rancher/<name>/config.yaml` and its drop-ins `config.yaml.d/*.yaml` (read in name order;
//! a later value of a key replaces an earlier one, a key written `key+:` appends to it) and by
//! the process's own command line, which wins.
//!
//! k3s embeds the API server, controller manager, scheduler, kubelet and (with `cluster-init`)
//! etcd: their flags here are k3s's documented defaults (no location: the binary sets them)
//! followed by the pass-through lists `kube-apiserver-arg`, `kube-controller-manager-arg`,
//! `kube-scheduler-arg`, `kubelet-arg`, `etcd-arg` and what k3s's own options turn into
//! flags (`secrets-encryption`, `protect-kernel-defaults`, the datastore), each with the
//! `file:line:column` that set it. RKE2 runs the control plane as static pods in
//! `/var/lib/rancher/rke2/agent/pod-manifests`, read like kubeadm's; its kubelet is a process,
//! made from its configuration the same way when it is not running.
//!
//! Values are never copied into the facts except the flags they become: `token`,
//! `agent-token` and the password of `datastore-endpoint` stay out.

use super::super::flags::{parse, Word};
use super::super::Collector;
use super::layout::rancher_name;
use kcheck_model::facts::{
    Component, ComponentKind, Datastore, DatastoreKind, Distro, FileRole, NodeRole, Origin,
};
use kcheck_model::{text, Location, Node, Value};
use std::collections::BTreeMap;

/// One value of an option and where it was written.
#[derive(Clone, Debug)]
struct Setting {
    value: String,
    location: Option<Location>,
}

/// A k3s or RKE2 configuration as read: its options, the main file, the data directory.
#[derive(Debug)]
pub struct Loaded {
    settings: Settings,
    config: String,
    base: String,
}

/// The merged options of the configuration files and the command line.
#[derive(Debug, Default)]
struct Settings {
    values: BTreeMap<String, Vec<Setting>>,
}

impl Settings {
    fn last(&self, key: &str) -> Option<&Setting> {
        self.values.get(key).and_then(|v| v.last())
    }

    fn flag(&self, key: &str) -> Option<&Setting> {
        self.last(key)
            .filter(|s| matches!(s.value.to_ascii_lowercase().as_str(), "true" | "1" | "t"))
    }

    fn list(&self, key: &str) -> &[Setting] {
        self.values.get(key).map_or(&[], Vec::as_slice)
    }

    fn set(&mut self, key: &str, values: Vec<Setting>, append: bool) {
        let slot = self.values.entry(key.to_string()).or_default();
        if !append {
            slot.clear();
        }
        slot.extend(values);
    }
}

/// The most drop-ins read from `config.yaml.d`.
const MAX_DROP_INS: usize = 256;

/// Options that take no value on the command line.
const BOOL_OPTIONS: [&str; 14] = [
    "secrets-encryption",
    "protect-kernel-defaults",
    "cluster-init",
    "disable-agent",
    "disable-apiserver",
    "disable-controller-manager",
    "disable-scheduler",
    "disable-etcd",
    "disable-kube-proxy",
    "disable-network-policy",
    "disable-cloud-controller",
    "selinux",
    "rootless",
    "debug",
];

fn location(file: &str, pos: kcheck_model::Pos) -> Option<Location> {
    pos.is_known().then(|| Location {
        file: file.into(),
        line: pos.line,
        column: pos.column,
    })
}

fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// `postgres://user:secret@db:5432/k3s?sslmode=x` without what could be a credential:
/// `postgres://db:5432/k3s`.
pub fn redact_endpoint(endpoint: &str) -> String {
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return endpoint.split('?').next().unwrap_or("").to_string();
    };
    let rest = rest.split('?').next().unwrap_or(rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    format!("{scheme}://{rest}")
}

fn datastore_kind(endpoint: &str) -> DatastoreKind {
    let scheme = endpoint
        .split_once("://")
        .map_or("", |(s, _)| s)
        .to_ascii_lowercase();
    match scheme.as_str() {
        "mysql" => DatastoreKind::Mysql,
        "postgres" | "postgresql" => DatastoreKind::Postgres,
        "nats" => DatastoreKind::Nats,
        "sqlite" => DatastoreKind::Sqlite,
        _ => DatastoreKind::ExternalEtcd,
    }
}

/// Words of a component's command line: the distribution's defaults, then flags from settings.
struct CommandLine {
    words: Vec<Word>,
}

impl CommandLine {
    fn new(defaults: &[(&str, String)]) -> CommandLine {
        CommandLine {
            words: defaults
                .iter()
                .map(|(name, value)| Word::plain(format!("--{name}={value}")))
                .collect(),
        }
    }

    /// A flag set by an option (`secrets-encryption` sets `--encryption-provider-config`).
    fn push(&mut self, name: &str, value: &str, location: Option<Location>) {
        self.words.push(Word {
            text: format!("--{name}={value}"),
            location,
        });
    }

    /// A pass-through list (`kube-apiserver-arg`): each item `name=value` or `name`.
    fn pass_through(&mut self, items: &[Setting]) {
        for item in items {
            let text = item.value.trim_start_matches('-');
            self.words.push(Word {
                text: format!("--{text}"),
                location: item.location.clone(),
            });
        }
    }

    fn component(self, kind: ComponentKind, origin: &Origin) -> Component {
        Component {
            kind,
            origin: origin.clone(),
            flags: parse(&self.words, kind),
            version: None,
            manifest: None,
        }
    }
}

impl Collector<'_> {
    /// Reads k3s's or RKE2's configuration before anything else is read, and moves the layout
    /// under its `data-dir`.
    pub(in super::super) fn rancher_configuration(&mut self, distro: Distro) {
        let name = rancher_name(distro);
        let (settings, config) = self.rancher_settings(name);
        let default_base = format!("/var/lib/rancher/{name}");
        // `data-dir` moves everything that is under /var/lib/rancher/<name>.
        let base = settings
            .last("data-dir")
            .map(|s| s.value.trim_end_matches('/').to_string())
            .filter(|d| d.starts_with('/') && d.len() > 1)
            .unwrap_or_else(|| default_base.clone());
        if base != default_base {
            let layout = std::mem::replace(
                &mut self.layout,
                super::Layout::of(Distro::Unknown, NodeRole::Unknown),
            );
            self.layout = layout.moved(&default_base, &base);
            if let Some(dir) = &self.opts.manifests_dir {
                self.layout.manifests_dir.clone_from(dir);
            }
        }
        self.rancher = Some(Loaded {
            settings,
            config,
            base,
        });
    }

    pub(in super::super) fn rancher(&mut self, distro: Distro, role: NodeRole) {
        let name = rancher_name(distro);
        let Some(Loaded {
            settings,
            config,
            base,
        }) = self.rancher.take()
        else {
            return;
        };
        let server = role != NodeRole::Worker;
        let sub = if server { "server" } else { "agent" };
        let origin = Origin::Embedded {
            host: format!("{name} {sub}"),
            config: config.clone(),
        };
        let tls = format!("{base}/server/tls");
        if server {
            let datastore = self.rancher_datastore(distro, &settings, &base);
            if distro == Distro::K3s {
                self.k3s_control_plane(&settings, &origin, &tls, &base, &datastore);
            }
            self.facts.datastore = Some(datastore);
        }
        let running = self.facts.component(ComponentKind::Kubelet).is_some();
        if !running && settings.flag("disable-agent").is_none() {
            let kubelet = rancher_kubelet(distro, &settings, &base, &origin);
            self.facts.components.push(kubelet);
        }
    }

    /// Reads the configuration file, its drop-ins, and the process's command line.
    fn rancher_settings(&mut self, name: &str) -> (Settings, String) {
        let main = format!("/etc/rancher/{name}/config.yaml");
        let dir = format!("/etc/rancher/{name}/config.yaml.d");
        let mut files = vec![main.clone()];
        if let Ok(mut names) = self.host.list_dir(&dir) {
            names.sort();
            // A hostile tree's thousands of drop-ins are not all read.
            names.truncate(MAX_DROP_INS);
            files.extend(
                names
                    .into_iter()
                    .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                    .filter(|n| !n.starts_with('.'))
                    .map(|n| format!("{dir}/{n}")),
            );
        }
        let mut settings = Settings::default();
        let reason = format!("{name} configuration");
        for path in &files {
            self.file(path, FileRole::Config, &reason);
            let Ok(bytes) = self.read(path) else {
                continue;
            };
            let before = self.inputs.diagnostics.len();
            let Some(root) = self.parse_document_with(path, &bytes, true) else {
                // The parser's own errors say where; a file that parsed to something other
                // than a mapping says so here.
                let said = self.inputs.diagnostics.len() > before;
                if !said && !bytes.iter().all(u8::is_ascii_whitespace) {
                    self.inputs.diagnostics.push(kcheck_model::Diagnostic {
                        file: path.as_str().into(),
                        line: 0,
                        column: 0,
                        severity: kcheck_model::DiagnosticSeverity::Error,
                        message: text!(
                            "{name} configuration: not a YAML mapping; its settings were not read",
                            "{name} 配置文件：不是 YAML 映射；未读取其中的设置",
                        ),
                    });
                }
                continue;
            };
            for entry in root.as_map() {
                // Join tokens are credentials: not even held.
                if matches!(
                    &*entry.key,
                    "token" | "agent-token" | "token+" | "agent-token+"
                ) {
                    continue;
                }
                let (key, append) = match entry.key.strip_suffix('+') {
                    Some(k) => (k, true),
                    None => (&*entry.key, false),
                };
                let values: Vec<Setting> = match &entry.value.value {
                    Value::Seq(items) => items
                        .iter()
                        .filter_map(|n| {
                            Some(Setting {
                                value: scalar(n)?,
                                location: location(path, n.pos),
                            })
                        })
                        .collect(),
                    _ => scalar(&entry.value)
                        .map(|value| Setting {
                            value,
                            location: location(path, entry.value.pos),
                        })
                        .into_iter()
                        .collect(),
                };
                settings.set(key, values, append);
            }
        }
        // The command line wins over the files (lists add to them).
        if let Some(p) = self.distro_procs.iter().find(|p| p.binary == name) {
            let args: Vec<String> = p.args.iter().skip(1).cloned().collect();
            let mut i = 0;
            while i < args.len() {
                let Some(body) = args[i].strip_prefix("--").or(args[i].strip_prefix('-')) else {
                    i += 1;
                    continue;
                };
                i += 1;
                let (key, value) = match body.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None if BOOL_OPTIONS.contains(&body) => (body.to_string(), "true".into()),
                    None => {
                        let v = args.get(i).cloned().unwrap_or_default();
                        i += 1;
                        (body.to_string(), v)
                    }
                };
                if matches!(key.as_str(), "token" | "agent-token" | "t") {
                    continue;
                }
                let list = key.ends_with("-arg");
                let setting = Setting {
                    value,
                    location: None,
                };
                settings.set(&key, vec![setting], list);
            }
        }
        (settings, main)
    }

    fn rancher_datastore(&mut self, distro: Distro, settings: &Settings, base: &str) -> Datastore {
        let title = distro.title();
        let etcd_dir = format!("{base}/server/db/etcd");
        let datastore = if let Some(endpoint) = settings.last("datastore-endpoint") {
            Datastore {
                kind: datastore_kind(&endpoint.value),
                endpoint: redact_endpoint(&endpoint.value),
                location: endpoint.location.clone(),
            }
        } else if distro == Distro::Rke2
            || settings.flag("cluster-init").is_some()
            || settings.last("server").is_some()
            || self.host.is_dir(&etcd_dir)
        {
            self.file(&etcd_dir, FileRole::EtcdDataDirectory, "embedded etcd data");
            Datastore {
                kind: DatastoreKind::EmbeddedEtcd,
                endpoint: "https://127.0.0.1:2379".into(),
                location: settings
                    .flag("cluster-init")
                    .and_then(|s| s.location.clone()),
            }
        } else {
            let db = format!("{base}/server/db/state.db");
            self.file(&db, FileRole::Other, "k3s SQLite datastore (kine)");
            Datastore {
                kind: DatastoreKind::Sqlite,
                endpoint: db,
                location: None,
            }
        };
        if !datastore.kind.is_etcd() {
            let (kind, endpoint) = (datastore.kind.name(), &datastore.endpoint);
            self.missing(
                "component:etcd",
                None,
                text!(
                    "{title} keeps the cluster's state in {kind} at {endpoint}, not in etcd",
                    "{title} 将集群状态保存在 {kind}（{endpoint}）中，而不是 etcd",
                ),
            );
        }
        datastore
    }

    fn k3s_control_plane(
        &mut self,
        settings: &Settings,
        origin: &Origin,
        tls: &str,
        base: &str,
        datastore: &Datastore,
    ) {
        let cred = format!("{base}/server/cred");
        let disabled = |what: &str| settings.flag(&format!("disable-{what}")).is_some();
        if !disabled("apiserver") {
            let mut api = CommandLine::new(&k3s_apiserver_defaults(tls, base));
            match datastore.kind {
                DatastoreKind::EmbeddedEtcd => {
                    api.push("etcd-servers", "https://127.0.0.1:2379", None);
                    api.push("etcd-cafile", &format!("{tls}/etcd/server-ca.crt"), None);
                    api.push("etcd-certfile", &format!("{tls}/etcd/client.crt"), None);
                    api.push("etcd-keyfile", &format!("{tls}/etcd/client.key"), None);
                }
                DatastoreKind::ExternalEtcd => {
                    let at = datastore.location.clone();
                    api.push("etcd-servers", &datastore.endpoint, at);
                    for (option, flag) in [
                        ("datastore-cafile", "etcd-cafile"),
                        ("datastore-certfile", "etcd-certfile"),
                        ("datastore-keyfile", "etcd-keyfile"),
                    ] {
                        if let Some(s) = settings.last(option) {
                            api.push(flag, &s.value, s.location.clone());
                        }
                    }
                }
                _ => api.push("etcd-servers", "unix://kine.sock", None),
            }
            if let Some(s) = settings.flag("secrets-encryption") {
                let file = format!("{cred}/encryption-config.json");
                api.push("encryption-provider-config", &file, s.location.clone());
                let reload = "encryption-provider-config-automatic-reload";
                api.push(reload, "true", s.location.clone());
            }
            api.pass_through(settings.list("kube-apiserver-arg"));
            let c = api.component(ComponentKind::ApiServer, origin);
            self.facts.components.push(c);
        } else {
            self.disabled_component(ComponentKind::ApiServer, settings, "disable-apiserver");
        }
        if !disabled("controller-manager") {
            let mut cm = CommandLine::new(&k3s_controller_manager_defaults(tls, &cred));
            cm.pass_through(settings.list("kube-controller-manager-arg"));
            let c = cm.component(ComponentKind::ControllerManager, origin);
            self.facts.components.push(c);
        } else {
            let key = "disable-controller-manager";
            self.disabled_component(ComponentKind::ControllerManager, settings, key);
        }
        if !disabled("scheduler") {
            let kubeconfig = format!("{cred}/scheduler.kubeconfig");
            let mut s = CommandLine::new(&[
                ("authentication-kubeconfig", kubeconfig.clone()),
                ("authorization-kubeconfig", kubeconfig.clone()),
                ("bind-address", "127.0.0.1".into()),
                ("kubeconfig", kubeconfig),
                ("profiling", "false".into()),
                ("secure-port", "10259".into()),
            ]);
            s.pass_through(settings.list("kube-scheduler-arg"));
            let c = s.component(ComponentKind::Scheduler, origin);
            self.facts.components.push(c);
        } else {
            self.disabled_component(ComponentKind::Scheduler, settings, "disable-scheduler");
        }
        if datastore.kind == DatastoreKind::EmbeddedEtcd && !disabled("etcd") {
            let mut listen = "https://127.0.0.1:2379".to_string();
            if let Some(ip) = settings.last("node-ip") {
                let ip = ip.value.split(',').next().unwrap_or("");
                listen = format!("{listen},https://{ip}:2379");
            }
            let mut etcd = CommandLine::new(&[
                ("data-dir", format!("{base}/server/db/etcd")),
                ("listen-client-urls", listen),
                ("listen-peer-urls", "https://127.0.0.1:2380".into()),
                ("listen-metrics-urls", "http://127.0.0.1:2381".into()),
                ("client-cert-auth", "true".into()),
                ("cert-file", format!("{tls}/etcd/server-client.crt")),
                ("key-file", format!("{tls}/etcd/server-client.key")),
                ("trusted-ca-file", format!("{tls}/etcd/server-ca.crt")),
                ("peer-client-cert-auth", "true".into()),
                (
                    "peer-cert-file",
                    format!("{tls}/etcd/peer-server-client.crt"),
                ),
                (
                    "peer-key-file",
                    format!("{tls}/etcd/peer-server-client.key"),
                ),
                ("peer-trusted-ca-file", format!("{tls}/etcd/peer-ca.crt")),
            ]);
            etcd.pass_through(settings.list("etcd-arg"));
            let c = etcd.component(ComponentKind::Etcd, origin);
            self.facts.components.push(c);
        } else if datastore.kind == DatastoreKind::EmbeddedEtcd {
            self.disabled_component(ComponentKind::Etcd, settings, "disable-etcd");
        }
    }

    /// A component a split-role server does not run.
    fn disabled_component(&mut self, kind: ComponentKind, settings: &Settings, option: &str) {
        let name = kind.binary();
        let at = settings
            .flag(option)
            .and_then(|s| s.location.as_ref())
            .map_or_else(|| "the command line".to_string(), ToString::to_string);
        self.missing(
            &format!("component:{name}"),
            None,
            text!(
                "{name} is disabled on this server ({option} at {at}); run kcheck node on the server that runs it",
                "此服务器上禁用了 {name}（{at} 处的 {option}）；请在运行它的服务器上运行 kcheck node",
            ),
        );
    }
}

fn k3s_apiserver_defaults(tls: &str, base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("advertise-port", "6443".into()),
        ("allow-privileged", "true".into()),
        ("anonymous-auth", "false".into()),
        (
            "api-audiences",
            "https://kubernetes.default.svc.cluster.local,k3s".into(),
        ),
        ("authorization-mode", "Node,RBAC".into()),
        ("bind-address", "127.0.0.1".into()),
        ("cert-dir", format!("{tls}/temporary-certs")),
        ("client-ca-file", format!("{tls}/client-ca.crt")),
        (
            "egress-selector-config-file",
            format!("{base}/server/etc/egress-selector-config.yaml"),
        ),
        ("enable-admission-plugins", "NodeRestriction".into()),
        ("enable-aggregator-routing", "true".into()),
        ("enable-bootstrap-token-auth", "true".into()),
        (
            "kubelet-certificate-authority",
            format!("{tls}/server-ca.crt"),
        ),
        (
            "kubelet-client-certificate",
            format!("{tls}/client-kube-apiserver.crt"),
        ),
        (
            "kubelet-client-key",
            format!("{tls}/client-kube-apiserver.key"),
        ),
        (
            "kubelet-preferred-address-types",
            "InternalIP,ExternalIP,Hostname".into(),
        ),
        ("profiling", "false".into()),
        (
            "proxy-client-cert-file",
            format!("{tls}/client-auth-proxy.crt"),
        ),
        (
            "proxy-client-key-file",
            format!("{tls}/client-auth-proxy.key"),
        ),
        ("requestheader-allowed-names", "system:auth-proxy".into()),
        (
            "requestheader-client-ca-file",
            format!("{tls}/request-header-ca.crt"),
        ),
        (
            "requestheader-extra-headers-prefix",
            "X-Remote-Extra-".into(),
        ),
        ("requestheader-group-headers", "X-Remote-Group".into()),
        ("requestheader-username-headers", "X-Remote-User".into()),
        ("secure-port", "6444".into()),
        (
            "service-account-issuer",
            "https://kubernetes.default.svc.cluster.local".into(),
        ),
        ("service-account-key-file", format!("{tls}/service.key")),
        (
            "service-account-signing-key-file",
            format!("{tls}/service.current.key"),
        ),
        ("service-cluster-ip-range", "10.43.0.0/16".into()),
        ("service-node-port-range", "30000-32767".into()),
        ("storage-backend", "etcd3".into()),
        ("tls-cert-file", format!("{tls}/serving-kube-apiserver.crt")),
        (
            "tls-private-key-file",
            format!("{tls}/serving-kube-apiserver.key"),
        ),
    ]
}

fn k3s_controller_manager_defaults(tls: &str, cred: &str) -> Vec<(&'static str, String)> {
    let kubeconfig = format!("{cred}/controller.kubeconfig");
    let client_ca = format!("{tls}/client-ca.nochain.crt");
    let client_key = format!("{tls}/client-ca.key");
    let server_ca = format!("{tls}/server-ca.nochain.crt");
    let server_key = format!("{tls}/server-ca.key");
    vec![
        ("allocate-node-cidrs", "true".into()),
        ("authentication-kubeconfig", kubeconfig.clone()),
        ("authorization-kubeconfig", kubeconfig.clone()),
        ("bind-address", "127.0.0.1".into()),
        ("cluster-cidr", "10.42.0.0/16".into()),
        (
            "cluster-signing-kube-apiserver-client-cert-file",
            client_ca.clone(),
        ),
        (
            "cluster-signing-kube-apiserver-client-key-file",
            client_key.clone(),
        ),
        ("cluster-signing-kubelet-client-cert-file", client_ca),
        ("cluster-signing-kubelet-client-key-file", client_key),
        (
            "cluster-signing-kubelet-serving-cert-file",
            server_ca.clone(),
        ),
        (
            "cluster-signing-kubelet-serving-key-file",
            server_key.clone(),
        ),
        ("cluster-signing-legacy-unknown-cert-file", server_ca),
        ("cluster-signing-legacy-unknown-key-file", server_key),
        ("configure-cloud-routes", "false".into()),
        (
            "controllers",
            "*,tokencleaner,-service,-route,-cloud-node-lifecycle".into(),
        ),
        ("kubeconfig", kubeconfig),
        ("profiling", "false".into()),
        ("root-ca-file", format!("{tls}/server-ca.crt")),
        ("secure-port", "10257".into()),
        (
            "service-account-private-key-file",
            format!("{tls}/service.current.key"),
        ),
        ("service-cluster-ip-range", "10.43.0.0/16".into()),
        ("use-service-account-credentials", "true".into()),
    ]
}

/// The kubelet k3s or RKE2 starts: its documented defaults, `protect-kernel-defaults` (RKE2's
/// `profile: cis*` sets it too) and `kubelet-arg`.
fn rancher_kubelet(distro: Distro, settings: &Settings, base: &str, origin: &Origin) -> Component {
    let agent = format!("{base}/agent");
    let mut kubelet = CommandLine::new(&[
        ("address", "0.0.0.0".into()),
        ("anonymous-auth", "false".into()),
        ("authentication-token-webhook", "true".into()),
        ("authorization-mode", "Webhook".into()),
        ("client-ca-file", format!("{agent}/client-ca.crt")),
        ("cloud-provider", "external".into()),
        ("cluster-dns", "10.43.0.10".into()),
        ("cluster-domain", "cluster.local".into()),
        ("fail-swap-on", "false".into()),
        ("healthz-bind-address", "127.0.0.1".into()),
        ("kubeconfig", format!("{agent}/kubelet.kubeconfig")),
        ("pod-manifest-path", format!("{agent}/pod-manifests")),
        ("read-only-port", "0".into()),
        ("serialize-image-pulls", "false".into()),
        ("tls-cert-file", format!("{agent}/serving-kubelet.crt")),
        (
            "tls-private-key-file",
            format!("{agent}/serving-kubelet.key"),
        ),
    ]);
    if let Some(s) = settings.flag("protect-kernel-defaults") {
        kubelet.push("protect-kernel-defaults", "true", s.location.clone());
    } else if distro == Distro::Rke2 {
        if let Some(s) = settings
            .last("profile")
            .filter(|p| p.value.starts_with("cis"))
        {
            kubelet.push("protect-kernel-defaults", "true", s.location.clone());
        }
    }
    kubelet.pass_through(settings.list("kubelet-arg"));
    kubelet.component(ComponentKind::Kubelet, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_lose_their_credentials() {
        assert_eq!(
            redact_endpoint("postgres://k3s:s3cret@db.example:5432/k3s?sslmode=disable"),
            "postgres://db.example:5432/k3s"
        );
        assert_eq!(
            redact_endpoint("mysql://user:pa@ss@tcp(10.0.0.5:3306)/kubernetes"),
            "mysql://tcp(10.0.0.5:3306)/kubernetes"
        );
        assert_eq!(
            redact_endpoint("https://etcd-1:2379"),
            "https://etcd-1:2379"
        );
        assert_eq!(datastore_kind("postgresql://x"), DatastoreKind::Postgres);
        assert_eq!(
            datastore_kind("https://etcd:2379"),
            DatastoreKind::ExternalEtcd
        );
    }
}

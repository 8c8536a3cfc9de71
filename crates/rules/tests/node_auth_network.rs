//! Node rules for items 1.1-1.4, 2.5, 3.5, 3.6 and 6.5 (KC107-KC110, KC210-KC213, KC313,
//! KC314, KC606), over facts built by hand: each rule fails and passes, with its exact
//! findings, and says so when the evidence it needs is missing. The same rules over kubeadm-like
//! node trees written to disk and collected are in `node_auth_network/trees.rs`.

#[path = "support/mod.rs"]
mod support;

#[path = "node_auth_network/trees.rs"]
mod trees;

use kcheck_load::{load_bytes, Limits};
use kcheck_model::facts::{
    Certificate, Component, ComponentKind, ConfigDoc, ConfigRole, FileFact, FileRole, FileStat,
    Flags, KeyInfo, Kubeconfig, KubeconfigUser, Lsm, Missing, Origin, PrivateKey, Probe,
};
use kcheck_model::{Evidence, Inputs, Inventory, NodeFacts, Object, Report, Source, Status};
use kcheck_rules::{Config, Engine, Rule};
use support::rule;

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

fn report(rule: &'static Rule, facts: &NodeFacts, config: Config) -> Report {
    // The facts' collection time is the moment they are judged at.
    Engine::new(vec![rule])
        .with_config(config)
        .at(kcheck_model::Now::from_unix(facts.now))
        .run_with_node(
            &Inventory::default(),
            Some(facts),
            &[Evidence::Node],
            Inputs::default(),
        )
}

/// The findings as lines, in the format of the fixture snapshots with the source.
fn lines(report: &Report) -> Vec<String> {
    support::node_lines(report)
}

fn run(rule: &'static Rule, facts: &NodeFacts) -> Vec<String> {
    lines(&report(rule, facts, Config::default()))
}

fn status(rule: &'static Rule, facts: &NodeFacts) -> Status {
    let r = report(rule, facts, Config::default());
    r.items
        .iter()
        .find(|i| i.item.id == rule.item)
        .map(|i| i.status)
        .unwrap()
}

fn facts() -> NodeFacts {
    NodeFacts {
        root: "/".into(),
        now: NOW,
        ..NodeFacts::default()
    }
}

fn process(kind: ComponentKind, pid: u32, args: &[&str]) -> Component {
    Component {
        kind,
        origin: Origin::Process { pid },
        flags: Flags::parse(args, kind.bool_flags()),
        version: Some("v1.31.2".into()),
        manifest: None,
    }
}

/// A component read from a static pod manifest written as YAML (flag positions from the file).
fn static_pod(kind: ComponentKind, path: &str, yaml: &str) -> Component {
    let loaded = load_bytes(path, yaml.as_bytes(), &Limits::default());
    let object = loaded.objects.into_iter().next().unwrap();
    let container = &object.root.path(&["spec", "containers"]).unwrap().as_seq()[0];
    let command = container.get("command").unwrap().as_seq();
    let args: Vec<&str> = command.iter().skip(1).filter_map(|n| n.as_str()).collect();
    let mut flags = Flags::parse(&args, kind.bool_flags());
    for (flag, node) in flags.args.iter_mut().zip(command.iter().skip(1)) {
        flag.location = Some(kcheck_model::Location {
            file: path.into(),
            line: node.pos.line,
            column: node.pos.column,
        });
    }
    Component {
        kind,
        origin: Origin::StaticPod { path: path.into() },
        flags,
        version: Some("v1.31.2".into()),
        manifest: Some(object),
    }
}

/// A configuration document as the collector makes it (no `metadata`: named by its file).
fn config(role: ConfigRole, path: &str, yaml: &str) -> ConfigDoc {
    let parsed = kcheck_load::parse_text(yaml, &Limits::default());
    let root = parsed
        .documents
        .into_iter()
        .find_map(|d| match d {
            kcheck_load::DocOutcome::Node(n) => Some(n),
            _ => None,
        })
        .unwrap();
    let field = |k: &str| root.str_at(k).unwrap_or("").to_string();
    let object = Object {
        api_version: field("apiVersion"),
        kind: field("kind"),
        namespace: None,
        name: path.rsplit('/').next().unwrap().to_string(),
        source: Source::File {
            path: path.into(),
            document: 0,
            item: None,
        },
        root,
    };
    ConfigDoc {
        role,
        path: path.into(),
        object,
    }
}

fn missing(what: &str, path: Option<&str>, reason: &str) -> Missing {
    Missing {
        what: what.into(),
        path: path.map(Into::into),
        reason: kcheck_model::Text::same(reason),
    }
}

struct Cert {
    path: &'static str,
    within: &'static str,
    cn: &'static str,
    orgs: &'static [&'static str],
    ca: bool,
    root: bool,
    from: i64,
    to: i64,
}

impl Cert {
    fn leaf(path: &'static str, cn: &'static str) -> Cert {
        Cert {
            path,
            within: "",
            cn,
            orgs: &[],
            ca: false,
            root: false,
            from: NOW - 30 * DAY,
            to: NOW + 335 * DAY,
        }
    }

    fn root_ca(path: &'static str, cn: &'static str) -> Cert {
        Cert {
            ca: true,
            root: true,
            from: NOW - 100 * DAY,
            to: NOW + 3550 * DAY,
            ..Cert::leaf(path, cn)
        }
    }

    fn build(self) -> Certificate {
        Certificate {
            path: self.path.into(),
            within: self.within.into(),
            subject: format!("CN={}", self.cn),
            common_name: self.cn.into(),
            organizations: self.orgs.iter().map(|o| o.to_string()).collect(),
            issuer: "CN=kubernetes".into(),
            serial: "01".into(),
            is_ca: self.ca,
            self_signed: self.root,
            not_before: self.from,
            not_after: self.to,
            key: KeyInfo {
                algorithm: "RSA".into(),
                bits: 2048,
            },
            extended_key_usage: if self.ca {
                vec![]
            } else {
                vec!["clientAuth".into()]
            },
            fingerprint: format!("{:064x}", fxhash(self.path) ^ fxhash(self.cn)),
        }
    }
}

/// A stable stand-in fingerprint: same path and CN, same certificate.
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn file(path: &str, role: FileRole, uid: u32, mode: u32) -> FileFact {
    FileFact {
        path: path.into(),
        role,
        reason: "kubeadm PKI directory".into(),
        stat: FileStat::Present {
            uid,
            gid: uid,
            owner: (uid == 0).then(|| "root".to_string()),
            group: None,
            mode,
            is_dir: false,
            size: 1675,
        },
    }
}

fn key(path: &str, algorithm: &str, bits: u32) -> PrivateKey {
    PrivateKey {
        path: path.into(),
        key: KeyInfo {
            algorithm: algorithm.into(),
            bits,
        },
        encrypted: false,
    }
}

fn kubeconfig(path: &str, used_by: &str, user: &str, cert: usize) -> Kubeconfig {
    Kubeconfig {
        path: path.into(),
        used_by: used_by.into(),
        users: vec![KubeconfigUser {
            name: user.into(),
            client_certificate: Some(cert),
            has_token: false,
            has_password: false,
            exec: false,
            auth_provider: false,
        }],
        clusters: vec![],
    }
}

// ---- KC107 system:masters client certificates -------------------------------------------

fn masters_facts(controller_manager_orgs: &'static [&'static str]) -> NodeFacts {
    let mut f = facts();
    f.certificates = vec![
        Cert {
            within: "users[kubernetes-super-admin].client-certificate-data",
            orgs: &["system:masters"],
            ..Cert::leaf("/etc/kubernetes/super-admin.conf", "kubernetes-super-admin")
        }
        .build(),
        Cert {
            within: "users[system:kube-controller-manager].client-certificate-data",
            orgs: controller_manager_orgs,
            ..Cert::leaf(
                "/etc/kubernetes/controller-manager.conf",
                "system:kube-controller-manager",
            )
        }
        .build(),
        Cert {
            orgs: &["kubeadm:cluster-admins"],
            ..Cert::leaf(
                "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
                "kube-apiserver-kubelet-client",
            )
        }
        .build(),
    ];
    f.kubeconfigs = vec![
        kubeconfig(
            "/etc/kubernetes/super-admin.conf",
            "kubeadm default",
            "kubernetes-super-admin",
            0,
        ),
        kubeconfig(
            "/etc/kubernetes/controller-manager.conf",
            "kube-controller-manager --kubeconfig",
            "system:kube-controller-manager",
            1,
        ),
    ];
    f.components = vec![process(
        ComponentKind::ApiServer,
        101,
        &["--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt"],
    )];
    f
}

#[test]
fn kc107_fails_a_component_kubeconfig_in_system_masters() {
    let rule = rule("KC107");
    insta::assert_snapshot!(
        "KC107_fail",
        run(rule, &masters_facts(&["system:masters"])).join("\n")
    );
    assert_eq!(
        status(rule, &masters_facts(&["system:masters"])),
        Status::Fail
    );
}

#[test]
fn kc107_fails_an_apiserver_client_certificate_and_warns_a_stray_one() {
    let mut f = masters_facts(&[]);
    f.certificates[2].organizations = vec!["system:masters".into()];
    f.certificates.push(
        Cert {
            orgs: &["system:masters"],
            ..Cert::leaf("/etc/kubernetes/pki/old-admin.crt", "old-admin")
        }
        .build(),
    );
    insta::assert_snapshot!("KC107_flag_and_stray", run(rule("KC107"), &f).join("\n"));
}

#[test]
fn kc107_informs_only_about_the_break_glass_kubeconfig() {
    let rule = rule("KC107");
    let f = masters_facts(&["system:kube-controller-manager"]);
    insta::assert_snapshot!("KC107_pass", run(rule, &f).join("\n"));
    assert_eq!(
        status(rule, &f),
        Status::NotEvaluated,
        "1.1 also needs objects"
    );
}

// ---- KC108 controller-manager credentials -------------------------------------------------

const CONTROLLER_MANAGER: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: kube-controller-manager
  namespace: kube-system
spec:
  containers:
  - name: kube-controller-manager
    command:
    - kube-controller-manager
    - --kubeconfig=/etc/kubernetes/controller-manager.conf
    - --use-service-account-credentials=false
";

#[test]
fn kc108_fails_without_service_account_credentials() {
    let rule = rule("KC108");
    let mut f = facts();
    f.components = vec![static_pod(
        ComponentKind::ControllerManager,
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        CONTROLLER_MANAGER,
    )];
    let mut unset = facts();
    unset.components = vec![process(
        ComponentKind::ControllerManager,
        202,
        &["--kubeconfig=/etc/kubernetes/controller-manager.conf"],
    )];
    let mut found = run(rule, &f);
    found.extend(run(rule, &unset));
    insta::assert_snapshot!("KC108_fail", found.join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);
}

#[test]
fn kc108_passes_with_the_flag_and_is_not_evaluated_without_the_component() {
    let rule = rule("KC108");
    let mut f = facts();
    f.components = vec![static_pod(
        ComponentKind::ControllerManager,
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        &CONTROLLER_MANAGER.replace("=false", "=true"),
    )];
    assert!(run(rule, &f).is_empty());
    assert_eq!(status(rule, &f), Status::Pass);

    let mut worker = facts();
    worker.missing = vec![missing(
        "component:kube-controller-manager",
        None,
        "no static pod manifest in /etc/kubernetes/manifests and no process",
    )];
    assert_eq!(
        run(rule, &worker),
        ["KC108 NotExamined - - component:kube-controller-manager - | kube-controller-manager is not available (no static pod manifest in /etc/kubernetes/manifests and no process) | 无法获得 kube-controller-manager（no static pod manifest in /etc/kubernetes/manifests and no process）"]
    );
    assert_eq!(status(rule, &worker), Status::NotEvaluated);
}

// ---- KC109 CA keys ---------------------------------------------------------------------------

fn pki_dir() -> FileFact {
    FileFact {
        stat: FileStat::Present {
            uid: 0,
            gid: 0,
            owner: Some("root".into()),
            group: Some("root".into()),
            mode: 0o755,
            is_dir: true,
            size: 4096,
        },
        ..file("/etc/kubernetes/pki", FileRole::PkiDirectory, 0, 0o755)
    }
}

#[test]
fn kc109_fails_a_readable_foreign_weak_ca_key() {
    let mut f = facts();
    f.certificates = vec![
        Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build(),
        Cert::root_ca("/etc/kubernetes/pki/etcd/ca.crt", "etcd-ca").build(),
        Cert::root_ca("/etc/kubernetes/pki/front-proxy-ca.crt", "front-proxy-ca").build(),
    ];
    f.files = vec![
        pki_dir(),
        file("/etc/kubernetes/pki/ca.key", FileRole::CaKey, 0, 0o600),
        file(
            "/etc/kubernetes/pki/etcd/ca.key",
            FileRole::PrivateKey,
            1000,
            0o644,
        ),
        file(
            "/etc/kubernetes/pki/apiserver.key",
            FileRole::PrivateKey,
            0,
            0o644,
        ),
    ];
    f.private_keys = vec![
        key("/etc/kubernetes/pki/ca.key", "RSA", 1024),
        key("/etc/kubernetes/pki/etcd/ca.key", "ECDSA", 256),
        key("/etc/kubernetes/pki/apiserver.key", "RSA", 2048),
    ];
    let rule = rule("KC109");
    insta::assert_snapshot!("KC109_fail", run(rule, &f).join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);
}

#[test]
fn kc109_passes_an_offline_ca_and_warns_a_well_kept_online_one() {
    let rule = rule("KC109");
    let mut offline = facts();
    offline.certificates = vec![Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build()];
    offline.files = vec![pki_dir()];
    assert_eq!(
        run(rule, &offline),
        ["KC109 Evidence - - /etc/kubernetes/pki/ca.crt - | CA certificate /etc/kubernetes/pki/ca.crt has no private key beside it: this CA is offline | CA 证书 /etc/kubernetes/pki/ca.crt 旁没有私钥：该 CA 为离线 CA"]
    );
    assert_eq!(status(rule, &offline), Status::Pass);

    let mut online = offline.clone();
    online.files.push(file(
        "/etc/kubernetes/pki/ca.key",
        FileRole::CaKey,
        0,
        0o600,
    ));
    online
        .private_keys
        .push(key("/etc/kubernetes/pki/ca.key", "RSA", 2048));
    let found = run(rule, &online);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("KC109 Warn high - /etc/kubernetes/pki/ca.key - | CA private key /etc/kubernetes/pki/ca.key is on the node: the CA is online"));
    assert_eq!(status(rule, &online), Status::Warn);
}

// ---- KC110 certificate lifetimes -------------------------------------------------------------

#[test]
fn kc110_fails_long_and_expired_and_warns_expiring_certificates() {
    let mut f = facts();
    f.certificates = vec![
        Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build(),
        Cert {
            from: NOW - DAY,
            to: NOW + 3649 * DAY,
            ..Cert::leaf("/etc/kubernetes/pki/apiserver.crt", "kube-apiserver")
        }
        .build(),
        Cert {
            from: NOW - 400 * DAY,
            to: NOW - 35 * DAY,
            ..Cert::leaf(
                "/etc/kubernetes/pki/apiserver-etcd-client.crt",
                "kube-apiserver-etcd-client",
            )
        }
        .build(),
        Cert {
            within: "users[default-auth].client-certificate",
            from: NOW - 340 * DAY,
            to: NOW + 12 * DAY + 3600,
            ..Cert::leaf("/etc/kubernetes/kubelet.conf", "system:node:cp-1")
        }
        .build(),
        Cert {
            ca: true,
            from: NOW - DAY,
            to: NOW + 1200 * DAY,
            ..Cert::leaf("/etc/kubernetes/pki/intermediate-ca.crt", "intermediate")
        }
        .build(),
    ];
    let rule = rule("KC110");
    insta::assert_snapshot!("KC110_fail", run(rule, &f).join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);
}

#[test]
fn kc110_passes_three_calendar_years_and_a_one_year_leaf() {
    let mut f = facts();
    // 2026-01-01 to 2029-01-01: 1096 days, with the leap day of 2028.
    f.certificates = vec![
        Cert {
            from: NOW,
            to: NOW + 1096 * DAY,
            ..Cert::leaf(
                "/etc/kubernetes/pki/front-proxy-client.crt",
                "front-proxy-client",
            )
        }
        .build(),
        Cert::leaf("/etc/kubernetes/pki/apiserver.crt", "kube-apiserver").build(),
    ];
    let rule = rule("KC110");
    assert!(run(rule, &f).is_empty());
    assert_eq!(status(rule, &f), Status::Pass);
    f.certificates[0].not_after += 1;
    assert_eq!(run(rule, &f).len(), 1);
}

// ---- KC210 kube-apiserver ---------------------------------------------------------------------

const APISERVER: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --advertise-address=10.0.0.10
    - --authorization-mode=Node,RBAC
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    - --service-account-key-file=/etc/kubernetes/pki/sa.pub
    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
";

const APISERVER_MANIFEST: &str = "/etc/kubernetes/manifests/kube-apiserver.yaml";

fn apiserver(extra: &[&str]) -> Component {
    let mut yaml = APISERVER.to_string();
    for flag in extra {
        yaml.push_str(&format!("    - {flag}\n"));
    }
    static_pod(ComponentKind::ApiServer, APISERVER_MANIFEST, &yaml)
}

#[test]
fn kc210_fails_always_allow_and_the_insecure_port_and_warns_anonymous() {
    let rule = rule("KC210");
    let mut f = facts();
    f.components = vec![apiserver(&[
        "--authorization-mode=AlwaysAllow",
        "--insecure-port=8080",
    ])];
    let mut old = facts();
    let mut api = process(
        ComponentKind::ApiServer,
        303,
        &["--etcd-servers=https://127.0.0.1:2379"],
    );
    api.version = Some("v1.19.16".into());
    old.components = vec![api];
    let mut found = run(rule, &f);
    found.extend(run(rule, &old));
    insta::assert_snapshot!("KC210_fail", found.join("\n"));
}

#[test]
fn kc210_passes_rbac_without_anonymous_access() {
    let rule = rule("KC210");
    let mut f = facts();
    f.components = vec![apiserver(&["--anonymous-auth=false"])];
    assert!(run(rule, &f).is_empty());
    assert_eq!(status(rule, &f), Status::Pass);
    let mut structured = facts();
    let mut api = process(
        ComponentKind::ApiServer,
        304,
        &[
            "--authorization-config=/etc/kubernetes/authz.yaml",
            "--anonymous-auth=false",
        ],
    );
    api.version = Some("v1.32.0".into());
    structured.components = vec![api];
    assert!(run(rule, &structured).is_empty());
}

// ---- KC211 kubelet ---------------------------------------------------------------------------

const KUBELET_CONFIG_PATH: &str = "/var/lib/kubelet/config.yaml";

fn kubelet_config(body: &str) -> ConfigDoc {
    let yaml =
        format!("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n{body}");
    config(ConfigRole::Kubelet, KUBELET_CONFIG_PATH, &yaml)
}

fn kubelet(args: &[&str]) -> Component {
    process(ComponentKind::Kubelet, 404, args)
}

#[test]
fn kc211_fails_a_kubelet_without_config_on_its_permissive_defaults() {
    let rule = rule("KC211");
    let mut f = facts();
    f.components = vec![kubelet(&["--kubeconfig=/etc/kubernetes/kubelet.conf"])];
    insta::assert_snapshot!("KC211_fail_flag_defaults", run(rule, &f).join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);
}

#[test]
fn kc211_reads_flags_over_the_configuration_file() {
    let rule = rule("KC211");
    let mut f = facts();
    f.components = vec![kubelet(&[
        "--config=/var/lib/kubelet/config.yaml",
        "--read-only-port=10255",
    ])];
    f.configs = vec![kubelet_config(
        "authentication:\n  anonymous:\n    enabled: true\nauthorization:\n  mode: AlwaysAllow\nreadOnlyPort: 0\n",
    )];
    insta::assert_snapshot!("KC211_fail_file_and_flag", run(rule, &f).join("\n"));

    // The file's defaults are the safe ones; a flag can still undo them.
    f.configs = vec![kubelet_config("cgroupDriver: systemd\n")];
    f.components = vec![kubelet(&["--config=/var/lib/kubelet/config.yaml"])];
    assert!(run(rule, &f).is_empty());
    assert_eq!(status(rule, &f), Status::Pass);
    f.components = vec![kubelet(&[
        "--config=/var/lib/kubelet/config.yaml",
        "--anonymous-auth",
    ])];
    assert_eq!(
        run(rule, &f),
        ["KC211 Fail critical - /proc/404/cmdline --anonymous-auth | the kubelet accepts anonymous requests (anonymous authentication true, set by --anonymous-auth) | kubelet 接受匿名请求（匿名认证为 true，由 --anonymous-auth 设置）"]
    );
}

#[test]
fn kc211_does_not_judge_what_an_unread_configuration_file_sets() {
    let rule = rule("KC211");
    let mut f = facts();
    f.components = vec![kubelet(&[
        "--config=/var/lib/kubelet/config.yaml",
        "--read-only-port=0",
    ])];
    f.missing = vec![missing(
        "config:kubelet",
        Some(KUBELET_CONFIG_PATH),
        "kubelet --config: permission denied",
    )];
    insta::assert_snapshot!("KC211_unknown", run(rule, &f).join("\n"));
}

// ---- KC212 etcd ------------------------------------------------------------------------------

const ETCD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - name: etcd
    command:
    - etcd
    - --advertise-client-urls=https://10.0.0.10:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379
    - --listen-metrics-urls=http://127.0.0.1:2381
    - --listen-peer-urls=https://10.0.0.10:2380
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
";

const ETCD_MANIFEST: &str = "/etc/kubernetes/manifests/etcd.yaml";

#[test]
fn kc212_passes_kubeadm_etcd_with_its_own_ca() {
    let rule = rule("KC212");
    let mut f = facts();
    f.components = vec![
        static_pod(ComponentKind::Etcd, ETCD_MANIFEST, ETCD),
        apiserver(&[]),
    ];
    f.certificates = vec![
        Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build(),
        Cert::root_ca("/etc/kubernetes/pki/etcd/ca.crt", "etcd-ca").build(),
    ];
    assert!(run(rule, &f).is_empty());
    assert_eq!(status(rule, &f), Status::Pass);
}

#[test]
fn kc212_fails_plain_http_no_client_certs_auto_tls_and_a_shared_ca() {
    let rule = rule("KC212");
    let mut f = facts();
    f.components = vec![
        process(
            ComponentKind::Etcd,
            505,
            &[
                "--listen-client-urls=http://0.0.0.0:2379",
                "--listen-peer-urls=https://10.0.0.10:2380",
                "--auto-tls",
                "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
                "--trusted-ca-file=/etc/etcd/ca.pem",
            ],
        ),
        apiserver(&[]),
    ];
    // The same CA certificate under two names.
    let mut copy = Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build();
    copy.path = "/etc/etcd/ca.pem".into();
    f.certificates = vec![
        Cert::root_ca("/etc/kubernetes/pki/ca.crt", "kubernetes").build(),
        copy,
    ];
    insta::assert_snapshot!("KC212_fail", run(rule, &f).join("\n"));

    // Defaults: plain HTTP on localhost only, no client certificates.
    let mut bare = facts();
    bare.components = vec![process(
        ComponentKind::Etcd,
        506,
        &["--data-dir=/var/lib/etcd"],
    )];
    assert_eq!(
        run(rule, &bare),
        ["KC212 Fail critical - /proc/506/cmdline --client-cert-auth | etcd (/proc/506/cmdline) does not require client certificates (--client-cert-auth is not true): any client that reaches it reads every Secret | etcd（/proc/506/cmdline）不要求客户端证书（--client-cert-auth 不为 true）：任何能连接到它的客户端都能读取所有 Secret"]
    );

    // The very file the apiserver uses for client certificates.
    let mut same = facts();
    same.components = vec![
        static_pod(
            ComponentKind::Etcd,
            ETCD_MANIFEST,
            &ETCD.replace(
                "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
                "--trusted-ca-file=/etc/kubernetes/pki/ca.crt",
            ),
        ),
        apiserver(&[]),
    ];
    insta::assert_snapshot!("KC212_same_file", run(rule, &same).join("\n"));
}

#[test]
fn kc212_does_not_judge_an_etcd_config_file() {
    let rule = rule("KC212");
    let mut f = facts();
    f.components = vec![process(
        ComponentKind::Etcd,
        507,
        &["--config-file=/etc/etcd/etcd.conf.yml"],
    )];
    assert_eq!(
        run(rule, &f),
        ["KC212 NotExamined - - /proc/507/cmdline --config-file | etcd (/proc/507/cmdline) reads its settings from --config-file /etc/etcd/etcd.conf.yml, which kcheck does not read; its command-line flags are ignored | etcd（/proc/507/cmdline）从 --config-file /etc/etcd/etcd.conf.yml 读取配置，kcheck 不读取该文件；其命令行参数不生效"]
    );
    assert_eq!(status(rule, &f), Status::NotEvaluated);
}

// ---- KC213 anonymous probes ------------------------------------------------------------------

fn probe(component: ComponentKind, url: &str, status: Option<u16>, outcome: &str) -> Probe {
    Probe {
        component,
        url: url.into(),
        status,
        outcome: outcome.into(),
    }
}

#[test]
fn kc213_judges_what_answered_anonymously() {
    let rule = rule("KC213");
    let mut f = facts();
    f.probes = vec![
        probe(
            ComponentKind::ApiServer,
            "https://127.0.0.1:6443/api",
            Some(200),
            "200 OK",
        ),
        probe(
            ComponentKind::ApiServer,
            "https://127.0.0.1:6443/healthz",
            Some(200),
            "200 OK",
        ),
        probe(
            ComponentKind::Kubelet,
            "https://127.0.0.1:10250/pods",
            Some(200),
            "200 OK",
        ),
        probe(
            ComponentKind::Kubelet,
            "http://127.0.0.1:10255/pods",
            None,
            "connection refused",
        ),
        probe(
            ComponentKind::Etcd,
            "https://127.0.0.1:2379/version",
            Some(200),
            "200 OK",
        ),
    ];
    insta::assert_snapshot!("KC213_fail", run(rule, &f).join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);

    let mut closed = facts();
    closed.probes = vec![
        probe(
            ComponentKind::ApiServer,
            "https://127.0.0.1:6443/api",
            Some(401),
            "401 Unauthorized",
        ),
        probe(
            ComponentKind::Kubelet,
            "https://127.0.0.1:10250/pods",
            Some(401),
            "401 Unauthorized",
        ),
        probe(
            ComponentKind::Etcd,
            "https://127.0.0.1:2379/version",
            None,
            "TLS handshake failed",
        ),
    ];
    // The port where nothing answered over HTTP is noted as not examined, not judged; the
    // others pass, and the item cannot pass on what was not examined.
    assert_eq!(
        run(rule, &closed),
        ["KC213 NotExamined - - https://127.0.0.1:2379/version - | nothing answered at https://127.0.0.1:2379/version (TLS handshake failed): not probed | https://127.0.0.1:2379/version 没有应答（TLS handshake failed）：未能探测"]
    );
    assert_eq!(status(rule, &closed), Status::NotEvaluated);
    // Every port closed: nothing was probed, so nothing passes.
    let mut all_closed = facts();
    all_closed.probes = vec![probe(
        ComponentKind::Kubelet,
        "https://127.0.0.1:10250/pods",
        None,
        "connection refused",
    )];
    assert_eq!(status(rule, &all_closed), Status::NotEvaluated);
    // No --probe: nothing looked at.
    assert_eq!(status(rule, &facts()), Status::NotEvaluated);
}

// ---- KC313 seccompDefault --------------------------------------------------------------------

#[test]
fn kc313_warns_without_seccomp_default() {
    let rule = rule("KC313");
    let mut f = facts();
    f.components = vec![kubelet(&["--config=/var/lib/kubelet/config.yaml"])];
    f.configs = vec![kubelet_config("cgroupDriver: systemd\n")];
    let mut no_config = facts();
    no_config.components = vec![kubelet(&["--seccomp-default=false"])];
    let mut found = run(rule, &f);
    found.extend(run(rule, &no_config));
    insta::assert_snapshot!("KC313_warn", found.join("\n"));
    // 3.5 also needs objects, so a node warning still makes the item warn.
    assert_eq!(status(rule, &f), Status::Warn);
}

#[test]
fn kc313_passes_with_seccomp_default_from_the_file_or_the_flag() {
    let rule = rule("KC313");
    let mut f = facts();
    f.components = vec![kubelet(&["--config=/var/lib/kubelet/config.yaml"])];
    f.configs = vec![kubelet_config("seccompDefault: true\n")];
    assert!(run(rule, &f).is_empty());
    f.configs = vec![kubelet_config("seccompDefault: false\n")];
    f.components = vec![kubelet(&[
        "--config=/var/lib/kubelet/config.yaml",
        "--seccomp-default",
    ])];
    assert!(run(rule, &f).is_empty());
}

// ---- KC314 LSM -------------------------------------------------------------------------------

#[test]
fn kc314_fails_without_an_lsm_and_warns_permissive_selinux() {
    let rule = rule("KC314");
    let mut none = facts();
    none.lsm = Lsm {
        apparmor: Some(false),
        selinux: None,
        active: vec!["capability".into(), "yama".into()],
    };
    let mut permissive = facts();
    permissive.lsm = Lsm {
        apparmor: None,
        selinux: Some("permissive".into()),
        active: vec!["capability".into(), "selinux".into()],
    };
    let mut found = run(rule, &none);
    found.extend(run(rule, &permissive));
    insta::assert_snapshot!("KC314_fail", found.join("\n"));
}

#[test]
fn kc314_passes_apparmor_or_enforcing_selinux_and_skips_unknown() {
    let rule = rule("KC314");
    let mut apparmor = facts();
    apparmor.lsm = Lsm {
        apparmor: Some(true),
        selinux: None,
        active: vec!["capability".into(), "apparmor".into()],
    };
    assert!(run(rule, &apparmor).is_empty());
    let mut selinux = facts();
    selinux.lsm = Lsm {
        apparmor: None,
        selinux: Some("enforcing".into()),
        active: vec![],
    };
    assert!(run(rule, &selinux).is_empty());

    let mut unknown = facts();
    unknown.missing = vec![missing(
        "lsm",
        None,
        "none of /sys/module/apparmor/parameters/enabled, /sys/fs/selinux/enforce, /sys/kernel/security/lsm",
    )];
    assert_eq!(
        run(rule, &unknown),
        ["KC314 NotExamined - - lsm - | lsm is not available (none of /sys/module/apparmor/parameters/enabled, /sys/fs/selinux/enforce, /sys/kernel/security/lsm) | 无法获得 lsm（none of /sys/module/apparmor/parameters/enabled, /sys/fs/selinux/enforce, /sys/kernel/security/lsm）"]
    );
    assert_eq!(status(rule, &unknown), Status::NotEvaluated);
}

// ---- KC606 service account tokens ------------------------------------------------------------

#[test]
fn kc606_fails_without_an_issuer_and_warns_long_tokens() {
    let rule = rule("KC606");
    let mut f = facts();
    f.components = vec![process(
        ComponentKind::ApiServer,
        606,
        &[
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-max-token-expiration=8760h",
        ],
    )];
    let mut unset = facts();
    unset.components = vec![apiserver(&[])];
    let mut found = run(rule, &f);
    found.extend(run(rule, &unset));
    insta::assert_snapshot!("KC606_fail", found.join("\n"));
    assert_eq!(status(rule, &f), Status::Fail);
}

#[test]
fn kc606_passes_bounded_tokens_within_the_configured_maximum() {
    let rule = rule("KC606");
    let mut f = facts();
    f.components = vec![apiserver(&[
        "--service-account-max-token-expiration=48h",
        "--service-account-extend-token-expiration=false",
    ])];
    let two_days = Config {
        max_token_expiration_seconds: 2 * 86_400,
        ..Config::default()
    };
    assert!(lines(&report(rule, &f, two_days)).is_empty());
    // The default maximum is one day.
    assert_eq!(run(rule, &f).len(), 1);
}

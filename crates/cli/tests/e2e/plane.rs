//! A real control plane on 127.0.0.1: etcd (Debian's), kube-apiserver and kube-controller-manager
//! built from the k8s.io/kubernetes module (tests/e2e/build.sh), a PKI made with openssl
//! (tests/e2e/pki.sh), kubeconfigs for the users the checks need. Every process is stopped on
//! drop, and dies with the test process if that is killed (PR_SET_PDEATHSIG).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binaries the harness runs.
#[derive(Clone, Debug)]
pub struct Bins {
    pub apiserver: PathBuf,
    pub controller_manager: PathBuf,
    pub kubectl: PathBuf,
    pub helm: PathBuf,
    pub etcd: PathBuf,
    pub kcheck: PathBuf,
}

impl Bins {
    /// The binaries, or what is missing.
    pub fn find(root: &Path) -> Result<Bins, String> {
        let built = root.join("target/e2e/bin");
        let etcd = ["/usr/bin/etcd", "/usr/local/bin/etcd"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file());
        let want = |name: &str| {
            let p = built.join(name);
            p.is_file().then_some(p)
        };
        let mut missing = Vec::new();
        let mut need = |name: &str, p: Option<PathBuf>| {
            if p.is_none() {
                missing.push(name.to_string());
            }
            p.unwrap_or_default()
        };
        let bins = Bins {
            apiserver: need("target/e2e/bin/kube-apiserver", want("kube-apiserver")),
            controller_manager: need(
                "target/e2e/bin/kube-controller-manager",
                want("kube-controller-manager"),
            ),
            kubectl: need("target/e2e/bin/kubectl", want("kubectl")),
            helm: need("target/e2e/bin/helm", want("helm")),
            etcd: need("etcd (apt-get install etcd-server)", etcd),
            kcheck: PathBuf::from(env!("CARGO_BIN_EXE_kcheck")),
        };
        if missing.is_empty() {
            Ok(bins)
        } else {
            Err(missing.join(", "))
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process, killed on drop; its output goes to a log file.
pub struct Proc {
    pub name: String,
    child: Option<Child>,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Proc {
        let file = std::fs::File::create(log).unwrap();
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill the child when
        // the test process dies, so that no control plane outlives a killed test.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            name: name.to_string(),
            child: Some(child),
            log: log.to_path_buf(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether it is still running; its log's tail when it is not.
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => Ok(()),
            _ => Err(format!(
                "{} exited; its log:\n{}",
                self.name,
                self.log_tail()
            )),
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// etcd with TLS and client certificates, on free ports.
pub struct Etcd {
    pub proc: Proc,
    pub endpoint: String,
}

impl Etcd {
    pub fn start(bins: &Bins, dir: &Path, pki: &Path) -> Etcd {
        let (client, peer) = (free_port(), free_port());
        let endpoint = format!("https://127.0.0.1:{client}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let mut c = Command::new(&bins.etcd);
        c.arg("--name=e2e")
            .arg(format!("--data-dir={}", dir.join("data").display()))
            .arg(format!("--listen-client-urls={endpoint}"))
            .arg(format!("--advertise-client-urls={endpoint}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=e2e={peer_url}"))
            .arg("--initial-cluster-state=new")
            .arg(format!(
                "--cert-file={}",
                pki.join("etcd-server.crt").display()
            ))
            .arg(format!(
                "--key-file={}",
                pki.join("etcd-server.key").display()
            ))
            .arg(format!(
                "--trusted-ca-file={}",
                pki.join("etcd-ca.crt").display()
            ))
            .arg("--client-cert-auth")
            .arg("--logger=zap")
            .arg("--log-level=warn");
        std::fs::create_dir_all(dir).unwrap();
        let proc = Proc::spawn("etcd", c, &dir.join("etcd.log"));
        Etcd { proc, endpoint }
    }
}

/// What an API server is started with, beyond the basics.
#[derive(Clone, Debug, Default)]
pub struct ApiOptions {
    /// An EncryptionConfiguration file.
    pub encryption: Option<PathBuf>,
    pub extra: Vec<String>,
}

pub struct ApiServer {
    pub proc: Proc,
    pub url: String,
    pub audit_log: PathBuf,
}

const AUDIT_POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
# kcheck's audit account: every Secret request with its response, to prove that only metadata
# was asked for and sent.
- level: RequestResponse
  users: [\"system:serviceaccount:kcheck:kcheck\"]
  resources: [{group: \"\", resources: [secrets]}]
- level: Metadata
";

impl ApiServer {
    pub fn start(bins: &Bins, dir: &Path, pki: &Path, etcd: &Etcd, opts: &ApiOptions) -> ApiServer {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let policy = dir.join("audit-policy.yaml");
        std::fs::write(&policy, AUDIT_POLICY).unwrap();
        let audit_log = dir.join("audit.log");
        let p = |name: &str| pki.join(name).display().to_string();
        let mut flags = vec![
            "--bind-address=127.0.0.1".to_string(),
            "--advertise-address=127.0.0.1".into(),
            // The `kubernetes` Service's endpoints may not be a loopback address; nothing in
            // the harness needs them.
            "--endpoint-reconciler-type=none".into(),
            format!("--secure-port={port}"),
            format!("--etcd-servers={}", etcd.endpoint),
            format!("--etcd-cafile={}", p("etcd-ca.crt")),
            format!("--etcd-certfile={}", p("etcd-client.crt")),
            format!("--etcd-keyfile={}", p("etcd-client.key")),
            format!("--client-ca-file={}", p("ca.crt")),
            format!("--tls-cert-file={}", p("apiserver.crt")),
            format!("--tls-private-key-file={}", p("apiserver.key")),
            format!(
                "--tls-sni-cert-key={},{}:expired.test",
                p("expired.crt"),
                p("expired.key")
            ),
            format!(
                "--tls-sni-cert-key={},{}:selfsigned.test",
                p("selfsigned.crt"),
                p("selfsigned.key")
            ),
            "--service-account-issuer=https://kubernetes.default.svc".into(),
            format!("--service-account-key-file={}", p("sa.pub")),
            format!("--service-account-signing-key-file={}", p("sa.key")),
            "--service-cluster-ip-range=10.96.0.0/16".into(),
            "--authorization-mode=Node,RBAC".into(),
            "--enable-admission-plugins=NodeRestriction".into(),
            // As kubeadm runs it: privileged containers are for Pod Security to judge.
            "--allow-privileged=true".into(),
            "--profiling=false".into(),
            format!("--audit-policy-file={}", policy.display()),
            format!("--audit-log-path={}", audit_log.display()),
            "--audit-log-maxage=30".into(),
            "--audit-log-maxbackup=10".into(),
            "--audit-log-maxsize=100".into(),
        ];
        if let Some(enc) = &opts.encryption {
            flags.push(format!("--encryption-provider-config={}", enc.display()));
        }
        flags.extend(opts.extra.iter().cloned());
        let mut c = Command::new(&bins.apiserver);
        c.args(&flags);
        let proc = Proc::spawn("kube-apiserver", c, &dir.join("kube-apiserver.log"));
        ApiServer {
            proc,
            url: format!("https://127.0.0.1:{port}"),
            audit_log,
        }
    }
}

/// A user of the cluster, as a kubeconfig says it.
pub enum User<'a> {
    Cert(&'a str),
    Token(&'a str),
}

/// A kubeconfig for `server`, trusting `ca`, as `user`, with an optional `tls-server-name`.
pub fn kubeconfig(path: &Path, server: &str, ca: &Path, user: User, tls_name: Option<&str>) {
    let user = match user {
        User::Cert(stem) => {
            let dir = ca.parent().unwrap();
            format!(
                "client-certificate: {}\n    client-key: {}",
                dir.join(format!("{stem}.crt")).display(),
                dir.join(format!("{stem}.key")).display()
            )
        }
        User::Token(t) => format!("token: {t}"),
    };
    let tls_name = tls_name
        .map(|n| format!("\n    tls-server-name: {n}"))
        .unwrap_or_default();
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: {server}
    certificate-authority: {ca}{tls_name}
users:
- name: e2e
  user:
    {user}
contexts:
- name: e2e
  context: {{cluster: e2e, user: e2e}}
current-context: e2e
",
        ca = ca.display()
    );
    std::fs::write(path, text).unwrap();
}

/// A second etcd and API server beside the harness's (no controller manager), for checks that
/// need another configuration; stopped on drop.
pub struct Extra {
    pub etcd: Etcd,
    pub api: ApiServer,
    /// system:masters for this server.
    pub admin: PathBuf,
}

impl Extra {
    pub fn start(plane: &ControlPlane, dir: &Path, options: &ApiOptions) -> Extra {
        let mut etcd = Etcd::start(&plane.bins, &dir.join("etcd"), &plane.pki);
        let mut api = ApiServer::start(
            &plane.bins,
            &dir.join("apiserver"),
            &plane.pki,
            &etcd,
            options,
        );
        let admin = dir.join("admin.kubeconfig");
        kubeconfig(
            &admin,
            &api.url,
            &plane.pki.join("ca.crt"),
            User::Cert("admin"),
            None,
        );
        wait_ready(&plane.bins, &admin, &mut [&mut etcd.proc, &mut api.proc]);
        Extra { etcd, api, admin }
    }
}

impl Drop for Extra {
    fn drop(&mut self) {
        self.api.proc.stop();
        self.etcd.proc.stop();
    }
}

/// The whole control plane.
pub struct ControlPlane {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub pki: PathBuf,
    pub bins: Bins,
    pub etcd: Etcd,
    pub api: ApiServer,
    pub controller_manager: Option<Proc>,
    /// system:masters
    pub admin: PathBuf,
    pub started_in: Duration,
}

impl ControlPlane {
    pub fn start(root: &Path, bins: Bins) -> ControlPlane {
        let begun = Instant::now();
        let dir = std::env::temp_dir().join(format!("kcheck-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pki = dir.join("pki");
        make_pki(root, &pki);
        let etcd = Etcd::start(&bins, &dir.join("etcd"), &pki);
        let api = ApiServer::start(
            &bins,
            &dir.join("apiserver"),
            &pki,
            &etcd,
            &ApiOptions::default(),
        );
        let admin = dir.join("admin.kubeconfig");
        kubeconfig(
            &admin,
            &api.url,
            &pki.join("ca.crt"),
            User::Cert("admin"),
            None,
        );
        let mut plane = ControlPlane {
            root: root.to_path_buf(),
            dir,
            pki,
            bins,
            etcd,
            api,
            controller_manager: None,
            admin,
            started_in: Duration::ZERO,
        };
        plane.wait_ready();
        plane.start_controller_manager();
        plane.started_in = begun.elapsed();
        plane
    }

    /// Waits for `/readyz` through kubectl as admin; panics with the logs after 120 s.
    pub fn wait_ready(&mut self) {
        wait_ready(
            &self.bins,
            &self.admin,
            &mut [&mut self.etcd.proc, &mut self.api.proc],
        );
    }

    fn start_controller_manager(&mut self) {
        let kubeconfig_path = self.dir.join("controller-manager.kubeconfig");
        kubeconfig(
            &kubeconfig_path,
            &self.api.url,
            &self.pki.join("ca.crt"),
            User::Cert("controller-manager"),
            None,
        );
        let p = |name: &str| self.pki.join(name).display().to_string();
        let mut c = Command::new(&self.bins.controller_manager);
        c.arg(format!("--kubeconfig={}", kubeconfig_path.display()))
            .arg(format!(
                "--authentication-kubeconfig={}",
                kubeconfig_path.display()
            ))
            .arg(format!(
                "--authorization-kubeconfig={}",
                kubeconfig_path.display()
            ))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--secure-port={}", free_port()))
            .arg("--leader-elect=false")
            .arg("--use-service-account-credentials=true")
            .arg(format!(
                "--service-account-private-key-file={}",
                p("sa.key")
            ))
            .arg(format!("--root-ca-file={}", p("ca.crt")))
            .arg(format!("--cluster-signing-cert-file={}", p("ca.crt")))
            .arg(format!("--cluster-signing-key-file={}", p("ca.key")))
            .arg("--profiling=false");
        let log = self.dir.join("controller-manager.log");
        let mut proc = Proc::spawn("kube-controller-manager", c, &log);
        // The service-account controller creating `default` in a new namespace shows that the
        // controller manager runs and is authorized.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let out = self.kubectl(&[
                "get",
                "serviceaccount",
                "default",
                "-n",
                "default",
                "-o",
                "name",
            ]);
            if out.status.success() {
                break;
            }
            if let Err(e) = proc.check_alive() {
                panic!("{e}");
            }
            assert!(
                Instant::now() < deadline,
                "the controller manager made no default ServiceAccount in 120 s; its log:\n{}",
                proc.log_tail()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        self.controller_manager = Some(proc);
    }

    /// kubectl as admin.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_as(&self.admin, args, None)
    }

    /// kubectl with `kubeconfig`, optionally fed `stdin`.
    pub fn kubectl_as(&self, kubeconfig: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
        run(
            &self.bins.kubectl,
            args,
            &[("KUBECONFIG", kubeconfig.as_os_str())],
            stdin,
        )
    }

    /// kubectl as admin, which must succeed; its standard output.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// kcheck with `args`, from the repository root, KUBECONFIG unset.
    pub fn kcheck(&self, args: &[&str]) -> Run {
        let out = run(
            &self.bins.kcheck,
            args,
            &[("KUBECONFIG", std::ffi::OsStr::new("/nonexistent"))],
            None,
        );
        Run::from(out)
    }

    /// `kcheck node` reading etcd at `endpoint` with the harness's etcd client certificate and
    /// `ca` (a file of the PKI), under an empty `--root`.
    pub fn etcd_scan(&self, endpoint: &str, ca: &str, cert: &str) -> Run {
        let p = |n: &str| self.pki.join(n).display().to_string();
        let empty = self.path("empty-root");
        std::fs::create_dir_all(&empty).unwrap();
        self.kcheck(&[
            "node",
            "--root",
            empty.to_str().unwrap(),
            "--etcd-endpoint",
            endpoint,
            "--etcd-ca",
            &p(ca),
            "--etcd-cert",
            &p(cert),
            "--etcd-key",
            &p(&cert.replace(".crt", ".key")),
            "--format",
            "json",
        ])
    }

    /// A file in the run's directory.
    /// A kubeconfig named `file` with a token of ServiceAccount `account` in `namespace`
    /// (`extra`: more `kubectl create token` flags, such as the pod it is bound to).
    pub fn service_account_kubeconfig(
        &self,
        namespace: &str,
        account: &str,
        file: &str,
        extra: &[&str],
    ) -> PathBuf {
        let mut args = vec!["create", "token", account, "-n", namespace, "--duration=1h"];
        args.extend_from_slice(extra);
        let token = self.kubectl_ok(&args);
        let config = self.path(file);
        kubeconfig(
            &config,
            &self.api.url,
            &self.pki.join("ca.crt"),
            User::Token(token.trim()),
            None,
        );
        config
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        if let Some(p) = self.controller_manager.as_mut() {
            p.stop();
        }
        self.api.proc.stop();
        self.etcd.proc.stop();
        if std::env::var_os("KCHECK_E2E_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn wait_ready(bins: &Bins, admin: &Path, procs: &mut [&mut Proc]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = run(
            &bins.kubectl,
            &["get", "--raw", "/readyz"],
            &[("KUBECONFIG", admin.as_os_str())],
            None,
        );
        if out.status.success() {
            return;
        }
        for p in procs.iter_mut() {
            if let Err(e) = p.check_alive() {
                panic!("{e}");
            }
        }
        if Instant::now() > deadline {
            let logs: Vec<String> = procs
                .iter()
                .map(|p| format!("--- {}:\n{}", p.name, p.log_tail()))
                .collect();
            panic!(
                "the API server was not ready in 120 s ({}); logs:\n{}",
                String::from_utf8_lossy(&out.stderr),
                logs.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn make_pki(root: &Path, pki: &Path) {
    let out = Command::new("bash")
        .arg(root.join("tests/e2e/pki.sh"))
        .arg(pki)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tests/e2e/pki.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn run(
    bin: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
    stdin: Option<&[u8]>,
) -> Output {
    let mut c = Command::new(bin);
    c.args(args)
        .env_remove("NO_COLOR")
        // Fingerprints the same in every run, so that reports compare byte for byte.
        .env("KCHECK_FINGERPRINT_KEY", "kcheck e2e")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    child.wait_with_output().unwrap()
}

/// A finished kcheck run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}); exit {}; stderr: {}\nstdout: {}",
                self.code,
                self.stderr,
                &self.stdout[..self.stdout.len().min(2000)]
            )
        })
    }
}

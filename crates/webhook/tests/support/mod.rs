//! A real server on 127.0.0.1 with certificates made here, and a real TLS client.

#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use kcheck_webhook::{CertStore, FileNamespaces, Judge, Metrics, NamespaceSource, NoNamespaces};
use kcheck_webhook::{State, Timeouts};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// A CA that signs serving certificates for `localhost` and 127.0.0.1.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub pem: String,
}

impl Ca {
    pub fn new() -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "kcheck test CA");
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A serving certificate and key (PEM) whose common name is `cn`.
    pub fn serving(&self, cn: &str) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        params.distinguished_name.push(DnType::CommonName, cn);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("kcheck-webhook-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a file through a temporary name and a rename, as a careful writer would.
pub fn write_atomic(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub ca: Ca,
    pub dir: Scratch,
    pub state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<Result<(), kcheck_webhook::Error>>>,
    watchers: Vec<tokio::task::JoinHandle<()>>,
}

pub struct Setup<'a> {
    pub config: &'a str,
    pub namespaces: Option<&'a str>,
    pub poll: Duration,
    pub drain: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl Default for Setup<'_> {
    fn default() -> Self {
        Setup {
            config: "",
            namespaces: None,
            poll: Duration::from_millis(50),
            drain: Duration::from_secs(10),
            idle: Timeouts::default().idle,
            max_connections: Timeouts::default().max_connections,
        }
    }
}

impl TestServer {
    pub async fn start(config: &str) -> TestServer {
        Self::with(Setup {
            config,
            ..Setup::default()
        })
        .await
    }

    pub async fn with(setup: Setup<'_>) -> TestServer {
        let dir = Scratch::new("srv");
        let ca = Ca::new();
        let (cert, key) = ca.serving("gen-1");
        std::fs::write(dir.path("tls.crt"), cert).unwrap();
        std::fs::write(dir.path("tls.key"), key).unwrap();
        let settings = kcheck_webhook::parse_settings(setup.config).unwrap();
        let certs = CertStore::open(dir.path("tls.crt"), dir.path("tls.key")).unwrap();
        let metrics = Arc::new(Metrics::default());
        let mut watchers = vec![certs.watch(setup.poll, metrics.clone())];
        let namespaces: Arc<dyn NamespaceSource> = match setup.namespaces {
            Some(text) => {
                std::fs::write(dir.path("namespaces.yaml"), text).unwrap();
                let f = FileNamespaces::open(dir.path("namespaces.yaml")).unwrap();
                watchers.push(f.watch(setup.poll));
                f
            }
            None => Arc::new(NoNamespaces),
        };
        let state = State::new(Judge::new(Arc::new(settings), namespaces), metrics);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let timeouts = Timeouts {
            drain: setup.drain,
            idle: setup.idle,
            max_connections: setup.max_connections,
            ..Timeouts::default()
        };
        let task = tokio::spawn(kcheck_webhook::serve(
            listener,
            state.clone(),
            certs,
            timeouts,
            async move {
                let _ = rx.await;
            },
        ));
        TestServer {
            addr,
            ca,
            dir,
            state,
            shutdown: Some(tx),
            task: Some(task),
            watchers,
        }
    }

    /// Signals shutdown (as SIGTERM would).
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub async fn connect(&self) -> Client {
        Client::connect(self.addr, &self.ca.pem, false).await
    }

    pub async fn connect_h2(&self) -> Client {
        Client::connect(self.addr, &self.ca.pem, true).await
    }

    /// One review on a fresh connection.
    pub async fn review(&self, body: &Value) -> (StatusCode, Value) {
        let mut c = self.connect().await;
        c.review(body).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        for w in &self.watchers {
            w.abort();
        }
    }
}

enum Sender {
    H1(hyper::client::conn::http1::SendRequest<Full<Bytes>>),
    H2(hyper::client::conn::http2::SendRequest<Full<Bytes>>),
}

pub struct Client {
    sender: Sender,
    /// The certificate the server presented on this connection.
    pub peer: CertificateDer<'static>,
}

pub fn client_config(ca_pem: &str, h2: bool) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Arc::new(config)
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr, ca_pem: &str, h2: bool) -> Client {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let tls = TlsConnector::from(client_config(ca_pem, h2))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        let peer = tls.get_ref().1.peer_certificates().unwrap()[0]
            .clone()
            .into_owned();
        let io = TokioIo::new(tls);
        let sender = if h2 {
            let (s, conn) =
                hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
                    .await
                    .unwrap();
            tokio::spawn(conn);
            Sender::H2(s)
        } else {
            let (s, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(conn);
            Sender::H1(s)
        };
        Client { sender, peer }
    }

    pub async fn send(&mut self, req: hyper::Request<Full<Bytes>>) -> (StatusCode, Bytes) {
        let resp = match &mut self.sender {
            Sender::H1(s) => s.send_request(req).await.unwrap(),
            Sender::H2(s) => s.send_request(req).await.unwrap(),
        };
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, body)
    }

    pub async fn post(&mut self, target: &str, body: Vec<u8>) -> (StatusCode, Bytes) {
        let req = hyper::Request::post(target)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        self.send(req).await
    }

    pub async fn get(&mut self, target: &str) -> (StatusCode, String) {
        let req = hyper::Request::get(target)
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let (s, b) = self.send(req).await;
        (s, String::from_utf8_lossy(&b).into_owned())
    }

    pub async fn review(&mut self, body: &Value) -> (StatusCode, Value) {
        let (status, bytes) = self
            .post("/validate?timeout=10s", serde_json::to_vec(body).unwrap())
            .await;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }
}

/// An AdmissionReview for `object`.
pub fn review(operation: &str, object: &Value, old: Option<&Value>) -> Value {
    let kind = object["kind"].as_str().unwrap_or("");
    let api_version = object["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let namespace = object["metadata"]["namespace"].as_str();
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": object["metadata"]["name"],
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": "admin", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
}

pub fn create(object: &Value) -> Value {
    review("CREATE", object, None)
}

/// The `response` of an answer.
pub fn response(answer: &Value) -> &Value {
    &answer["response"]
}

pub fn allowed(answer: &Value) -> bool {
    answer["response"]["allowed"]
        .as_bool()
        .unwrap_or_else(|| panic!("no verdict in {answer}"))
}

pub fn denial(answer: &Value) -> String {
    answer["response"]["status"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

pub fn warnings(answer: &Value) -> Vec<String> {
    answer["response"]["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A pod spec that passes every admission rule.
pub fn clean_pod_spec() -> Value {
    json!({
        "automountServiceAccountToken": false,
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
            "appArmorProfile": {"type": "RuntimeDefault"}
        },
        "containers": [{
            "name": "app",
            "image": "registry.example/app:1.4.2@sha256:4b1c7a5d1a9e2b8f3c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b",
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]}
            },
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"memory": "128Mi"}
            }
        }]
    })
}

/// The same spec with a privileged container.
pub fn privileged_pod_spec() -> Value {
    let mut spec = clean_pod_spec();
    spec["containers"][0]["securityContext"]["privileged"] = json!(true);
    spec
}

pub fn pod(namespace: &str, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec
    })
}

/// A realistic Deployment (as `kubectl apply` sends it, defaults filled in by the API server).
pub fn deployment(namespace: &str, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": "1b2c3d4e-0000-4000-8000-000000000001",
            "generation": 1,
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
        },
        "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": spec
            }
        }
    })
}

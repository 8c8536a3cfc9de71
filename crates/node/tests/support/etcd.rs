//! A real etcd for the tests: found on PATH, started on 127.0.0.1 on free ports with a temporary
//! data directory, seeded through its v3 JSON gateway, stopped on drop.

use super::TestPki;
use data_encoding::BASE64;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};

pub fn etcd_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
        .map(|dir| dir.join("etcd"))
        .find(|p| p.is_file())
}

/// The etcd binary, or `None` after saying why the test is skipped (a failure when
/// `KCHECK_REQUIRE_ETCD` is set).
pub fn etcd_or_skip(test: &str) -> Option<PathBuf> {
    let found = etcd_binary();
    if found.is_none() {
        let required = std::env::var_os("KCHECK_REQUIRE_ETCD").is_some_and(|v| !v.is_empty());
        assert!(
            !required,
            "KCHECK_REQUIRE_ETCD is set but no `etcd` binary was found (apt-get install etcd-server)"
        );
        // Straight to stderr, past the test harness's capture, so the skip shows in a plain run.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no `etcd` binary on PATH (apt-get install etcd-server; \
             set KCHECK_REQUIRE_ETCD=1 to make this a failure)"
        );
    }
    found
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A running etcd; killed and its directory removed on drop.
pub struct Etcd {
    child: Child,
    dir: tempfile::TempDir,
    pub endpoint: String,
    pub port: u16,
    client: ureq::Agent,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Etcd {
    /// Starts etcd (with TLS and client-cert-auth when `pki` is given) and waits until it is
    /// healthy. Retries on new ports if a port was taken in between.
    pub fn start(binary: &Path, pki: Option<&TestPki>) -> Etcd {
        let mut last_log = String::new();
        for _ in 0..3 {
            match Etcd::try_start(binary, pki) {
                Ok(etcd) => return etcd,
                Err(log) => last_log = log,
            }
        }
        panic!("etcd did not become healthy; its log:\n{last_log}");
    }

    fn try_start(binary: &Path, pki: Option<&TestPki>) -> Result<Etcd, String> {
        let dir = tempfile::tempdir().unwrap();
        let (client_port, peer_port) = (free_port(), free_port());
        let scheme = if pki.is_some() { "https" } else { "http" };
        let endpoint = format!("{scheme}://127.0.0.1:{client_port}");
        let peer = format!("http://127.0.0.1:{peer_port}");
        let log_path = dir.path().join("etcd.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut command = Command::new(binary);
        command
            .arg("--name=kcheck-test")
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={endpoint}"))
            .arg(format!("--advertise-client-urls={endpoint}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster=kcheck-test={peer}"))
            .arg("--initial-cluster-state=new")
            .arg("--max-txn-ops=1000")
            .arg("--logger=zap")
            .arg("--log-outputs=stderr")
            .arg("--log-level=warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let mut agent_tls = TlsConfig::builder();
        if let Some(pki) = pki {
            let write = |name: &str, pem: &str| {
                let path = dir.path().join(name);
                std::fs::write(&path, pem).unwrap();
                path
            };
            let ca = write("ca.crt", &pki.ca_cert);
            let cert = write("server.crt", &pki.server_cert);
            let key = write("server.key", &pki.server_key);
            write("client.crt", &pki.client_cert);
            write("client.key", &pki.client_key);
            command
                .arg(format!("--cert-file={}", cert.display()))
                .arg(format!("--key-file={}", key.display()))
                .arg(format!("--trusted-ca-file={}", ca.display()))
                .arg("--client-cert-auth");
            let ca = Certificate::from_pem(pki.ca_cert.as_bytes()).unwrap();
            let client_cert = Certificate::from_pem(pki.client_cert.as_bytes()).unwrap();
            let client_key = PrivateKey::from_pem(pki.client_key.as_bytes()).unwrap();
            agent_tls = agent_tls
                .root_certs(RootCerts::Specific(Arc::new(vec![ca])))
                .client_cert(Some(ClientCert::new_with_certs(&[client_cert], client_key)));
        }
        let client = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .tls_config(agent_tls.build())
            .build()
            .new_agent();
        let child = command.spawn().unwrap();
        let mut etcd = Etcd {
            child,
            dir,
            endpoint,
            port: client_port,
            client,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = etcd.child.try_wait() {
                break;
            }
            let health = etcd
                .client
                .get(format!("{}/health", etcd.endpoint))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok());
            if health.is_some_and(|h| h.contains("\"health\":\"true\"")) {
                return Ok(etcd);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(std::fs::read_to_string(&log_path).unwrap_or_default())
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn post(&self, path: &str, body: serde_json::Value) {
        let url = format!("{}{path}", self.endpoint);
        let mut response = self
            .client
            .post(&url)
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let text = response.body_mut().read_to_string().unwrap();
        assert!(!text.contains("\"error\""), "{url}: {text}");
    }

    pub fn put(&self, key: &str, value: &[u8]) {
        self.post(
            "/v3/kv/put",
            serde_json::json!({"key": BASE64.encode(key.as_bytes()), "value": BASE64.encode(value)}),
        );
    }

    /// Many puts in one transaction (at most `--max-txn-ops`).
    pub fn put_all(&self, kvs: &[(String, Vec<u8>)]) {
        for chunk in kvs.chunks(500) {
            let ops: Vec<_> = chunk
                .iter()
                .map(|(k, v)| {
                    serde_json::json!({"request_put": {
                        "key": BASE64.encode(k.as_bytes()),
                        "value": BASE64.encode(v),
                    }})
                })
                .collect();
            self.post("/v3/kv/txn", serde_json::json!({ "success": ops }));
        }
    }
}

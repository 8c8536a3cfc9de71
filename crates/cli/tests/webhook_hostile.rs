//! The webhook process under reviews built to exhaust it: a Pod with 6,000 containers (every
//! rule finds something in each of them) is answered within its deadline while the process stays
//! under 64 MiB, and `/healthz` answers promptly while several such reviews are being judged.
//! The real binary, over TLS (openssl s_client as the client, with a PKI from tests/e2e/pki.sh).

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Webhook {
    child: Child,
    port: u16,
    ca: PathBuf,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(pki: &Path) -> Webhook {
    let port = free_port();
    let child = support::command(&[
        "webhook",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--tls-cert",
        pki.join("webhook.crt").to_str().unwrap(),
        "--tls-key",
        pki.join("webhook.key").to_str().unwrap(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the webhook did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Webhook {
        child,
        port,
        ca: pki.join("ca.crt"),
    }
}

/// One HTTPS request through `openssl s_client`; the raw response.
fn https(w: &Webhook, request: Vec<u8>) -> String {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-no_ign_eof",
            "-nocommands",
            "-connect",
        ])
        .arg(format!("127.0.0.1:{}", w.port))
        .arg("-CAfile")
        .arg(&w.ca)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&request);
        // Keep stdin open until the answer is in: s_client closes the connection at EOF.
        std::thread::sleep(Duration::from_secs(30));
    });
    let mut out = String::new();
    let _ = child.stdout.take().unwrap().read_to_string(&mut out);
    if out.is_empty() {
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        eprintln!("openssl s_client said: {err}");
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(writer);
    out
}

fn post(w: &Webhook, body: &[u8], timeout: &str) -> String {
    let mut request = format!(
        "POST /validate?timeout={timeout} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    https(w, request)
}

fn healthz(w: &Webhook) -> String {
    https(
        w,
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(),
    )
}

/// A Pod with `n` containers: the smallest a container can be (`{"name", "image"}`, which is
/// already wrong in many ways: no seccomp profile, no limits, root, a tag), or each of them
/// wrong in every way a container can be.
fn review(n: usize, heavy: bool) -> Vec<u8> {
    let containers: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            if !heavy {
                return serde_json::json!({"name": format!("c{i:05}"), "image": "busybox"});
            }
            serde_json::json!({
                "name": format!("c{i:05}"),
                "image": format!("registry.example.com/app-{i}:latest"),
                "securityContext": {"privileged": true, "runAsUser": 0,
                    "capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN"]}},
                "env": [{"name": "DB_PASSWORD", "value": format!("hunter2-{i:05}-abcdef")}]
            })
        })
        .collect();
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "wide", "namespace": "default"},
        "spec": {"hostPID": true, "containers": containers}
    });
    serde_json::to_vec(&serde_json::json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "6000-containers", "operation": "CREATE",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default", "name": "wide",
            "userInfo": {"username": "someone"},
            "object": pod
        }
    }))
    .unwrap()
}

/// The process's peak resident memory (VmHWM), in KiB.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn pki(name: &str) -> support::TempDir {
    let dir = support::TempDir::new(name);
    let out = Command::new("bash")
        .arg(support::root().join("tests/e2e/pki.sh"))
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Judges a review of `n` containers in a fresh webhook: the answer and the process's peak.
fn judge_wide_pod(name: &str, n: usize, heavy: bool) -> (String, Duration, u64) {
    let pki = pki(name);
    let webhook = start(&pki.0);
    let body = review(n, heavy);
    let began = Instant::now();
    let answer = post(&webhook, &body, "10s");
    let took = began.elapsed();
    let head = &answer[..answer.len().min(500)];
    assert!(answer.starts_with("HTTP/1.1 200"), "{head}");
    assert!(answer.contains("\"uid\":\"6000-containers\""), "{head}");
    assert!(
        answer.contains("\"allowed\":false"),
        "the pod was allowed: {head}"
    );
    assert!(took < Duration::from_secs(10), "answered after {took:?}");
    // Bounded: at most 50 findings of a rule on one object, messages cut at 1 KiB, warnings
    // and the denial within Kubernetes' limits.
    assert!(
        answer.len() < 64 * 1024,
        "an answer of {} bytes",
        answer.len()
    );
    assert!(!answer.contains("hunter2"), "a secret value in the answer");
    (answer, took, peak_kib(webhook.child.id()))
}

#[test]
fn a_pod_with_6000_containers_is_answered_in_time_and_within_64_mib() {
    // The shape of the review that took the webhook to 765 MB: 6,000 bare containers, ~200 kB.
    let (_, _, peak) = judge_wide_pod("webhook-wide-pod", 6000, false);
    assert!(peak < 64 * 1024, "peak resident memory {peak} KiB");
}

#[test]
fn a_pod_with_6000_containers_wrong_in_every_way_stays_bounded() {
    // 1.2 MB, every container privileged, root, with added capabilities and a literal secret.
    let (_, _, peak) = judge_wide_pod("webhook-wide-heavy-pod", 6000, true);
    assert!(peak < 128 * 1024, "peak resident memory {peak} KiB");
}

#[test]
fn healthz_answers_while_large_reviews_are_judged() {
    let pki = pki("webhook-healthz");
    let webhook = std::sync::Arc::new(start(&pki.0));
    let body = std::sync::Arc::new(review(20_000, true));
    let reviews: Vec<_> = (0..3)
        .map(|_| {
            let (w, b) = (webhook.clone(), body.clone());
            std::thread::spawn(move || post(&w, &b, "10s"))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let began = Instant::now();
    let health = healthz(&webhook);
    let took = began.elapsed();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
    for r in reviews {
        let answer = r.join().unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..answer.len().min(300)]
        );
    }
}

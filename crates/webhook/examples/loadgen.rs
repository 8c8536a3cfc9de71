//! Load generator for the admission webhook: a realistic Deployment review sent over TLS
//! keep-alive connections at several concurrencies, reporting throughput and latency
//! percentiles, and the engine's own time per review measured in the same run.
//!
//! ```text
//! cargo run --release -p kcheck-webhook --example loadgen -- [--seconds 5] [--concurrency 1,16,64]
//!     [--server-threads 2] [--target 127.0.0.1:8443 --ca ca.crt]
//! ```
//! Without `--target` it starts the webhook in this process on 127.0.0.1 (its own runtime with
//! `--server-threads` workers) with a certificate made here. Every run is bounded: a warm-up
//! second, then `--seconds` per concurrency level. Only loopback addresses are accepted.

/// The allocator of the kcheck binary (crates/cli), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/mod.rs"]
mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    seconds: u64,
    concurrency: Vec<usize>,
    server_threads: usize,
    target: Option<SocketAddr>,
    ca: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 5,
        concurrency: vec![1, 16, 64],
        server_threads: 2,
        target: None,
        ca: None,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--seconds" => a.seconds = value.parse().expect("--seconds N"),
            "--concurrency" => {
                a.concurrency = value
                    .split(',')
                    .map(|c| c.parse().expect("--concurrency 1,16,64"))
                    .collect()
            }
            "--server-threads" => a.server_threads = value.parse().expect("--server-threads N"),
            "--target" => a.target = Some(value.parse().expect("--target HOST:PORT")),
            "--ca" => a.ca = Some(std::fs::read_to_string(&value).expect("--ca FILE")),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    if let Some(t) = a.target {
        assert!(
            t.ip().is_loopback(),
            "the load generator only targets loopback addresses"
        );
    }
    a.seconds = a.seconds.clamp(1, 60);
    a
}

/// A Deployment as the API server sends it after `kubectl apply`: defaults filled in, the
/// last-applied annotation, managed fields, two containers with probes, env and volumes. It
/// passes the enforced rules and draws two warnings.
fn deployment_review() -> Value {
    let container = |name: &str, port: u16| {
        json!({
            "name": name,
            "image": format!("registry.example/shop/{name}:2.14.1@sha256:4b1c7a5d1a9e2b8f3c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
            "env": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_HOST", "value": "postgres.shop.svc"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}
            ],
            "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": port, "scheme": "HTTP"}, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "config", "mountPath": "/etc/shop", "readOnly": true}],
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"
        })
    };
    let spec = json!({
        "serviceAccountName": "checkout",
        "automountServiceAccountToken": false,
        "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container("checkout", 8080), container("metrics-sidecar", 9090)],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "config", "configMap": {"name": "checkout", "defaultMode": 420}}],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "checkout"}}}]
    });
    let mut d = support::deployment("shop", "checkout", spec);
    let applied = serde_json::to_string(&d).unwrap_or_default();
    d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        json!(applied);
    d["metadata"]["managedFields"] = json!([{
        "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-11-29T10:00:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app.kubernetes.io/name": {}}}, "f:spec": {"f:replicas": {}, "f:template": {}}}
    }]);
    support::create(&d)
}

struct Level {
    concurrency: usize,
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn connection(
    addr: SocketAddr,
    ca: &str,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).ok();
    let tls = tokio_rustls::TlsConnector::from(support::client_config(ca, false))
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            tcp,
        )
        .await
        .expect("TLS handshake");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("HTTP handshake");
    tokio::spawn(conn);
    sender
}

async fn run_level(
    addr: SocketAddr,
    ca: &str,
    body: Bytes,
    concurrency: usize,
    secs: u64,
) -> Level {
    let warmup = Instant::now() + Duration::from_secs(1);
    let end = warmup + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let mut sender = connection(addr, ca).await;
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(100_000);
            let mut errors = 0usize;
            loop {
                let start = Instant::now();
                if start >= end {
                    break;
                }
                let req = hyper::Request::post("/validate?timeout=10s")
                    .header("host", "localhost")
                    .header("content-type", "application/json")
                    .body(Full::new(body.clone()))
                    .expect("request");
                let ok = match sender.send_request(req).await {
                    Ok(resp) => {
                        let status = resp.status();
                        resp.into_body().collect().await.is_ok() && status == 200
                    }
                    Err(_) => false,
                };
                if start >= warmup {
                    if ok {
                        latencies.push(start.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                if !ok {
                    break;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies.extend(l);
            errors += e;
        }
    }
    latencies.sort_unstable();
    Level {
        concurrency,
        requests: latencies.len(),
        errors,
        elapsed: Duration::from_secs(secs),
        latencies,
    }
}

/// The engine's time per review, without TLS, HTTP or JSON: the judge called directly.
fn engine_time(review: &[u8]) -> (Duration, Duration) {
    let judge = kcheck_webhook::Judge::new(
        Arc::new(kcheck_webhook::Settings::default()),
        Arc::new(kcheck_webhook::NoNamespaces),
    );
    let request = kcheck_webhook::review::parse(review).expect("review");
    let mut engine = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..20_000 {
        let start = Instant::now();
        let request = kcheck_webhook::review::parse(review).expect("review");
        let v = judge.review(&request).expect("verdict");
        let _ = kcheck_webhook::review::to_json(request.version, &v.response);
        whole.push(start.elapsed());
        engine.push(v.engine_time);
    }
    let _ = judge.review(&request);
    engine.sort_unstable();
    whole.sort_unstable();
    (percentile(&engine, 0.5), percentile(&whole, 0.5))
}

/// The rules' own time on the review's object, slowest first (the engine's `--timings`).
fn slowest_rules(review: &Value) -> String {
    let raw = serde_json::to_string(&review["request"]["object"]).unwrap_or_default();
    let loaded = kcheck_load::load_bytes("review.json", raw.as_bytes(), &Default::default());
    let inventory = kcheck_model::Inventory::new(loaded.objects);
    let engine =
        kcheck_rules::Engine::new(kcheck_webhook::rules::admission_rules().to_vec()).with_timings();
    let mut total: std::collections::HashMap<&str, Duration> = Default::default();
    for _ in 0..2_000 {
        engine.run(
            &inventory,
            &[kcheck_model::Evidence::Objects],
            Default::default(),
        );
        for (rule, d) in engine.timings() {
            *total.entry(rule).or_default() += d;
        }
    }
    let mut t: Vec<_> = total.into_iter().collect();
    t.sort_by_key(|e| std::cmp::Reverse(e.1));
    t.iter()
        .take(5)
        .map(|(r, d)| format!("{r} {:.1} µs", d.as_secs_f64() * 1e6 / 2_000.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    let args = args();
    let review = deployment_review();
    let body = Bytes::from(serde_json::to_vec(&review).expect("json"));
    let (engine_p50, judge_p50) = engine_time(&body);
    println!("slowest rules on this object: {}", slowest_rules(&review));

    // The server: in this process on its own runtime, or the one given.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.server_threads)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("runtime");
    let (addr, ca, _server) = match (args.target, &args.ca) {
        (Some(addr), Some(ca)) => (addr, ca.clone(), None),
        (Some(_), None) => panic!("--target needs --ca"),
        _ => {
            let server = server_rt.block_on(support::TestServer::start(""));
            (server.addr, server.ca.pem.clone(), Some(server))
        }
    };
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("runtime");

    // The answer, once, to show what is being measured.
    let answer = client_rt.block_on(async {
        let mut c = support::Client::connect(addr, &ca, false).await;
        c.review(&review).await
    });
    let warnings = support::warnings(&answer.1).len();
    println!(
        "review: Deployment, {} bytes; answer: allowed={}, {} warnings",
        body.len(),
        support::allowed(&answer.1),
        warnings
    );
    println!(
        "in-process judge (parse + engine + answer), p50: {:.1} µs; engine alone p50: {:.1} µs",
        judge_p50.as_secs_f64() * 1e6,
        engine_p50.as_secs_f64() * 1e6
    );
    println!(
        "{:>11} {:>10} {:>12} {:>10} {:>10} {:>10} {:>7}",
        "concurrency", "requests", "reviews/s", "p50 ms", "p99 ms", "p99.9 ms", "errors"
    );
    for c in &args.concurrency {
        let level = client_rt.block_on(run_level(addr, &ca, body.clone(), *c, args.seconds));
        let l = &level.latencies;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:>11} {:>10} {:>12.0} {:>10.3} {:>10.3} {:>10.3} {:>7}",
            level.concurrency,
            level.requests,
            level.requests as f64 / level.elapsed.as_secs_f64(),
            ms(percentile(l, 0.5)),
            ms(percentile(l, 0.99)),
            ms(percentile(l, 0.999)),
            level.errors
        );
        if *c == 1 && !l.is_empty() {
            println!(
                "{:>11} engine share of the p50 round trip at concurrency 1: {:.0}%",
                "",
                100.0 * engine_p50.as_secs_f64() / percentile(l, 0.5).as_secs_f64()
            );
        }
    }
    drop(_server);
}

//! Modes, versions, failure behaviour and operations of the server, over real TLS.

mod support;

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::time::Duration;
use support::*;
use tokio::io::AsyncWriteExt;

fn privileged() -> Value {
    create(&pod("shop", "p", privileged_pod_spec()))
}

#[tokio::test]
async fn modes_per_rule_item_and_severity() {
    // A rule set to warn: admitted with the finding as a warning.
    let server = TestServer::start("webhook:\n  modes:\n    rules: {KC301: warn}\n").await;
    let (_, answer) = server.review(&privileged()).await;
    assert!(allowed(&answer), "{answer}");
    assert!(
        warnings(&answer).iter().any(|w| w.starts_with("KC301 ")),
        "{answer}"
    );

    // Audit: admitted, the finding in an audit annotation, no warning.
    let server = TestServer::start("webhook:\n  modes:\n    items: {'3.2': audit}\n").await;
    let (_, answer) = server.review(&privileged()).await;
    assert!(allowed(&answer), "{answer}");
    assert!(warnings(&answer).is_empty(), "{answer}");
    let note = answer["response"]["auditAnnotations"]["kc301"]
        .as_str()
        .unwrap();
    assert!(note.starts_with("KC301 "), "{note}");

    // Off: nothing at all.
    let server = TestServer::start("webhook:\n  modes:\n    rules: {KC301: off}\n").await;
    let (_, answer) = server.review(&privileged()).await;
    assert_eq!(
        answer["response"],
        json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true})
    );

    // Severity: enforce medium too, so a missing seccomp profile denies.
    let server = TestServer::start("webhook:\n  modes:\n    severity: {medium: enforce}\n").await;
    let mut spec = clean_pod_spec();
    spec["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("seccompProfile");
    let (_, answer) = server.review(&create(&pod("shop", "p", spec))).await;
    assert!(!allowed(&answer), "{answer}");
    assert!(denial(&answer).contains("KC310"), "{answer}");
}

#[tokio::test]
async fn denial_in_chinese() {
    let server = TestServer::start("webhook:\n  language: zh\n").await;
    let (_, answer) = server.review(&privileged()).await;
    assert!(
        denial(&answer).starts_with("kcheck 拒绝了 Pod shop/p:KC301"),
        "{answer}"
    );
}

#[tokio::test]
async fn dry_run_is_answered_the_same() {
    let server = TestServer::start("").await;
    let mut review = privileged();
    let (_, wet) = server.review(&review).await;
    review["request"]["dryRun"] = json!(true);
    let (_, dry) = server.review(&review).await;
    assert!(!allowed(&dry));
    assert_eq!(wet, dry);
}

#[tokio::test]
async fn v1beta1_is_answered_in_kind() {
    let server = TestServer::start("").await;
    let mut review = privileged();
    review["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (status, answer) = server.review(&review).await;
    assert_eq!(status, 200);
    assert_eq!(answer["apiVersion"], "admission.k8s.io/v1beta1");
    assert!(!allowed(&answer));
}

#[tokio::test]
async fn malformed_reviews_get_400() {
    let server = TestServer::start("").await;
    let mut c = server.connect().await;
    let mut no_object = privileged();
    no_object["request"]["object"] = Value::Null;
    let mut wrong_version = privileged();
    wrong_version["apiVersion"] = json!("admission.k8s.io/v2");
    let mut deep = String::new();
    for _ in 0..10_000 {
        deep.push('[');
    }
    let bodies: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "not valid JSON"),
        (b"".to_vec(), "not valid JSON"),
        (
            b"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}".to_vec(),
            "no request",
        ),
        (
            serde_json::to_vec(&no_object).unwrap(),
            "request.object is missing",
        ),
        (serde_json::to_vec(&wrong_version).unwrap(), "apiVersion"),
        (deep.into_bytes(), "not valid JSON"),
        (vec![0xff, 0xfe, 0x00, 0x01], "not valid JSON"),
    ];
    // The same connection answers each one and stays usable.
    for (body, why) in bodies {
        let (status, text) = c.post("/validate", body).await;
        assert_eq!(status, 400, "{why}");
        let text = String::from_utf8_lossy(&text);
        assert!(text.starts_with("malformed AdmissionReview: "), "{text}");
        assert!(text.contains(why), "{why}: {text}");
    }
    let (status, _) = c.review(&privileged()).await;
    assert_eq!(status, 200);

    let req = hyper::Request::post("/validate")
        .header("content-type", "text/yaml")
        .body(Full::new(Bytes::from_static(b"kind: AdmissionReview")))
        .unwrap();
    assert_eq!(c.send(req).await.0, 415);
    assert_eq!(c.get("/validate").await.0, 405);
    assert_eq!(c.get("/nothing").await.0, 404);
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let server = TestServer::start("webhook:\n  maxBodyBytes: 65536\n").await;
    let mut big = privileged();
    big["request"]["object"]["metadata"]["annotations"] = json!({"padding": "x".repeat(70_000)});
    // A declared length above the limit is refused before the body is read.
    let mut tls = raw_tls(&server).await;
    tls.write_all(b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 70000\r\n\r\n")
        .await
        .unwrap();
    let (status, text) = read_status(&mut tls).await;
    assert_eq!(status, 413, "{text}");
    // Without a Content-Length (chunked): cut off while reading.
    let (status, _) = chunked_post(&server, serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(status, 413);
    // Just under the limit is fine.
    big["request"]["object"]["metadata"]["annotations"] = json!({"padding": "x".repeat(60_000)});
    let (status, answer) = server.review(&big).await;
    assert_eq!(status, 200);
    assert!(!allowed(&answer));
}

/// Posts `body` with chunked transfer encoding, written by hand on a raw TLS stream.
async fn chunked_post(server: &TestServer, body: Vec<u8>) -> (u16, String) {
    let mut tls = raw_tls(server).await;
    let mut req = b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.chunks(8192) {
        req.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend(chunk);
        req.extend(b"\r\n");
    }
    req.extend(b"0\r\n\r\n");
    // The server may answer and close before it has read everything.
    let _ = tls.write_all(&req).await;
    read_status(&mut tls).await
}

async fn raw_tls(server: &TestServer) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tokio_rustls::TlsConnector::from(client_config(&server.ca.pem, false))
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap()
}

async fn read_status(
    tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), tls.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                got.extend_from_slice(&buf[..n]);
                if got.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn expired_deadlines() {
    // The deadline has passed when judging would start: the failure policy answers.
    for (config, allowed_by_policy) in [("", false), ("webhook:\n  failurePolicy: allow\n", true)] {
        let server = TestServer::start(config).await;
        let mut c = server.connect().await;
        let (status, body) = c
            .post(
                "/validate?timeout=0s",
                serde_json::to_vec(&privileged()).unwrap(),
            )
            .await;
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(allowed(&answer), allowed_by_policy, "{answer}");
        let text = answer.to_string();
        assert!(
            text.contains("kcheck could not judge this request (the deadline passed"),
            "{text}"
        );
        if !allowed_by_policy {
            assert_eq!(answer["response"]["status"]["code"], 500);
        }
    }
    // A body that does not arrive in time: 408, and the connection is not held.
    let server = TestServer::start("").await;
    let mut tls = raw_tls(&server).await;
    tls.write_all(b"POST /validate?timeout=300ms HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{\"apiVersion\":")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let (status, _) = read_status(&mut tls).await;
    assert_eq!(status, 408);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The cap: a client asking for 60 s gets at most maxTimeoutSeconds.
    let server = TestServer::start("webhook:\n  maxTimeoutSeconds: 1\n").await;
    let mut tls = raw_tls(&server).await;
    tls.write_all(
        b"POST /validate?timeout=60s HTTP/1.1\r\nhost: localhost\r\ncontent-length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let (status, _) = read_status(&mut tls).await;
    assert_eq!(status, 408);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn certificate_swapped_while_a_connection_is_open() {
    let server = TestServer::start("").await;
    let mut old = server.connect().await;
    let (status, _) = old.review(&privileged()).await;
    assert_eq!(status, 200);
    let first = old.peer.clone();

    let (cert, key) = server.ca.serving("gen-2");
    // The key first: for a moment the pair does not match, and the old one must stay.
    write_atomic(&server.dir.path("tls.key"), &key);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let during = server.connect().await;
    assert_eq!(during.peer, first, "a mismatched pair must not be taken");
    write_atomic(&server.dir.path("tls.crt"), &cert);

    let mut swapped = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let c = server.connect().await;
        if c.peer != first {
            swapped = Some(c);
            break;
        }
    }
    let mut new = swapped.expect("new connections never got the new certificate");
    assert!(new.peer.as_ref().windows(5).any(|w| w == b"gen-2"));
    // The connection opened before the swap still works, on its old session.
    let (status, answer) = old.review(&privileged()).await;
    assert_eq!(status, 200);
    assert!(!allowed(&answer));
    assert_eq!(old.peer, first);
    let (status, _) = new.review(&privileged()).await;
    assert_eq!(status, 200);
    let (_, metrics) = new.get("/metrics").await;
    assert!(
        metrics.contains("kcheck_webhook_tls_reloads_total{result=\"ok\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn update_reports_only_new_findings_when_configured() {
    let old = pod("shop", "p", privileged_pod_spec());
    let mut new = old.clone();
    new["metadata"]["labels"]["release"] = json!("2");
    let mut worse = old.clone();
    worse["spec"]["hostPID"] = json!(true);

    // Without onlyNew, an update is judged whole.
    let server = TestServer::start("").await;
    let (_, answer) = server.review(&review("UPDATE", &new, Some(&old))).await;
    assert!(!allowed(&answer));

    let server = TestServer::start("webhook:\n  onlyNew: true\n").await;
    let (_, answer) = server.review(&review("UPDATE", &new, Some(&old))).await;
    assert!(
        allowed(&answer),
        "an unchanged problem is not new: {answer}"
    );
    let (_, answer) = server.review(&review("UPDATE", &worse, Some(&old))).await;
    assert!(!allowed(&answer));
    let message = denial(&answer);
    assert!(
        message.contains("KC302") && !message.contains("KC301"),
        "{message}"
    );
    // A CREATE is always judged whole.
    let (_, answer) = server.review(&create(&new)).await;
    assert!(!allowed(&answer));
    // DELETE is not judged.
    let mut delete = review("DELETE", &old, Some(&old));
    delete["request"]["object"] = Value::Null;
    let (_, answer) = server.review(&delete).await;
    assert!(allowed(&answer), "{answer}");
}

#[tokio::test]
async fn namespace_context_sets_the_pod_security_level() {
    let namespaces = "\
apiVersion: v1
kind: Namespace
metadata:
  name: strict
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: Namespace
metadata:
  name: relaxed
  labels: {pod-security.kubernetes.io/enforce: baseline}
";
    // Violations of restricted-only checks are medium findings: enforce them here.
    let server = TestServer::with(Setup {
        config: "webhook:\n  modes:\n    rules: {KC307: enforce}\n",
        namespaces: Some(namespaces),
        ..Setup::default()
    })
    .await;
    // Fine for baseline, not for restricted: runs as root-capable, keeps capabilities.
    let mut spec = clean_pod_spec();
    spec["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}, "appArmorProfile": {"type": "RuntimeDefault"}, "runAsNonRoot": true});
    spec["containers"][0]["securityContext"] =
        json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true});
    let (_, answer) = server
        .review(&create(&pod("relaxed", "p", spec.clone())))
        .await;
    assert!(allowed(&answer), "{answer}");
    assert!(warnings(&answer).is_empty(), "{answer}");
    let (_, answer) = server
        .review(&create(&pod("strict", "p", spec.clone())))
        .await;
    assert!(!allowed(&answer), "{answer}");
    assert!(
        denial(&answer).contains("KC307 restricted:latest"),
        "{answer}"
    );

    // The file changes: the namespace is relaxed, and the same pod is admitted.
    write_atomic(
        &server.dir.path("namespaces.yaml"),
        &namespaces.replace("enforce: restricted", "enforce: baseline"),
    );
    let mut admitted = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, answer) = server
            .review(&create(&pod("strict", "p", spec.clone())))
            .await;
        if allowed(&answer) {
            admitted = true;
            break;
        }
    }
    assert!(admitted, "the namespace file was not reloaded");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = TestServer::start("").await;
    let mut c = server.connect().await;
    assert_eq!(
        c.get("/healthz").await,
        (hyper::StatusCode::OK, "ok\n".into())
    );
    assert_eq!(c.get("/readyz").await.0, 200);
    c.review(&privileged()).await;
    c.review(&create(&deployment("shop", "web", clean_pod_spec())))
        .await;
    c.post("/validate", b"{".to_vec()).await;
    let (status, text) = c.get("/metrics").await;
    assert_eq!(status, 200);
    for line in [
        "kcheck_webhook_requests_total{kind=\"Pod\",verdict=\"denied\"} 1",
        "kcheck_webhook_requests_total{kind=\"Deployment\",verdict=\"allowed\"} 1",
        "kcheck_webhook_requests_total{kind=\"unknown\",verdict=\"invalid\"} 1",
        "kcheck_webhook_request_duration_seconds_count 3",
        "kcheck_webhook_findings_total{rule=\"KC301\",mode=\"enforce\"} 1",
        "# TYPE kcheck_webhook_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
}

#[tokio::test]
async fn http2_as_the_api_server_speaks_it() {
    let server = TestServer::start("").await;
    let mut c = server.connect_h2().await;
    for _ in 0..3 {
        let (status, answer) = c.review(&privileged()).await;
        assert_eq!(status, 200);
        assert!(!allowed(&answer));
    }
}

#[tokio::test]
async fn shutdown_drains_requests_in_flight() {
    let mut server = TestServer::start("").await;
    let body = serde_json::to_vec(&privileged()).unwrap();
    let mut tls = raw_tls(&server).await;
    let head = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(&body[..100]).await.unwrap();
    tls.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    // SIGTERM: not ready any more, no new connections, but the request in flight finishes.
    server.stop();
    let mut closed = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if !server.state.ready() && tokio::net::TcpStream::connect(server.addr).await.is_err() {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "still ready or still accepting after the shutdown signal"
    );
    tls.write_all(&body[100..]).await.unwrap();
    tls.flush().await.unwrap();
    let (status, text) = read_status(&mut tls).await;
    assert_eq!(status, 200, "{text}");
    let task = server.task.take().unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), task).await;
    assert!(
        matches!(result, Ok(Ok(Ok(())))),
        "the server did not stop after draining"
    );
}

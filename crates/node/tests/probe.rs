//! `--probe` against local servers made in the test: a TLS server that answers 200 for one path
//! and 403 for another, a TLS server that requires a client certificate, a plain HTTP server
//! (on a port probed as HTTP, and on one probed as HTTPS), and a closed port.

mod support;

use kcheck_model::facts::{ComponentKind, Probe};
use kcheck_node::probe::{probe, ProbePorts, ProbeRequest, ProbeTarget, Scheme};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What the fake servers answer: 200 for `/api` and `/pods` and `/version`, 403 otherwise.
fn status_for(path: &str) -> &'static str {
    match path {
        "/api" | "/pods" | "/version" => "200 OK",
        _ => "403 Forbidden",
    }
}

/// Reads a request head and answers it; errors just end the connection.
fn answer<S: Read + Write>(stream: S) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    content_length = v.trim().parse().unwrap_or(0);
                }
            }
        }
    }
    let mut body = vec![0; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let status = status_for(path);
    // The body stands for what a port would leak; probes never read it.
    let reply =
        format!("HTTP/1.1 {status}\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot-read!");
    let mut stream = reader.into_inner();
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.flush();
}

/// A server on a free port that serves each connection on its own thread, until the test ends.
fn serve(handle: impl Fn(TcpStream) + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handle = handle.clone();
            std::thread::spawn(move || handle(stream));
        }
    });
    port
}

fn tls_server(require_client_cert: bool) -> u16 {
    // A name other than 127.0.0.1, as node certificates often have: the probe does not verify.
    let pki = support::test_pki(&["node1.example"]);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)
        .unwrap();
    let builder = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone().into()).unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(pki.server_key_der.clone().into());
    let config = Arc::new(
        builder
            .with_single_cert(vec![pki.server_cert_der.clone().into()], key_der)
            .unwrap(),
    );
    serve(move |tcp| {
        let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
            return;
        };
        answer(rustls::StreamOwned::new(conn, tcp));
    })
}

fn plain_server() -> u16 {
    serve(answer)
}

/// A plain HTTP server that, like Go's, answers a TLS hello with `400 Bad Request`.
fn plain_server_400_on_tls() -> u16 {
    serve(|mut tcp| {
        let mut first = [0u8; 1];
        if tcp.peek(&mut first).is_ok() && first[0] == 0x16 {
            let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
            return;
        }
        answer(tcp)
    })
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn outcomes(probes: &[Probe]) -> Vec<(String, Option<u16>, String)> {
    probes
        .iter()
        .map(|p| (p.url.clone(), p.status, p.outcome.clone()))
        .collect()
}

#[test]
fn probes_record_status_or_what_happened() {
    let apiserver = tls_server(false);
    let kubelet = tls_server(true);
    let read_only = plain_server();
    let etcd = closed_port();
    let ports = ProbePorts {
        apiserver,
        kubelet,
        kubelet_read_only: read_only,
        etcd,
    };
    let started = std::time::Instant::now();
    let probes = probe(&ports.targets(), Duration::from_secs(3));
    assert!(started.elapsed() < Duration::from_secs(3));
    let got = outcomes(&probes);
    let u = |scheme: &str, port: u16, path: &str| format!("{scheme}://127.0.0.1:{port}{path}");
    assert_eq!(
        got[0],
        (u("https", apiserver, "/api"), Some(200), "200 OK".into())
    );
    assert_eq!(
        got[1],
        (
            u("https", apiserver, "/logs/"),
            Some(403),
            "403 Forbidden".into()
        )
    );
    assert_eq!(got[2].0, u("https", kubelet, "/pods"));
    assert_eq!(got[2].1, None);
    assert!(
        got[2].2.starts_with("TLS handshake failed: ") && got[2].2.contains("CertificateRequired"),
        "{:?}",
        got[2]
    );
    assert_eq!(
        got[3],
        (u("http", read_only, "/pods"), Some(200), "200 OK".into())
    );
    let refused = |path: &str| {
        (
            u("https", etcd, path),
            None,
            "connection refused".to_string(),
        )
    };
    assert_eq!(got[4], refused("/version"));
    assert_eq!(got[5], refused("/v3/kv/range"));
    let components: Vec<ComponentKind> = probes.iter().map(|p| p.component).collect();
    use ComponentKind::{ApiServer, Etcd, Kubelet};
    assert_eq!(
        components,
        [ApiServer, ApiServer, Kubelet, Kubelet, Etcd, Etcd]
    );
    assert!(probes[0].anonymous_allowed() && !probes[1].anonymous_allowed());
    // No probe outcome carries a response body.
    assert!(probes.iter().all(|p| !p.outcome.contains("not-read")));
}

#[test]
fn an_https_probe_answered_in_plain_http_says_so() {
    for port in [plain_server(), plain_server_400_on_tls()] {
        https_probe_of_plain_http(port);
    }
}

fn https_probe_of_plain_http(port: u16) {
    let targets = [
        ProbeTarget::get(ComponentKind::Etcd, Scheme::Https, port, "/version"),
        ProbeTarget {
            component: ComponentKind::Etcd,
            scheme: Scheme::Https,
            port,
            path: "/v3/kv/range".into(),
            request: ProbeRequest::EtcdCountSecrets,
        },
    ];
    let got = outcomes(&probe(&targets, Duration::from_secs(3)));
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    assert_eq!(
        got,
        [
            (
                url("/version"),
                Some(200),
                "plain HTTP, no TLS: 200 OK".into()
            ),
            (
                url("/v3/kv/range"),
                Some(403),
                "plain HTTP, no TLS: 403 Forbidden".into()
            ),
        ]
    );
}

#[test]
fn a_silent_port_times_out() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let target = ProbeTarget::get(ComponentKind::ApiServer, Scheme::Https, port, "/api");
    let started = std::time::Instant::now();
    let got = probe(&[target], Duration::from_millis(300));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(got[0].status, None);
    assert_eq!(got[0].outcome, "timed out");
}

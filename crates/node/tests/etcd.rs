//! The etcd scan against a real etcd (Debian's `etcd-server`), started on 127.0.0.1 on free ports
//! with a temporary data directory, seeded through the same v3 JSON gateway, and stopped at the end
//! (also when a test fails: [`Etcd`] stops it on drop).
//!
//! Without an `etcd` binary the tests print why and pass, unless `KCHECK_REQUIRE_ETCD` is set (CI
//! sets it, so there they really run).

mod support;

use kcheck_model::facts::{ComponentKind, EtcdScan};
use kcheck_node::etcd::{scan, EtcdOptions};
use kcheck_node::probe::{probe, ProbeRequest, ProbeTarget, Scheme};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use support::etcd::{etcd_or_skip, free_port, Etcd};

/// Deterministic noise standing in for ciphertext and protobuf (includes `:`, NUL and 0xff).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn value(prefix: &[u8], seed: u64, len: usize) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend(noise(seed, len));
    v
}

const AESCBC_KEY1: &[u8] = b"k8s:enc:aescbc:v1:key1:";
const AESCBC_KEY2: &[u8] = b"k8s:enc:aescbc:v1:key2:";
const KMS_V2: &[u8] = b"k8s:enc:kms:v2:vault-kms:";
const PLAIN: &[u8] = b"k8s\x00";

/// Seeds the cluster and returns the scan it must give.
fn seed(etcd: &Etcd, bulk: usize) -> EtcdScan {
    let mut plaintext = Vec::new();
    for i in 0..5 {
        etcd.put(
            &format!("/registry/secrets/default/enc-{i}"),
            &value(AESCBC_KEY1, i, 64),
        );
    }
    for i in 0..2 {
        etcd.put(
            &format!("/registry/secrets/vault/kms-{i}"),
            &value(KMS_V2, 100 + i, 200),
        );
    }
    for i in 0..3 {
        let key = format!("/registry/secrets/kube-system/plain-{i}");
        etcd.put(&key, &value(PLAIN, 200 + i, 120));
        plaintext.push(key);
    }
    // A large plain Secret (a Helm release holds up to 1 MiB): read as a stream, cut at its head.
    let big = "/registry/secrets/apps/sh.helm.release.v1.big.v1".to_string();
    etcd.put(&big, &value(PLAIN, 300, 1 << 20));
    plaintext.push(big);
    // Keys outside the prefix, ignored.
    etcd.put("/registry/configmaps/default/settings", PLAIN);
    etcd.put("/registry/secretstores/x", PLAIN);
    etcd.put("/registry/secrets", PLAIN);
    // Enough to span many pages: one in 250 plain, the rest under key2.
    let mut kvs = Vec::with_capacity(bulk);
    let mut key2 = 0;
    for i in 0..bulk {
        let key = format!("/registry/secrets/bulk/s-{i:05}");
        let prefix = if i % 250 == 7 {
            plaintext.push(key.clone());
            PLAIN
        } else {
            key2 += 1;
            AESCBC_KEY2
        };
        kvs.push((key, value(prefix, 1000 + i as u64, 40 + i % 300)));
    }
    etcd.put_all(&kvs);
    plaintext.sort();
    EtcdScan {
        endpoint: etcd.endpoint.clone(),
        total: 5 + 2 + 3 + 1 + bulk,
        plaintext,
        providers: vec![
            ("k8s:enc:aescbc:v1:key1".into(), 5),
            ("k8s:enc:aescbc:v1:key2".into(), key2),
            ("k8s:enc:kms:v2:vault-kms".into(), 2),
        ],
        error: None,
    }
}

#[test]
fn scans_every_secret_in_pages_and_names_plaintext_ones() {
    let Some(binary) = etcd_or_skip("scans_every_secret_in_pages_and_names_plaintext_ones") else {
        return;
    };
    let etcd = Etcd::start(&binary, None);
    let started = Instant::now();
    let expected = seed(&etcd, 2_500);
    eprintln!("seeded 2,511 Secrets in {:?}", started.elapsed());

    let opts = EtcdOptions::new(etcd.endpoint.clone());
    let started = Instant::now();
    let got = scan(&opts);
    eprintln!(
        "scanned {} Secrets in {:?} (pages of {})",
        got.total,
        started.elapsed(),
        opts.page_size
    );
    assert_eq!(got, expected);
    assert_eq!(got.plaintext.len(), 14);

    // Page boundaries anywhere give the same answer; so does a trailing slash.
    for page_size in [7, 2_000, 10_000] {
        let opts = EtcdOptions {
            page_size,
            endpoint: format!("{}/", etcd.endpoint),
            ..EtcdOptions::new(etcd.endpoint.clone())
        };
        let started = Instant::now();
        let got = scan(&opts);
        eprintln!("pages of {page_size}: {:?}", started.elapsed());
        assert_eq!(
            EtcdScan {
                endpoint: etcd.endpoint.clone(),
                ..got
            },
            expected,
            "page size {page_size}"
        );
    }

    // Another prefix with nothing under it: an empty scan, no error.
    let empty = scan(&EtcdOptions {
        prefix: "/kubernetes.io/secrets/".into(),
        ..EtcdOptions::new(etcd.endpoint.clone())
    });
    assert_eq!(
        (empty.total, empty.plaintext.len(), empty.error),
        (0, 0, None)
    );

    // The probe finds etcd serving anonymous clients over plain HTTP.
    let probes = probe(&etcd_targets(etcd.port), Duration::from_secs(3));
    let http = format!("http://127.0.0.1:{}", etcd.port);
    assert_eq!(probes[0].url, format!("{http}/version"));
    assert_eq!(probes[0].status, Some(200), "{:?}", probes[0]);
    assert_eq!(probes[0].outcome, "plain HTTP, no TLS: 200 OK");
    assert_eq!(probes[1].url, format!("{http}/v3/kv/range"));
    assert!(probes[1].anonymous_allowed(), "{:?}", probes[1]);
}

fn etcd_targets(port: u16) -> Vec<ProbeTarget> {
    vec![
        ProbeTarget::get(ComponentKind::Etcd, Scheme::Https, port, "/version"),
        ProbeTarget {
            component: ComponentKind::Etcd,
            scheme: Scheme::Https,
            port,
            path: "/v3/kv/range".into(),
            request: ProbeRequest::EtcdCountSecrets,
        },
    ]
}

#[test]
fn client_certificates_are_required_and_accepted() {
    let Some(binary) = etcd_or_skip("client_certificates_are_required_and_accepted") else {
        return;
    };
    let pki = support::test_pki(&["127.0.0.1", "localhost"]);
    let etcd = Etcd::start(&binary, Some(&pki));
    let expected = seed(&etcd, 300);

    let with_cert = EtcdOptions {
        cert: Some(etcd.file("client.crt")),
        key: Some(etcd.file("client.key")),
        ca: Some(etcd.file("ca.crt")),
        ..EtcdOptions::new(etcd.endpoint.clone())
    };
    assert_eq!(scan(&with_cert), expected);
    // One key per page over TLS: 311 requests on the same footing.
    let one_per_page = EtcdOptions {
        page_size: 1,
        ..with_cert.clone()
    };
    assert_eq!(scan(&one_per_page), expected);

    // No client certificate: etcd refuses the handshake, and the scan says so.
    let anonymous = scan(&EtcdOptions {
        cert: None,
        key: None,
        ..with_cert.clone()
    });
    let error = anonymous.error.as_deref().unwrap_or_default();
    assert!(error.contains("TLS handshake failed"), "{error}");
    assert_eq!((anonymous.total, anonymous.plaintext.len()), (0, 0));

    // etcd's serving certificate checked against the wrong CA (the web roots).
    let unverified = scan(&EtcdOptions {
        ca: None,
        ..with_cert.clone()
    });
    let error = unverified.error.unwrap_or_default();
    assert!(error.contains("TLS handshake failed"), "{error}");
    assert!(
        error.contains("certificate signed by unknown authority"),
        "{error}"
    );

    // A key that does not belong to the certificate is an error, not a panic.
    let mismatched = scan(&EtcdOptions {
        key: Some(etcd.file("server.key")),
        ..with_cert.clone()
    });
    let error = mismatched.error.unwrap_or_default();
    assert!(error.contains("client.crt"), "{error}");

    // The anonymous probe is refused at the handshake.
    let probes = probe(&etcd_targets(etcd.port), Duration::from_secs(3));
    for p in &probes {
        assert!(p.url.starts_with("https://"), "{p:?}");
        assert_eq!(p.status, None, "{p:?}");
        assert!(p.outcome.starts_with("TLS handshake failed"), "{p:?}");
    }
}

/// A one-connection-at-a-time HTTP server that gives every request the same reply.
fn canned_server(reply: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    port
}

#[test]
fn failures_are_recorded_not_raised() {
    let closed = free_port();
    let refused = scan(&EtcdOptions::new(format!("http://127.0.0.1:{closed}")));
    assert_eq!(
        refused.error.as_deref(),
        Some(format!("http://127.0.0.1:{closed}/v3/kv/range: connection refused").as_str())
    );

    let unauthorized = canned_server(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n\
         {\"error\":\"etcdserver: user name is empty\",\"code\":16,\"message\":\"etcdserver: user name is empty\"}",
    );
    let got = scan(&EtcdOptions::new(format!(
        "http://127.0.0.1:{unauthorized}"
    )));
    assert_eq!(
        got.error.as_deref(),
        Some(
            format!(
                "http://127.0.0.1:{unauthorized}/v3/kv/range: HTTP 401: etcdserver: user name is empty"
            )
            .as_str()
        )
    );

    let garbage = canned_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"kvs\":[{\"key\":",
    );
    let got = scan(&EtcdOptions::new(format!("http://127.0.0.1:{garbage}")));
    let error = got.error.unwrap_or_default();
    assert!(error.contains("not a range response"), "{error}");

    // "/registry/configmaps/a" outside the range asked for: the pages cannot be trusted.
    let outside = canned_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n\
         {\"kvs\":[{\"key\":\"L3JlZ2lzdHJ5L2NvbmZpZ21hcHMvYQ==\",\"value\":\"azhzAA==\"}]}",
    );
    let got = scan(&EtcdOptions::new(format!("http://127.0.0.1:{outside}")));
    let error = got.error.unwrap_or_default();
    assert!(
        error.contains("key /registry/configmaps/a is outside the range"),
        "{error}"
    );

    let html = canned_server(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html>hello</html>",
    );
    let got = scan(&EtcdOptions::new(format!("http://127.0.0.1:{html}")));
    assert!(got
        .error
        .unwrap_or_default()
        .contains("not a range response"));

    for endpoint in ["127.0.0.1:2379", "", "unix:///run/etcd.sock"] {
        let got = scan(&EtcdOptions::new(endpoint));
        assert!(got.error.is_some(), "{endpoint:?}");
    }
    let no_key = scan(&EtcdOptions {
        cert: Some("/nonexistent/client.crt".into()),
        ..EtcdOptions::new("https://127.0.0.1:2379")
    });
    assert_eq!(
        no_key.error.as_deref(),
        Some("a client certificate needs its key")
    );
}

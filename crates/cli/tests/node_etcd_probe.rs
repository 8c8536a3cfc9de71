//! `kcheck node --etcd-endpoint ...` and `--probe`, against small servers made in the test (the
//! real-etcd tests are in crates/node/tests/etcd.rs).

#[path = "support/mod.rs"]
mod support;

use kcheck_model::ComponentKind::{ApiServer, Etcd};
use kcheck_node::testing::NodeTree;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;
use support::{command, json, stdout};

/// An HTTP server on a free port that answers every request with `reply`.
fn canned_server(reply: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    port
}

fn http_200(content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn findings_with_code(report: &serde_json::Value, code: &str) -> Vec<serde_json::Value> {
    report["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn etcd_endpoint_reports_plaintext_secrets_by_name_only() {
    // One page of etcd's range response: `default/db-password` stored as plain protobuf (its
    // value holds "hunter2"), `default/api-token` encrypted with aescbc.
    let page = r#"{"header":{"revision":"5"},"kvs":[
        {"key":"L3JlZ2lzdHJ5L3NlY3JldHMvZGVmYXVsdC9hcGktdG9rZW4=","value":"azhzOmVuYzphZXNjYmM6djE6a2V5MTqPAf9jaXBoZXJ0ZXh0"},
        {"key":"L3JlZ2lzdHJ5L3NlY3JldHMvZGVmYXVsdC9kYi1wYXNzd29yZA==","value":"azhzAAoMCgJ2MRIGU2VjcmV0IGh1bnRlcjI="}
    ],"count":"2"}"#;
    let port = canned_server(http_200("application/json", page));
    let tree = NodeTree::secure().build();
    let root = tree.root().display().to_string();
    let proc_dir = format!("{root}/proc");
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = command(&[
        "node",
        "--root",
        &root,
        "--proc",
        &proc_dir,
        "--format",
        "json",
        "--etcd-endpoint",
        &endpoint,
    ])
    .output()
    .unwrap();
    let report = json(&out);
    let kc608 = findings_with_code(&report, "KC608");
    let messages: Vec<String> = kc608
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("default/db-password") && m.contains("without encryption")),
        "{messages:#?}"
    );
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("api-token") && m.contains("without encryption")),
        "{messages:#?}"
    );
    assert!(!stdout(&out).contains("hunter2"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));

    // An etcd that cannot be reached stops the scan: exit 2, one line, no report that could pass
    // for a node scan with etcd in it.
    let closed = closed_port();
    let endpoint = format!("http://127.0.0.1:{closed}");
    let out = command(&[
        "node",
        "--root",
        &root,
        "--proc",
        &proc_dir,
        "--format",
        "json",
        "--etcd-endpoint",
        &endpoint,
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("kcheck: cannot reach {endpoint}: connection refused\n")
    );
}

#[test]
fn etcd_client_files_need_an_endpoint() {
    let tree = NodeTree::secure().build();
    let root = tree.root().display().to_string();
    let out = command(&["node", "--root", &root, "--etcd-cert", "/tmp/x.crt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn probe_reports_an_anonymous_answer_on_the_configured_port() {
    // The API server's --secure-port answers /api to anyone, in plain HTTP; etcd listens nowhere.
    let apiserver = canned_server(http_200("application/json", r#"{"kind":"APIVersions"}"#));
    let etcd = closed_port();
    let tree = NodeTree::secure()
        .flag(ApiServer, "secure-port", &apiserver.to_string())
        .flag(
            Etcd,
            "listen-client-urls",
            &format!("https://127.0.0.1:{etcd}"),
        )
        .build();
    let root = tree.root().display().to_string();
    let proc_dir = format!("{root}/proc");
    let out = command(&[
        "node", "--root", &root, "--proc", &proc_dir, "--format", "json", "--probe",
    ])
    .output()
    .unwrap();
    let report = json(&out);
    let text = serde_json::to_string(&findings_with_code(&report, "KC213")).unwrap();
    assert!(
        text.contains(&format!("http://127.0.0.1:{apiserver}/api")),
        "{text}"
    );
    assert!(text.contains("plain HTTP, no TLS: 200 OK"), "{text}");
    // etcd's port, where nothing listens, is no finding: it is evidence of the item, beside it.
    assert!(!text.contains(&format!("127.0.0.1:{etcd}")), "{text}");
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2.5")
        .unwrap();
    let evidence = serde_json::to_string(&item["evidence"]).unwrap();
    assert!(
        evidence.contains(&format!(
            "nothing listens at https://127.0.0.1:{etcd}/version (connection refused)"
        )),
        "{evidence}"
    );
}

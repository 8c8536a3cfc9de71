//! Connections cannot be held for free: one that completes TLS and sends nothing, or only the
//! HTTP/2 preface, is closed after the idle timeout; the protocol comes from ALPN; past the
//! connection cap a new connection is closed at accept while the others are served.

mod support;

use std::time::{Duration, Instant};
use support::{client_config, Client, Setup, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

async fn tls(server: &TestServer, h2: bool) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    TlsConnector::from(client_config(&server.ca.pem, h2))
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap()
}

/// How long until the server closes `stream` (reads end), at most `limit`.
async fn closed_after(
    stream: &mut tokio_rustls::client::TlsStream<TcpStream>,
    limit: Duration,
) -> Option<Duration> {
    let began = Instant::now();
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(limit.saturating_sub(began.elapsed()), stream.read(&mut buf))
            .await
        {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(began.elapsed()),
            // HTTP/2 SETTINGS and the like: keep reading.
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn silent_and_preface_only_connections_are_closed_when_idle() {
    let server = TestServer::with(Setup {
        idle: Duration::from_millis(400),
        ..Setup::default()
    })
    .await;
    // TLS and nothing else, for each protocol.
    for h2 in [true, false] {
        let mut s = tls(&server, h2).await;
        let after = closed_after(&mut s, Duration::from_secs(5)).await;
        assert!(
            after.is_some_and(|d| d < Duration::from_secs(3)),
            "h2={h2}: {after:?}"
        );
    }
    // The HTTP/2 preface and nothing more.
    let mut s = tls(&server, true).await;
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let after = closed_after(&mut s, Duration::from_secs(5)).await;
    assert!(
        after.is_some_and(|d| d < Duration::from_secs(3)),
        "{after:?}"
    );
    // A connection in use is not idle.
    let mut client = Client::connect(server.addr, &server.ca.pem, true).await;
    for _ in 0..4 {
        let (status, _) = client.get("/healthz").await;
        assert_eq!(status, 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_are_closed_and_the_others_served() {
    let server = TestServer::with(Setup {
        max_connections: 2,
        ..Setup::default()
    })
    .await;
    let mut first = Client::connect(server.addr, &server.ca.pem, true).await;
    let _second = tls(&server, false).await;
    // The third is closed at accept: its TLS handshake cannot complete.
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let third = tokio::time::timeout(
        Duration::from_secs(5),
        TlsConnector::from(client_config(&server.ca.pem, true)).connect(
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        ),
    )
    .await
    .expect("the third connection was neither served nor closed");
    assert!(third.is_err(), "a connection past the cap was served");
    // The first still works.
    assert_eq!(first.get("/healthz").await.0, 200);
}

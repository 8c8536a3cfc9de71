//! The namespace watch against a mock API server on 127.0.0.1: list, then watch events
//! (added, modified, deleted) applied to the cache. Run with `--features kube`.

#![cfg(feature = "kube")]

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use kcheck_webhook::namespaces_api::ApiNamespaces;
use kcheck_webhook::NamespaceSource;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn ns(name: &str, version: &str, level: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "resourceVersion": version,
                        "labels": {"pod-security.kubernetes.io/enforce": level}}})
}

async fn answer(
    req: hyper::Request<hyper::body::Incoming>,
    watches: Arc<AtomicUsize>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let query = req.uri().query().unwrap_or("").to_string();
    let body = if req.uri().path() != "/api/v1/namespaces" {
        return Ok(hyper::Response::builder()
            .status(404)
            .body(Full::new(Bytes::new()))
            .unwrap_or_default());
    } else if !query.contains("watch=true") {
        json!({"apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": "10"},
               "items": [ns("shop", "9", "restricted")]})
        .to_string()
    } else if watches.fetch_add(1, Ordering::SeqCst) == 0 {
        assert!(query.contains("resourceVersion=10"), "{query}");
        [
            json!({"type": "ADDED", "object": ns("dev", "11", "privileged")}),
            json!({"type": "MODIFIED", "object": ns("shop", "12", "baseline")}),
            json!({"type": "ADDED", "object": ns("tmp", "13", "baseline")}),
            json!({"type": "DELETED", "object": ns("tmp", "14", "baseline")}),
        ]
        .iter()
        .map(|e| e.to_string() + "\n")
        .collect()
    } else {
        // Later watches continue from the last version seen and stay quiet.
        assert!(query.contains("resourceVersion=14"), "{query}");
        tokio::time::sleep(Duration::from_secs(30)).await;
        String::new()
    };
    Ok(hyper::Response::new(Full::new(Bytes::from(body))))
}

#[tokio::test]
async fn list_then_watch() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let watches = Arc::new(AtomicUsize::new(0));
    let counter = watches.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let watches = counter.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| answer(req, watches.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let (cache, task) = ApiNamespaces::start(client);
    let mut settled = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let shop = cache.get("shop").map(|o| {
            o.label("pod-security.kubernetes.io/enforce")
                .map(str::to_string)
        });
        if cache.ready()
            && shop == Some(Some("baseline".into()))
            && cache.get("dev").is_some()
            && cache.get("tmp").is_none()
        {
            settled = true;
            break;
        }
    }
    task.abort();
    assert!(settled, "the cache never reflected the watch events");
    assert_eq!(cache.len(), 2);
    assert!(watches.load(Ordering::SeqCst) >= 1);
}

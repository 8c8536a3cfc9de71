//! The HTTPS server behind [`ApiServer`].

use super::fixture::{Failing, Fixture, Resource};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls;

/// One request the server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Path and query.
    pub path: String,
    pub accept: String,
    pub authenticated: bool,
}

/// A running server; it stops when dropped.
pub struct ApiServer {
    pub addr: SocketAddr,
    /// The CA that signed the server's certificate, PEM.
    pub ca_pem: String,
    pub token: String,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Encoded {
    resource: Resource,
    /// Each item as the server sends it in a full list.
    full: Vec<Bytes>,
    /// Each item as PartialObjectMetadata.
    metadata: Vec<Bytes>,
    /// Each item's `type` (Secrets) for field selectors.
    types: Vec<String>,
}

struct State {
    fixture: Fixture,
    encoded: Vec<Encoded>,
    token: String,
    requests: Mutex<Vec<Request>>,
    /// Page requests per resource, for [`Failing`].
    attempts: Mutex<HashMap<String, u32>>,
}

impl ApiServer {
    /// Starts serving `fixture` on 127.0.0.1 (a free port) in a thread of its own.
    pub fn start(fixture: Fixture) -> std::io::Result<ApiServer> {
        let other = |e: String| std::io::Error::other(e);
        let (ca_pem, cert_der, key_der) = certificates().map_err(|e| other(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| other(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![cert_der], key_der)
            .map_err(|e| other(e.to_string()))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let token = "kcheck-test-token".to_string();
        let state = Arc::new(State {
            encoded: encode(&fixture),
            fixture,
            token: token.clone(),
            requests: Mutex::new(Vec::new()),
            attempts: Mutex::new(HashMap::new()),
        });
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        let thread = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(serve(std_listener, acceptor, serving, stopped));
        });
        Ok(ApiServer {
            addr,
            ca_pem,
            token,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// A kubeconfig for this server (context `test`).
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\n    certificate-authority-data: {}\nusers:\n- name: test\n  user:\n    token: {}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: test\ncurrent-context: test\n",
            self.url(),
            super::base64(self.ca_pem.as_bytes()),
            self.token
        )
    }

    /// Writes [`ApiServer::kubeconfig`] into `dir`, returning its path.
    pub fn write_kubeconfig(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, self.kubeconfig())?;
        Ok(path)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn certificates() -> Result<
    (
        String,
        rustls::pki_types::CertificateDer<'static>,
        rustls::pki_types::PrivateKeyDer<'static>,
    ),
    rcgen::Error,
> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kcheck test CA");
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress(std::net::IpAddr::from([
            127, 0, 0, 1,
        ])));
    let cert = params.signed_by(&key, &issuer)?;
    Ok((
        ca.pem(),
        cert.der().clone(),
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    ))
}

fn encode(fixture: &Fixture) -> Vec<Encoded> {
    fixture
        .resources
        .iter()
        .map(|r| {
            let custom = crate::kinds::BUILTIN
                .iter()
                .all(|k| !(k.kind == r.kind && k.group == r.group));
            let mut full = Vec::with_capacity(r.items.len());
            let mut metadata = Vec::with_capacity(r.items.len());
            let mut types = Vec::with_capacity(r.items.len());
            for item in &r.items {
                let mut item = item.clone();
                // Typed lists of built-in kinds carry no apiVersion or kind per item.
                if !custom {
                    if let Some(map) = item.as_object_mut() {
                        map.remove("apiVersion");
                        map.remove("kind");
                    }
                }
                full.push(Bytes::from(serde_json::to_vec(&item).unwrap_or_default()));
                let meta = json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
                    "metadata": item.get("metadata").cloned().unwrap_or(Value::Null)});
                metadata.push(Bytes::from(serde_json::to_vec(&meta).unwrap_or_default()));
                types.push(
                    item.get("type")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            Encoded {
                resource: r.clone(),
                full,
                metadata,
                types,
            }
        })
        .collect()
}

async fn serve(
    listener: std::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<State>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let (acceptor, state) = (acceptor.clone(), state.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}

type Reply = http::Response<Full<Bytes>>;

fn reply(code: u16, body: impl Into<Bytes>) -> Reply {
    let mut r = http::Response::new(Full::new(body.into()));
    *r.status_mut() = http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn ok(v: &Value) -> Reply {
    reply(200, serde_json::to_vec(v).unwrap_or_default())
}

/// A Status object, as the API server writes errors.
fn status(code: u16, reason: &str, message: &str) -> Reply {
    reply(
        code,
        serde_json::to_vec(
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message, "reason": reason, "code": code}),
        )
        .unwrap_or_default(),
    )
}

async fn handle(state: &State, req: http::Request<hyper::body::Incoming>) -> Reply {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let accept = req
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let authenticated = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {}", state.token));
    if let Ok(mut log) = state.requests.lock() {
        log.push(Request {
            path: if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            },
            accept: accept.clone(),
            authenticated,
        });
    }
    if !authenticated {
        return status(
            403,
            "Forbidden",
            &format!("forbidden: User \"system:anonymous\" cannot get path \"{path}\""),
        );
    }
    let f = &state.fixture;
    if req.method() != http::Method::GET {
        return status(405, "MethodNotAllowed", "the test server only serves GET");
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["version"] => ok(
            &json!({"major": f.version.0.to_string(), "minor": f.version.1.to_string(),
            "gitVersion": format!("v{}.{}.2", f.version.0, f.version.1), "platform": "linux/amd64"}),
        ),
        ["api"] => ok(&json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})),
        ["apis"] => ok(&group_list(state)),
        ["api", version] => resource_list(state, "", version),
        ["apis", group, version] => resource_list(state, group, version),
        ["api", version, resource] => list(state, "", version, resource, &query, &accept).await,
        ["apis", group, version, resource] => {
            list(state, group, version, resource, &query, &accept).await
        }
        _ => status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}

fn group_list(state: &State) -> Value {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &state.encoded {
        let r = &e.resource;
        if r.group.is_empty() {
            continue;
        }
        let versions = groups.entry(&r.group).or_default();
        if !versions.contains(&r.version.as_str()) {
            versions.push(&r.version);
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, versions)| {
            let vs: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
                .collect();
            json!({"name": name, "versions": vs, "preferredVersion": vs[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_list(state: &State, group: &str, version: &str) -> Reply {
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    if state.fixture.broken_discovery.contains(&gv) {
        return status(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        );
    }
    let resources: Vec<Value> = state
        .encoded
        .iter()
        .map(|e| &e.resource)
        .filter(|r| r.group == group && r.version == version)
        .map(|r| {
            json!({"name": r.resource, "singularName": r.kind.to_ascii_lowercase(), "namespaced": r.namespaced,
                "kind": r.kind, "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
        })
        .collect();
    if resources.is_empty() {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    }
    ok(
        &json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn list(
    state: &State,
    group: &str,
    version: &str,
    resource: &str,
    query: &str,
    accept: &str,
) -> Reply {
    let Some(e) = state.encoded.iter().find(|e| {
        e.resource.group == group
            && e.resource.version == version
            && e.resource.resource == resource
    }) else {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    };
    let r = &e.resource;
    let qualified = r.qualified();
    let f = &state.fixture;
    if f.forbidden.contains(&qualified) {
        return status(
            403,
            "Forbidden",
            &format!("{qualified} is forbidden: User \"kcheck\" cannot list resource \"{resource}\" in API group \"{group}\" at the cluster scope"),
        );
    }
    let metadata_only = accept.contains("as=PartialObjectMetadataList");
    if r.group.is_empty() && r.kind == "Secret" && !metadata_only && !f.allow_secret_data {
        return status(
            403,
            "Forbidden",
            "the test server refuses to list Secrets with their values: ask for PartialObjectMetadataList",
        );
    }
    let attempt = {
        let Ok(mut attempts) = state.attempts.lock() else {
            return status(500, "InternalError", "lock");
        };
        let n = attempts.entry(qualified.clone()).or_insert(0);
        *n += 1;
        *n
    };
    match f.failing.get(&qualified) {
        Some(Failing::Transient {
            status: code,
            times,
            retry_after,
        }) if attempt <= *times => {
            let mut r = status(*code, "TooManyRequests", "please try again later");
            if let Some(s) = retry_after {
                if let Ok(v) = http::HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(http::header::RETRY_AFTER, v);
                }
            }
            return r;
        }
        Some(Failing::Always {
            status: code,
            after,
        }) if attempt > *after => {
            return status(*code, "InternalError", "etcdserver: request timed out");
        }
        _ => {}
    }
    if let Some(delay) = f.slow.get(&qualified) {
        tokio::time::sleep(*delay).await;
    }
    let selector = query_value(query, "fieldSelector");
    let limit = query_value(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let start = match query_value(query, "continue") {
        None => 0,
        Some(token) => match token
            .strip_prefix("page=")
            .and_then(|t| t.strip_suffix("/rv=4242"))
        {
            Some(n) => n.parse::<usize>().unwrap_or(usize::MAX),
            None => return status(400, "BadRequest", "invalid continue token"),
        },
    };
    let wanted_type = selector.as_deref().and_then(|s| s.strip_prefix("type="));
    let chosen: Vec<usize> = (0..e.full.len())
        .filter(|&i| wanted_type.is_none_or(|t| e.types[i] == t))
        .collect();
    let repeat = f.repeating_continue.contains(&qualified) && start > 0;
    let end = start.saturating_add(limit).min(chosen.len());
    let page = chosen.get(start.min(chosen.len())..end).unwrap_or(&[]);
    let mut meta = json!({"resourceVersion": "4242"});
    if repeat {
        meta["continue"] = json!(format!("page={start}/rv=4242"));
    } else if end < chosen.len() {
        meta["continue"] = json!(format!("page={end}/rv=4242"));
        meta["remainingItemCount"] = json!(chosen.len() - end);
    }
    let (api_version, kind) = if metadata_only {
        (
            "meta.k8s.io/v1".to_string(),
            "PartialObjectMetadataList".to_string(),
        )
    } else {
        (r.api_version(), format!("{}List", r.kind))
    };
    let head =
        serde_json::to_vec(&json!({"kind": kind, "apiVersion": api_version, "metadata": meta}))
            .unwrap_or_default();
    // The head without its closing brace, then the items.
    let mut body = Vec::with_capacity(head.len() + page.len() * 512);
    body.extend_from_slice(&head[..head.len().saturating_sub(1)]);
    body.extend_from_slice(b",\"items\":[");
    for (n, &i) in page.iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(if metadata_only {
            &e.metadata[i]
        } else {
            &e.full[i]
        });
    }
    body.extend_from_slice(b"]}");
    reply(200, body)
}

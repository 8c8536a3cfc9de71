//! The HTTPS server: TLS with a reloading certificate, HTTP/1.1 and HTTP/2, routing, body
//! limits, deadlines, the failure policy, and a graceful shutdown that drains in-flight
//! requests.

use crate::config::FailurePolicy;
use crate::judge::Judge;
use crate::metrics::{Metrics, Verdict};
use crate::review::{self, Response};
use crate::tls::CertStore;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What every request handler shares.
pub struct State {
    pub judge: Judge,
    pub metrics: Arc<Metrics>,
    shutting_down: AtomicBool,
    /// Reviews are judged on blocking threads, at most one per core at a time: a costly review
    /// never stalls `/healthz`, the TLS handshakes or the other connections.
    judging: Arc<tokio::sync::Semaphore>,
}

impl State {
    pub fn new(judge: Judge, metrics: Arc<Metrics>) -> Arc<State> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Arc::new(State {
            judge,
            metrics,
            shutting_down: AtomicBool::new(false),
            judging: Arc::new(tokio::sync::Semaphore::new(cores)),
        })
    }

    /// Ready to take reviews: the namespace context is filled and no shutdown has begun.
    pub fn ready(&self) -> bool {
        !self.shutting_down.load(Ordering::Acquire) && self.judge.namespaces().ready()
    }
}

/// Timings of the server itself.
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// A TLS handshake must finish within this.
    pub handshake: Duration,
    /// Request headers must arrive within this (slow clients hold no connection forever).
    pub headers: Duration,
    /// After a shutdown signal, in-flight requests get this long to finish.
    pub drain: Duration,
    /// A connection with no request in flight and none begun for this long is closed: one that
    /// completed TLS and sent nothing, or only the HTTP/2 preface, or stopped using it.
    pub idle: Duration,
    /// HTTP/2 PING interval (a peer that does not answer within the same time is dropped).
    pub keep_alive: Duration,
    /// Connections open at once; past it a new one is closed at accept.
    pub max_connections: usize,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            handshake: Duration::from_secs(10),
            headers: Duration::from_secs(10),
            drain: Duration::from_secs(25),
            idle: Duration::from_secs(60),
            keep_alive: Duration::from_secs(20),
            max_connections: 1024,
        }
    }
}

/// When a connection last began or ended a request, and how many are in flight on it.
struct Activity {
    since: Instant,
    /// Milliseconds after `since`.
    last: std::sync::atomic::AtomicU64,
    in_flight: std::sync::atomic::AtomicUsize,
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity {
            since: Instant::now(),
            last: std::sync::atomic::AtomicU64::new(0),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn touch(&self) {
        let ms = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Release);
    }

    /// Counts a request in flight until the guard is dropped.
    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        InFlight(self.clone())
    }

    /// Completes when the connection has been idle for `limit`.
    async fn idle(&self, limit: Duration) {
        let step = (limit / 4).max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(step).await;
            let last = Duration::from_millis(self.last.load(Ordering::Acquire));
            let idle_for = self.since.elapsed().saturating_sub(last);
            if self.in_flight.load(Ordering::Acquire) == 0 && idle_for >= limit {
                return;
            }
        }
    }
}

struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

type Answer = hyper::Response<Full<Bytes>>;

fn text(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let mut r = hyper::Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn json(body: Vec<u8>) -> Answer {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    r.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

/// Serves on `listener` until `shutdown` completes, then stops accepting, marks itself not
/// ready, and waits (up to `timeouts.drain`) for open connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    certs: Arc<CertStore>,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) -> Result<(), crate::Error> {
    let acceptor = TlsAcceptor::from(certs.server_config()?);
    let connections = Arc::new(tokio::sync::Semaphore::new(timeouts.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: pause rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = connections.clone().try_acquire_owned() else {
                    tracing::debug!(%peer, "connection limit reached; closed at accept");
                    drop(tcp);
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, state, timeouts) = (acceptor.clone(), state.clone(), timeouts.clone());
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _permit = permit;
                    let tls = match tokio::time::timeout(timeouts.handshake, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    // The protocol is the one TLS agreed on (ALPN), never guessed from what the
                    // client sends: a client that sends nothing holds no detection forever.
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                    let activity = Activity::new();
                    let service = {
                        let activity = activity.clone();
                        hyper::service::service_fn(move |req| {
                            let (state, guard) = (state.clone(), activity.begin());
                            async move {
                                let answer = handle(state, req).await;
                                drop(guard);
                                Ok::<_, Infallible>(answer)
                            }
                        })
                    };
                    let io = TokioIo::new(tls);
                    let served = if h2 {
                        let mut b = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
                        b.timer(TokioTimer::new())
                            .keep_alive_interval(Some(timeouts.keep_alive))
                            .keep_alive_timeout(timeouts.keep_alive);
                        let conn = b.serve_connection(io, service);
                        tokio::select! {
                            r = watcher.watch(conn) => r.map_err(|e| e.to_string()),
                            () = activity.idle(timeouts.idle) => Err("idle".into()),
                        }
                    } else {
                        let mut b = hyper::server::conn::http1::Builder::new();
                        b.timer(TokioTimer::new()).header_read_timeout(timeouts.headers);
                        let conn = b.serve_connection(io, service);
                        tokio::select! {
                            r = watcher.watch(conn) => r.map_err(|e| e.to_string()),
                            () = activity.idle(timeouts.idle) => Err("idle".into()),
                        }
                    };
                    if let Err(e) = served {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    state.shutting_down.store(true, Ordering::Release);
    drop(listener);
    tracing::info!(
        in_flight = state.metrics.in_flight_now(),
        "shutting down: draining open connections"
    );
    if tokio::time::timeout(timeouts.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("drain time over; closing the remaining connections");
    }
    Ok(())
}

async fn handle(state: Arc<State>, req: hyper::Request<Incoming>) -> Answer {
    match (req.method(), req.uri().path()) {
        (&Method::POST, "/validate") => validate(state, req).await,
        (_, "/validate") => text(StatusCode::METHOD_NOT_ALLOWED, "use POST\n"),
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n"),
        (&Method::GET, "/readyz") if state.ready() => text(StatusCode::OK, "ready\n"),
        (&Method::GET, "/readyz") => text(StatusCode::SERVICE_UNAVAILABLE, "not ready\n"),
        (&Method::GET, "/metrics") => {
            let mut r = text(
                StatusCode::OK,
                state.metrics.render(state.judge.namespaces().len()),
            );
            r.headers_mut().insert(
                CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            r
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// Parses the API server's `?timeout=` (`10s`, `1.5s`, `500ms`, `1m30s`): a Go duration, not
/// negative.
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    kcheck_model::duration::go_duration_nanos(s)
        .and_then(|n| u64::try_from(n).ok())
        .map(Duration::from_nanos)
}

/// The request's deadline: what the API server's `timeout` parameter says, at most `cap`.
fn deadline(query: Option<&str>, cap: Duration) -> Duration {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("timeout="))
        .and_then(parse_go_duration)
        .map_or(cap, |d| d.min(cap))
}

async fn validate(state: Arc<State>, req: hyper::Request<Incoming>) -> Answer {
    let start = Instant::now();
    let _in_flight = state.metrics.in_flight();
    let settings = state.judge.settings();
    let invalid = |status: StatusCode, message: String| {
        state
            .metrics
            .request(None, Verdict::Invalid, start.elapsed());
        text(status, message + "\n")
    };
    if let Some(ct) = req.headers().get(CONTENT_TYPE) {
        let ok = ct
            .to_str()
            .is_ok_and(|c| c.to_ascii_lowercase().contains("json"));
        if !ok {
            return invalid(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "an AdmissionReview is sent as application/json".into(),
            );
        }
    }
    let max = settings.max_body_bytes;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return invalid(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the review is larger than {max} bytes"),
        );
    }
    let limit = deadline(req.uri().query(), settings.max_timeout);
    let body = match tokio::time::timeout(limit, Limited::new(req.into_body(), max).collect()).await
    {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return invalid(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the review is larger than {max} bytes"),
            )
        }
        Ok(Err(e)) => {
            return invalid(
                StatusCode::BAD_REQUEST,
                format!("the body could not be read: {e}"),
            )
        }
        Err(_) => {
            state
                .metrics
                .request(None, Verdict::Timeout, start.elapsed());
            return text(
                StatusCode::REQUEST_TIMEOUT,
                "the review did not arrive before the deadline\n",
            );
        }
    };
    // Read here for what a failure answer needs (uid, version, kind) and for the 400s; the
    // blocking thread reads the body again, since a parsed review borrows it. The envelope
    // parse is cheap next to judging (the object stays raw JSON until then).
    let about = match review::parse(&body) {
        Ok(r) => About::of(&r),
        Err(e) => {
            return invalid(
                StatusCode::BAD_REQUEST,
                format!("malformed AdmissionReview: {e}"),
            )
        }
    };
    let kind = about.kind.as_str();
    if start.elapsed() >= limit {
        return failure(
            &state,
            &about,
            start,
            "the deadline passed before it was judged",
        );
    }
    let left = |start: Instant| limit.saturating_sub(start.elapsed());
    // A judging slot within the deadline, then the rules on a blocking thread within what is
    // left of it. A review that is still being judged at the deadline is answered by the
    // failure policy; its thread finishes in the background, inside its slot, with bounded work
    // (findings per object and message lengths are capped by the engine).
    let permit =
        match tokio::time::timeout(left(start), state.judging.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                return failure(
                    &state,
                    &about,
                    start,
                    "the deadline passed before it was judged",
                )
            }
        };
    let judging = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let request = review::parse(&body).map_err(|e| e.to_string())?;
            std::panic::catch_unwind(AssertUnwindSafe(|| state.judge.review(&request)))
                .map_err(|_| String::new())?
                .map_err(|e| format!("malformed AdmissionReview: {e}"))
        })
    };
    let verdict = match tokio::time::timeout(left(start), judging).await {
        Ok(Ok(Ok(v))) => v,
        Ok(Ok(Err(message))) if !message.is_empty() => {
            return invalid(StatusCode::BAD_REQUEST, message)
        }
        Ok(_) => return failure(&state, &about, start, "internal error"),
        Err(_) => {
            return failure(
                &state,
                &about,
                start,
                "judging took longer than the deadline",
            )
        }
    };
    state.metrics.engine_time(verdict.engine_time);
    for (code, mode) in &verdict.findings {
        state.metrics.finding(code, *mode);
    }
    let outcome = if verdict.response.allowed {
        Verdict::Allowed
    } else {
        Verdict::Denied
    };
    let body = review::to_json(about.version, &verdict.response);
    state.metrics.request(Some(kind), outcome, start.elapsed());
    json(body)
}

/// What a failure answer needs of a review, kept while the review itself is judged elsewhere.
struct About {
    uid: String,
    version: review::Version,
    kind: String,
}

impl About {
    fn of(request: &review::Request<'_>) -> About {
        About {
            uid: request.uid.clone(),
            version: request.version,
            kind: request.kind.kind.clone(),
        }
    }
}

/// The answer when kcheck could not judge a request: what the failure policy says, with the
/// reason for the client.
fn failure(state: &State, request: &About, start: Instant, why: &str) -> Answer {
    let mut response = Response::allow(request.uid.clone());
    match state.judge.settings().failure_policy {
        FailurePolicy::Allow => response.warnings.push(format!(
            "kcheck could not judge this request ({why}); allowed by its failure policy"
        )),
        FailurePolicy::Deny => {
            response.allowed = false;
            response.status = Some(review::Status {
                code: 500,
                reason: "InternalError",
                message: format!(
                    "kcheck could not judge this request ({why}); denied by its failure policy"
                ),
            });
        }
    }
    tracing::warn!(uid = %request.uid, kind = %request.kind, reason = why, "review not judged");
    state
        .metrics
        .request(Some(&request.kind), Verdict::Error, start.elapsed());
    json(review::to_json(request.version, &response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("0s"), Some(Duration::ZERO));
        for bad in ["", "10", "s", "10x", "1e9s", "-1s", "..s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadline_is_capped() {
        let cap = Duration::from_secs(10);
        assert_eq!(deadline(Some("timeout=3s"), cap), Duration::from_secs(3));
        assert_eq!(deadline(Some("a=b&timeout=30s"), cap), cap);
        assert_eq!(deadline(Some("timeout=soon"), cap), cap);
        assert_eq!(deadline(None, cap), cap);
    }
}

//! GET requests to the API server through kube's client: a time limit per request, retries with
//! backoff on 429 and 5xx (the server's Retry-After honoured), Status objects read into errors.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::time::Duration;

/// How the client behaves.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The longest one request (headers and body) may take.
    pub timeout: Duration,
    /// How many times a request is tried again after a 429, a 5xx or a dropped connection.
    pub retries: u32,
    /// The first backoff; it doubles with each retry.
    pub backoff: Duration,
    /// The longest wait a Retry-After may ask for.
    pub max_retry_after: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// Why a request failed, after retries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The server answered with an error status (its Status object's reason and message).
    #[error("{code} {reason}: {message}")]
    Status {
        code: u16,
        reason: String,
        message: String,
    },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Transport(String),
}

impl RequestError {
    pub fn code(&self) -> Option<u16> {
        match self {
            RequestError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// The API server, through kube.
#[derive(Clone)]
pub struct Http {
    client: kube::Client,
    limits: Limits,
    /// The server's host name, for the words of a TLS failure.
    host: String,
}

impl Http {
    pub fn new(client: kube::Client, limits: Limits) -> Http {
        Http {
            client,
            limits,
            host: "the server".into(),
        }
    }

    /// Names the server's host in TLS failures (`certificate is not valid for HOST`).
    pub fn for_host(mut self, host: &str) -> Http {
        self.host = host.to_string();
        self
    }

    /// GETs `path` (with its query), asking for `accept` (JSON when `None`).
    pub async fn get(&self, path: &str, accept: Option<&str>) -> Result<Bytes, RequestError> {
        let mut attempt = 0;
        loop {
            let outcome = tokio::time::timeout(self.limits.timeout, self.once(path, accept))
                .await
                .unwrap_or(Err(Failure {
                    error: RequestError::Timeout(self.limits.timeout),
                    retry: true,
                    after: None,
                }));
            match outcome {
                Ok(body) => return Ok(body),
                Err(f) if f.retry && attempt < self.limits.retries => {
                    let backoff = self.limits.backoff * 2u32.saturating_pow(attempt);
                    let wait = f
                        .after
                        .map_or(backoff, |a| a.min(self.limits.max_retry_after));
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(f) => return Err(f.error),
            }
        }
    }

    async fn once(&self, path: &str, accept: Option<&str>) -> Result<Bytes, Failure> {
        let request = http::Request::get(path)
            .header(http::header::ACCEPT, accept.unwrap_or("application/json"))
            .body(kube::client::Body::empty())
            .map_err(|e| Failure::fatal(RequestError::Transport(e.to_string())))?;
        let response = self.client.send(request).await.map_err(|e| {
            let described = crate::connect::describe(&e, &self.host);
            Failure {
                error: RequestError::Transport(described.cause),
                retry: described.transient,
                after: None,
            }
        })?;
        let status = response.status();
        let after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Failure {
                error: RequestError::Transport(e.to_string()),
                retry: true,
                after: None,
            })?
            .to_bytes();
        if status.is_success() {
            return Ok(body);
        }
        let code = status.as_u16();
        let (reason, message) = status_text(&body, status);
        Err(Failure {
            error: RequestError::Status {
                code,
                reason,
                message,
            },
            retry: code == 429 || status.is_server_error(),
            after,
        })
    }
}

struct Failure {
    error: RequestError,
    retry: bool,
    after: Option<Duration>,
}

impl Failure {
    fn fatal(error: RequestError) -> Failure {
        Failure {
            error,
            retry: false,
            after: None,
        }
    }
}

/// The reason and message of a Status object, or the HTTP reason phrase.
fn status_text(body: &[u8], status: http::StatusCode) -> (String, String) {
    let phrase = status.canonical_reason().unwrap_or("error").to_string();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (phrase.clone(), phrase);
    };
    let field = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let reason = field("reason").unwrap_or_else(|| phrase.clone());
    let message = field("message").unwrap_or(phrase);
    (reason, message)
}

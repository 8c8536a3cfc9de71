//! The small blocking HTTP(S) client behind the etcd scan and the probes: ureq over rustls (ring),
//! with the CA, client certificate and verification each caller asks for, and errors that say
//! what happened on the wire ("connection refused", "TLS handshake failed: ...").

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

/// How the server's certificate is checked.
#[derive(Clone, Debug)]
pub(crate) enum Verify {
    /// Against the CA certificates in this PEM file.
    Ca(PathBuf),
    /// Against the public web roots.
    WebRoots,
    /// Not at all (the probes: they talk to this node's own ports and only record what answered).
    Off,
}

#[derive(Clone, Debug)]
pub(crate) struct ClientOptions {
    pub timeout: Duration,
    pub verify: Verify,
    /// Client certificate and key files (PEM).
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

/// Why a request got no HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Config(String),
    #[error("cannot read {path}: {source}")]
    ReadFile { path: String, source: io::Error },
    #[error("{path}: {reason}")]
    Pem { path: String, reason: String },
    #[error("{url}: {failure}")]
    Request { url: String, failure: Failure },
}

impl HttpError {
    /// What happened, without the URL (the probes record the URL beside it).
    pub fn failure(&self) -> String {
        match self {
            HttpError::Request { failure, .. } => failure.to_string(),
            other => other.to_string(),
        }
    }
}

/// What went wrong with a request on the wire.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("connection refused")]
    ConnectionRefused,
    #[error("timed out")]
    TimedOut,
    #[error("host not found")]
    HostNotFound,
    /// The server spoke something other than TLS (most often plain HTTP) to our handshake.
    #[error("TLS handshake failed: {0}")]
    Tls(String),
    #[error("connection closed")]
    Closed,
    /// An HTTPS connection the server dropped during or just after the handshake; with TLS 1.3
    /// this is how a server that requires a client certificate refuses one without it.
    #[error("TLS handshake failed: the server closed the connection (it may require a client certificate)")]
    TlsClosed,
    #[error("connection reset")]
    Reset,
    #[error("not an HTTP response: {0}")]
    Protocol(String),
    #[error("{0}")]
    Other(String),
}

impl Failure {
    /// Whether a TLS attempt failed in a way a plain HTTP server causes: our hello answered with
    /// something that is not TLS, or the connection dropped.
    pub fn maybe_plain_http(&self) -> bool {
        match self {
            Failure::Tls(reason) => {
                reason.contains("InvalidContentType") || reason.contains("corrupt message")
            }
            Failure::Closed | Failure::Reset | Failure::TlsClosed | Failure::Protocol(_) => true,
            _ => false,
        }
    }
}

pub(crate) struct Client {
    agent: ureq::Agent,
}

pub(crate) struct Response {
    pub status: u16,
    body: ureq::Body,
}

/// No response body is read past this (a page of etcd values is parsed as it streams in; this
/// only stops a server that never ends its response).
const MAX_BODY_BYTES: u64 = 1 << 31;

impl Response {
    /// The body as text, when it is at most `limit` bytes of UTF-8.
    pub fn read_limited(mut self, limit: u64) -> Result<String, String> {
        self.body
            .with_config()
            .limit(limit)
            .read_to_string()
            .map_err(|e| e.to_string())
    }

    pub fn into_reader(self) -> impl Read {
        self.body.into_reader().take(MAX_BODY_BYTES)
    }
}

impl Client {
    pub fn new(opts: &ClientOptions) -> Result<Client, HttpError> {
        let mut tls = TlsConfig::builder();
        match &opts.verify {
            Verify::Ca(path) => {
                let certs = read_certs(path)?;
                tls = tls.root_certs(RootCerts::Specific(Arc::new(certs)));
            }
            Verify::WebRoots => tls = tls.root_certs(RootCerts::WebPki),
            Verify::Off => tls = tls.disable_verification(true),
        }
        if let Some((cert, key)) = &opts.client_cert {
            let chain = read_certs(cert)?;
            check_client_cert(&chain, key, cert)?;
            let key = read_key(key)?;
            tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(opts.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(Client { agent })
    }

    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        check_url(url)?;
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| request_error(url, e))?;
        Ok(into_response(response))
    }

    pub fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<Response, HttpError> {
        check_url(url)?;
        let response = self
            .agent
            .post(url)
            .header("content-type", "application/json")
            .send(body.to_string())
            .map_err(|e| request_error(url, e))?;
        Ok(into_response(response))
    }
}

fn into_response(response: ureq::http::Response<ureq::Body>) -> Response {
    let status = response.status().as_u16();
    Response {
        status,
        body: response.into_body(),
    }
}

/// Only `http://host...` and `https://host...` (ureq assumes an authority for TLS).
fn check_url(url: &str) -> Result<(), HttpError> {
    let bad = || HttpError::Config(format!("{url}: not an http:// or https:// URL with a host"));
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    if scheme_ok && host_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

fn request_error(url: &str, error: ureq::Error) -> HttpError {
    let failure = match failure(error) {
        Failure::Closed | Failure::Reset if url.starts_with("https:") => Failure::TlsClosed,
        other => other,
    };
    HttpError::Request {
        url: url.to_string(),
        failure,
    }
}

fn failure(error: ureq::Error) -> Failure {
    match error {
        ureq::Error::Io(e) => io_failure(&e),
        ureq::Error::Timeout(_) => Failure::TimedOut,
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::Rustls(e) => Failure::Tls(tls_words(&e)),
        ureq::Error::Tls(e) => Failure::Tls(e.to_string()),
        ureq::Error::Protocol(e) => Failure::Protocol(e.to_string()),
        other => Failure::Other(other.to_string()),
    }
}

fn io_failure(e: &io::Error) -> Failure {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return Failure::Tls(tls_words(tls));
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Failure::ConnectionRefused,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Failure::TimedOut,
        io::ErrorKind::ConnectionReset => Failure::Reset,
        io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe => Failure::Closed,
        _ => Failure::Other(e.to_string()),
    }
}

/// A TLS failure in the words kubectl and Go use for the common certificate problems.
fn tls_words(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "certificate signed by unknown authority".into()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "certificate has expired".into()
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => "certificate is not valid for the host".into(),
        rustls::Error::AlertReceived(
            alert @ (rustls::AlertDescription::BadCertificate
            | rustls::AlertDescription::CertificateRequired
            | rustls::AlertDescription::UnknownCA
            | rustls::AlertDescription::CertificateUnknown),
        ) => format!("the server refused the client certificate ({alert:?})"),
        other => other.to_string(),
    }
}

fn read_pem(path: &Path) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|source| HttpError::ReadFile {
        path: path.display().to_string(),
        source,
    })
}

fn pem_error(path: &Path, reason: impl Into<String>) -> HttpError {
    HttpError::Pem {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn read_certs(path: &Path) -> Result<Vec<Certificate<'static>>, HttpError> {
    let pem = read_pem(path)?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(pem_error(path, format!("not valid PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(pem_error(path, "no certificate in the file"));
    }
    Ok(certs)
}

/// The first private key in a PEM file. Its bytes stay in memory only for the TLS handshake and
/// are never printed (errors name the file, not its content).
fn read_key(path: &Path) -> Result<PrivateKey<'static>, HttpError> {
    let pem = read_pem(path)?;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::PrivateKey(key)) => return Ok(key),
            Ok(_) => {}
            Err(e) => return Err(pem_error(path, format!("not valid PEM: {e}"))),
        }
    }
    Err(pem_error(path, "no private key in the file"))
}

/// ureq panics on a client certificate rustls cannot use (a key it cannot load, or one that does
/// not match the certificate); build the same client configuration here first to get an error.
fn check_client_cert(
    chain: &[Certificate<'static>],
    key_path: &Path,
    cert_path: &Path,
) -> Result<(), HttpError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = chain
        .iter()
        .map(|c| CertificateDer::from(c.der().to_vec()))
        .collect();
    let pem = read_pem(key_path)?;
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| pem_error(key_path, format!("no usable private key: {e}")))?;
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| HttpError::Config(format!("TLS setup: {e}")))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_client_auth_cert(chain, key)
        .map(|_| ())
        .map_err(|e| {
            pem_error(
                cert_path,
                format!("client certificate and key not usable together: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_a_scheme_and_host() {
        assert!(check_url("https://127.0.0.1:2379/v3/kv/range").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("127.0.0.1:2379").is_err());
        assert!(check_url("unix:///run/etcd.sock").is_err());
        assert!(check_url("https:///path").is_err());
        assert!(check_url("").is_err());
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("kcheck-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let opts = |verify, client_cert| ClientOptions {
            timeout: Duration::from_secs(1),
            verify,
            client_cert,
        };
        let e = Client::new(&opts(Verify::Ca(dir.join("absent.pem")), None))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("cannot read "), "{e}");
        let e = Client::new(&opts(Verify::Ca(empty.clone()), None))
            .err()
            .unwrap();
        assert!(e.to_string().contains("no certificate"), "{e}");
        let e = Client::new(&opts(Verify::Ca(junk.clone()), None))
            .err()
            .unwrap();
        assert!(e.to_string().contains("junk.pem"), "{e}");
        let e = Client::new(&opts(Verify::Off, Some((junk.clone(), empty.clone()))))
            .err()
            .unwrap();
        assert!(e.to_string().contains("junk.pem"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

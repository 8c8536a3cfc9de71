//! The HTTPS client kcheck talks to an API server with, and the words for why it could not.
//!
//! The client is kube's stack (base URI, authentication, extra headers) over a hyper client whose
//! TLS verification behaves as kubectl's does: a server certificate that is itself one of the
//! configured CA certificates is accepted when it is valid now and for the server's name, even
//! when it is marked as a CA (some clusters serve a self-signed CA certificate; Go's verifier
//! accepts a leaf found in the root pool, webpki alone refuses it as `CaUsedAsEndEntity`).
//!
//! [`describe`] turns a failed request into one short cause (`connection refused`, `TLS:
//! certificate signed by unknown authority`), and [`reach`] says when a run must stop
//! rather than report a cluster it never saw.

use crate::client::{Http, RequestError};
use crate::ServerVersion;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::ConfigExt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::error::Error as StdError;
use std::sync::Arc;
use tower::ServiceBuilder;

/// The client for `config`: kube's own when a proxy is configured (kcheck's TLS handling needs
/// the direct connection), else kube's layers over kcheck's TLS connector.
pub fn client(config: &kube::Config) -> Result<kube::Client, String> {
    check_token(config)?;
    if config.proxy_url.is_some() || config.accept_invalid_certs || config.root_cert.is_none() {
        return kube::Client::try_from(config.clone()).map_err(|e| e.to_string());
    }
    let mut tls = config.rustls_client_config().map_err(|e| e.to_string())?;
    let roots = config.root_cert.clone().unwrap_or_default();
    tls.dangerous()
        .set_certificate_verifier(Arc::new(Verifier::new(roots)?));
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(config.connect_timeout);
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match &config.tls_server_name {
        Some(name) => {
            let name = ServerName::try_from(name.clone())
                .map_err(|e| format!("tls-server-name {name}: {e}"))?;
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
        }
        None => builder,
    };
    let https = builder.enable_http1().enable_http2().wrap_connector(http);
    let hyper = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build::<_, kube::client::Body>(https);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().map_err(|e| e.to_string())?)
        .layer(config.extra_headers_layer().map_err(|e| e.to_string())?)
        .map_err(tower::BoxError::from)
        .service(hyper);
    Ok(kube::Client::new(service, config.default_namespace.clone()))
}

/// A bearer token that cannot be sent in an HTTP header (a control character, a line break):
/// kube would panic building the header. The token itself is never part of the message.
fn check_token(config: &kube::Config) -> Result<(), String> {
    use secrecy::ExposeSecret;
    let from_file = config
        .auth_info
        .token_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok());
    let tokens = config
        .auth_info
        .token
        .as_ref()
        .map(|t| t.expose_secret().to_string())
        .into_iter()
        .chain(from_file.map(|t| t.trim().to_string()));
    for token in tokens {
        if http::HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
            return Err(
                "the user's token contains a character that cannot be sent in an HTTP \
                 header (a control character or a line break)"
                    .into(),
            );
        }
    }
    Ok(())
}

/// A kubeconfig problem in words that never quote the file: its position when the parser gave
/// one (`line 11 column 9: illegal placement of ':' indicator`), else what kind of problem it
/// is. YAML parsers show the lines around an error, and those lines may hold a token or a key.
pub fn kubeconfig_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let position = first.find("line ").and_then(|at| {
        let rest = &first[at..];
        let mut words = rest.split_whitespace();
        let (l, line, c, column) = (words.next()?, words.next()?, words.next()?, words.next()?);
        let line: u32 = line.trim_end_matches([',', ':']).parse().ok()?;
        let column: u32 = column.trim_end_matches([',', ':']).parse().ok()?;
        (l == "line" && c == "column").then_some((line, column))
    });
    match position {
        Some((line, column)) => format!("not valid YAML at line {line}, column {column}"),
        None if first.contains("YAML") || first.contains("yaml") => "not valid YAML".into(),
        None if first.contains("No such file") || first.contains("not found") => {
            "no such file".into()
        }
        None => "not a usable kubeconfig".into(),
    }
}

/// webpki's verification, and kubectl's acceptance of a server certificate that is one of the
/// roots.
#[derive(Debug)]
struct Verifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    roots: Vec<Vec<u8>>,
}

impl Verifier {
    fn new(roots: Vec<Vec<u8>>) -> Result<Verifier, String> {
        let mut store = rustls::RootCertStore::empty();
        for der in &roots {
            store
                .add(CertificateDer::from(der.clone()))
                .map_err(|e| format!("certificate-authority: {e}"))?;
        }
        let inner = rustls::client::WebPkiServerVerifier::builder(Arc::new(store))
            .build()
            .map_err(|e| format!("certificate-authority: {e}"))?;
        Ok(Verifier { inner, roots })
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Ok(v) => Ok(v),
            // The served certificate is one of the roots (webpki refuses it as a CA used as
            // an end entity): judged as kubectl judges it, and its own problem reported.
            Err(_) if self.roots.iter().any(|r| r[..] == end_entity[..]) => {
                leaf_is_root(end_entity, server_name, now)
            }
            // A CA certificate that is not one of the roots is, for Go as here, a certificate
            // nobody trusted signed.
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(other)))
                if other.0.downcast_ref::<webpki::Error>()
                    == Some(&webpki::Error::CaUsedAsEndEntity) =>
            {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer,
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A trusted certificate served as the server's own: valid now and for `name`, as Go checks a
/// leaf it finds in its root pool.
fn leaf_is_root(
    der: &CertificateDer<'_>,
    name: &ServerName<'_>,
    now: UnixTime,
) -> Result<ServerCertVerified, rustls::Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    let ee = webpki::EndEntityCert::try_from(der)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    ee.verify_is_valid_for_subject_name(name)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
    Ok(ServerCertVerified::assertion())
}

/// The server's version, read first: a server that cannot be reached, whose certificate is not
/// trusted or that refuses the credentials (401) is an `Err` with the cause, before anything
/// could look like an audit. Any other answer (a 403 on `/version` included) is `Ok`.
pub async fn reach(http: &Http) -> Result<Option<ServerVersion>, String> {
    match http.get("/version", None).await {
        Ok(body) => Ok(ServerVersion::from_json(&body)),
        Err(RequestError::Status { code: 401, .. }) => {
            Err("401 Unauthorized: the server did not accept the credentials".into())
        }
        Err(RequestError::Status { .. }) => Ok(None),
        Err(e @ RequestError::Timeout(_)) => Err(e.to_string()),
        Err(RequestError::Transport(cause)) => Err(cause),
    }
}

/// What kind of failure a request met, for retries and for the words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    /// One short cause: `connection refused`, `TLS: certificate has expired`.
    pub cause: String,
    /// Worth another try (a refused or dropped connection, DNS); certificate problems are not.
    pub transient: bool,
}

/// The cause of a failed request, from its chain of errors.
pub fn describe(error: &(dyn StdError + 'static), host: &str) -> Described {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    let mut dns = false;
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_cause(tls, host);
        }
        if let Some(outer) = e.downcast_ref::<std::io::Error>() {
            // hyper-rustls wraps tokio-rustls's io::Error (InvalidData, the rustls error) in
            // another io::Error (Other): look through every layer.
            let mut io = outer;
            while let Some(inner) = io.get_ref() {
                if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                    return tls_cause(tls, host);
                }
                match inner.downcast_ref::<std::io::Error>() {
                    Some(next) => io = next,
                    None => break,
                }
            }
            use std::io::ErrorKind::*;
            // The outer layer's kind when it says more than "other" (a refused connection).
            let kind = [outer.kind(), io.kind()]
                .into_iter()
                .find(|k| *k != Other)
                .unwrap_or(Other);
            let cause = match kind {
                ConnectionRefused => Some("connection refused".to_string()),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    Some("the connection was closed by the server".to_string())
                }
                TimedOut => Some("connection timed out".to_string()),
                HostUnreachable | NetworkUnreachable => Some(format!("{io}")),
                _ => None,
            };
            if let Some(cause) = cause {
                return Described {
                    cause,
                    transient: true,
                };
            }
            if dns {
                return Described {
                    cause: format!("DNS: cannot resolve {host}"),
                    transient: true,
                };
            }
        }
        if e.to_string().starts_with("dns error") {
            dns = true;
        }
        current = e.source();
    }
    if dns {
        return Described {
            cause: format!("DNS: cannot resolve {host}"),
            transient: true,
        };
    }
    // Nothing recognised: the innermost message is the most specific.
    let mut innermost = error.to_string();
    let mut current = error.source();
    while let Some(e) = current {
        innermost = e.to_string();
        current = e.source();
    }
    Described {
        cause: innermost,
        transient: true,
    }
}

fn tls_cause(e: &rustls::Error, host: &str) -> Described {
    use rustls::Error::*;
    let cause = match e {
        InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => {
                "TLS: certificate signed by unknown authority".to_string()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "TLS: certificate has expired".to_string()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "TLS: certificate is not valid yet".to_string()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("TLS: certificate is not valid for {host}")
            }
            CertificateError::Revoked => "TLS: certificate has been revoked".to_string(),
            other => format!("TLS: invalid certificate ({other:?})"),
        },
        AlertReceived(
            alert @ (rustls::AlertDescription::BadCertificate
            | rustls::AlertDescription::CertificateRequired
            | rustls::AlertDescription::UnknownCA
            | rustls::AlertDescription::CertificateUnknown),
        ) => format!("TLS: the server refused the client certificate ({alert:?})"),
        AlertReceived(alert) => format!("TLS: the server refused the handshake ({alert:?})"),
        other => format!("TLS: {other}"),
    };
    Described {
        cause,
        transient: false,
    }
}

/// A server URL without any `user:password@`: what may be printed.
pub fn printable_url(url: &http::Uri) -> String {
    let scheme = url.scheme_str().unwrap_or("https");
    let authority = url.authority().map_or("", |a| a.as_str());
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let path = url.path().trim_end_matches('/');
    format!("{scheme}://{host}{path}")
}

/// The host a URL names (for `certificate is not valid for HOST`), without port or brackets.
pub fn host_of(url: &http::Uri) -> String {
    url.host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_printed_without_credentials() {
        let u: http::Uri = "https://admin:hunter2@10.0.0.1:6443/".parse().unwrap();
        assert_eq!(printable_url(&u), "https://10.0.0.1:6443");
        let u: http::Uri = "https://[::1]:6443/k8s/".parse().unwrap();
        assert_eq!(printable_url(&u), "https://[::1]:6443/k8s");
        assert_eq!(host_of(&u), "::1");
    }

    #[test]
    fn kubeconfig_errors_never_quote_the_file() {
        let parser = "failed to parse kubeconfig YAML: error: line 11 column 9: illegal placement of ':' indicator\n  --> <input>:11:9\n   |\n 9 |     token: \"supersecret\"\n";
        let said = kubeconfig_error(parser);
        assert_eq!(said, "not valid YAML at line 11, column 9");
        assert_eq!(
            kubeconfig_error("failed to parse kubeconfig YAML: odd"),
            "not valid YAML"
        );
        assert_eq!(kubeconfig_error("token: abc"), "not a usable kubeconfig");
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_quoting_it() {
        let mut config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
        config.auth_info.token = Some("abc\u{7}hunter2".to_string().into());
        let e = check_token(&config).unwrap_err();
        assert!(
            e.contains("cannot be sent in an HTTP header") && !e.contains("hunter2"),
            "{e}"
        );
        config.auth_info.token = Some("abc.def-ghi".to_string().into());
        assert!(check_token(&config).is_ok());
    }

    #[test]
    fn causes_from_nested_errors() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(describe(&refused, "h").cause, "connection refused");
        // As hyper-rustls reports it: an io::Error around tokio-rustls's io::Error.
        let tls = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        ));
        let d = describe(&tls, "h");
        assert_eq!(d.cause, "TLS: certificate signed by unknown authority");
        assert!(!d.transient);
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert_eq!(
            describe(&name, "wrong.test").cause,
            "TLS: certificate is not valid for wrong.test"
        );
    }
}

#[cfg(test)]
mod self_signed {
    use super::*;
    use std::time::Duration;

    fn self_signed_ca(name: &str) -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        // Valid from 2020 to two years from now.
        let year = 1970 + UnixTime::now().as_secs() / 31_556_952;
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(i32::try_from(year + 2).unwrap(), 1, 1);
        params.self_signed(&key).unwrap().der().to_vec()
    }

    fn verify(roots: &[&[u8]], served: &[u8], name: &str, now: UnixTime) -> Result<(), String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let verifier = Verifier::new(roots.iter().map(|r| r.to_vec()).collect()).unwrap();
        let name = ServerName::try_from(name.to_string()).unwrap();
        verifier
            .verify_server_cert(&CertificateDer::from(served.to_vec()), &[], &name, &[], now)
            .map(|_| ())
            .map_err(|e| describe(&e, "h").cause)
    }

    #[test]
    fn a_ca_certificate_served_as_the_server_certificate_is_accepted_as_kubectl_does() {
        let ca = self_signed_ca("api.example.test");
        let now = UnixTime::now();
        assert_eq!(verify(&[&ca], &ca, "api.example.test", now), Ok(()));
        // Still checked: the name, the dates, and that it is one of the roots.
        assert_eq!(
            verify(&[&ca], &ca, "other.example.test", now),
            Err("TLS: certificate is not valid for h".into())
        );
        let later =
            UnixTime::since_unix_epoch(Duration::from_secs(now.as_secs() + 3 * 366 * 86400));
        assert!(verify(&[&ca], &ca, "api.example.test", later).is_err());
        let other = self_signed_ca("api.example.test");
        assert_eq!(
            verify(&[&other], &ca, "api.example.test", now),
            Err("TLS: certificate signed by unknown authority".into())
        );
    }
}

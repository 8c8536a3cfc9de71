//! The serving certificate, reloaded when its files change.
//!
//! Each TLS handshake asks [`CertStore`] for the current certificate, so a reload affects new
//! connections only: open ones keep the session they negotiated. The files are polled (kubelet
//! updates a mounted Secret by swapping a symlink, which inotify on the file would miss), and a
//! certificate and key that do not match, as when one file is written before the other, are
//! not taken: the old pair stays until the next poll finds a matching one.

use crate::metrics::Metrics;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::ServerConfig;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{cert} and {key}: {message}")]
    Pair {
        cert: String,
        key: String,
        message: String,
    },
    #[error("TLS configuration: {0}")]
    Config(String),
}

type Stamp = Option<((SystemTime, u64), (SystemTime, u64))>;

fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// The current certificate and key, and where they come from.
#[derive(Debug)]
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    stamp: Mutex<Stamp>,
}

impl CertStore {
    /// Loads the pair; at start-up a missing or mismatched pair is an error.
    pub fn open(
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Result<Arc<CertStore>, TlsError> {
        let (cert_path, key_path) = (cert.into(), key.into());
        let provider = Arc::new(ring::default_provider());
        let stamp = Self::stamps(&cert_path, &key_path);
        let current = load(&cert_path, &key_path, &provider)?;
        Ok(Arc::new(CertStore {
            cert_path,
            key_path,
            provider,
            current: RwLock::new(Arc::new(current)),
            stamp: Mutex::new(stamp),
        }))
    }

    fn stamps(cert: &Path, key: &Path) -> Stamp {
        Some((file_stamp(cert)?, file_stamp(key)?))
    }

    /// The TLS configuration of the server: this store picks the certificate at each
    /// handshake; HTTP/2 and HTTP/1.1 are offered.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<ServerConfig>, TlsError> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// Reloads when either file changed. `None` when nothing changed; an error keeps the
    /// current pair (and is retried at the next change or poll).
    pub fn poll(&self) -> Option<Result<(), TlsError>> {
        let now = Self::stamps(&self.cert_path, &self.key_path);
        let mut known = self.stamp.lock().ok()?;
        if now.is_none() || now == *known {
            return None;
        }
        match load(&self.cert_path, &self.key_path, &self.provider) {
            Ok(pair) => {
                if let Ok(mut c) = self.current.write() {
                    *c = Arc::new(pair);
                }
                *known = now;
                Some(Ok(()))
            }
            // The stamp is not updated: a pair caught half-written is tried again.
            Err(e) => Some(Err(e)),
        }
    }

    /// Polls every `every` until the task is aborted, counting reloads in `metrics`.
    pub fn watch(
        self: &Arc<Self>,
        every: Duration,
        metrics: Arc<Metrics>,
    ) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last_error = String::new();
            loop {
                tick.tick().await;
                match me.poll() {
                    Some(Ok(())) => {
                        last_error.clear();
                        metrics.tls_reloads.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(cert = %me.cert_path.display(), "serving certificate reloaded");
                    }
                    Some(Err(e)) => {
                        let e = e.to_string();
                        if e != last_error {
                            metrics.tls_reload_failures.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(error = %e, "serving certificate not reloaded; keeping the current one");
                            last_error = e;
                        }
                    }
                    None => {}
                }
            }
        })
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}

fn load(cert: &Path, key: &Path, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
    let file_error = |path: &Path, message: String| TlsError::File {
        path: path.display().to_string(),
        message,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_error(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(file_error(cert, "no certificate in the file".into()));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, e.to_string()))?;
    CertifiedKey::from_der(chain, private, provider).map_err(|e| TlsError::Pair {
        cert: cert.display().to_string(),
        key: key.display().to_string(),
        message: e.to_string(),
    })
}

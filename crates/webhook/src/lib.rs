//! kcheck's admission webhook: AdmissionReview (admission.k8s.io/v1 and v1beta1) over HTTPS,
//! judged by the same engine as `kcheck scan`, with each finding enforced, warned or audited
//! as configured.
//!
//! - [`review`] reads requests and writes answers; [`judge`] runs the admission rules
//!   ([`rules`]) on the object and its namespace; [`response`] turns findings into a denial,
//!   warnings and audit annotations within Kubernetes' limits.
//! - [`server`] is the HTTPS server (rustls with ring, hyper), [`tls`] the reloading
//!   certificate, [`namespaces`] the namespace context, [`metrics`] the Prometheus counters.

pub mod config;
pub mod judge;
pub mod metrics;
pub mod namespaces;
#[cfg(feature = "kube")]
pub mod namespaces_api;
pub mod response;
pub mod review;
pub mod rules;
pub mod server;
pub mod tls;

pub use config::{parse_settings, FailurePolicy, Mode, Modes, Settings};
pub use judge::Judge;
pub use metrics::Metrics;
pub use namespaces::{FileNamespaces, NamespaceSource, NoNamespaces};
pub use server::{serve, State, Timeouts};
pub use tls::CertStore;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {errors}")]
    Config { path: String, errors: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("namespaces: {0}")]
    Namespaces(#[from] namespaces::NamespaceFileError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the Kubernetes API: {0}")]
    Api(String),
    /// The API server could not be reached or refused the credentials at start-up.
    #[error("cannot reach {server}: {cause}")]
    Unreachable { server: String, cause: String },
}

/// What `kcheck webhook` is given.
#[derive(Clone, Debug)]
pub struct Options {
    pub addr: SocketAddr,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    pub config: Option<PathBuf>,
    pub namespaces: Option<PathBuf>,
    /// Watch Namespaces through the API (in-cluster or kubeconfig credentials) instead.
    pub namespaces_from_api: bool,
    /// Overrides the configuration file's `webhook.language`.
    pub lang: Option<kcheck_model::Lang>,
    /// How often the certificate and namespace files are checked for changes.
    pub poll: Duration,
    pub timeouts: Timeouts,
}

/// Reads a configuration file (none: the defaults).
pub fn load_settings(path: Option<&std::path::Path>) -> Result<Settings, Error> {
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_settings(&text).map_err(|errors| Error::Config {
        path: path.display().to_string(),
        errors: errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    })
}

/// Runs the webhook until SIGTERM or SIGINT, then drains. Blocks the calling thread.
pub fn run(options: Options) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(run_async(options))
}

async fn run_async(options: Options) -> Result<(), Error> {
    let mut settings = load_settings(options.config.as_deref())?;
    if let Some(lang) = options.lang {
        settings.lang = lang;
    }
    let certs = CertStore::open(&options.tls_cert, &options.tls_key)?;
    let metrics = Arc::new(Metrics::default());
    let (namespaces, ns_watch) = namespace_source(&options).await?;
    let cert_watch = certs.watch(options.poll, metrics.clone());
    let state = State::new(Judge::new(Arc::new(settings), namespaces), metrics);
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| Error::Bind {
            addr: options.addr,
            source,
        })?;
    tracing::info!(addr = %options.addr, rules = rules::admission_rules().len(), "kcheck webhook listening");
    let result = serve(listener, state, certs, options.timeouts, shutdown_signal()).await;
    cert_watch.abort();
    if let Some(w) = ns_watch {
        w.abort();
    }
    result
}

type Source = (
    Arc<dyn NamespaceSource>,
    Option<tokio::task::JoinHandle<()>>,
);

async fn namespace_source(options: &Options) -> Result<Source, Error> {
    if options.namespaces_from_api {
        return api_namespaces().await;
    }
    Ok(match &options.namespaces {
        Some(path) => {
            let file = FileNamespaces::open(path)?;
            let watch = file.watch(options.poll);
            (file, Some(watch))
        }
        None => (Arc::new(NoNamespaces), None),
    })
}

#[cfg(feature = "kube")]
async fn api_namespaces() -> Result<Source, Error> {
    let config = kube::Config::infer().await.map_err(|e| {
        Error::Api(format!(
            "no usable kubeconfig or in-cluster configuration ({})",
            kcheck_cluster::connect::kubeconfig_error(&e.to_string())
        ))
    })?;
    let server = kcheck_cluster::connect::printable_url(&config.cluster_url);
    let host = kcheck_cluster::connect::host_of(&config.cluster_url);
    let client = kcheck_cluster::connect::client(&config).map_err(Error::Api)?;
    // One request before serving: a server that cannot be reached, an untrusted certificate or
    // refused credentials are configuration errors to fix, not something to wait out unready.
    let limits = kcheck_cluster::client::Limits {
        timeout: std::time::Duration::from_secs(10),
        retries: 2,
        ..Default::default()
    };
    let http = kcheck_cluster::client::Http::new(client.clone(), limits).for_host(&host);
    kcheck_cluster::connect::reach(&http)
        .await
        .map_err(|cause| Error::Unreachable { server, cause })?;
    let (namespaces, task) = namespaces_api::ApiNamespaces::start(client);
    Ok((namespaces, Some(task)))
}

#[cfg(not(feature = "kube"))]
async fn api_namespaces() -> Result<Source, Error> {
    Err(Error::Api(
        "this build has no API client (kcheck-webhook's `kube` feature)".into(),
    ))
}

/// Completes on SIGTERM (Kubernetes stopping the pod) or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

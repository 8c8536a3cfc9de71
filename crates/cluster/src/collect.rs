//! A live collection: connect, read the version, discover, list every kind of the plan within a
//! bound on concurrent requests, and record what could not be seen.

use crate::client::{Http, Limits, RequestError};
use crate::discovery::discover;
use crate::kinds::Plan;
use crate::list::{list, ListMode};
use crate::objects::{self, set_secret_type, Target, SECRET_TYPES};
use crate::progress::Progress;
use crate::unseen;
use crate::ServerVersion;
use kcheck_model::facts::{ComponentKind, Probe};
use kcheck_model::{Inputs, Object};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How to reach the cluster and how hard to pull.
#[derive(Clone, Debug)]
pub struct Options {
    /// A kubeconfig file; `None` for `$KUBECONFIG` or `~/.kube/config`, else the in-cluster
    /// service account.
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    pub limits: Limits,
    pub page_size: u32,
    /// Read Secrets whole (for TLS certificate checks) instead of their metadata.
    pub read_secret_data: bool,
    /// Try anonymous requests (`GET /api`, `GET /logs/`).
    pub probe: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            kubeconfig: None,
            context: None,
            concurrency: 8,
            limits: Limits::default(),
            page_size: 500,
            read_secret_data: false,
            probe: false,
        }
    }
}

/// Why kcheck could not talk to the cluster at all.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot read kubeconfig {path}: {message}")]
    Kubeconfig { path: String, message: String },
    #[error("no cluster configuration: {0}")]
    NoConfig(String),
    #[error("cannot build the client: {0}")]
    Client(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
    /// The server could not be reached, refused the TLS handshake or the credentials: nothing
    /// was seen, so there is no report.
    #[error("cannot reach {server}: {cause}")]
    Unreachable { server: String, cause: String },
    /// The API refused or failed a write (`kcheck node --publish`).
    #[error("{0}")]
    Publish(String),
}

impl ConnectError {
    /// The message in `lang`: the English of `Display`, or its Chinese, with the causes kcheck
    /// names (refused, DNS, timeouts, TLS, credentials) said in Chinese too.
    pub fn message(&self, lang: kcheck_model::Lang) -> String {
        if lang == kcheck_model::Lang::En {
            return self.to_string();
        }
        match self {
            ConnectError::Kubeconfig { path, message } => {
                format!("无法读取 kubeconfig {path}：{}", cause_in(message, lang))
            }
            ConnectError::NoConfig(m) => format!("没有集群配置：{}", cause_in(m, lang)),
            ConnectError::Client(m) => format!("无法创建客户端：{}", cause_in(m, lang)),
            ConnectError::Runtime(m) => format!("无法启动异步运行时：{m}"),
            ConnectError::Publish(m) => format!("发布失败：{}", cause_in(m, lang)),
            ConnectError::Unreachable { server, cause } => {
                format!("无法连接 {server}：{}", cause_in(cause, lang))
            }
        }
    }
}

/// A cause of a failed connection as kcheck words it (`connection refused`, `DNS: cannot
/// resolve HOST`, `TLS: certificate has expired`, ...) in `lang`; a cause it does not know is
/// left as it is.
pub fn cause_in(cause: &str, lang: kcheck_model::Lang) -> String {
    if lang == kcheck_model::Lang::En {
        return cause.to_string();
    }
    const FIXED: &[(&str, &str)] = &[
        ("connection refused", "连接被拒绝"),
        (
            "TLS: certificate signed by unknown authority",
            "TLS：证书由未知的证书颁发机构签发",
        ),
        ("TLS: certificate has expired", "TLS：证书已过期"),
        ("TLS: certificate is not valid yet", "TLS：证书尚未生效"),
        ("TLS: certificate has been revoked", "TLS：证书已被吊销"),
        (
            "401 Unauthorized: the server did not accept the credentials",
            "401 Unauthorized：服务器不接受所提供的凭据",
        ),
        ("not valid YAML", "不是有效的 YAML"),
    ];
    if let Some((_, zh)) = FIXED.iter().find(|(en, _)| *en == cause) {
        return (*zh).to_string();
    }
    let prefixed: &[(&str, &str)] = &[
        ("DNS: cannot resolve ", "DNS：无法解析 "),
        (
            "TLS: certificate is not valid for ",
            "TLS：证书对以下名称无效：",
        ),
        ("no answer within ", "超时未应答："),
        ("not valid YAML at ", "不是有效的 YAML："),
        ("TLS: ", "TLS："),
    ];
    for (en, zh) in prefixed {
        if let Some(rest) = cause.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    cause.to_string()
}

/// What a live run saw.
#[derive(Debug, Default)]
pub struct Collected {
    /// Sorted by kind, namespace, name.
    pub objects: Vec<Object>,
    /// Object count, kinds not seen, problems.
    pub inputs: Inputs,
    pub version: Option<ServerVersion>,
    /// Anonymous requests, with `--probe`.
    pub probes: Vec<Probe>,
    /// Bytes received in list pages.
    pub bytes: u64,
}

/// The client configuration, from the options.
pub async fn config(options: &Options) -> Result<kube::Config, ConnectError> {
    let kube_options = kube::config::KubeConfigOptions {
        context: options.context.clone(),
        ..Default::default()
    };
    if let Some(path) = &options.kubeconfig {
        let kubeconfig =
            kube::config::Kubeconfig::read_from(path).map_err(|e| ConnectError::Kubeconfig {
                path: path.display().to_string(),
                message: crate::connect::kubeconfig_error(&e.to_string()),
            })?;
        return kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
            .await
            .map_err(|e| ConnectError::Kubeconfig {
                path: path.display().to_string(),
                message: crate::connect::kubeconfig_error(&e.to_string()),
            });
    }
    match kube::Config::from_kubeconfig(&kube_options).await {
        Ok(c) => Ok(c),
        Err(kubeconfig_error) if options.context.is_none() => {
            let said = crate::connect::kubeconfig_error(&kubeconfig_error.to_string());
            kube::Config::incluster()
                .map_err(|e| ConnectError::NoConfig(format!("kubeconfig: {said}; in-cluster: {e}")))
        }
        Err(e) => Err(ConnectError::NoConfig(crate::connect::kubeconfig_error(
            &e.to_string(),
        ))),
    }
}

/// The name of the cluster a live audit is about: the context given, else the kubeconfig's
/// current context, else `in-cluster` (the service account's cluster, or no kubeconfig).
pub fn context_name(kubeconfig: Option<&std::path::Path>, context: Option<&str>) -> String {
    if let Some(c) = context {
        return c.to_string();
    }
    let read = match kubeconfig {
        Some(path) => kube::config::Kubeconfig::read_from(path),
        None => kube::config::Kubeconfig::read(),
    };
    read.ok()
        .and_then(|k| k.current_context)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "in-cluster".to_string())
}

/// Connects and collects, on a runtime of its own.
pub fn run(
    options: &Options,
    plan: &Plan,
    progress: Arc<dyn Progress>,
) -> Result<Collected, ConnectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ConnectError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let config = config(options).await?;
        collect(config, plan, options, progress).await
    })
}

/// Collects everything `plan` asks for from the cluster `config` points at.
pub async fn collect(
    mut config: kube::Config,
    plan: &Plan,
    options: &Options,
    progress: Arc<dyn Progress>,
) -> Result<Collected, ConnectError> {
    // kcheck's own retries (bounded, Retry-After capped) replace kube's, which would retry a
    // 503 fifteen times with delays of up to 1,000 s.
    config.default_retry = false;
    let probes = if options.probe {
        probe(&config, &options.limits).await
    } else {
        Vec::new()
    };
    let server = crate::connect::printable_url(&config.cluster_url);
    let host = crate::connect::host_of(&config.cluster_url);
    let client = crate::connect::client(&config).map_err(ConnectError::Client)?;
    let http = Http::new(client, options.limits.clone()).for_host(&host);
    let version = crate::connect::reach(&http)
        .await
        .map_err(|cause| ConnectError::Unreachable { server, cause })?;
    let discovered = discover(&http, plan).await;
    let mut out = Collected {
        version,
        probes,
        ..Collected::default()
    };
    out.inputs.unavailable = discovered.unavailable;

    let permits = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in discovered.targets.into_iter().enumerate() {
        let secret = target.is_secret();
        let mut jobs = vec![(
            None,
            ListMode {
                metadata_only: secret && !options.read_secret_data,
                field_selector: None,
                keep_secret_data: options.read_secret_data,
                page_size: options.page_size,
            },
        )];
        if secret && !options.read_secret_data {
            for t in SECRET_TYPES {
                jobs.push((
                    Some(*t),
                    ListMode {
                        metadata_only: true,
                        field_selector: Some(format!("type={t}")),
                        keep_secret_data: false,
                        page_size: options.page_size,
                    },
                ));
            }
        }
        for (secret_type, mode) in jobs {
            let (http, target, permits, progress) = (
                http.clone(),
                target.clone(),
                permits.clone(),
                progress.clone(),
            );
            tasks.spawn(async move {
                let Ok(_permit) = permits.acquire_owned().await else {
                    return (index, secret_type, target, Err(closed()));
                };
                if secret_type.is_none() {
                    progress.started(&target.kind);
                }
                let result = list(&http, &target, &mode, progress.as_ref()).await;
                if secret_type.is_none() {
                    progress.finished(&target.kind, result.is_ok());
                }
                (index, secret_type, target, result)
            });
        }
    }
    let mut lists: Vec<(usize, Target, Vec<Object>)> = Vec::new();
    let mut typed: HashMap<usize, Vec<(&'static str, Vec<Object>)>> = HashMap::new();
    let mut failed: HashMap<usize, kcheck_model::Unavailable> = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((index, secret_type, target, result)) = joined else {
            continue;
        };
        match result {
            Ok(listed) => {
                out.bytes += listed.bytes;
                match secret_type {
                    None => lists.push((index, target, listed.objects)),
                    Some(t) => typed.entry(index).or_default().push((t, listed.objects)),
                }
            }
            Err(e) => {
                let mut name = target.qualified();
                if let Some(t) = secret_type {
                    name = format!("{name} (fieldSelector type={t})");
                }
                // The main list's failure names the kind; of the type-filtered ones, the
                // first by name, so that the report does not depend on which ended first.
                let u = unseen::from_error(&target.kind, &name, &e, "list");
                match failed.get(&index) {
                    Some(old) if old.resource == target.qualified() => {}
                    Some(old) if secret_type.is_some() && old.resource <= u.resource => {}
                    _ => {
                        failed.insert(index, u);
                    }
                }
            }
        }
    }
    lists.sort_by_key(|(index, ..)| *index);
    out.objects
        .reserve_exact(lists.iter().map(|(_, _, objects)| objects.len()).sum());
    for (index, target, mut objects) in lists {
        if let Some(u) = failed.remove(&index) {
            out.inputs.unavailable.push(u);
            continue;
        }
        if let Some(types) = typed.remove(&index) {
            name_types(&mut objects, &types);
        }
        let _ = target;
        out.objects.extend(objects);
    }
    out.inputs.unavailable.extend(failed.into_values());
    out.inputs.unavailable.sort();
    out.inputs.unavailable.dedup();
    objects::sort(&mut out.objects);
    out.inputs.objects = out.objects.len();
    Ok(out)
}

/// Sets each Secret's type from the lists filtered by type.
fn name_types(secrets: &mut [Object], types: &[(&'static str, Vec<Object>)]) {
    let mut by_name: HashMap<(Option<&str>, &str), &str> = HashMap::new();
    for (t, listed) in types {
        for o in listed {
            by_name.insert((o.namespace.as_deref(), o.name.as_str()), t);
        }
    }
    let found: Vec<Option<&str>> = secrets
        .iter()
        .map(|s| {
            by_name
                .get(&(s.namespace.as_deref(), s.name.as_str()))
                .copied()
        })
        .collect();
    for (secret, t) in secrets.iter_mut().zip(found) {
        if let Some(t) = t {
            set_secret_type(secret, t);
        }
    }
}

fn closed() -> RequestError {
    RequestError::Transport("the request pool was closed".into())
}

/// Anonymous `GET /api` and `GET /logs/` against the API server, with the cluster's CA but no
/// credentials.
async fn probe(config: &kube::Config, limits: &Limits) -> Vec<Probe> {
    let mut anonymous = config.clone();
    anonymous.auth_info = Default::default();
    let base = config.cluster_url.to_string();
    let base = base.trim_end_matches('/');
    let client = match crate::connect::client(&anonymous) {
        Ok(c) => c,
        Err(e) => {
            return ["/api", "/logs/"]
                .iter()
                .map(|p| Probe {
                    component: ComponentKind::ApiServer,
                    url: format!("{base}{p}"),
                    status: None,
                    outcome: format!("no client: {e}"),
                })
                .collect()
        }
    };
    let http = Http::new(
        client,
        Limits {
            retries: 0,
            ..limits.clone()
        },
    );
    let mut out = Vec::new();
    for path in ["/api", "/logs/"] {
        let (status, outcome) = match http.get(path, None).await {
            Ok(_) => (Some(200), "200 OK".to_string()),
            Err(RequestError::Status { code, reason, .. }) => {
                (Some(code), format!("{code} {reason}"))
            }
            Err(e) => (None, e.to_string()),
        };
        out.push(Probe {
            component: ComponentKind::ApiServer,
            url: format!("{base}{path}"),
            status,
            outcome,
        });
    }
    out
}

#[cfg(test)]
mod message_tests {
    use super::*;
    use kcheck_model::Lang;

    #[test]
    fn connection_errors_in_chinese() {
        let e = ConnectError::Unreachable {
            server: "https://10.0.0.1:6443".into(),
            cause: "TLS: certificate signed by unknown authority".into(),
        };
        assert_eq!(
            e.message(Lang::En),
            "cannot reach https://10.0.0.1:6443: TLS: certificate signed by unknown authority"
        );
        assert_eq!(
            e.message(Lang::Zh),
            "无法连接 https://10.0.0.1:6443：TLS：证书由未知的证书颁发机构签发"
        );
        assert_eq!(cause_in("connection refused", Lang::Zh), "连接被拒绝");
        assert_eq!(
            cause_in("DNS: cannot resolve api.example.test", Lang::Zh),
            "DNS：无法解析 api.example.test"
        );
        assert_eq!(
            cause_in("TLS: certificate is not valid for wrong.test", Lang::Zh),
            "TLS：证书对以下名称无效：wrong.test"
        );
        assert_eq!(cause_in("something new", Lang::Zh), "something new");
        let k = ConnectError::Kubeconfig {
            path: "kc.yaml".into(),
            message: "not valid YAML at line 11, column 9".into(),
        };
        assert_eq!(
            k.message(Lang::Zh),
            "无法读取 kubeconfig kc.yaml：不是有效的 YAML：line 11, column 9"
        );
    }
}

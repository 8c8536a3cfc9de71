//! `kcheck cluster --publish`: server-side apply of kcheck's `wgpolicyk8s.io/v1alpha2`
//! PolicyReports and ClusterPolicyReports (field manager `kcheck`, conflicts forced), then the
//! deletion of kcheck's reports (label `app.kubernetes.io/managed-by=kcheck`) that this run did
//! not write.

use crate::collect::{config, ConnectError, Options};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use std::collections::BTreeSet;

/// The label every kcheck report carries.
pub const SELECTOR: &str = "app.kubernetes.io/managed-by=kcheck";
/// The field manager of kcheck's server-side applies.
pub const FIELD_MANAGER: &str = "kcheck";

/// A report, as `namespace/name` (PolicyReport) or `name` (ClusterPolicyReport).
pub type Key = String;

/// What a publication did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Published {
    /// Applied reports, in the order written.
    pub applied: Vec<Key>,
    /// kcheck's reports of earlier runs that this run did not write, deleted.
    pub deleted: Vec<Key>,
}

/// Why a publication failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Connect(#[from] ConnectError),
    /// The API server does not serve the resource: the CRDs are not installed.
    #[error(
        "the PolicyReport CRDs (wgpolicyk8s.io/v1alpha2 {0}) are not installed in the cluster"
    )]
    NoCrd(&'static str),
    #[error("{action} {what}: {message}")]
    Api {
        action: &'static str,
        what: String,
        message: String,
    },
    #[error("a report document without {0}")]
    Malformed(&'static str),
}

impl PublishError {
    /// The message in `lang`.
    pub fn message(&self, lang: kcheck_model::Lang) -> String {
        if lang == kcheck_model::Lang::En {
            return match self {
                PublishError::Connect(c) => c.message(lang),
                other => other.to_string(),
            };
        }
        match self {
            PublishError::Connect(c) => c.message(lang),
            PublishError::NoCrd(r) => {
                format!("集群中未安装 PolicyReport CRD（wgpolicyk8s.io/v1alpha2 {r}）")
            }
            PublishError::Api {
                action,
                what,
                message,
            } => {
                let action = match *action {
                    "list" => "列出",
                    "apply" => "应用",
                    _ => "删除",
                };
                format!("{action} {what} 失败：{message}")
            }
            PublishError::Malformed(f) => format!("报告文档缺少 {f}"),
        }
    }
}

fn resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("wgpolicyk8s.io", "v1alpha2", kind),
        plural,
    )
}

/// The key of a document (`namespace/name` or `name`), from its metadata.
pub fn key(doc: &serde_json::Value) -> Option<Key> {
    let name = doc["metadata"]["name"].as_str()?;
    Some(match doc["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    })
}

/// The reports of `previous` that are not in `current`, in order.
pub fn stale(previous: &[Key], current: &[Key]) -> Vec<Key> {
    let current: BTreeSet<&Key> = current.iter().collect();
    previous
        .iter()
        .filter(|k| !current.contains(k))
        .cloned()
        .collect()
}

fn api_error(
    action: &'static str,
    what: String,
    plural: &'static str,
    e: kube::Error,
) -> PublishError {
    match e {
        kube::Error::Api(s) if s.code == 404 && action == "list" => PublishError::NoCrd(plural),
        kube::Error::Api(s) => PublishError::Api {
            action,
            what,
            message: format!("{} {}: {}", s.code, s.reason, s.message),
        },
        other => PublishError::Api {
            action,
            what,
            message: other.to_string(),
        },
    }
}

/// Applies `docs` (PolicyReports and ClusterPolicyReports as JSON) to the cluster `options`
/// points at and deletes kcheck's other reports: in `namespace` only when given (a scoped
/// audit), else in every namespace; ClusterPolicyReports always.
pub fn run(
    options: &Options,
    docs: &[serde_json::Value],
    namespace: Option<&str>,
) -> Result<Published, PublishError> {
    with_writer(options, |client| publish(client, docs, namespace))
}

/// Runs `write` with a client for the cluster `options` points at, on a runtime of its own:
/// the writes of `--publish`, which kube does not retry (a failed write is said, not repeated).
pub(crate) fn with_writer<T, E, F, Fut>(options: &Options, write: F) -> Result<T, E>
where
    E: From<ConnectError>,
    F: FnOnce(kube::Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ConnectError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let mut config = config(options).await?;
        config.default_retry = false;
        config.read_timeout = Some(options.limits.timeout);
        let client = crate::connect::client(&config).map_err(ConnectError::Client)?;
        write(client).await
    })
}

async fn publish(
    client: kube::Client,
    docs: &[serde_json::Value],
    namespace: Option<&str>,
) -> Result<Published, PublishError> {
    let namespaced = resource("PolicyReport", "policyreports");
    let cluster = resource("ClusterPolicyReport", "clusterpolicyreports");
    let listed = ListParams::default().labels(SELECTOR);

    // What kcheck published before: also proves the CRDs are there before anything is written.
    let mut previous = Vec::new();
    let cluster_api: Api<DynamicObject> = Api::all_with(client.clone(), &cluster);
    let list = cluster_api.list_metadata(&listed).await.map_err(|e| {
        api_error(
            "list",
            "clusterpolicyreports".into(),
            "clusterpolicyreports",
            e,
        )
    })?;
    for o in &list.items {
        previous.extend(o.metadata.name.clone());
    }
    let reports_api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &namespaced),
        None => Api::all_with(client.clone(), &namespaced),
    };
    let list = reports_api
        .list_metadata(&listed)
        .await
        .map_err(|e| api_error("list", "policyreports".into(), "policyreports", e))?;
    for o in &list.items {
        if let (Some(ns), Some(name)) = (&o.metadata.namespace, &o.metadata.name) {
            previous.push(format!("{ns}/{name}"));
        }
    }

    let params = PatchParams::apply(FIELD_MANAGER).force();
    let mut out = Published::default();
    for doc in docs {
        let name = doc["metadata"]["name"]
            .as_str()
            .ok_or(PublishError::Malformed("metadata.name"))?;
        let key = key(doc).ok_or(PublishError::Malformed("metadata.name"))?;
        let api: Api<DynamicObject> = match doc["metadata"]["namespace"].as_str() {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &namespaced),
            None => Api::all_with(client.clone(), &cluster),
        };
        let plural = if doc["metadata"]["namespace"].is_string() {
            "policyreports"
        } else {
            "clusterpolicyreports"
        };
        api.patch(name, &params, &Patch::Apply(doc))
            .await
            .map_err(|e| api_error("apply", key.clone(), plural, e))?;
        out.applied.push(key);
    }

    for key in stale(&previous, &out.applied) {
        let (api, name, plural): (Api<DynamicObject>, &str, &'static str) =
            match key.split_once('/') {
                Some((ns, name)) => (
                    Api::namespaced_with(client.clone(), ns, &namespaced),
                    name,
                    "policyreports",
                ),
                None => (
                    Api::all_with(client.clone(), &cluster),
                    key.as_str(),
                    "clusterpolicyreports",
                ),
            };
        match api.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            // Gone already (another run, or its namespace being deleted).
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(api_error("delete", key.clone(), plural, e)),
        }
        out.deleted.push(key);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_name_the_namespace_of_policy_reports_only() {
        let ns = json!({"kind": "PolicyReport", "metadata": {"name": "kcheck-apps", "namespace": "apps"}});
        let cl = json!({"kind": "ClusterPolicyReport", "metadata": {"name": "kcheck-cluster"}});
        assert_eq!(key(&ns), Some("apps/kcheck-apps".to_string()));
        assert_eq!(key(&cl), Some("kcheck-cluster".to_string()));
        assert_eq!(key(&json!({"metadata": {}})), None);
    }

    #[test]
    fn stale_reports_are_the_previous_ones_not_written_again() {
        let previous: Vec<Key> = [
            "kcheck-cluster",
            "kcheck-cluster-2",
            "apps/kcheck-apps",
            "old/kcheck-old",
        ]
        .map(String::from)
        .to_vec();
        let current: Vec<Key> = ["kcheck-cluster", "apps/kcheck-apps", "new/kcheck-new"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            stale(&previous, &current),
            vec!["kcheck-cluster-2".to_string(), "old/kcheck-old".to_string()]
        );
        assert_eq!(stale(&current, &current), Vec::<Key>::new());
    }

    #[test]
    fn a_missing_crd_is_said_in_both_languages() {
        let e = PublishError::NoCrd("policyreports");
        assert_eq!(
            e.message(kcheck_model::Lang::En),
            "the PolicyReport CRDs (wgpolicyk8s.io/v1alpha2 policyreports) are not installed in the cluster"
        );
        assert_eq!(
            e.message(kcheck_model::Lang::Zh),
            "集群中未安装 PolicyReport CRD（wgpolicyk8s.io/v1alpha2 policyreports）"
        );
    }
}

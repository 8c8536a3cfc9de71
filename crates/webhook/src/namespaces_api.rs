//! Namespaces from the API server: list once, then watch, relisting when the watch expires or
//! fails. Ready after the first list; until then `/readyz` answers 503, so no review is judged
//! without its namespace context.

use crate::namespaces::{NamespaceMap, NamespaceSource};
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kcheck_model::{Node, Object, Source};
use kube::api::{ListParams, WatchEvent, WatchParams};
use kube::Api;
use std::sync::Arc;
use std::time::Duration;

/// A cache of the cluster's Namespaces, kept current by a watch.
#[derive(Debug, Default)]
pub struct ApiNamespaces {
    map: NamespaceMap,
}

fn object(ns: &Namespace) -> Option<Object> {
    let name = ns.metadata.name.clone()?;
    let json = serde_json::to_value(ns).ok()?;
    Some(Object {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        namespace: None,
        source: Source::Api {
            path: format!("/api/v1/namespaces/{name}").into(),
        },
        name,
        root: Node::from_json(&json),
    })
}

impl ApiNamespaces {
    /// Starts listing and watching with `client`; the task runs until aborted.
    pub fn start(client: kube::Client) -> (Arc<ApiNamespaces>, tokio::task::JoinHandle<()>) {
        let me = Arc::new(ApiNamespaces::default());
        let task = tokio::spawn(me.clone().run(Api::all(client)));
        (me, task)
    }

    async fn run(self: Arc<Self>, api: Api<Namespace>) {
        let mut backoff = Duration::from_millis(500);
        loop {
            match self.list_and_watch(&api).await {
                Ok(()) => backoff = Duration::from_millis(500),
                Err(e) => {
                    tracing::warn!(error = %e, "namespace watch failed; keeping the namespaces already known");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// One list, then watches from its resource version until the server ends the watch
    /// with an error (an expired version: relist) or the connection fails.
    async fn list_and_watch(&self, api: &Api<Namespace>) -> Result<(), kube::Error> {
        let list = api.list(&ListParams::default()).await?;
        let mut version = list.metadata.resource_version.clone().unwrap_or_default();
        self.map.replace(list.items.iter().filter_map(object));
        tracing::info!(namespaces = self.map.len(), "namespaces listed");
        loop {
            let started = std::time::Instant::now();
            let params = WatchParams::default().timeout(290);
            let mut events = api.watch(&params, &version).await?.boxed();
            while let Some(event) = events.next().await {
                match event? {
                    WatchEvent::Added(ns) | WatchEvent::Modified(ns) => {
                        if let Some(v) = &ns.metadata.resource_version {
                            version.clone_from(v);
                        }
                        if let Some(o) = object(&ns) {
                            self.map.upsert(&o);
                        }
                    }
                    WatchEvent::Deleted(ns) => {
                        if let Some(v) = &ns.metadata.resource_version {
                            version.clone_from(v);
                        }
                        if let Some(name) = &ns.metadata.name {
                            self.map.remove(name);
                        }
                    }
                    WatchEvent::Bookmark(b) => version = b.metadata.resource_version,
                    // 410 Gone and the like: start again from a fresh list.
                    WatchEvent::Error(status) => {
                        tracing::info!(code = status.code, "namespace watch ended; relisting");
                        return Ok(());
                    }
                }
            }
            // A server that ends watches at once must not make this loop spin.
            if started.elapsed() < Duration::from_secs(1) {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

impl NamespaceSource for ApiNamespaces {
    fn get(&self, name: &str) -> Option<Object> {
        self.map.get(name)
    }
    fn ready(&self) -> bool {
        self.map.ready()
    }
    fn len(&self) -> usize {
        self.map.len()
    }
}

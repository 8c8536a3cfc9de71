//! The namespace context of a review: the labels and annotations of the reviewed object's
//! Namespace (Pod Security levels, sensitivity marks, node selectors), from a cache.
//!
//! The cache is a trait so that the webhook does not depend on how it is filled: a static file
//! here (`--namespaces FILE`, reloaded when it changes), a watch of the API elsewhere.

use kcheck_model::{Entry, Node, Object, Pos, Source, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// Where the webhook finds Namespaces.
pub trait NamespaceSource: Send + Sync + 'static {
    /// The Namespace of that name, trimmed to what rules read (metadata: name, labels,
    /// annotations).
    fn get(&self, name: &str) -> Option<Object>;
    /// Whether the cache is filled (before that the webhook is not ready).
    fn ready(&self) -> bool;
    /// How many namespaces are known.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// No namespace context: workloads are held to the configured default level.
#[derive(Debug, Default)]
pub struct NoNamespaces;

impl NamespaceSource for NoNamespaces {
    fn get(&self, _: &str) -> Option<Object> {
        None
    }
    fn ready(&self) -> bool {
        true
    }
    fn len(&self) -> usize {
        0
    }
}

/// Keeps only metadata.name, labels and annotations: all the rules read of a Namespace, and
/// a small tree to copy into each review's inventory.
pub fn trim(ns: &Object) -> Object {
    let mut meta = Vec::new();
    if let Some(m) = ns.metadata() {
        for key in ["name", "labels", "annotations"] {
            if let Some(e) = m.entry(key) {
                meta.push(e.clone());
            }
        }
    }
    let s = |v: &str| Node::new(Pos::NONE, Value::String(v.into()));
    let entry = |k: &str, value: Node| Entry {
        key: k.into(),
        key_pos: Pos::NONE,
        value,
    };
    let root = Node::new(
        Pos::NONE,
        Value::Map(vec![
            entry("apiVersion", s("v1")),
            entry("kind", s("Namespace")),
            entry("metadata", Node::new(Pos::NONE, Value::Map(meta))),
        ]),
    );
    Object {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        namespace: None,
        name: ns.name.clone(),
        root,
        source: Source::Api {
            path: format!("/api/v1/namespaces/{}", ns.name).into(),
        },
    }
}

/// A map of namespaces that can be swapped whole.
#[derive(Debug, Default)]
pub struct NamespaceMap {
    map: RwLock<Arc<HashMap<String, Object>>>,
    filled: std::sync::atomic::AtomicBool,
}

impl NamespaceMap {
    pub fn replace(&self, namespaces: impl IntoIterator<Item = Object>) {
        let map: HashMap<String, Object> = namespaces
            .into_iter()
            .filter(|o| o.kind == "Namespace")
            .map(|o| (o.name.clone(), trim(&o)))
            .collect();
        if let Ok(mut m) = self.map.write() {
            *m = Arc::new(map);
        }
        self.filled
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Adds or replaces one namespace (a watch event).
    pub fn upsert(&self, ns: &Object) {
        if let Ok(mut m) = self.map.write() {
            Arc::make_mut(&mut m).insert(ns.name.clone(), trim(ns));
        }
    }

    pub fn remove(&self, name: &str) {
        if let Ok(mut m) = self.map.write() {
            Arc::make_mut(&mut m).remove(name);
        }
    }

    fn snapshot(&self) -> Arc<HashMap<String, Object>> {
        self.map.read().map(|m| m.clone()).unwrap_or_default()
    }
}

impl NamespaceSource for NamespaceMap {
    fn get(&self, name: &str) -> Option<Object> {
        self.map.read().ok()?.get(name).cloned()
    }
    fn ready(&self) -> bool {
        self.filled.load(std::sync::atomic::Ordering::Acquire)
    }
    fn len(&self) -> usize {
        self.snapshot().len()
    }
}

/// Why a namespace file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum NamespaceFileError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
}

/// Namespaces from a YAML or JSON file (a list, a `List`, or `kubectl get ns -o yaml` output),
/// reloaded when the file changes.
#[derive(Debug)]
pub struct FileNamespaces {
    path: PathBuf,
    map: NamespaceMap,
    stamp: RwLock<Option<(SystemTime, u64)>>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl FileNamespaces {
    /// Reads the file; an unreadable or unparsable file is an error here (at start-up), while
    /// a later reload that fails keeps the namespaces already known.
    pub fn open(path: impl Into<PathBuf>) -> Result<Arc<FileNamespaces>, NamespaceFileError> {
        let f = FileNamespaces {
            path: path.into(),
            map: NamespaceMap::default(),
            stamp: RwLock::new(None),
        };
        f.reload()?;
        Ok(Arc::new(f))
    }

    fn reload(&self) -> Result<usize, NamespaceFileError> {
        let before = stamp(&self.path);
        let bytes = std::fs::read(&self.path).map_err(|source| NamespaceFileError::Read {
            path: self.path.display().to_string(),
            source,
        })?;
        let name = self.path.display().to_string();
        let loaded = kcheck_load::load_bytes(&name, &bytes, &kcheck_load::Limits::default());
        if let Some(e) = loaded.inputs.errors().next() {
            return Err(NamespaceFileError::Parse(e.to_string()));
        }
        let objects: Vec<Object> = loaded
            .objects
            .into_iter()
            .filter(|o| o.kind == "Namespace")
            .collect();
        let n = objects.len();
        // Every cluster has namespaces (default, kube-system): a file without any is a write
        // caught half-way or a mistake, never the truth; the namespaces already known stay.
        if n == 0 {
            return Err(NamespaceFileError::Parse(format!(
                "{name}: no Namespace in the file; the namespaces already known are kept"
            )));
        }
        self.map.replace(objects);
        if let Ok(mut s) = self.stamp.write() {
            *s = before;
        }
        Ok(n)
    }

    /// Reloads when the file's modification time or size changed. Returns the new count, or
    /// `None` when nothing changed.
    pub fn poll(&self) -> Option<Result<usize, NamespaceFileError>> {
        let now = stamp(&self.path);
        let known = self.stamp.read().ok().and_then(|s| *s);
        if now.is_none() || now == known {
            return None;
        }
        let result = self.reload();
        if result.is_err() {
            // Not again until the file changes: a broken file is reported once.
            if let Ok(mut s) = self.stamp.write() {
                *s = now;
            }
        }
        Some(result)
    }

    /// Polls the file every `every` until the returned task is aborted.
    pub fn watch(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match me.poll() {
                    Some(Ok(n)) => {
                        tracing::info!(namespaces = n, file = %me.path.display(), "namespaces reloaded")
                    }
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "namespace file not reloaded; keeping the namespaces already known")
                    }
                    None => {}
                }
            }
        })
    }
}

impl NamespaceSource for FileNamespaces {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_is_read_trimmed_and_reloaded() {
        let dir = std::env::temp_dir().join(format!("kcheck-ns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ns.yaml");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: shop\n    labels: {pod-security.kubernetes.io/enforce: restricted}\n    managedFields: [{manager: x}]\n  spec: {finalizers: [kubernetes]}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x, namespace: shop}\n",
        )
        .unwrap();
        let ns = FileNamespaces::open(&path).unwrap();
        assert!(ns.ready());
        assert_eq!(ns.len(), 1);
        let shop = ns.get("shop").unwrap();
        assert_eq!(
            shop.label("pod-security.kubernetes.io/enforce"),
            Some("restricted")
        );
        assert!(shop.root.get("spec").is_none());
        assert!(shop.metadata().unwrap().get("managedFields").is_none());
        assert!(ns.poll().is_none());

        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n",
        )
        .unwrap();
        assert_eq!(ns.poll().unwrap().unwrap(), 2);
        assert_eq!(
            ns.get("shop")
                .unwrap()
                .label("pod-security.kubernetes.io/enforce"),
            None
        );

        // A broken file keeps what was known.
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: [\n",
        )
        .unwrap();
        assert!(ns.poll().unwrap().is_err());
        assert_eq!(ns.len(), 2);
        // So does an empty one (a write caught half-way), and one without a Namespace.
        for text in ["", "apiVersion: v1\nkind: List\nitems: []\n"] {
            std::fs::write(&path, text).unwrap();
            let reloaded = ns.poll().unwrap();
            assert!(
                reloaded
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("no Namespace")),
                "{reloaded:?}"
            );
            assert_eq!(ns.len(), 2);
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

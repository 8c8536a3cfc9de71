//! MicroK8s: one `kubelite` process runs the API server, controller manager, scheduler, kubelet
//! and proxy, each with the flags of its argument file under
//! `/var/snap/microk8s/current/args/` (one flag a line, `${SNAP_DATA}` and `${SNAP}` expanded as
//! the snap does); certificates are in `/var/snap/microk8s/current/certs`; the cluster's state
//! is in dqlite unless etcd is configured.

use super::super::flags::{parse, split_words, Word};
use super::super::Collector;
use super::layout::MICROK8S_DATA;
use kcheck_model::facts::{
    Component, ComponentKind, Datastore, DatastoreKind, FileRole, NodeRole, Origin,
};
use kcheck_model::{text, Location};

const SNAP: &str = "/snap/microk8s/current";

fn expand(word: &str) -> String {
    word.replace("${SNAP_DATA}", MICROK8S_DATA)
        .replace("$SNAP_DATA", MICROK8S_DATA)
        .replace("${SNAP}", SNAP)
        .replace("$SNAP", SNAP)
}

impl Collector<'_> {
    pub(in super::super) fn microk8s(&mut self, role: NodeRole) {
        let kinds: &[ComponentKind] = if role == NodeRole::Worker {
            &[ComponentKind::Kubelet]
        } else {
            &[
                ComponentKind::ApiServer,
                ComponentKind::ControllerManager,
                ComponentKind::Scheduler,
                ComponentKind::Kubelet,
                ComponentKind::Etcd,
            ]
        };
        for &kind in kinds {
            if self.facts.component(kind).is_some() {
                continue;
            }
            let path = format!("{MICROK8S_DATA}/args/{}", kind.binary());
            let Ok(bytes) = self.read(&path) else {
                continue;
            };
            self.file(&path, FileRole::Config, "MicroK8s arguments");
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut words = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
                for (word, col) in split_words(line) {
                    words.push(Word {
                        text: expand(&word),
                        location: Some(Location {
                            file: path.as_str().into(),
                            line: line_no,
                            column: col,
                        }),
                    });
                }
            }
            self.facts.components.push(Component {
                kind,
                origin: Origin::Embedded {
                    host: "kubelite".into(),
                    config: path.clone(),
                },
                flags: parse(&words, kind),
                version: None,
                manifest: None,
            });
        }
        if role == NodeRole::Worker {
            return;
        }
        let etcd = self.facts.component(ComponentKind::Etcd).is_some();
        let datastore = if etcd {
            Datastore {
                kind: DatastoreKind::EmbeddedEtcd,
                endpoint: "https://127.0.0.1:12379".into(),
                location: None,
            }
        } else {
            let backend = format!("{MICROK8S_DATA}/var/kubernetes/backend");
            self.file(
                &backend,
                FileRole::EtcdDataDirectory,
                "MicroK8s dqlite data",
            );
            let endpoint = backend.clone();
            let kind = DatastoreKind::Dqlite.name();
            self.missing(
                "component:etcd",
                None,
                text!(
                    "MicroK8s keeps the cluster's state in {kind} at {endpoint}, not in etcd",
                    "MicroK8s 将集群状态保存在 {kind}（{endpoint}）中，而不是 etcd",
                ),
            );
            Datastore {
                kind: DatastoreKind::Dqlite,
                endpoint,
                location: None,
            }
        };
        self.facts.datastore = Some(datastore);
    }
}

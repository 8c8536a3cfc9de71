//! Kubeadm-like node trees for tests (feature `testing`).
//!
//! A [`NodeTree`] is a description of a node (static pod flags, kubelet flags and configuration,
//! certificates, kubeconfigs, files with modes and owners) that [`NodeTree::build`] writes into
//! a temporary directory, to be collected with `--root` semantics:
//!
//! ```no_run
//! use kcheck_model::ComponentKind;
//! use kcheck_node::testing::{CertSpec, NodeTree};
//!
//! let facts = NodeTree::secure()
//!     .flag(ComponentKind::ApiServer, "anonymous-auth", "true")
//!     .kubelet_config("readOnlyPort", 10255.into())
//!     .mode("/etc/kubernetes/pki/ca.key", 0o644)
//!     .cert("/etc/kubernetes/pki/long.crt", CertSpec::client("x", &["system:masters"], "/etc/kubernetes/pki/ca.crt").days(5 * 365))
//!     .remove("/etc/kubernetes/pki/front-proxy-ca.key")
//!     .facts();
//! assert!(facts.component(ComponentKind::ApiServer).is_some());
//! ```
//!
//! Two starting points:
//! - [`NodeTree::kubeadm_default`]: what `kubeadm init` (v1.30) leaves on a control-plane node,
//!   with flannel as the CNI: RSA-2048 keys, CA for ten years and leaves for one, the CA key on
//!   the node, no audit, no encryption at rest, no admission configuration, `admin.conf` for
//!   group `kubeadm:cluster-admins` and `super-admin.conf` for `system:masters`, certificates
//!   `0644` and keys `0600`, the kubelet configuration `0644`.
//! - [`NodeTree::secure`]: the same node hardened to fail no node check: an offline CA (no
//!   `ca.key`, no cluster-signing flags), no `super-admin.conf`, ECDSA P-256 keys, anonymous auth
//!   and profiling off, the `/logs` handler off, recommended admission plugins with a
//!   PodSecurity and webhook AdmissionConfiguration, audit policy and log with rotation,
//!   encryption at rest (`aescbc` first), kubelet `seccompDefault` and read-only port 0,
//!   bounded service-account token lifetimes, every file `0600` (directories `0700`), etcd's
//!   data directory owned by `etcd`, Calico as the CNI, AppArmor enabled. It keeps two warnings
//!   on purpose, as many hardened clusters do: `aescbc` (KC607 recommends KMS v2 or secretbox)
//!   and the etcd and front-proxy CA keys on the node (KC109's online-CA guidance); tests that
//!   want a fully clean node swap the provider and remove those two keys.

mod build;
mod certs;
mod distros;
mod files;
mod kubeadm;
mod yaml;

pub use build::BuiltNode;
pub use certs::{CertSpec, KeyType};
pub use distros::TEST_TOKEN;

use kcheck_model::ComponentKind;
use serde_json::Value;
use std::collections::BTreeMap;

/// A file's content in a tree.
#[derive(Clone, Debug)]
enum Content {
    Bytes(Vec<u8>),
    Dir,
    Symlink(String),
    /// A certificate (PEM); `key` says where its key goes, if anywhere.
    Cert(CertSpec),
    /// The key of the certificate at this path.
    KeyOf(String),
    /// Certificate and key in one PEM file (the kubelet's rotated client certificate).
    CertAndKey(CertSpec),
    Kubeconfig(KubeconfigSpec),
    StaticPod(ComponentKind),
    KubeletConfig,
    KubeletFlags,
}

#[derive(Clone, Debug)]
struct FileSpec {
    content: Content,
    mode: u32,
    uid: u32,
    gid: u32,
}

/// A kubeconfig's one user and one cluster.
#[derive(Clone, Debug)]
pub struct KubeconfigSpec {
    pub user: String,
    pub cluster: String,
    pub server: String,
    /// Embedded client certificate (and its key).
    pub client_cert: Option<CertSpec>,
    /// Referenced client certificate and key paths.
    pub client_cert_path: Option<(String, String)>,
    /// Host path of the CA certificate embedded as `certificate-authority-data`.
    pub ca: Option<String>,
    pub token: bool,
}

/// A node to write into a temporary directory. Builder methods take and return the tree.
#[derive(Clone, Debug)]
pub struct NodeTree {
    now: i64,
    node_name: String,
    address: String,
    version: String,
    /// Static pods' flags, and the kubelet's (`KUBELET_KUBEADM_ARGS`).
    flags: BTreeMap<ComponentKind, Vec<(String, Option<String>)>>,
    images: BTreeMap<ComponentKind, String>,
    kubelet_config: Value,
    files: BTreeMap<String, FileSpec>,
    /// Certificates whose files were removed: still there to sign others (an offline CA).
    detached: BTreeMap<String, CertSpec>,
}

const KUBELET_CONFIG: &str = "/var/lib/kubelet/config.yaml";
const KUBELET_FLAGS: &str = "/var/lib/kubelet/kubeadm-flags.env";

/// The manifest path of a static pod component.
pub fn manifest_path(kind: ComponentKind) -> String {
    format!("/etc/kubernetes/manifests/{}.yaml", kind.binary())
}

impl NodeTree {
    /// An empty node (only `/etc/passwd` and `/etc/group`), at the current time.
    pub fn empty() -> NodeTree {
        let mut tree = NodeTree {
            now: crate::collect::now(),
            node_name: "node1".into(),
            address: "192.168.0.10".into(),
            version: "v1.30.4".into(),
            flags: BTreeMap::new(),
            images: BTreeMap::new(),
            kubelet_config: Value::Object(Default::default()),
            files: BTreeMap::new(),
            detached: BTreeMap::new(),
        };
        tree = tree
            .file_with_mode(
                "/etc/passwd",
                "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\netcd:x:998:998:etcd:/var/lib/etcd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                0o644,
            )
            .file_with_mode(
                "/etc/group",
                "root:x:0:\ndaemon:x:1:\netcd:x:998:\nnogroup:x:65534:\n",
                0o644,
            );
        tree
    }

    /// What `kubeadm init` produces (see the module documentation).
    pub fn kubeadm_default() -> NodeTree {
        kubeadm::default_tree()
    }

    /// A hardened node: no node check fails, two warn (see the module documentation).
    pub fn secure() -> NodeTree {
        kubeadm::secure_tree()
    }

    /// The same node after `kubeadm join` instead of `kubeadm init`: a worker with the kubelet,
    /// its configuration, client certificate and kubeconfig, the CNI and the cluster CA's
    /// certificate (`/etc/kubernetes/pki/ca.crt`); no control-plane component, key, kubeconfig,
    /// audit, encryption or admission file.
    pub fn worker(self) -> NodeTree {
        kubeadm::worker(self)
    }

    /// The clock the certificates' dates are relative to, and the facts' `now`.
    pub fn at(mut self, now: i64) -> NodeTree {
        self.now = now;
        self
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    /// The Kubernetes version in the control-plane images' tags (`v1.30.4`).
    pub fn version(mut self, version: &str) -> NodeTree {
        self.version = version.to_string();
        self
    }

    /// A component's image (replaces the one made from the version).
    pub fn image(mut self, kind: ComponentKind, image: &str) -> NodeTree {
        self.images.insert(kind, image.to_string());
        self
    }

    // --- flags (static pods; for the kubelet, `KUBELET_KUBEADM_ARGS`) ---

    /// Sets `--name=value`: replaces every occurrence, or appends.
    pub fn flag(mut self, kind: ComponentKind, name: &str, value: &str) -> NodeTree {
        let flags = self.flags.entry(kind).or_default();
        let new = (name.to_string(), Some(value.to_string()));
        match flags.iter().position(|(n, _)| n == name) {
            Some(i) => {
                flags[i] = new;
                let mut seen = false;
                flags.retain(|(n, _)| {
                    let keep = n != name || !seen;
                    seen |= n == name;
                    keep
                });
            }
            None => flags.push(new),
        }
        self
    }

    /// Appends `--name=value` even when the flag is already there (a repeated flag).
    pub fn add_flag(mut self, kind: ComponentKind, name: &str, value: &str) -> NodeTree {
        let flags = self.flags.entry(kind).or_default();
        flags.push((name.to_string(), Some(value.to_string())));
        self
    }

    /// Appends a bare `--name` (a boolean flag without a value).
    pub fn bare_flag(mut self, kind: ComponentKind, name: &str) -> NodeTree {
        let flags = self.flags.entry(kind).or_default();
        flags.push((name.to_string(), None));
        self
    }

    /// Removes every occurrence of `--name`.
    pub fn remove_flag(mut self, kind: ComponentKind, name: &str) -> NodeTree {
        if let Some(flags) = self.flags.get_mut(&kind) {
            flags.retain(|(n, _)| n != name);
        }
        self
    }

    /// The flags as they will be written, in order.
    pub fn flags(&self, kind: ComponentKind) -> &[(String, Option<String>)] {
        self.flags.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// Removes a component: its static pod manifest, or for the kubelet its systemd drop-in,
    /// flags file and configuration.
    pub fn without(self, kind: ComponentKind) -> NodeTree {
        match kind {
            ComponentKind::Kubelet => self
                .remove("/etc/systemd/system/kubelet.service.d")
                .remove(KUBELET_FLAGS)
                .remove(KUBELET_CONFIG),
            _ => self.remove(&manifest_path(kind)),
        }
    }

    // --- kubelet configuration ---

    /// Sets a KubeletConfiguration field by dotted path (`authentication.anonymous.enabled`).
    pub fn kubelet_config(mut self, dotted: &str, value: Value) -> NodeTree {
        let mut node = &mut self.kubelet_config;
        let keys: Vec<&str> = dotted.split('.').collect();
        for (i, key) in keys.iter().enumerate() {
            if !node.is_object() {
                *node = Value::Object(Default::default());
            }
            let Value::Object(map) = node else { break };
            if i + 1 == keys.len() {
                map.insert(key.to_string(), value);
                break;
            }
            node = map
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Default::default()));
        }
        self
    }

    /// Removes a KubeletConfiguration field by dotted path.
    pub fn remove_kubelet_config(mut self, dotted: &str) -> NodeTree {
        let keys: Vec<&str> = dotted.split('.').collect();
        let Some((last, parents)) = keys.split_last() else {
            return self;
        };
        let mut node = &mut self.kubelet_config;
        for key in parents {
            match node.get_mut(*key) {
                Some(next) => node = next,
                None => return self,
            }
        }
        if let Value::Object(map) = node {
            map.remove(*last);
        }
        self
    }

    // --- files ---

    fn put(mut self, path: &str, content: Content, mode: u32) -> NodeTree {
        // A certificate overwritten by other content still signs what it issued.
        if let Some(Content::Cert(spec) | Content::CertAndKey(spec)) =
            self.files.get(path).map(|f| &f.content)
        {
            self.detached.insert(path.to_string(), spec.clone());
        }
        let (uid, gid) = self.files.get(path).map_or((0, 0), |f| (f.uid, f.gid));
        self.files.insert(
            path.to_string(),
            FileSpec {
                content,
                mode,
                uid,
                gid,
            },
        );
        self
    }

    /// A file with this content, mode `0600`, owned by root.
    pub fn file(self, path: &str, content: impl AsRef<[u8]>) -> NodeTree {
        self.file_with_mode(path, content, 0o600)
    }

    pub fn file_with_mode(self, path: &str, content: impl AsRef<[u8]>, mode: u32) -> NodeTree {
        self.put(path, Content::Bytes(content.as_ref().to_vec()), mode)
    }

    /// A directory with this mode (parents not listed are made `0755`).
    pub fn dir(self, path: &str, mode: u32) -> NodeTree {
        self.put(path, Content::Dir, mode)
    }

    /// A symbolic link (an absolute target is inside the tree, as on the node).
    pub fn symlink(self, path: &str, target: &str) -> NodeTree {
        self.put(path, Content::Symlink(target.to_string()), 0o777)
    }

    /// Changes the mode of a file or directory already in the tree (or of a parent directory
    /// the tree makes).
    pub fn mode(mut self, path: &str, mode: u32) -> NodeTree {
        match self.files.get_mut(path) {
            Some(f) => f.mode = mode,
            None => {
                self = self.dir(path, mode);
            }
        }
        self
    }

    /// Changes the owner of a file already in the tree (or makes it a directory).
    pub fn owner(mut self, path: &str, uid: u32, gid: u32) -> NodeTree {
        if !self.files.contains_key(path) {
            self = self.dir(path, 0o755);
        }
        if let Some(f) = self.files.get_mut(path) {
            f.uid = uid;
            f.gid = gid;
        }
        self
    }

    /// Removes a file, or a directory and everything under it.
    pub fn remove(mut self, path: &str) -> NodeTree {
        let under = format!("{}/", path.trim_end_matches('/'));
        let gone = |p: &str| p == path || p.starts_with(&under);
        for (p, f) in &self.files {
            if let (true, Content::Cert(spec) | Content::CertAndKey(spec)) = (gone(p), &f.content) {
                self.detached.insert(p.clone(), spec.clone());
            }
        }
        self.files.retain(|p, _| !gone(p));
        self
    }

    /// Whether the tree has a file at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// A certificate at `path` (mode `0644`) and its key beside it (`.crt` becomes `.key`, mode
    /// `0600`).
    pub fn cert(self, path: &str, spec: CertSpec) -> NodeTree {
        let key = key_path(path);
        self.cert_with_key(path, Some(&key), spec)
    }

    /// A certificate at `path`, with its key at `key` or nowhere.
    pub fn cert_with_key(mut self, path: &str, key: Option<&str>, spec: CertSpec) -> NodeTree {
        let mode = self.files.get(path).map_or(0o644, |f| f.mode);
        self = self.put(path, Content::Cert(spec), mode);
        if let Some(key) = key {
            let mode = self.files.get(key).map_or(0o600, |f| f.mode);
            self = self.put(key, Content::KeyOf(path.to_string()), mode);
        }
        self
    }

    /// The specification of the certificate at `path`, to change and put back with
    /// [`NodeTree::cert`].
    pub fn cert_spec(&self, path: &str) -> Option<CertSpec> {
        match self.files.get(path).map(|f| &f.content) {
            Some(Content::Cert(s) | Content::CertAndKey(s)) => Some(s.clone()),
            Some(Content::Kubeconfig(k)) => k.client_cert.clone(),
            _ => self.detached.get(path).cloned(),
        }
    }

    /// Changes the lifetime (days from the start of validity) of the certificate at `path`, or
    /// of the client certificate embedded in the kubeconfig at `path`.
    pub fn cert_lifetime(mut self, path: &str, days: i64) -> NodeTree {
        if let Some(f) = self.files.get_mut(path) {
            match &mut f.content {
                Content::Cert(s) | Content::CertAndKey(s) => s.lifetime_days = days,
                Content::Kubeconfig(KubeconfigSpec {
                    client_cert: Some(s),
                    ..
                }) => s.lifetime_days = days,
                _ => {}
            }
        }
        self
    }

    /// A certificate and its key in one PEM file (like the kubelet's rotated client
    /// certificate).
    pub fn cert_and_key(self, path: &str, spec: CertSpec) -> NodeTree {
        self.put(path, Content::CertAndKey(spec), 0o600)
    }

    /// A kubeconfig (mode `0600`).
    pub fn kubeconfig(self, path: &str, spec: KubeconfigSpec) -> NodeTree {
        self.put(path, Content::Kubeconfig(spec), 0o600)
    }

    /// Replaces the client certificate embedded in the kubeconfig at `path`.
    pub fn kubeconfig_cert(mut self, path: &str, spec: CertSpec) -> NodeTree {
        if let Some(FileSpec {
            content: Content::Kubeconfig(k),
            ..
        }) = self.files.get_mut(path)
        {
            k.client_cert = Some(spec);
            k.client_cert_path = None;
        }
        self
    }

    /// The LSM files under `/sys`: AppArmor's `enabled` (`Y`/`N`), SELinux's `enforce`
    /// (`1`/`0`), the active list. `None` leaves a file out.
    pub fn lsm(
        mut self,
        apparmor: Option<bool>,
        selinux: Option<bool>,
        active: &[&str],
    ) -> NodeTree {
        self = self
            .remove("/sys/module/apparmor")
            .remove("/sys/fs/selinux")
            .remove("/sys/kernel/security/lsm");
        if let Some(on) = apparmor {
            let v = if on { "Y\n" } else { "N\n" };
            self = self.file_with_mode("/sys/module/apparmor/parameters/enabled", v, 0o444);
        }
        if let Some(enforcing) = selinux {
            let v = if enforcing { "1" } else { "0" };
            self = self.file_with_mode("/sys/fs/selinux/enforce", v, 0o644);
        }
        if !active.is_empty() {
            self = self.file_with_mode("/sys/kernel/security/lsm", active.join(","), 0o444);
        }
        self
    }

    /// A CNI configuration file in `/etc/cni/net.d`.
    pub fn cni(self, file_name: &str, json: &Value) -> NodeTree {
        let text = serde_json::to_string_pretty(json).unwrap_or_default();
        self.file_with_mode(&format!("/etc/cni/net.d/{file_name}"), text, 0o644)
    }
}

fn key_path(cert: &str) -> String {
    match cert.strip_suffix(".crt") {
        Some(stem) => format!("{stem}.key"),
        None => format!("{cert}.key"),
    }
}

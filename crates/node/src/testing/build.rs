//! Writing a [`NodeTree`] to disk: certificates made in dependency order, kubeconfigs and
//! generated files rendered, modes and owners applied last.

use super::{certs, kubeadm, yaml, Content, FileSpec, KubeconfigSpec, NodeTree};
use crate::collect::{collect_with_inputs, Collected, Options};
use certs::Made;
use kcheck_model::NodeFacts;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

impl NodeTree {
    /// Writes the tree into a new temporary directory.
    pub fn build(&self) -> BuiltNode {
        let dir = tempfile::Builder::new()
            .prefix("kcheck-node-tree-")
            .tempdir()
            .expect("a temporary directory");
        let mut made: BTreeMap<String, Made> = BTreeMap::new();
        let mut serial = 1000;
        let mut dirs: Vec<(PathBuf, &FileSpec)> = Vec::new();
        for (path, spec) in &self.files {
            let real = dir.path().join(path.trim_start_matches('/'));
            if let Some(parent) = real.parent() {
                std::fs::create_dir_all(parent).expect("parent directories");
            }
            let bytes: Vec<u8> = match &spec.content {
                Content::Dir => {
                    std::fs::create_dir_all(&real).expect("directory");
                    dirs.push((real, spec));
                    continue;
                }
                Content::Symlink(target) => {
                    std::os::unix::fs::symlink(target, &real).expect("symlink");
                    continue;
                }
                Content::Bytes(b) => b.clone(),
                Content::Cert(_) => self
                    .made(path, &mut made, &mut serial)
                    .cert_pem
                    .clone()
                    .into(),
                Content::KeyOf(cert) => self
                    .made(cert, &mut made, &mut serial)
                    .key_pem
                    .clone()
                    .into(),
                Content::CertAndKey(_) => {
                    let m = self.made(path, &mut made, &mut serial);
                    format!("{}{}", m.cert_pem, m.key_pem).into()
                }
                Content::Kubeconfig(k) => self
                    .render_kubeconfig(path, k, &mut made, &mut serial)
                    .into(),
                Content::StaticPod(kind) => kubeadm::static_pod(self, *kind).into(),
                Content::KubeletConfig => yaml::to_yaml(&self.kubelet_config).into(),
                Content::KubeletFlags => kubeadm::kubelet_flags_env(self).into(),
            };
            std::fs::write(&real, bytes).expect("write");
            set_meta(&real, spec);
        }
        // Directories last, so that a `0700` or `000` directory does not stop its files.
        for (real, spec) in dirs.into_iter().rev() {
            set_meta(&real, spec);
        }
        BuiltNode { dir, now: self.now }
    }

    /// Builds, collects, and removes the tree.
    pub fn facts(&self) -> NodeFacts {
        self.build().collect()
    }

    fn made<'m>(
        &self,
        path: &str,
        made: &'m mut BTreeMap<String, Made>,
        serial: &mut u64,
    ) -> &'m Made {
        if !made.contains_key(path) {
            let spec = self
                .cert_spec(path)
                .unwrap_or_else(|| panic!("no certificate at {path}"));
            if let Some(issuer) = &spec.issuer {
                self.made(issuer, made, serial);
            }
            *serial += 1;
            let issuer = spec
                .issuer
                .as_ref()
                .and_then(|i| made.get(i))
                .map(|m| (&m.params, &m.key));
            let m = certs::make(&spec, path, self.now, *serial, issuer);
            made.insert(path.to_string(), m);
        }
        &made[path]
    }

    fn render_kubeconfig(
        &self,
        path: &str,
        k: &KubeconfigSpec,
        made: &mut BTreeMap<String, Made>,
        serial: &mut u64,
    ) -> String {
        let b64 = |s: &str| data_encoding::BASE64.encode(s.as_bytes());
        let mut cluster = serde_json::Map::new();
        if let Some(ca) = &k.ca {
            let pem = self.made(ca, made, serial).cert_pem.clone();
            cluster.insert("certificate-authority-data".into(), b64(&pem).into());
        }
        cluster.insert("server".into(), k.server.clone().into());
        let mut user = serde_json::Map::new();
        if let Some(spec) = &k.client_cert {
            let slot = format!("{path}#{}", k.user);
            if !made.contains_key(&slot) {
                *serial += 1;
                let issuer_path = spec.issuer.clone();
                if let Some(i) = &issuer_path {
                    self.made(i, made, serial);
                }
                let issuer = issuer_path
                    .as_ref()
                    .and_then(|i| made.get(i))
                    .map(|m| (&m.params, &m.key));
                let m = certs::make(spec, &slot, self.now, *serial, issuer);
                made.insert(slot.clone(), m);
            }
            let m = &made[&slot];
            user.insert("client-certificate-data".into(), b64(&m.cert_pem).into());
            user.insert("client-key-data".into(), b64(&m.key_pem).into());
        }
        if let Some((cert, key)) = &k.client_cert_path {
            user.insert("client-certificate".into(), cert.clone().into());
            user.insert("client-key".into(), key.clone().into());
        }
        if k.token {
            user.insert("token".into(), "test-token-not-a-secret".into());
        }
        let context = format!("{}@{}", k.user, k.cluster);
        let doc = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": k.cluster, "cluster": cluster}],
            "contexts": [{"name": context, "context": {"cluster": k.cluster, "user": k.user}}],
            "current-context": context,
            "preferences": {},
            "users": [{"name": k.user, "user": user}],
        });
        yaml::to_yaml(&doc)
    }
}

fn set_meta(real: &Path, spec: &FileSpec) {
    // Not root: chown to another user fails; the mode still applies.
    let _ = std::os::unix::fs::chown(real, Some(spec.uid), Some(spec.gid));
    let _ = std::fs::set_permissions(real, std::fs::Permissions::from_mode(spec.mode));
}

/// A tree written to disk; removed when dropped.
pub struct BuiltNode {
    dir: tempfile::TempDir,
    now: i64,
}

impl BuiltNode {
    /// The directory that plays the node's `/`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The real path of a host path in the tree.
    pub fn path(&self, host: &str) -> PathBuf {
        self.root().join(host.trim_start_matches('/'))
    }

    /// Options for collecting this tree: its root, the tree's clock, processes from
    /// `<root>/proc` (absent, so none).
    pub fn options(&self) -> Options {
        Options::new(self.root()).with_now(self.now)
    }

    pub fn collect(&self) -> NodeFacts {
        self.collect_with_inputs().facts
    }

    /// Keeps the tree on disk (it is no longer removed) and returns its directory.
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }

    pub fn collect_with_inputs(&self) -> Collected {
        collect_with_inputs(&self.options())
    }
}

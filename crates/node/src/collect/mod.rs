//! Reads one node into [`NodeFacts`]: static pods, processes, the kubelet's configuration,
//! kubeconfigs, the PKI, the configuration files the flags name, CNI, LSM and the modes of every
//! file that matters. Facts only: nothing here decides what is good.
//!
//! Every path in the facts is a host path (`/etc/kubernetes/pki/ca.key`); [`Options::root`]
//! says where the host's `/` is, and symlinks are followed inside it.
//!
//! What could not be had is a [`Missing`] entry with one of these `what` keys:
//!
//! | key | when |
//! |---|---|
//! | `component:kube-apiserver` (and `kube-controller-manager`, `kube-scheduler`, `kubelet`, `etcd`) | no static pod, no process (for the kubelet: nor a kubeadm systemd drop-in) |
//! | `manifests` | the static pod directory is absent or unreadable |
//! | `processes` | the proc directory could not be listed (processes were not looked at) |
//! | `config:kubelet` | the kubelet's `--config` (default `/var/lib/kubelet/config.yaml`) is absent, unreadable or not a mapping |
//! | `config:encryption`, `config:admission`, `config:audit-policy` | the apiserver flag names a file that cannot be read or parsed |
//! | `config:admission-plugin`, `config:admission-webhook-kubeconfig` | a file an admission configuration names cannot be read (its `path` says which) |
//! | `kubeconfig` | a kubeconfig a flag names cannot be read or parsed (`path` says which) |
//! | `certificate` | a certificate or key file a flag or kubeconfig names cannot be read or decoded (`path`) |
//! | `pki` | the PKI directory (`/etc/kubernetes/pki`) is absent or unreadable |
//! | `cni` | no CNI configuration in `/etc/cni/net.d` |
//! | `lsm` | none of the LSM files under `/sys` could be read |
//!
//! Files that are looked for but absent are still [`FileFact`]s, with [`FileStat::Missing`].
//! Input that is there but broken (a manifest that does not parse, a file too large) is also a
//! [`Diagnostic`] in [`Collected::inputs`].

mod cni_lsm;
mod components;
mod configs;
pub mod distro;
mod flags;
mod host;
mod kubeconfig;
mod pki;

use host::Host;
use kcheck_model::facts::{FileFact, FileRole, Missing};
use kcheck_model::{Diagnostic, DiagnosticSeverity, Inputs, NodeFacts, Text};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use kcheck_pki::hex;

/// Largest file read by default (a certificate bundle, a manifest).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where and how to look.
#[derive(Clone, Debug)]
pub struct Options {
    /// The directory that is the host's `/` (`/` on a live node, `/host` in a Job).
    pub root: PathBuf,
    /// Where processes are listed: `<root>/proc` unless set (tests use a tree for files and the
    /// real `/proc`).
    pub proc_dir: PathBuf,
    /// The static pod directory, as a host path; `None`: the distribution's
    /// (`/etc/kubernetes/manifests` for kubeadm).
    pub manifests_dir: Option<String>,
    /// The distribution to read the node as (`--distro`); `None`: detect it.
    pub distro: Option<kcheck_model::Distro>,
    /// Seconds since the Unix epoch, for the facts' `now`.
    pub now: i64,
    /// Files larger than this are not read (an error is recorded instead).
    pub max_file_bytes: u64,
}

impl Options {
    /// Defaults for a node whose `/` is `root`: proc under it, kubeadm's manifest directory,
    /// the current time.
    pub fn new(root: impl Into<PathBuf>) -> Options {
        let root = root.into();
        Options {
            proc_dir: root.join("proc"),
            root,
            manifests_dir: None,
            distro: None,
            now: now(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }

    pub fn with_proc_dir(mut self, proc_dir: impl Into<PathBuf>) -> Options {
        self.proc_dir = proc_dir.into();
        self
    }

    pub fn with_manifests_dir(mut self, dir: impl Into<String>) -> Options {
        self.manifests_dir = Some(dir.into());
        self
    }

    /// Reads the node as this distribution instead of detecting it (`--distro`).
    pub fn with_distro(mut self, distro: kcheck_model::Distro) -> Options {
        self.distro = Some(distro);
        self
    }

    pub fn with_now(mut self, now: i64) -> Options {
        self.now = now;
        self
    }
}

impl Default for Options {
    fn default() -> Options {
        Options::new("/")
    }
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A scan's facts and an account of what was read, with the problems met.
#[derive(Debug, Default)]
pub struct Collected {
    pub facts: NodeFacts,
    pub inputs: Inputs,
}

/// Collects the facts of the node under `opts.root`.
pub fn collect(opts: &Options) -> NodeFacts {
    collect_with_inputs(opts).facts
}

/// Collects the facts and the diagnostics (files that could not be read or parsed).
pub fn collect_with_inputs(opts: &Options) -> Collected {
    let mut c = Collector::new(opts);
    c.processes();
    c.detect();
    c.static_pods();
    c.distro_components();
    c.kubelet_service();
    c.missing_components();
    c.component_files();
    c.kubelet_config();
    c.kubeconfigs();
    c.pki_dir();
    c.named_pki_files();
    c.cni();
    c.lsm();
    c.finish()
}

/// A file to stat at the end, with every reason it matters.
struct FileEntry {
    role: FileRole,
    reasons: Vec<String>,
}

pub(crate) struct Collector<'a> {
    opts: &'a Options,
    host: Host,
    facts: NodeFacts,
    inputs: Inputs,
    files: BTreeMap<String, FileEntry>,
    /// Certificate and key files already decoded: real path to the host path first read.
    decoded: BTreeMap<String, String>,
    /// Certificate and key files named outside flags (the kubelet configuration), to decode.
    named_files: Vec<(String, FileRole, String)>,
    /// Kubeconfigs named outside flags (admission webhooks), to read.
    extra_kubeconfigs: Vec<(String, String)>,
    /// Where this node's distribution keeps things (kubeadm's until detected).
    layout: distro::Layout,
    /// Processes of distributions that embed the components (`k3s server`, `kubelite`).
    distro_procs: Vec<distro::DistroProcess>,
    /// k3s's or RKE2's configuration, read once at detection.
    rancher: Option<distro::rancher::Loaded>,
}

impl<'a> Collector<'a> {
    fn new(opts: &'a Options) -> Collector<'a> {
        Collector {
            opts,
            host: Host::new(&opts.root, opts.max_file_bytes),
            facts: NodeFacts {
                root: opts.root.display().to_string(),
                now: opts.now,
                ..NodeFacts::default()
            },
            inputs: Inputs::default(),
            files: BTreeMap::new(),
            decoded: BTreeMap::new(),
            named_files: Vec::new(),
            extra_kubeconfigs: Vec::new(),
            layout: distro::Layout::of(
                kcheck_model::Distro::Kubeadm,
                kcheck_model::NodeRole::Unknown,
            ),
            distro_procs: Vec::new(),
            rancher: None,
        }
    }

    /// Records that a file matters, and why. A stronger role wins (the CA key over a key, a key
    /// over a certificate).
    fn file(&mut self, path: &str, role: FileRole, reason: &str) {
        let path = host::normalize(path);
        let entry = self.files.entry(path).or_insert(FileEntry {
            role,
            reasons: Vec::new(),
        });
        if role_rank(role) > role_rank(entry.role) {
            entry.role = role;
        }
        if !entry.reasons.iter().any(|r| r == reason) {
            entry.reasons.push(reason.to_string());
        }
    }

    fn missing(&mut self, what: &str, path: Option<&str>, reason: Text) {
        let path = path.map(str::to_string);
        if self
            .facts
            .missing
            .iter()
            .any(|m| m.what == what && m.path == path)
        {
            return;
        }
        self.facts.missing.push(Missing {
            what: what.to_string(),
            path,
            reason,
        });
    }

    fn diagnostic(&mut self, file: &str, severity: DiagnosticSeverity, message: String) {
        self.inputs.diagnostics.push(Diagnostic {
            file: file.into(),
            line: 0,
            column: 0,
            severity,
            message: Text::new(message.clone(), message),
        });
    }

    /// Reads a file for its content; a file that is there but cannot be read is a diagnostic.
    /// `None` when absent or unreadable.
    fn read(&mut self, path: &str) -> Result<Vec<u8>, host::ReadError> {
        let result = self.host.read(path);
        match &result {
            Ok(bytes) => {
                self.inputs.files_read += 1;
                self.inputs.bytes_read += bytes.len() as u64;
            }
            Err(host::ReadError::NotFound) => {}
            Err(e) => {
                let message = format!("cannot be read: {e}");
                self.diagnostic(path, DiagnosticSeverity::Error, message);
            }
        }
        result
    }

    fn finish(mut self) -> Collected {
        let files = std::mem::take(&mut self.files);
        for (path, entry) in files {
            let stat = self.host.stat(&path);
            self.facts.files.push(FileFact {
                stat,
                path,
                role: entry.role,
                reason: entry.reasons.join(", "),
            });
        }
        self.inputs.diagnostics.sort();
        self.inputs.diagnostics.dedup();
        Collected {
            facts: self.facts,
            inputs: self.inputs,
        }
    }
}

fn role_rank(role: FileRole) -> u8 {
    match role {
        FileRole::CaKey => 4,
        FileRole::PrivateKey => 3,
        FileRole::Other => 0,
        _ => 1,
    }
}

/// `what: no such file` / `what：文件不存在`, where `what` names the file's user
/// (`kubelet --config`).
fn no_such_file(what: &str) -> Text {
    Text::new(
        format!("{what}: no such file"),
        format!("{what}：文件不存在"),
    )
}

/// `what: not a YAML or JSON mapping`, in both languages.
fn not_a_mapping(what: &str) -> Text {
    Text::new(
        format!("{what}: not a YAML or JSON mapping"),
        format!("{what}：不是 YAML 或 JSON 映射"),
    )
}

/// `what: ` and the operating system's error, which is not translated.
fn error_of(what: &str, error: &dyn std::fmt::Display) -> Text {
    Text::new(format!("{what}: {error}"), format!("{what}：{error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_root_is_all_missing() {
        let dir = std::env::temp_dir().join(format!("kcheck-node-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let facts = collect(&Options::new(&dir).with_now(1));
        for what in [
            "component:kube-apiserver",
            "component:kubelet",
            "component:etcd",
            "manifests",
            "processes",
            "config:kubelet",
            "pki",
            "cni",
            "lsm",
        ] {
            assert!(facts.missing(what).is_some(), "{what}: {:?}", facts.missing);
        }
        assert!(facts.components.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Effective admission plugins: the version's defaults, plus enabled, minus disabled; and where
//! a plugin's configuration is in the AdmissionConfiguration ([`plugin_config`]).
//!
//! kube-apiserver turns a plugin on when it is on by default or named in
//! `--enable-admission-plugins`, and off when it is named in `--disable-admission-plugins`
//! (naming a plugin in both is a start-up error). The deprecated `--admission-control` flag, when
//! given, is the whole list instead. The defaults changed over the releases; the table below is
//! the default-on set of `pkg/kubeapiserver/options/plugins.go` (`DefaultOffAdmissionPlugins`)
//! per minor version, as printed by `kube-apiserver --help` for `--enable-admission-plugins`:
//!
//! | minor | default-on set |
//! |---|---|
//! | 1.23 to 1.25 | the 18 plugins of [`BASE`] (PodSecurity among them: beta in 1.23/1.24, GA in 1.25) |
//! | 1.26 | + ValidatingAdmissionPolicy |
//! | 1.27 to 1.31 | + ClusterTrustBundleAttest |
//! | 1.32 | + MutatingAdmissionPolicy |
//! | 1.33 and 1.34 | + PodTopologyLabels |
//! | 1.35 | + NodeDeclaredFeatureValidator |
//! | 1.36 | + PodGroupProtection, PodGroupWorkloadExists, JobValidation, PodResizeValidator |
//! | 1.37 | PodGroupWorkloadExists and JobValidation gone again (v1.37.2 checked against a running kube-apiserver in tests/e2e) |
//!
//! Newer minors are read with the 1.37 set; older ones and unknown versions with the 18 plugins
//! every known version has, which include every plugin the checklist asks to keep on.

use crate::NodePlace;
use kcheck_model::facts::{Component, ComponentKind, ConfigDoc, ConfigRole};
use kcheck_model::{Node, NodeFacts};
use std::collections::BTreeSet;

/// Plugins on by default in every minor version from 1.23 on.
pub const BASE: &[&str] = &[
    "NamespaceLifecycle",
    "LimitRanger",
    "ServiceAccount",
    "TaintNodesByCondition",
    "PodSecurity",
    "Priority",
    "DefaultTolerationSeconds",
    "DefaultStorageClass",
    "StorageObjectInUseProtection",
    "PersistentVolumeClaimResize",
    "RuntimeClass",
    "CertificateApproval",
    "CertificateSigning",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
];

/// Plugins that joined the default-on set: the first minor version that has them, and the last
/// one when they left it again.
pub const ADDED: &[(&str, u32, Option<u32>)] = &[
    ("ValidatingAdmissionPolicy", 26, None),
    ("ClusterTrustBundleAttest", 27, None),
    ("MutatingAdmissionPolicy", 32, None),
    ("PodTopologyLabels", 33, None),
    ("NodeDeclaredFeatureValidator", 35, None),
    ("PodGroupProtection", 36, None),
    ("PodResizeValidator", 36, None),
    ("PodGroupWorkloadExists", 36, Some(36)),
    ("JobValidation", 36, Some(36)),
];

/// The oldest and newest minor versions whose defaults kcheck knows.
pub const KNOWN_MINORS: (u32, u32) = (23, 37);

/// How the defaults were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The component's own minor version, inside the known range.
    Version(u32),
    /// A version outside the known range, read with the nearest known one.
    Nearest { actual: u32, used: u32 },
    /// The version is unknown: the plugins every known version has.
    Unknown,
}

/// The plugins on by default for a minor version (see the module table).
pub fn default_plugins(minor: Option<u32>) -> (BTreeSet<&'static str>, Basis) {
    let (lo, hi) = KNOWN_MINORS;
    let (used, basis) = match minor {
        Some(m) if (lo..=hi).contains(&m) => (Some(m), Basis::Version(m)),
        Some(m) if m > hi => (
            Some(hi),
            Basis::Nearest {
                actual: m,
                used: hi,
            },
        ),
        Some(m) => (
            Some(lo),
            Basis::Nearest {
                actual: m,
                used: lo,
            },
        ),
        None => (None, Basis::Unknown),
    };
    let mut set: BTreeSet<&'static str> = BASE.iter().copied().collect();
    if let Some(used) = used {
        set.extend(
            ADDED
                .iter()
                .filter(|(_, since, until)| used >= *since && until.is_none_or(|u| used <= u))
                .map(|(p, ..)| *p),
        );
    }
    (set, basis)
}

/// Which flag decided a plugin's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decided {
    /// The version's default.
    Default,
    /// `--enable-admission-plugins` or `--admission-control`.
    Enabled,
    /// `--disable-admission-plugins`.
    Disabled,
}

/// The admission plugins a kube-apiserver runs with.
#[derive(Clone, Debug)]
pub struct EffectivePlugins {
    pub plugins: BTreeSet<String>,
    pub basis: Basis,
    /// `--admission-control` (deprecated) was given: it names the whole set.
    pub legacy_flag: bool,
    /// Plugins named both enabled and disabled: kube-apiserver refuses to start with them.
    pub conflicting: Vec<String>,
    enabled: BTreeSet<String>,
    disabled: BTreeSet<String>,
}

impl EffectivePlugins {
    pub fn has(&self, plugin: &str) -> bool {
        self.plugins.contains(plugin)
    }

    /// The flag responsible for a plugin being on or off.
    pub fn decided_by(&self, plugin: &str) -> Decided {
        if self.enabled.contains(plugin) {
            Decided::Enabled
        } else if self.disabled.contains(plugin) {
            Decided::Disabled
        } else {
            Decided::Default
        }
    }

    /// The flag to point a finding about `plugin` at.
    pub fn flag_for(&self, plugin: &str) -> &'static str {
        match (self.decided_by(plugin), self.legacy_flag) {
            (Decided::Disabled, _) => "disable-admission-plugins",
            (_, true) => "admission-control",
            _ => "enable-admission-plugins",
        }
    }

    /// Whether the version used for the defaults is the component's own.
    pub fn version_known(&self) -> bool {
        matches!(self.basis, Basis::Version(_))
    }
}

/// The effective admission plugins of a kube-apiserver (for another component, the empty set
/// with its version basis).
pub fn effective_plugins(component: &Component) -> EffectivePlugins {
    let (defaults, basis) = default_plugins(component.minor());
    let flags = &component.flags;
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<BTreeSet<_>>();
    let legacy = flags.has("admission-control");
    let enabled = owned(flags.list("enable-admission-plugins"));
    let disabled = owned(flags.list("disable-admission-plugins"));
    let conflicting: Vec<String> = enabled.intersection(&disabled).cloned().collect();
    let plugins: BTreeSet<String> = if component.kind != ComponentKind::ApiServer {
        BTreeSet::new()
    } else if legacy {
        // `--admission-control` replaces the defaults: exactly the plugins it names.
        owned(flags.list("admission-control"))
    } else {
        defaults
            .iter()
            .map(|p| (*p).to_string())
            .filter(|p| !disabled.contains(p))
            .chain(enabled.iter().cloned())
            .collect()
    };
    let enabled = if legacy {
        owned(flags.list("admission-control"))
    } else {
        enabled
    };
    EffectivePlugins {
        plugins,
        basis,
        legacy_flag: legacy,
        conflicting,
        enabled,
        disabled,
    }
}

/// A sentence saying which defaults were assumed when the version is not one kcheck knows;
/// `None` for a known version.
pub fn basis_note(basis: Basis) -> Option<(String, String)> {
    match basis {
        Basis::Version(_) => None,
        Basis::Nearest { actual, used } => Some((
            format!("kube-apiserver v1.{actual} is outside the versions kcheck knows; the default admission plugins of v1.{used} are assumed"),
            format!("kube-apiserver v1.{actual} 不在 kcheck 已知的版本范围内；按 v1.{used} 的默认准入插件判断"),
        )),
        Basis::Unknown => Some((
            "kube-apiserver's version is unknown; the default admission plugins common to v1.23 to v1.37 are assumed".to_string(),
            "kube-apiserver 版本未知；按 v1.23 至 v1.37 共有的默认准入插件判断".to_string(),
        )),
    }
}

/// Where a plugin's configuration is, as an AdmissionConfiguration (`--admission-control-config-file`)
/// gives it: inline under `plugins[i].configuration`, or in a file named by `plugins[i].path`
/// (relative paths are taken from the AdmissionConfiguration's directory, as kube-apiserver does).
pub enum PluginConfig<'a> {
    Inline {
        admission: &'a ConfigDoc,
        /// `plugins[2].configuration`
        at: String,
        node: &'a Node,
    },
    File {
        doc: &'a ConfigDoc,
    },
    /// `path` names a file the scan has no parsed document for.
    Unread {
        admission: &'a ConfigDoc,
        /// `plugins[2].path`
        at: String,
        path: String,
    },
    /// No entry for the plugin (or no AdmissionConfiguration).
    Absent,
}

impl<'a> PluginConfig<'a> {
    /// The configuration's root, when it could be read.
    pub fn node(&self) -> Option<&'a Node> {
        match self {
            PluginConfig::Inline { node, .. } => Some(node),
            PluginConfig::File { doc } => Some(&doc.object.root),
            _ => None,
        }
    }

    /// A field of the configuration (`defaults.enforce`), for a finding.
    pub fn place(&self, field: &str) -> NodePlace {
        let join = |base: &str| {
            if field.is_empty() {
                base.to_string()
            } else {
                format!("{base}.{field}")
            }
        };
        match self {
            PluginConfig::Inline { admission, at, .. } => NodePlace::config(admission, &join(at)),
            PluginConfig::File { doc } => NodePlace::config(doc, field),
            PluginConfig::Unread { path, .. } => NodePlace::file(path),
            PluginConfig::Absent => NodePlace::default(),
        }
    }

    /// The file the configuration lives in.
    pub fn file(&self) -> Option<&str> {
        match self {
            PluginConfig::Inline { admission, .. } => Some(&admission.path),
            PluginConfig::File { doc } => Some(&doc.path),
            PluginConfig::Unread { path, .. } => Some(path),
            PluginConfig::Absent => None,
        }
    }
}

/// One `plugins` entry of an AdmissionConfiguration.
pub struct PluginEntry<'a> {
    pub index: usize,
    pub name: &'a str,
    pub node: &'a Node,
}

pub fn plugin_entries(admission: &ConfigDoc) -> impl Iterator<Item = PluginEntry<'_>> {
    admission
        .object
        .root
        .get("plugins")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
        .map(|(index, node)| PluginEntry {
            index,
            name: node.str_at("name").unwrap_or(""),
            node,
        })
}

/// The AdmissionConfiguration kube-apiserver reads, when it names one and the scan parsed it.
pub fn admission_config<'a>(facts: &'a NodeFacts, api: &Component) -> Option<&'a ConfigDoc> {
    let path = api.flags.value("admission-control-config-file")?;
    facts
        .configs
        .iter()
        .find(|c| c.role == ConfigRole::Admission && c.path == path)
        .or_else(|| facts.config(ConfigRole::Admission))
}

/// The AdmissionConfiguration kube-apiserver names with `--admission-control-config-file` when
/// the scan could not read it (the file is missing, unreadable, or the flags came from the API
/// without the node's files): its path. Rules then say they could not look, rather than judging
/// an absent configuration.
pub fn admission_config_unread<'a>(facts: &NodeFacts, api: &'a Component) -> Option<&'a str> {
    let path = api.flags.value("admission-control-config-file")?;
    admission_config(facts, api).is_none().then_some(path)
}

/// `path` as kube-apiserver resolves it: relative to the directory of the file that names it.
pub fn resolve(base_file: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    match base_file.rsplit_once('/') {
        Some(("", _)) => format!("/{path}"),
        Some((dir, _)) => format!("{dir}/{path}"),
        None => path.to_string(),
    }
}

/// The configuration of `plugin` in the AdmissionConfiguration.
pub fn plugin_config<'a>(
    facts: &'a NodeFacts,
    admission: Option<&'a ConfigDoc>,
    plugin: &str,
) -> PluginConfig<'a> {
    let Some(admission) = admission else {
        return PluginConfig::Absent;
    };
    // With duplicate entries kube-apiserver keeps the last one.
    let Some(entry) = plugin_entries(admission)
        .filter(|e| e.name == plugin)
        .last()
    else {
        return PluginConfig::Absent;
    };
    let i = entry.index;
    if let Some(node) = entry.node.get("configuration").filter(|n| !n.is_null()) {
        return PluginConfig::Inline {
            admission,
            at: format!("plugins[{i}].configuration"),
            node,
        };
    }
    let Some(path) = entry.node.str_at("path").filter(|p| !p.is_empty()) else {
        return PluginConfig::Absent;
    };
    let path = resolve(&admission.path, path);
    match facts
        .configs
        .iter()
        .find(|c| c.role == ConfigRole::AdmissionPlugin && c.path == path)
    {
        Some(doc) => PluginConfig::File { doc },
        None => PluginConfig::Unread {
            admission,
            at: format!("plugins[{i}].path"),
            path,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::facts::{Flags, Origin};

    fn apiserver(version: Option<&str>, args: &[&str]) -> Component {
        Component {
            kind: ComponentKind::ApiServer,
            origin: Origin::Process { pid: 1 },
            flags: Flags::parse(args, ComponentKind::ApiServer.bool_flags()),
            version: version.map(str::to_string),
            manifest: None,
        }
    }

    #[test]
    fn defaults_per_version() {
        let count = |m| default_plugins(Some(m)).0.len();
        assert_eq!(count(23), 18);
        assert_eq!(count(25), 18);
        assert_eq!(count(26), 19);
        assert_eq!(count(28), 20);
        assert_eq!(count(31), 20);
        assert_eq!(count(32), 21);
        assert_eq!(count(34), 22);
        assert_eq!(count(35), 23);
        assert_eq!(count(36), 27);
        // v1.37 dropped two of v1.36's additions again.
        assert_eq!(count(37), 25);
        assert!(default_plugins(Some(36)).0.contains("JobValidation"));
        assert!(!default_plugins(Some(37)).0.contains("JobValidation"));
        let (set, basis) = default_plugins(Some(39));
        assert_eq!(set.len(), 25);
        assert_eq!(
            basis,
            Basis::Nearest {
                actual: 39,
                used: 37
            }
        );
        let (set, basis) = default_plugins(None);
        assert_eq!(set.len(), 18);
        assert_eq!(basis, Basis::Unknown);
        assert!(!default_plugins(Some(27))
            .0
            .contains("MutatingAdmissionPolicy"));
        assert!(default_plugins(Some(27))
            .0
            .contains("ClusterTrustBundleAttest"));
    }

    #[test]
    fn enabled_and_disabled_flags() {
        let c = apiserver(
            Some("v1.30.2"),
            &[
                "--enable-admission-plugins=NodeRestriction,AlwaysPullImages",
                "--disable-admission-plugins",
                "PodSecurity,LimitRanger",
            ],
        );
        let e = effective_plugins(&c);
        assert!(e.has("NodeRestriction"));
        assert!(e.has("AlwaysPullImages"));
        assert!(!e.has("PodSecurity"));
        assert!(!e.has("LimitRanger"));
        assert!(e.has("ResourceQuota"));
        assert_eq!(e.decided_by("PodSecurity"), Decided::Disabled);
        assert_eq!(e.decided_by("NodeRestriction"), Decided::Enabled);
        assert_eq!(e.decided_by("ResourceQuota"), Decided::Default);
        assert_eq!(e.flag_for("PodSecurity"), "disable-admission-plugins");
        assert!(e.version_known());
        assert!(e.conflicting.is_empty());
    }

    #[test]
    fn legacy_flag_is_the_whole_list_and_conflicts_are_noted() {
        let c = apiserver(
            None,
            &["--admission-control=NamespaceLifecycle,ServiceAccount"],
        );
        let e = effective_plugins(&c);
        assert_eq!(
            e.plugins.iter().map(String::as_str).collect::<Vec<_>>(),
            ["NamespaceLifecycle", "ServiceAccount"]
        );
        assert!(e.legacy_flag);
        assert_eq!(e.flag_for("PodSecurity"), "admission-control");
        let c = apiserver(
            Some("1.29"),
            &[
                "--enable-admission-plugins=NodeRestriction",
                "--disable-admission-plugins=NodeRestriction",
            ],
        );
        let e = effective_plugins(&c);
        assert_eq!(e.conflicting, ["NodeRestriction"]);
        assert!(e.has("NodeRestriction"));
    }
}

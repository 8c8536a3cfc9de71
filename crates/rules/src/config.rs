//! What a run may be told: the cluster's version, Pod Security defaults. Read from
//! `--config FILE` (YAML) and flags; every key has a default.
//!
//! ```yaml
//! kubeVersion: v1.33            # the cluster's version: what `latest` means, which pins are old
//! podSecurity:
//!   defaultLevel: baseline      # for workloads whose namespace is not in the input
//!   exemptNamespaces: [kube-system]   # may run at `privileged`
//! ```

use kcheck_model::{Node, Pos, Value};
use kcheck_pss::{Level, Version};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The cluster's Kubernetes version, when known.
    pub kube_version: Option<u32>,
    pub pod_security: PodSecurityConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodSecurityConfig {
    /// The level workloads are held to when their Namespace is not in the input.
    pub default_level: Level,
    /// Namespaces allowed to enforce `privileged`.
    pub exempt_namespaces: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            kube_version: None,
            pod_security: PodSecurityConfig {
                default_level: Level::Baseline,
                exempt_namespaces: vec!["kube-system".to_string()],
            },
        }
    }
}

/// A problem in a configuration file, at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub pos: Pos,
    pub message: String,
}

impl Config {
    /// The version `latest` stands for: the cluster's, else the newest kcheck knows.
    pub fn latest(&self) -> Version {
        self.kube_version.map_or(Version::Latest, Version::Minor)
    }

    /// Reads a parsed configuration document over the defaults.
    pub fn from_node(root: &Node) -> Result<Config, Vec<ConfigError>> {
        let mut config = Config::default();
        let mut errors = Vec::new();
        let err = |errors: &mut Vec<ConfigError>, pos: Pos, message: String| {
            errors.push(ConfigError { pos, message })
        };
        if root.is_null() {
            return Ok(config);
        }
        if !matches!(root.value, Value::Map(_)) {
            return Err(vec![ConfigError {
                pos: root.pos,
                message: "the configuration must be a mapping".into(),
            }]);
        }
        for e in root.as_map() {
            match e.key.as_str() {
                "kubeVersion" => match e.value.as_str().map(Version::parse) {
                    Some(Ok(Version::Minor(n))) => config.kube_version = Some(n),
                    _ => err(
                        &mut errors,
                        e.value.pos,
                        "kubeVersion must look like v1.33".into(),
                    ),
                },
                "podSecurity" => {
                    for p in e.value.as_map() {
                        match p.key.as_str() {
                            "defaultLevel" => match p.value.as_str().map(Level::parse) {
                                Some(Ok(level)) => config.pod_security.default_level = level,
                                _ => err(
                                    &mut errors,
                                    p.value.pos,
                                    "defaultLevel must be privileged, baseline or restricted"
                                        .into(),
                                ),
                            },
                            "exemptNamespaces" => {
                                let names: Option<Vec<String>> = match &p.value.value {
                                    Value::Seq(items) => items
                                        .iter()
                                        .map(|n| n.as_str().map(str::to_string))
                                        .collect(),
                                    _ => None,
                                };
                                match names {
                                    Some(n) => config.pod_security.exempt_namespaces = n,
                                    None => err(
                                        &mut errors,
                                        p.value.pos,
                                        "exemptNamespaces must be a list of names".into(),
                                    ),
                                }
                            }
                            other => err(
                                &mut errors,
                                p.key_pos,
                                format!("unknown key podSecurity.{other}"),
                            ),
                        }
                    }
                }
                other => err(&mut errors, e.key_pos, format!("unknown key {other}")),
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}

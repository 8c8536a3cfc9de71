//! What a run may be told: the cluster's version, Pod Security defaults. Read from
//! `--config FILE` (YAML) and flags; every key has a default.
//!
//! ```yaml
//! kubeVersion: v1.33            # the cluster's version: what `latest` means, which pins are old
//! podSecurity:
//!   defaultLevel: baseline      # for workloads whose namespace is not in the input
//!   exemptNamespaces: [kube-system]   # may run at `privileged`
//! serviceAccountTokens:
//!   maxExpirationSeconds: 86400 # projected tokens may live at most this long (item 6.5)
//! sensitivity:                  # which workloads are sensitive (items 3.4, 5.1, 5.2)
//!   key: kcheck.io/sensitivity  # a label or annotation on the workload, its pods or namespace
//!   values: [high]
//! imageScanning:
//!   maxReportAgeDays: 7         # older vulnerability reports are stale (item 7.4)
//!   maxImageAgeDays: 90         # images built longer ago than this are old (item 7.4)
//! ```

use kcheck_model::{Node, Pos, Value};
use kcheck_pss::{Level, Version};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The cluster's Kubernetes version, when known.
    pub kube_version: Option<u32>,
    pub pod_security: PodSecurityConfig,
    pub sensitivity: SensitivityConfig,
    /// The longest a projected service account token may live (item 6.5).
    pub max_token_expiration_seconds: i64,
    /// A vulnerability report older than this many days is stale (item 7.4).
    pub max_report_age_days: i64,
    /// An image built more than this many days ago has not picked up fixes since (item 7.4).
    pub max_image_age_days: i64,
}

/// How sensitive workloads are marked.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityConfig {
    /// A label or annotation key.
    pub key: String,
    /// The values that mark a workload sensitive.
    pub values: Vec<String>,
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
            sensitivity: SensitivityConfig {
                key: "kcheck.io/sensitivity".to_string(),
                values: vec!["high".to_string()],
            },
            max_token_expiration_seconds: 86_400,
            max_report_age_days: 7,
            max_image_age_days: 90,
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
                            "exemptNamespaces" => match string_list(&p.value) {
                                Some(n) => config.pod_security.exempt_namespaces = n,
                                None => err(
                                    &mut errors,
                                    p.value.pos,
                                    "exemptNamespaces must be a list of names".into(),
                                ),
                            },
                            other => err(
                                &mut errors,
                                p.key_pos,
                                format!("unknown key podSecurity.{other}"),
                            ),
                        }
                    }
                }
                "serviceAccountTokens" => {
                    for p in e.value.as_map() {
                        match (p.key.as_str(), p.value.as_i64()) {
                            ("maxExpirationSeconds", Some(n)) if n > 0 => {
                                config.max_token_expiration_seconds = n
                            }
                            ("maxExpirationSeconds", _) => err(&mut errors, p.value.pos, "serviceAccountTokens.maxExpirationSeconds must be a positive number".into()),
                            (other, _) => err(&mut errors, p.key_pos, format!("unknown key serviceAccountTokens.{other}")),
                        }
                    }
                }
                "imageScanning" => {
                    for p in e.value.as_map() {
                        match (p.key.as_str(), p.value.as_i64()) {
                            ("maxReportAgeDays", Some(n)) if n > 0 => {
                                config.max_report_age_days = n
                            }
                            ("maxReportAgeDays", _) => err(
                                &mut errors,
                                p.value.pos,
                                "imageScanning.maxReportAgeDays must be a positive number".into(),
                            ),
                            ("maxImageAgeDays", Some(n)) if n > 0 => config.max_image_age_days = n,
                            ("maxImageAgeDays", _) => err(
                                &mut errors,
                                p.value.pos,
                                "imageScanning.maxImageAgeDays must be a positive number".into(),
                            ),
                            (other, _) => err(
                                &mut errors,
                                p.key_pos,
                                format!("unknown key imageScanning.{other}"),
                            ),
                        }
                    }
                }
                "sensitivity" => {
                    for p in e.value.as_map() {
                        match p.key.as_str() {
                            "key" => match p.value.as_str() {
                                Some(k) if !k.is_empty() => config.sensitivity.key = k.to_string(),
                                _ => err(
                                    &mut errors,
                                    p.value.pos,
                                    "sensitivity.key must be a label or annotation key".into(),
                                ),
                            },
                            "values" => match string_list(&p.value) {
                                Some(v) => config.sensitivity.values = v,
                                None => err(
                                    &mut errors,
                                    p.value.pos,
                                    "sensitivity.values must be a list of strings".into(),
                                ),
                            },
                            other => err(
                                &mut errors,
                                p.key_pos,
                                format!("unknown key sensitivity.{other}"),
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

fn string_list(node: &Node) -> Option<Vec<String>> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .map(|n| n.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

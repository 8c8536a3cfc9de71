//! Effective kubelet settings: command-line flags override the KubeletConfiguration file.
//!
//! What neither sets takes a default, and the kubelet has two sets of them:
//!
//! | setting | started with `--config FILE` | started without `--config` |
//! |---|---|---|
//! | `--anonymous-auth` / `authentication.anonymous.enabled` | `false` | `true` |
//! | `--authorization-mode` / `authorization.mode` | `Webhook` | `AlwaysAllow` |
//! | `--read-only-port` / `readOnlyPort` | `0` | `10255` |
//! | `--seccomp-default` / `seccompDefault` | `false` | `false` |
//!
//! The first column is the defaulting of `kubelet.config.k8s.io/v1beta1`
//! (`SetDefaults_KubeletConfiguration` in `pkg/kubelet/apis/config/v1beta1/defaults.go`;
//! `readOnlyPort` is simply left at zero). The second is what the kubelet applies before parsing
//! its flags to keep the old command-line behaviour (`applyLegacyDefaults` in
//! `cmd/kubelet/app/options/options.go`), which is why the checklist warns that a kubelet
//! without `--config` is too permissive.
//!
//! A node scan that found the kubelet's configuration file but not the kubelet itself (a mounted
//! node image) reads the file alone, with the file's defaults.

use crate::NodePlace;
use kcheck_model::facts::{ComponentKind, ConfigDoc, ConfigRole};
use kcheck_model::{text, NodeFacts, Text, Value};

/// One kubelet setting: its flag, its field in the configuration file and its two defaults.
#[derive(Clone, Copy, Debug)]
pub struct KubeletSetting {
    /// Without the dashes: `anonymous-auth`.
    pub flag: &'static str,
    /// Dotted path in a KubeletConfiguration: `authentication.anonymous.enabled`.
    pub field: &'static str,
    /// When the kubelet reads a configuration file.
    pub default_with_config: &'static str,
    /// When it runs on flags alone.
    pub default_without_config: &'static str,
}

pub const ANONYMOUS_AUTH: KubeletSetting = KubeletSetting {
    flag: "anonymous-auth",
    field: "authentication.anonymous.enabled",
    default_with_config: "false",
    default_without_config: "true",
};

pub const AUTHORIZATION_MODE: KubeletSetting = KubeletSetting {
    flag: "authorization-mode",
    field: "authorization.mode",
    default_with_config: "Webhook",
    default_without_config: "AlwaysAllow",
};

pub const READ_ONLY_PORT: KubeletSetting = KubeletSetting {
    flag: "read-only-port",
    field: "readOnlyPort",
    default_with_config: "0",
    default_without_config: "10255",
};

pub const SECCOMP_DEFAULT: KubeletSetting = KubeletSetting {
    flag: "seccomp-default",
    field: "seccompDefault",
    default_with_config: "false",
    default_without_config: "false",
};

/// Where an effective value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetBy {
    Flag,
    ConfigFile,
    /// Neither sets it; `config_file` tells which defaults apply.
    Default {
        config_file: bool,
    },
}

/// A setting's value as the kubelet uses it, and where to point a finding.
#[derive(Clone, Debug)]
pub struct Effective {
    pub value: String,
    pub set_by: SetBy,
    pub place: NodePlace,
    /// "set by --anonymous-auth", "the default ...": for messages.
    pub origin: Text,
}

impl Effective {
    /// The value read as a Go boolean (`true`, `1`, `t`, any case); `None` when it is not one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "t" => Some(true),
            "false" | "0" | "f" => Some(false),
            _ => None,
        }
    }
}

/// What a node scan tells about one kubelet setting.
#[derive(Clone, Debug)]
pub enum Reading {
    Known(Effective),
    /// The kubelet was seen (or looked for) but the setting cannot be known.
    Unknown {
        place: NodePlace,
        reason: Text,
    },
    /// No kubelet, no configuration file, and no record of looking for them.
    NoKubelet,
}

/// The effective value of `setting` on the scanned node.
pub fn read(facts: &NodeFacts, setting: &KubeletSetting) -> Reading {
    let flag = setting.flag;
    let Some(kubelet) = facts.component(ComponentKind::Kubelet) else {
        if let Some(doc) = facts.config(ConfigRole::Kubelet) {
            return from_file(doc, setting);
        }
        return match facts.missing(&super::evidence::component_key(ComponentKind::Kubelet)) {
            Some(m) => {
                let (en, zh) = (&m.reason.en, &m.reason.zh);
                Reading::Unknown {
                    place: NodePlace::file(m.path.as_deref().unwrap_or(&m.what)),
                    reason: text!("the kubelet was not found ({en})", "未找到 kubelet（{zh}）"),
                }
            }
            None => Reading::NoKubelet,
        };
    };
    if let Some(value) = kubelet.flags.get(flag) {
        return Reading::Known(Effective {
            value: value.to_string(),
            set_by: SetBy::Flag,
            place: NodePlace::flag(kubelet, flag),
            origin: text!("set by --{flag}", "由 --{flag} 设置"),
        });
    }
    let Some(path) = kubelet.flags.get("config") else {
        return Reading::Known(Effective {
            value: setting.default_without_config.to_string(),
            set_by: SetBy::Default { config_file: false },
            place: NodePlace::flag(kubelet, flag),
            origin: text!(
                "not set: the command-line default, as the kubelet runs without --config",
                "未设置：kubelet 未使用 --config，采用命令行默认值",
            ),
        });
    };
    match facts.config(ConfigRole::Kubelet) {
        Some(doc) => from_file(doc, setting),
        None => {
            let why = facts.missing("config:kubelet").map_or_else(
                || Text::fixed("it was not read", "未读取"),
                |m| m.reason.clone(),
            );
            let (why_en, why_zh) = (&why.en, &why.zh);
            Reading::Unknown {
                place: NodePlace::flag(kubelet, "config"),
                reason: text!(
                    "the kubelet's configuration file {path} could not be examined: {why_en}",
                    "无法检查 kubelet 的配置文件 {path}：{why_zh}",
                ),
            }
        }
    }
}

fn from_file(doc: &ConfigDoc, setting: &KubeletSetting) -> Reading {
    let field = setting.field;
    let keys: Vec<&str> = field.split('.').collect();
    let place = NodePlace::config(doc, field);
    let path = &doc.path;
    match doc.object.root.path(&keys).filter(|n| !n.is_null()) {
        None => Reading::Known(Effective {
            value: setting.default_with_config.to_string(),
            set_by: SetBy::Default { config_file: true },
            place,
            origin: text!(
                "not set in {path}: the configuration file's default",
                "{path} 中未设置：采用配置文件的默认值",
            ),
        }),
        Some(node) => {
            let value = match &node.value {
                Value::Bool(b) => Some(b.to_string()),
                Value::Int(i) => Some(i.to_string()),
                Value::UInt(u) => Some(u.to_string()),
                Value::String(s) => Some(s.to_string()),
                _ => None,
            };
            match value {
                Some(value) => Reading::Known(Effective {
                    value,
                    set_by: SetBy::ConfigFile,
                    place,
                    origin: text!("set in {path}", "在 {path} 中设置"),
                }),
                None => Reading::Unknown {
                    place,
                    reason: text!(
                        "{field} in {path} is not a plain value",
                        "{path} 中的 {field} 不是普通值",
                    ),
                },
            }
        }
    }
}

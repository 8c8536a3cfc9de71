//! Which Pod Security level and version a namespace holds its pods to, resolved the way Pod
//! Security Admission resolves namespace labels, with kcheck's floor for the checklist.

use crate::Context;
use kcheck_model::Object;
use kcheck_pss::{Level, Version};

pub const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";
pub const WARN: &str = "pod-security.kubernetes.io/warn";
pub const AUDIT: &str = "pod-security.kubernetes.io/audit";

/// Where a namespace's level came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The enforce label.
    Label,
    /// The enforce label holds a value Pod Security Admission cannot parse: it enforces
    /// `restricted`.
    InvalidLabel,
    /// No enforce label, or no Namespace object: the configured default level.
    Default,
    /// An exempt namespace without an enforce label: `privileged`.
    Exempt,
}

#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    /// The level pods are evaluated at.
    pub level: Level,
    pub version: Version,
    pub origin: Origin,
    pub namespace: Option<&'a Object>,
}

/// The namespace a namespaced object lands in (`default` when the manifest names none).
pub fn namespace_of(object: &Object) -> &str {
    object.namespace.as_deref().unwrap_or("default")
}

pub fn is_exempt(ctx: &Context, namespace: &str) -> bool {
    ctx.config
        .pod_security
        .exempt_namespaces
        .iter()
        .any(|n| n == namespace)
}

/// The policy a workload in `namespace` is held to. Labels are read as Pod Security Admission
/// reads them (an unparsable level enforces `restricted`, an unparsable version means
/// `latest`); a namespace that enforces less than the configured default level is held to the
/// default anyway, unless it is exempt, because a pod that breaks baseline breaks the checklist
/// wherever it runs.
pub fn policy_for<'a>(ctx: &Context<'a>, namespace: &str) -> Policy<'a> {
    let object = ctx.inventory.get("Namespace", None, namespace);
    let exempt = is_exempt(ctx, namespace);
    let default = ctx.config.pod_security.default_level;
    let label = object.and_then(|o| o.label(ENFORCE));
    let version = object
        .and_then(|o| o.label(ENFORCE_VERSION))
        .and_then(|v| Version::parse(v).ok())
        .unwrap_or(Version::Latest);
    let version = match version {
        Version::Latest => ctx.config.latest(),
        v => v,
    };
    let (level, origin) = match label.map(Level::parse) {
        Some(Ok(level)) => (level, Origin::Label),
        Some(Err(_)) => (Level::Restricted, Origin::InvalidLabel),
        None if exempt => (Level::Privileged, Origin::Exempt),
        None => (default, Origin::Default),
    };
    let level = if exempt { level } else { level.max(default) };
    Policy {
        level,
        version,
        origin,
        namespace: object,
    }
}

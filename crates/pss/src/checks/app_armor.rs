//! `appArmorProfile` (baseline, v1.0+): a pod may keep the runtime's default AppArmor profile or
//! pick a local one, but not run unconfined.
//!
//! Two channels are checked, both at every policy version: the `appArmorProfile` fields (pod and
//! containers, type `RuntimeDefault` or `Localhost`) and the deprecated
//! `container.apparmor.security.beta.kubernetes.io/*` annotations (empty, `runtime/default` or
//! `localhost/...`). Upstream added the field check to its single v1.0 revision, so pinning an
//! old version does not switch it off.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;
use kcheck_model::{FieldPath, Node};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "appArmorProfile",
    level: Level::Baseline,
    title: "AppArmor must not be disabled or overridden with an unconfined profile",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "appArmorProfile.type RuntimeDefault or Localhost; annotations runtime/default, localhost/* or empty",
    }],
    run,
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

/// The profile type when it is set and not allowed ("" when the type itself is missing).
fn bad_type<'a>(ctx: &Ctx<'a>, profile: &'a Node, base: &dyn Fn() -> FieldPath) -> Option<&'a str> {
    let t = ctx.str_or_empty(profile, "type", base);
    (!allowed_type(t)).then_some(t)
}

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut values = Vec::new();
    let mut fields = Vec::new();
    let pod_bad = ctx
        .pod_object("securityContext.appArmorProfile")
        .and_then(|p| bad_type(ctx, p, &|| ctx.pod.path("securityContext.appArmorProfile")))
        .map(|t| values.push(t))
        .is_some();
    if pod_bad {
        fields.push(ctx.pod.path("securityContext.appArmorProfile.type"));
    }
    let mut names = Vec::new();
    for c in ctx.pod.containers() {
        let base = || c.path("securityContext.appArmorProfile");
        if let Some(t) = ctx
            .c_object(&c, "securityContext.appArmorProfile")
            .and_then(|p| bad_type(ctx, p, &base))
        {
            values.push(t);
            names.push(ctx.c_name(&c));
            fields.push(c.path("securityContext.appArmorProfile.type"));
        }
    }
    let mut annotations = Vec::new();
    for entry in ctx.annotations() {
        if !entry.key.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        if let Some(v) = ctx
            .annotation_value(entry)
            .filter(|v| !allowed_annotation(v))
        {
            annotations.push(format!("{}={}", entry.key, msg::go_quote(v)));
            fields.push(ctx.annotation_path(&entry.key));
        }
    }
    if !pod_bad && names.is_empty() && annotations.is_empty() {
        return None;
    }
    let mut setters = Vec::new();
    if pod_bad || !names.is_empty() {
        setters.push(msg::setters(pod_bad, &names));
    }
    if !annotations.is_empty() {
        setters.push(msg::plural(annotations.len(), "annotation", "annotations").to_string());
    }
    let mut bad_values: Vec<String> = msg::sorted_set(values)
        .into_iter()
        .map(str::to_string)
        .collect();
    bad_values.extend(msg::sorted_set(annotations));
    let reason = msg::plural(
        bad_values.len(),
        "forbidden AppArmor profile",
        "forbidden AppArmor profiles",
    );
    let detail = format!(
        "{} must not set AppArmor profile type to {}",
        setters.join(" and "),
        msg::join_quote(&bad_values)
    );
    Some(Violation::new(CHECK.id, reason, detail, fields))
}

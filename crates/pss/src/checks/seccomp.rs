//! `seccompProfile_baseline` (v1.0+) and `seccompProfile_restricted` (v1.19+).
//!
//! Baseline forbids turning seccomp off: before v1.19 it reads the alpha annotations (the field
//! did not exist), from v1.19 the `seccompProfile` fields; an unset profile is fine. Restricted
//! requires a profile: `RuntimeDefault` or `Localhost` on the pod, or on every container that
//! does not inherit one. From v1.25 Windows pods are exempt from the restricted check, since
//! seccomp is Linux-only.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;
use kcheck_model::Entry;

pub(crate) const BASELINE: CheckInfo = CheckInfo {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    title: "Seccomp must not be set to Unconfined",
    revisions: &[
        Revision {
            since: 0,
            overrides: &[],
            change: "seccomp annotations: runtime/default, docker/default or localhost/*",
        },
        Revision {
            since: 19,
            overrides: &[],
            change: "securityContext.seccompProfile.type: RuntimeDefault, Localhost or unset",
        },
    ],
    run: run_baseline,
};

pub(crate) const RESTRICTED: CheckInfo = CheckInfo {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    title: "A seccomp profile must be set, RuntimeDefault or Localhost",
    revisions: &[
        Revision {
            since: 19,
            overrides: &["seccompProfile_baseline"],
            change:
                "pod or every container must set seccompProfile.type RuntimeDefault or Localhost",
        },
        Revision {
            since: 25,
            overrides: &["seccompProfile_baseline"],
            change: "pods with spec.os.name=windows are exempt",
        },
    ],
    run: run_restricted,
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn allowed_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

fn run_baseline(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 19 {
        fields_check(ctx, BASELINE.id, false)
    } else {
        annotations_check(ctx)
    }
}

fn run_restricted(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 25 && ctx.is_windows() {
        return None;
    }
    fields_check(ctx, RESTRICTED.id, true)
}

/// Before v1.19: the pod annotation and each container's annotation, when present, must name
/// an allowed profile. Keys are matched against container names without building strings, so
/// the allowed path does not allocate.
fn annotations_check(ctx: &Ctx<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut check = |entry: &Entry| {
        if let Some(v) = ctx
            .annotation_value(entry)
            .filter(|v| !allowed_annotation(v))
        {
            bad.push((
                format!("{}={}", entry.key, msg::go_quote(v)),
                ctx.annotation_path(&entry.key),
            ));
        }
    };
    if let Some(entry) = ctx.annotations().find(|e| e.key == POD_ANNOTATION) {
        check(entry);
    }
    for c in ctx.pod.containers() {
        let name = ctx.c_name(&c);
        let key_is_this =
            |e: &&Entry| e.key.strip_prefix(CONTAINER_ANNOTATION_PREFIX) == Some(name);
        if let Some(entry) = ctx.annotations().find(key_is_this) {
            check(entry);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let bad = msg::sorted_set(bad);
    let (values, fields): (Vec<String>, Vec<_>) = bad.into_iter().unzip();
    let detail = format!(
        "forbidden {} {}",
        msg::plural(values.len(), "annotation", "annotations"),
        values.join(", ")
    );
    Some(Violation::new(
        BASELINE.id,
        "seccompProfile",
        detail,
        fields,
    ))
}

/// From v1.19: bad explicit types are forbidden at both levels; `required` (restricted) also
/// forbids containers that neither set a good type nor inherit one from the pod.
fn fields_check(ctx: &Ctx<'_>, id: &'static str, required: bool) -> Option<Violation> {
    let mut values = Vec::new();
    let mut fields = Vec::new();
    let mut pod_bad = false;
    let mut pod_good = false;
    if let Some(profile) = ctx.pod_object("securityContext.seccompProfile") {
        let t = ctx.str_or_empty(profile, "type", &|| {
            ctx.pod.path("securityContext.seccompProfile")
        });
        if allowed_type(t) {
            pod_good = true;
        } else {
            pod_bad = true;
            values.push(t);
            fields.push(ctx.pod.path("securityContext.seccompProfile.type"));
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in ctx.pod.containers() {
        match ctx.c_object(&c, "securityContext.seccompProfile") {
            Some(profile) => {
                let t = ctx.str_or_empty(profile, "type", &|| {
                    c.path("securityContext.seccompProfile")
                });
                if !allowed_type(t) {
                    explicit.push(ctx.c_name(&c));
                    values.push(t);
                    fields.push(c.path("securityContext.seccompProfile.type"));
                }
            }
            None if required && !pod_good => {
                implicit.push(ctx.c_name(&c));
                implicit_fields.push(c.path("securityContext.seccompProfile"));
            }
            None => {}
        }
    }
    if pod_bad || !explicit.is_empty() {
        let detail = format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            msg::setters(pod_bad, &explicit),
            msg::join_quote(&msg::sorted_set(values))
        );
        return Some(Violation::new(id, "seccompProfile", detail, fields));
    }
    if !implicit.is_empty() {
        let detail = format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            msg::containers(&implicit)
        );
        return Some(Violation::new(
            id,
            "seccompProfile",
            detail,
            implicit_fields,
        ));
    }
    None
}

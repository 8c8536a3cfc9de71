//! `seccompProfile_baseline` (v1.0+) and `seccompProfile_restricted` (v1.19+).
//!
//! Baseline forbids turning seccomp off: before v1.19 it reads the alpha annotations (the field
//! did not exist), from v1.19 the `seccompProfile` fields; an unset profile is fine. Restricted
//! requires a profile: `RuntimeDefault` or `Localhost` on the pod, or on every container that
//! does not inherit one. From v1.25 Windows pods are exempt from the restricted check, since
//! seccomp is Linux-only.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::{self, Text};
use crate::pod::Who;
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
    for c in ctx.containers() {
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
    let detail = Text::new()
        .push(msg::plural(
            values.len(),
            "forbidden annotation ",
            "forbidden annotations ",
        ))
        .joined(&values, ", ")
        .done();
    Some(Violation::new(
        BASELINE.id,
        "seccompProfile",
        detail,
        fields,
    ))
}

/// The type of the pod's or a container's seccomp profile, when a profile is set ("" when its
/// type is missing).
fn profile_type<'a>(ctx: &Ctx<'a>, who: Who<'a>) -> Option<&'a str> {
    let profile = ctx.sc_object(who, Sc::SeccompProfile)?;
    Some(ctx.str_or_empty(profile, &["type"], &|| {
        ctx.sc_path(who, Sc::SeccompProfile, &[])
    }))
}

/// From v1.19: bad explicit types are forbidden at both levels; `required` (restricted) also
/// forbids containers that neither set a good type nor inherit one from the pod.
fn fields_check(ctx: &Ctx<'_>, id: &'static str, required: bool) -> Option<Violation> {
    let mut values = Vec::new();
    let mut fields = Vec::new();
    let mut pod_bad = false;
    let mut pod_good = false;
    if let Some(t) = profile_type(ctx, Who::Pod) {
        if allowed_type(t) {
            pod_good = true;
        } else {
            pod_bad = true;
            values.push(t);
            fields.push(ctx.sc_path(Who::Pod, Sc::SeccompProfile, &["type"]));
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        match profile_type(ctx, who) {
            Some(t) if !allowed_type(t) => {
                explicit.push(ctx.c_name(&c));
                values.push(t);
                fields.push(ctx.sc_path(who, Sc::SeccompProfile, &["type"]));
            }
            Some(_) => {}
            None if required && !pod_good => {
                implicit.push(ctx.c_name(&c));
                implicit_fields.push(ctx.sc_path(who, Sc::SeccompProfile, &[]));
            }
            None => {}
        }
    }
    if pod_bad || !explicit.is_empty() {
        let detail = Text::new()
            .setters(pod_bad, &explicit)
            .push(" must not set securityContext.seccompProfile.type to ")
            .quoted(&msg::sorted_set(values))
            .done();
        return Some(Violation::new(id, "seccompProfile", detail, fields));
    }
    if !implicit.is_empty() {
        let detail = Text::new()
            .push("pod or ")
            .containers(&implicit)
            .push(" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"")
            .done();
        return Some(Violation::new(
            id,
            "seccompProfile",
            detail,
            implicit_fields,
        ));
    }
    None
}

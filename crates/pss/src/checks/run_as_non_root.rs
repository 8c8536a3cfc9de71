//! `runAsNonRoot` (restricted, v1.0+): containers must be required to run as a non-root user,
//! set on the pod or on every container; an explicit `false` anywhere is forbidden.
//!
//! From v1.35 pods in a user namespace (`hostUsers: false`) are exempt: root inside is an
//! unprivileged user on the node.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "runAsNonRoot",
    level: Level::Restricted,
    title: "Containers must run as non-root",
    revisions: &[
        Revision {
            since: 0,
            overrides: &[],
            change: "runAsNonRoot=true on the pod or every container, never false",
        },
        Revision {
            since: 35,
            overrides: &[],
            change: "pods with hostUsers: false are exempt",
        },
    ],
    run,
};

const FIELD: &str = "securityContext.runAsNonRoot";

fn run(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 35 && ctx.in_user_namespace() {
        return None;
    }
    let mut fields = Vec::new();
    let pod_value = ctx.pod_bool(FIELD);
    let pod_bad = pod_value == Some(false);
    if pod_bad {
        fields.push(ctx.pod.path(FIELD));
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in ctx.pod.containers() {
        match ctx.c_bool(&c, FIELD) {
            Some(false) => {
                explicit.push(ctx.c_name(&c));
                fields.push(c.path(FIELD));
            }
            Some(true) => {}
            None if pod_value != Some(true) => {
                implicit.push(ctx.c_name(&c));
                implicit_fields.push(c.path(FIELD));
            }
            None => {}
        }
    }
    if pod_bad || !explicit.is_empty() {
        let detail = format!(
            "{} must not set {FIELD}=false",
            msg::setters(pod_bad, &explicit)
        );
        return Some(Violation::new(
            CHECK.id,
            "runAsNonRoot != true",
            detail,
            fields,
        ));
    }
    if !implicit.is_empty() {
        let detail = format!(
            "pod or {} must set {FIELD}=true",
            msg::containers(&implicit)
        );
        return Some(Violation::new(
            CHECK.id,
            "runAsNonRoot != true",
            detail,
            implicit_fields,
        ));
    }
    None
}

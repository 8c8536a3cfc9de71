//! `runAsNonRoot` (restricted, v1.0+): containers must be required to run as a non-root user,
//! set on the pod or on every container; an explicit `false` anywhere is forbidden.
//!
//! From v1.35 pods in a user namespace (`hostUsers: false`) are exempt: root inside is an
//! unprivileged user on the node.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::Text;
use crate::pod::Who;
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

const FIELD: Sc = Sc::RunAsNonRoot;

fn run(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 35 && ctx.in_user_namespace() {
        return None;
    }
    let mut fields = Vec::new();
    let pod_value = ctx.sc_bool(Who::Pod, FIELD);
    let pod_bad = pod_value == Some(false);
    if pod_bad {
        fields.push(ctx.sc_path(Who::Pod, FIELD, &[]));
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        match ctx.sc_bool(who, FIELD) {
            Some(false) => {
                explicit.push(ctx.c_name(&c));
                fields.push(ctx.sc_path(who, FIELD, &[]));
            }
            Some(true) => {}
            None if pod_value != Some(true) => {
                implicit.push(ctx.c_name(&c));
                implicit_fields.push(ctx.sc_path(who, FIELD, &[]));
            }
            None => {}
        }
    }
    if pod_bad || !explicit.is_empty() {
        let detail = Text::new()
            .setters(pod_bad, &explicit)
            .push(" must not set securityContext.runAsNonRoot=false")
            .done();
        return Some(Violation::new(
            CHECK.id,
            "runAsNonRoot != true",
            detail,
            fields,
        ));
    }
    if !implicit.is_empty() {
        let detail = Text::new()
            .push("pod or ")
            .containers(&implicit)
            .push(" must set securityContext.runAsNonRoot=true")
            .done();
        return Some(Violation::new(
            CHECK.id,
            "runAsNonRoot != true",
            detail,
            implicit_fields,
        ));
    }
    None
}

//! `runAsUser` (restricted, v1.23+): an explicit UID 0 on the pod or a container runs it as
//! root whatever runAsNonRoot says elsewhere; unset is fine (runAsNonRoot covers it).
//!
//! From v1.35 pods in a user namespace (`hostUsers: false`) are exempt.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::Text;
use crate::pod::Who;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "runAsUser",
    level: Level::Restricted,
    title: "Containers must not set runAsUser to 0",
    revisions: &[
        Revision {
            since: 23,
            overrides: &[],
            change: "securityContext.runAsUser must not be 0 (pod or containers)",
        },
        Revision {
            since: 35,
            overrides: &[],
            change: "pods with hostUsers: false are exempt",
        },
    ],
    run,
};

const FIELD: Sc = Sc::RunAsUser;

fn run(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 35 && ctx.in_user_namespace() {
        return None;
    }
    let mut fields = Vec::new();
    let pod_bad = ctx.sc_int(Who::Pod, FIELD, 64) == Some(0);
    if pod_bad {
        fields.push(ctx.sc_path(Who::Pod, FIELD, &[]));
    }
    let mut names = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        if ctx.sc_int(who, FIELD, 64) == Some(0) {
            names.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, FIELD, &[]));
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .setters(pod_bad, &names)
        .push(" must not set runAsUser=0")
        .done();
    Some(Violation::new(CHECK.id, "runAsUser=0", detail, fields))
}

//! `privileged` (baseline, v1.0+): a privileged container has every capability and every host
//! device, which undoes the other controls; only `false` or unset is allowed.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "privileged",
    level: Level::Baseline,
    title: "Containers must not be privileged",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "securityContext.privileged must be false or unset in every container",
    }],
    run,
};

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.pod.containers() {
        if ctx.c_bool(&c, "securityContext.privileged") == Some(true) {
            names.push(ctx.c_name(&c));
            fields.push(c.path("securityContext.privileged"));
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.privileged=true",
        msg::containers(&names)
    );
    Some(Violation::new(CHECK.id, "privileged", detail, fields))
}

//! `privileged` (baseline, v1.0+): a privileged container has every capability and every host
//! device, which undoes the other controls; only `false` or unset is allowed.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::Text;
use crate::pod::Who;
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
    for c in ctx.containers() {
        let who = Who::Container(c);
        if ctx.sc_bool(who, Sc::Privileged) == Some(true) {
            names.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, Sc::Privileged, &[]));
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .containers(&names)
        .push(" must not set securityContext.privileged=true")
        .done();
    Some(Violation::new(CHECK.id, "privileged", detail, fields))
}

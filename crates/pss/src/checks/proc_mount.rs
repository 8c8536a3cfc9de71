//! `procMount` (baseline, v1.0+) and `procMount_restricted` (restricted, v1.35+).
//!
//! The default /proc mount masks kernel interfaces a container has no business with; only
//! `Default` (or unset) is allowed. From v1.35 baseline lets a pod in a user namespace
//! (`hostUsers: false`) choose `Unmasked`, since root there is not root on the node; restricted
//! does not, so at v1.35 it brings its own check that overrides the relaxed baseline one.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::{self, Text};
use crate::pod::Who;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const BASELINE: CheckInfo = CheckInfo {
    id: "procMount",
    level: Level::Baseline,
    title: "Containers must keep the default /proc mask",
    revisions: &[
        Revision {
            since: 0,
            overrides: &[],
            change: "securityContext.procMount must be Default or unset",
        },
        Revision {
            since: 35,
            overrides: &[],
            change: "any value allowed for pods with hostUsers: false",
        },
    ],
    run: run_baseline,
};

pub(crate) const RESTRICTED: CheckInfo = CheckInfo {
    id: "procMount_restricted",
    level: Level::Restricted,
    title: "Containers must keep the default /proc mask, even in a user namespace",
    revisions: &[Revision {
        since: 35,
        overrides: &["procMount"],
        change: "securityContext.procMount must be Default or unset, whatever hostUsers says",
    }],
    run: run_restricted,
};

fn run_baseline(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 35 && ctx.in_user_namespace() {
        return None;
    }
    default_only(ctx, BASELINE.id)
}

fn run_restricted(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    default_only(ctx, RESTRICTED.id)
}

fn default_only(ctx: &Ctx<'_>, id: &'static str) -> Option<Violation> {
    let mut names = Vec::new();
    let mut values = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        if let Some(v) = ctx.sc_str(who, Sc::ProcMount).filter(|v| *v != "Default") {
            names.push(ctx.c_name(&c));
            values.push(v);
            fields.push(ctx.sc_path(who, Sc::ProcMount, &[]));
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .containers(&names)
        .push(" must not set securityContext.procMount to ")
        .quoted(&msg::sorted_set(values))
        .done();
    Some(Violation::new(id, "procMount", detail, fields))
}

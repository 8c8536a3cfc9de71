//! `allowPrivilegeEscalation` (restricted, v1.8+): unless set to false, setuid binaries and file
//! capabilities can raise a process above its parent's privileges. The field appeared in
//! Kubernetes 1.8, hence the start. From v1.25 Windows pods are exempt (the field is Linux-only).

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::Text;
use crate::pod::Who;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    title: "Containers must set allowPrivilegeEscalation to false",
    revisions: &[
        Revision {
            since: 8,
            overrides: &[],
            change: "securityContext.allowPrivilegeEscalation=false in every container",
        },
        Revision {
            since: 25,
            overrides: &[],
            change: "pods with spec.os.name=windows are exempt",
        },
    ],
    run,
};

const FIELD: Sc = Sc::AllowPrivilegeEscalation;

fn run(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 25 && ctx.is_windows() {
        return None;
    }
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        if ctx.sc_bool(who, FIELD) != Some(false) {
            names.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, FIELD, &[]));
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .containers(&names)
        .push(" must set securityContext.allowPrivilegeEscalation=false")
        .done();
    Some(Violation::new(
        CHECK.id,
        "allowPrivilegeEscalation != false",
        detail,
        fields,
    ))
}

//! `windowsHostProcess` (baseline, v1.0+): a Windows HostProcess container runs directly on the
//! node with the node's privileges, the Windows counterpart of a privileged container.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "windowsHostProcess",
    level: Level::Baseline,
    title: "Windows pods must not run HostProcess containers",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change:
            "securityContext.windowsOptions.hostProcess must be false or unset (pod and containers)",
    }],
    run,
};

const FIELD: &str = "securityContext.windowsOptions.hostProcess";

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut fields = Vec::new();
    let pod_bad = ctx.pod_bool(FIELD) == Some(true);
    if pod_bad {
        fields.push(ctx.pod.path(FIELD));
    }
    let mut names = Vec::new();
    for c in ctx.pod.containers() {
        if ctx.c_bool(&c, FIELD) == Some(true) {
            names.push(ctx.c_name(&c));
            fields.push(c.path(FIELD));
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set {FIELD}=true",
        msg::setters(pod_bad, &names)
    );
    Some(Violation::new(CHECK.id, "hostProcess", detail, fields))
}

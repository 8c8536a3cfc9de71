//! `windowsHostProcess` (baseline, v1.0+): a Windows HostProcess container runs directly on the
//! node with the node's privileges, the Windows counterpart of a privileged container.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::Text;
use crate::pod::Who;
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

/// `securityContext.windowsOptions.hostProcess`, when set.
fn host_process(ctx: &Ctx<'_>, who: Who<'_>) -> Option<bool> {
    let options = ctx.sc_object(who, Sc::WindowsOptions)?;
    ctx.bool(options, &["hostProcess"], &|| {
        ctx.sc_path(who, Sc::WindowsOptions, &[])
    })
}

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut fields = Vec::new();
    let pod_bad = host_process(ctx, Who::Pod) == Some(true);
    if pod_bad {
        fields.push(ctx.sc_path(Who::Pod, Sc::WindowsOptions, &["hostProcess"]));
    }
    let mut names = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        if host_process(ctx, who) == Some(true) {
            names.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, Sc::WindowsOptions, &["hostProcess"]));
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .setters(pod_bad, &names)
        .push(" must not set securityContext.windowsOptions.hostProcess=true")
        .done();
    Some(Violation::new(CHECK.id, "hostProcess", detail, fields))
}

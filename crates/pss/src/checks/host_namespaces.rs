//! `hostNamespaces` (baseline, v1.0+): sharing the node's network, PID or IPC namespace lets a pod
//! see and reach the node's processes and traffic.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Spec;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "hostNamespaces",
    level: Level::Baseline,
    title: "Pods must not share the host's namespaces",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "hostNetwork, hostPID and hostIPC must be false or unset",
    }],
    run,
};

/// Sorted as upstream lists them (a sorted set): hostIPC, hostNetwork, hostPID.
const FIELDS: [Spec; 3] = [Spec::HostIpc, Spec::HostNetwork, Spec::HostPid];

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut set = Vec::new();
    for field in FIELDS {
        if ctx.spec_bool(field) == Some(true) {
            set.push(field.key());
        }
    }
    if set.is_empty() {
        return None;
    }
    let fields = set.iter().map(|f| ctx.pod_path(&[f])).collect();
    Some(Violation::new(
        CHECK.id,
        "host namespaces",
        set.join(", "),
        fields,
    ))
}

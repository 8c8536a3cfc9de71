//! `hostProbesAndHostLifecycle` (baseline, v1.34+): a probe or lifecycle hook with a `host` makes
//! the kubelet send requests to an address of the pod's choosing, from the node's network.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    title: "Probes and lifecycle hooks must not name a host",
    revisions: &[Revision {
        since: 34,
        overrides: &[],
        change: "httpGet.host and tcpSocket.host empty in probes and lifecycle handlers",
    }],
    run,
};

/// Every handler that can carry a host, as a path below the container.
const HANDLERS: &[&str] = &[
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle.postStart",
    "lifecycle.preStop",
];

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut hosts = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.pod.containers() {
        let mut bad = false;
        for handler in HANDLERS {
            let Some(node) = ctx.c_object(&c, handler) else {
                continue;
            };
            for action in ["httpGet", "tcpSocket"] {
                let base = || c.path(handler);
                let Some(action_node) = ctx.object(node, action, &base) else {
                    continue;
                };
                let host = ctx.str_or_empty(action_node, "host", &|| c.path(handler).key(action));
                if !host.is_empty() {
                    bad = true;
                    hosts.push(host);
                    fields.push(c.path(handler).key(action).key("host"));
                }
            }
        }
        if bad {
            names.push(ctx.c_name(&c));
        }
    }
    if names.is_empty() {
        return None;
    }
    // Upstream keeps both containers and hosts as sorted sets here.
    let names = msg::sorted_set(names);
    let hosts = msg::sorted_set(hosts);
    let detail = format!(
        "{} {} {} {}",
        msg::containers(&names),
        msg::plural(names.len(), "uses", "use"),
        msg::plural(
            hosts.len(),
            "probe or lifecycle host",
            "probe or lifecycle hosts"
        ),
        msg::join_quote(&hosts)
    );
    Some(Violation::new(
        CHECK.id,
        "probe or lifecycle host",
        detail,
        fields,
    ))
}

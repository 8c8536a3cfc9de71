//! `hostProbesAndHostLifecycle` (baseline, v1.34+): a probe or lifecycle hook with a `host` makes
//! the kubelet send requests to an address of the pod's choosing, from the node's network.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::C;
use crate::msg::{self, Text};
use crate::pod::Cont;
use crate::policy::Level;
use crate::read::{Append, Ctx};
use kcheck_model::Node;

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

/// Every handler that can carry a host, as keys below the container, in upstream's order.
const HANDLERS: [&[&str]; 5] = [
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

/// The container's handlers that are set, in [`HANDLERS`] order.
fn handlers<'a>(ctx: &Ctx<'a>, c: &Cont<'a>) -> [Option<&'a Node>; 5] {
    let probe = |field: C| {
        let node = ctx.c_field(c, field)?;
        ctx.object_node(node, &|| ctx.c_path(c, &[field.key()]))
    };
    let hook = |key: &str| {
        let lifecycle = ctx.c_field(c, C::Lifecycle)?;
        ctx.object(lifecycle, &[key], &|| ctx.c_path(c, &[C::Lifecycle.key()]))
    };
    [
        probe(C::LivenessProbe),
        probe(C::ReadinessProbe),
        probe(C::StartupProbe),
        hook("postStart"),
        hook("preStop"),
    ]
}

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut hosts = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.containers() {
        let mut bad = false;
        for (handler, node) in HANDLERS.iter().zip(handlers(ctx, &c)) {
            let Some(node) = node else {
                continue;
            };
            for action in ["httpGet", "tcpSocket"] {
                let base = || ctx.c_path(&c, handler);
                let Some(action_node) = ctx.object(node, &[action], &base) else {
                    continue;
                };
                let host = ctx.str_or_empty(action_node, &["host"], &|| base().then(&[action]));
                if !host.is_empty() {
                    bad = true;
                    hosts.push(host);
                    fields.push(base().then(&[action, "host"]));
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
    let detail = Text::new()
        .containers(&names)
        .push(msg::plural(names.len(), " uses ", " use "))
        .push(msg::plural(
            hosts.len(),
            "probe or lifecycle host ",
            "probe or lifecycle hosts ",
        ))
        .quoted(&hosts)
        .done();
    Some(Violation::new(
        CHECK.id,
        "probe or lifecycle host",
        detail,
        fields,
    ))
}

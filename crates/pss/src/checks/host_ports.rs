//! `hostPorts` (baseline, v1.0+): a host port binds the node's own address, bypassing network
//! policy and colliding with other pods; only 0 or unset is allowed.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::C;
use crate::msg::{self, Text};
use crate::policy::Level;
use crate::read::{Append, Ctx};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "hostPorts",
    level: Level::Baseline,
    title: "Containers must not use host ports",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "ports[*].hostPort must be 0 or unset in every container",
    }],
    run,
};

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut ports = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.containers() {
        let mut bad = false;
        for (j, port) in ctx.c_list(&c, C::Ports).iter().enumerate() {
            let base = || ctx.c_path(&c, &[C::Ports.key()]).at(j);
            match ctx.int(port, &["hostPort"], 32, &base) {
                Some(p) if p != 0 => {
                    bad = true;
                    ports.push(p.to_string());
                    fields.push(base().then(&["hostPort"]));
                }
                _ => {}
            }
        }
        if bad {
            names.push(ctx.c_name(&c));
        }
    }
    if names.is_empty() {
        return None;
    }
    // Upstream keeps the ports as a sorted set of strings, so "10" sorts before "9".
    let ports = msg::sorted_set(ports);
    let detail = Text::new()
        .containers(&names)
        .push(msg::plural(names.len(), " uses ", " use "))
        .push(msg::plural(ports.len(), "hostPort ", "hostPorts "))
        .joined(&ports, ", ")
        .done();
    Some(Violation::new(CHECK.id, "hostPort", detail, fields))
}

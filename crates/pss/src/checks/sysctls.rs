//! `sysctls` (baseline, v1.0+): most sysctls reach beyond the pod's own namespaces, so only a
//! list of namespaced, isolated ones is allowed. The list grows with the policy version.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::pod::Who;
use crate::policy::Level;
use crate::read::{Append, Ctx};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "sysctls",
    level: Level::Baseline,
    title: "Only safe, namespaced sysctls may be set",
    revisions: &[
        Revision {
            since: 0,
            overrides: &[],
            change: "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start",
        },
        Revision {
            since: 27,
            overrides: &[],
            change: "adds net.ipv4.ip_local_reserved_ports",
        },
        Revision {
            since: 29,
            overrides: &[],
            change: "adds net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes",
        },
        Revision {
            since: 32,
            overrides: &[],
            change: "adds net.ipv4.tcp_rmem, net.ipv4.tcp_wmem",
        },
        Revision {
            since: 37,
            overrides: &[],
            change: "adds net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat",
        },
    ],
    run,
};

/// Each safe sysctl with the first policy version that allows it.
const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn safe(name: &str, since: u32) -> bool {
    SAFE.iter().any(|(n, from)| *n == name && *from <= since)
}

fn run(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for (i, item) in ctx.sc_list(Who::Pod, Sc::Sysctls).iter().enumerate() {
        let base = || ctx.sc_path(Who::Pod, Sc::Sysctls, &[]).at(i);
        let name = ctx.str_or_empty(item, &["name"], &base);
        if !safe(name, since) {
            names.push(name);
            fields.push(base().then(&["name"]));
        }
    }
    if names.is_empty() {
        return None;
    }
    // Upstream lists them as the pod does, duplicates included.
    Some(Violation::new(
        CHECK.id,
        "forbidden sysctls",
        names.join(", "),
        fields,
    ))
}

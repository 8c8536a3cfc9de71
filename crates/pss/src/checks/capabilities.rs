//! `capabilities_baseline` (v1.0+) and `capabilities_restricted` (v1.22+).
//!
//! Baseline forbids adding capabilities beyond the container runtime's default set (NET_RAW is
//! not in it). Restricted goes further: every container must drop ALL and may add back only
//! NET_BIND_SERVICE. From v1.25 Windows pods are exempt from the restricted check, because the
//! API server refuses Linux capabilities on them anyway.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;
use kcheck_model::{Container, FieldPath, Node};

pub(crate) const BASELINE: CheckInfo = CheckInfo {
    id: "capabilities_baseline",
    level: Level::Baseline,
    title: "Containers may add only the runtime's default capabilities",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "capabilities.add limited to the runtime's default set",
    }],
    run: run_baseline,
};

pub(crate) const RESTRICTED: CheckInfo = CheckInfo {
    id: "capabilities_restricted",
    level: Level::Restricted,
    title: "Containers must drop ALL capabilities and add only NET_BIND_SERVICE",
    revisions: &[
        Revision {
            since: 22,
            overrides: &["capabilities_baseline"],
            change: "capabilities.drop must include ALL; capabilities.add only NET_BIND_SERVICE",
        },
        Revision {
            since: 25,
            overrides: &["capabilities_baseline"],
            change: "pods with spec.os.name=windows are exempt",
        },
    ],
    run: run_restricted,
};

/// The capabilities container runtimes grant by default (minus NET_RAW), which baseline lets a
/// container add back.
const DEFAULT_SET: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The `add` entries of one container that fail `allowed`, with their paths.
fn bad_adds<'a>(
    ctx: &Ctx<'a>,
    c: &Container<'a>,
    caps: &'a Node,
    allowed: impl Fn(&str) -> bool,
    found: &mut Vec<&'a str>,
    fields: &mut Vec<FieldPath>,
) -> bool {
    let mut bad = false;
    let base = || c.path("securityContext.capabilities");
    for (k, item) in ctx.list(caps, "add", &base).iter().enumerate() {
        let path = || c.path("securityContext.capabilities.add").index(k);
        // A null entry decodes as "", which no allow-list contains.
        let cap = if item.is_null() {
            Some("")
        } else {
            ctx.string_node(item, &path)
        };
        if let Some(cap) = cap.filter(|cap| !allowed(cap)) {
            bad = true;
            found.push(cap);
            fields.push(path());
        }
    }
    bad
}

fn run_baseline(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut caps = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.pod.containers() {
        if let Some(node) = ctx.c_object(&c, "securityContext.capabilities") {
            if bad_adds(
                ctx,
                &c,
                node,
                |cap| DEFAULT_SET.contains(&cap),
                &mut caps,
                &mut fields,
            ) {
                names.push(ctx.c_name(&c));
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not include {} in securityContext.capabilities.add",
        msg::containers(&names),
        msg::join_quote(&msg::sorted_set(caps))
    );
    Some(Violation::new(
        BASELINE.id,
        "non-default capabilities",
        detail,
        fields,
    ))
}

fn run_restricted(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 25 && ctx.is_windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.pod.containers() {
        let Some(node) = ctx.c_object(&c, "securityContext.capabilities") else {
            missing_drop.push(ctx.c_name(&c));
            fields.push(c.path("securityContext.capabilities.drop"));
            continue;
        };
        let base = || c.path("securityContext.capabilities");
        let drops = ctx.list(node, "drop", &base);
        // Every entry is read (not just up to ALL) so that each mistyped one is reported.
        let mut dropped_all = false;
        for (k, item) in drops.iter().enumerate() {
            let path = || c.path("securityContext.capabilities.drop").index(k);
            dropped_all |= ctx.string_node(item, &path) == Some("ALL");
        }
        if !dropped_all {
            missing_drop.push(ctx.c_name(&c));
            fields.push(c.path("securityContext.capabilities.drop"));
        }
        if bad_adds(
            ctx,
            &c,
            node,
            |cap| cap == "NET_BIND_SERVICE",
            &mut caps,
            &mut fields,
        ) {
            adding.push(ctx.c_name(&c));
        }
    }
    let mut parts = Vec::new();
    if !missing_drop.is_empty() {
        parts.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            msg::containers(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        parts.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            msg::containers(&adding),
            msg::join_quote(&msg::sorted_set(caps))
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(Violation::new(
        RESTRICTED.id,
        "unrestricted capabilities",
        parts.join("; "),
        fields,
    ))
}

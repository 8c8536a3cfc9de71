//! `capabilities_baseline` (v1.0+) and `capabilities_restricted` (v1.22+).
//!
//! Baseline forbids adding capabilities beyond the container runtime's default set (NET_RAW is
//! not in it). Restricted goes further: every container must drop ALL and may add back only
//! NET_BIND_SERVICE. From v1.25 Windows pods are exempt from the restricted check, because the
//! API server refuses Linux capabilities on them anyway.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::{self, Text};
use crate::pod::Who;
use crate::policy::Level;
use crate::read::{Append, Ctx};
use kcheck_model::{FieldPath, Node};

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
    who: Who<'a>,
    caps: &'a Node,
    allowed: impl Fn(&str) -> bool,
    found: &mut Vec<&'a str>,
    fields: &mut Vec<FieldPath>,
) -> bool {
    let mut bad = false;
    let base = || ctx.sc_path(who, Sc::Capabilities, &[]);
    for (k, item) in ctx.list(caps, &["add"], &base).iter().enumerate() {
        let path = || ctx.sc_path(who, Sc::Capabilities, &["add"]).at(k);
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
    for c in ctx.containers() {
        let who = Who::Container(c);
        if let Some(node) = ctx.sc_object(who, Sc::Capabilities) {
            if bad_adds(
                ctx,
                who,
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
    let mut detail = Text::new();
    forbidden_adds(&mut detail, &names, caps);
    Some(Violation::new(
        BASELINE.id,
        "non-default capabilities",
        detail.done(),
        fields,
    ))
}

/// `containers "a", "b" must not include "X", "Y" in securityContext.capabilities.add`.
fn forbidden_adds(detail: &mut Text, names: &[&str], caps: Vec<&str>) {
    detail
        .containers(names)
        .push(" must not include ")
        .quoted(&msg::sorted_set(caps))
        .push(" in securityContext.capabilities.add");
}

fn run_restricted(ctx: &Ctx<'_>, since: u32) -> Option<Violation> {
    if since >= 25 && ctx.is_windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = Vec::new();
    let mut fields = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        let Some(node) = ctx.sc_object(who, Sc::Capabilities) else {
            missing_drop.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, Sc::Capabilities, &["drop"]));
            continue;
        };
        let drops = ctx.list(node, &["drop"], &|| ctx.sc_path(who, Sc::Capabilities, &[]));
        // Every entry is read (not just up to ALL) so that each mistyped one is reported.
        let mut dropped_all = false;
        for (k, item) in drops.iter().enumerate() {
            let path = || ctx.sc_path(who, Sc::Capabilities, &["drop"]).at(k);
            dropped_all |= ctx.string_node(item, &path) == Some("ALL");
        }
        if !dropped_all {
            missing_drop.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, Sc::Capabilities, &["drop"]));
        }
        if bad_adds(
            ctx,
            who,
            node,
            |cap| cap == "NET_BIND_SERVICE",
            &mut caps,
            &mut fields,
        ) {
            adding.push(ctx.c_name(&c));
        }
    }
    if missing_drop.is_empty() && adding.is_empty() {
        return None;
    }
    let mut detail = Text::new();
    if !missing_drop.is_empty() {
        detail
            .containers(&missing_drop)
            .push(" must set securityContext.capabilities.drop=[\"ALL\"]");
        if !adding.is_empty() {
            detail.push("; ");
        }
    }
    if !adding.is_empty() {
        forbidden_adds(&mut detail, &adding, caps);
    }
    Some(Violation::new(
        RESTRICTED.id,
        "unrestricted capabilities",
        detail.done(),
        fields,
    ))
}

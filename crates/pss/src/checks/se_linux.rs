//! `seLinuxOptions` (baseline, v1.0+): a custom SELinux user or role, or a type outside the
//! container types, can lift the label that confines a container.
//!
//! v1.31 added `container_engine_t` (used to run container engines inside pods) to the types.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::{self, Text};
use crate::pod::Who;
use crate::policy::Level;
use crate::read::{Append, Base, Ctx};
use kcheck_model::{FieldPath, Node};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "seLinuxOptions",
    level: Level::Baseline,
    title: "SELinux options must keep a container type and no custom user or role",
    revisions: &[
        Revision {
            since: 0,
            overrides: &[],
            change:
                "type empty, container_t, container_init_t or container_kvm_t; user and role unset",
        },
        Revision {
            since: 31,
            overrides: &[],
            change: "container_engine_t allowed too",
        },
    ],
    run,
};

fn allowed_type(t: &str, since: u32) -> bool {
    matches!(
        t,
        "" | "container_t" | "container_init_t" | "container_kvm_t"
    ) || (since >= 31 && t == "container_engine_t")
}

/// What one `seLinuxOptions` gets wrong.
#[derive(Default)]
struct Findings<'a> {
    types: Vec<&'a str>,
    user: bool,
    role: bool,
}

impl<'a> Findings<'a> {
    /// Checks one `seLinuxOptions` found at `at` (built only for findings); true when bad.
    fn check(
        &mut self,
        ctx: &Ctx<'a>,
        opts: &'a Node,
        at: Base<'_>,
        since: u32,
        fields: &mut Vec<FieldPath>,
    ) -> bool {
        let mut bad = false;
        let t = ctx.str_or_empty(opts, &["type"], at);
        if !allowed_type(t, since) {
            self.types.push(t);
            fields.push(at().then(&["type"]));
            bad = true;
        }
        for (key, flag) in [("user", &mut self.user), ("role", &mut self.role)] {
            if !ctx.str_or_empty(opts, &[key], at).is_empty() {
                *flag = true;
                fields.push(at().then(&[key]));
                bad = true;
            }
        }
        bad
    }
}

fn run<'a>(ctx: &Ctx<'a>, since: u32) -> Option<Violation> {
    let mut found = Findings::default();
    let mut fields = Vec::new();
    let mut check = |who: Who<'a>| {
        let opts = ctx.sc_object(who, Sc::SeLinuxOptions)?;
        let at = || ctx.sc_path(who, Sc::SeLinuxOptions, &[]);
        Some(found.check(ctx, opts, &at, since, &mut fields))
    };
    let pod_bad = check(Who::Pod) == Some(true);
    let mut names = Vec::new();
    for c in ctx.containers() {
        if check(Who::Container(c)) == Some(true) {
            names.push(ctx.c_name(&c));
        }
    }
    if !pod_bad && names.is_empty() {
        return None;
    }
    let mut detail = Text::new();
    detail
        .setters(pod_bad, &names)
        .push(" set forbidden securityContext.seLinuxOptions: ");
    // The parts that apply, separated by "; ".
    let types = msg::sorted_set(found.types);
    let mut sep = "";
    if !types.is_empty() {
        detail
            .push(msg::plural(types.len(), "type ", "types "))
            .quoted(&types);
        sep = "; ";
    }
    if found.user {
        detail.push(sep).push("user may not be set");
        sep = "; ";
    }
    if found.role {
        detail.push(sep).push("role may not be set");
    }
    let detail = detail.done();
    Some(Violation::new(CHECK.id, "seLinuxOptions", detail, fields))
}

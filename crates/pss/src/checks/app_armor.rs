//! `appArmorProfile` (baseline, v1.0+): a pod may keep the runtime's default AppArmor profile or
//! pick a local one, but not run unconfined.
//!
//! Two channels are checked, both at every policy version: the `appArmorProfile` fields (pod and
//! containers, type `RuntimeDefault` or `Localhost`) and the deprecated
//! `container.apparmor.security.beta.kubernetes.io/*` annotations (empty, `runtime/default` or
//! `localhost/...`). Upstream added the field check to its single v1.0 revision, so pinning an
//! old version does not switch it off.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::fields::Sc;
use crate::msg::{self, Text};
use crate::pod::Who;
use crate::policy::Level;
use crate::read::Ctx;

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "appArmorProfile",
    level: Level::Baseline,
    title: "AppArmor must not be disabled or overridden with an unconfined profile",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "appArmorProfile.type RuntimeDefault or Localhost; annotations runtime/default, localhost/* or empty",
    }],
    run,
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

/// The profile type when a profile is set and its type is not allowed ("" when the type itself
/// is missing).
fn bad_type<'a>(ctx: &Ctx<'a>, who: Who<'a>) -> Option<&'a str> {
    let profile = ctx.sc_object(who, Sc::AppArmorProfile)?;
    let t = ctx.str_or_empty(profile, &["type"], &|| {
        ctx.sc_path(who, Sc::AppArmorProfile, &[])
    });
    (!allowed_type(t)).then_some(t)
}

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut values = Vec::new();
    let mut fields = Vec::new();
    let pod_bad = bad_type(ctx, Who::Pod).map(|t| values.push(t)).is_some();
    if pod_bad {
        fields.push(ctx.sc_path(Who::Pod, Sc::AppArmorProfile, &["type"]));
    }
    let mut names = Vec::new();
    for c in ctx.containers() {
        let who = Who::Container(c);
        if let Some(t) = bad_type(ctx, who) {
            values.push(t);
            names.push(ctx.c_name(&c));
            fields.push(ctx.sc_path(who, Sc::AppArmorProfile, &["type"]));
        }
    }
    let mut annotations = Vec::new();
    for entry in ctx.annotations() {
        if !entry.key.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        if let Some(v) = ctx
            .annotation_value(entry)
            .filter(|v| !allowed_annotation(v))
        {
            annotations.push(format!("{}={}", entry.key, msg::go_quote(v)));
            fields.push(ctx.annotation_path(&entry.key));
        }
    }
    if !pod_bad && names.is_empty() && annotations.is_empty() {
        return None;
    }
    let mut detail = Text::new();
    if pod_bad || !names.is_empty() {
        detail.setters(pod_bad, &names);
        if !annotations.is_empty() {
            detail.push(" and ");
        }
    }
    if !annotations.is_empty() {
        detail.push(msg::plural(annotations.len(), "annotation", "annotations"));
    }
    let mut bad_values: Vec<String> = msg::sorted_set(values)
        .into_iter()
        .map(str::to_string)
        .collect();
    bad_values.extend(msg::sorted_set(annotations));
    let reason = msg::plural(
        bad_values.len(),
        "forbidden AppArmor profile",
        "forbidden AppArmor profiles",
    );
    let detail = detail
        .push(" must not set AppArmor profile type to ")
        .quoted(&bad_values)
        .done();
    Some(Violation::new(CHECK.id, reason, detail, fields))
}

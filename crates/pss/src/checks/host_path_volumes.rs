//! `hostPathVolumes` (baseline, v1.0+): a hostPath volume mounts the node's filesystem into the
//! pod. Restricted replaces it with `restrictedVolumes`, which forbids hostPath among others.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg::{self, Text};
use crate::policy::Level;
use crate::read::{Append, Ctx};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "hostPathVolumes",
    level: Level::Baseline,
    title: "Pods must not mount hostPath volumes",
    revisions: &[Revision {
        since: 0,
        overrides: &[],
        change: "no volume may set hostPath",
    }],
    run,
};

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut fields = Vec::new();
    for (i, volume) in ctx.view.volumes.iter().enumerate() {
        let base = || ctx.pod_path(&["volumes"]).at(i);
        if ctx.object(volume, &["hostPath"], &base).is_some() {
            names.push(ctx.str(volume, &["name"], &base).unwrap_or(""));
            fields.push(base().then(&["hostPath"]));
        }
    }
    if names.is_empty() {
        return None;
    }
    let detail = Text::new()
        .push(msg::plural(names.len(), "volume ", "volumes "))
        .quoted(&names)
        .done();
    Some(Violation::new(CHECK.id, "hostPath volumes", detail, fields))
}

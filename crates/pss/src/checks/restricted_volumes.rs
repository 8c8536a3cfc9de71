//! `restrictedVolumes` (restricted, v1.0+): only volume types that go through the API's own
//! access control (config maps, secrets, claims, CSI, ephemeral, image...) are allowed; types
//! that name storage directly (NFS servers, cloud disks, host paths) bypass it. Overrides
//! `hostPathVolumes`, since hostPath is among the forbidden types.
//!
//! A volume with no source at all is allowed: the API server defaults it to `emptyDir`.
//! `image` volumes are allowed at every version, as upstream added them to its only revision.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg::{self, Text};
use crate::policy::Level;
use crate::read::{Append, Ctx};

pub(crate) const CHECK: CheckInfo = CheckInfo {
    id: "restrictedVolumes",
    level: Level::Restricted,
    title: "Volumes must be of a type that the API controls access to",
    revisions: &[Revision {
        since: 0,
        overrides: &["hostPathVolumes"],
        change: "only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret",
    }],
    run,
};

/// What a volume's key names: an allowed source, or a forbidden one (its rank in
/// [`FORBIDDEN`]).
enum Source {
    Allowed,
    Forbidden(usize),
}

/// `None` for keys that name no known source (`name`).
fn source(key: &str) -> Option<Source> {
    match key {
        "configMap"
        | "csi"
        | "downwardAPI"
        | "emptyDir"
        | "ephemeral"
        | "image"
        | "persistentVolumeClaim"
        | "projected"
        | "secret" => Some(Source::Allowed),
        _ => FORBIDDEN
            .iter()
            .position(|f| *f == key)
            .map(Source::Forbidden),
    }
}

/// The other sources, in the order upstream names the first one it finds.
const FORBIDDEN: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn run(ctx: &Ctx<'_>, _since: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut fields = Vec::new();
    for (i, volume) in ctx.view.volumes.iter().enumerate() {
        let base = || ctx.pod_path(&["volumes"]).at(i);
        let Some(volume) = ctx.object_node(volume, &base) else {
            continue;
        };
        // One pass over the volume's fields, each known source type-checked as a lookup by
        // key would (only the last of duplicate keys counts); no short cut, so that each
        // mistyped source is reported.
        let entries = volume.as_map();
        let mut allowed = false;
        let mut forbidden = None;
        for (k, entry) in entries.iter().enumerate() {
            let Some(source) = source(&entry.key) else {
                continue;
            };
            if entries[k + 1..].iter().any(|later| later.key == entry.key) {
                continue;
            }
            let path = || base().then(&[&entry.key]);
            if ctx.object_node(&entry.value, &path).is_none() {
                continue;
            }
            match source {
                Source::Allowed => allowed = true,
                Source::Forbidden(rank) => {
                    forbidden = Some(forbidden.map_or(rank, |r: usize| r.min(rank)));
                }
            }
        }
        if allowed {
            continue;
        }
        if let Some(rank) = forbidden {
            let source = FORBIDDEN[rank];
            names.push(ctx.str(volume, &["name"], &base).unwrap_or(""));
            types.push(source);
            fields.push(base().then(&[source]));
        }
    }
    if names.is_empty() {
        return None;
    }
    let types = msg::sorted_set(types);
    let detail = Text::new()
        .push(msg::plural(names.len(), "volume ", "volumes "))
        .quoted(&names)
        .push(msg::plural(names.len(), " uses ", " use "))
        .push(msg::plural(
            types.len(),
            "restricted volume type ",
            "restricted volume types ",
        ))
        .quoted(&types)
        .done();
    Some(Violation::new(
        CHECK.id,
        "restricted volume types",
        detail,
        fields,
    ))
}

//! `restrictedVolumes` (restricted, v1.0+): only volume types that go through the API's own
//! access control (config maps, secrets, claims, CSI, ephemeral, image...) are allowed; types
//! that name storage directly (NFS servers, cloud disks, host paths) bypass it. Overrides
//! `hostPathVolumes`, since hostPath is among the forbidden types.
//!
//! A volume with no source at all is allowed: the API server defaults it to `emptyDir`.
//! `image` volumes are allowed at every version, as upstream added them to its only revision.

use super::{CheckInfo, Revision};
use crate::eval::Violation;
use crate::msg;
use crate::policy::Level;
use crate::read::Ctx;

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

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

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
    for (i, volume) in ctx.pod_list("volumes").iter().enumerate() {
        let base = || ctx.pod.path("volumes").index(i);
        // Every known source is read (no short cut), so each mistyped one is reported.
        let mut allowed = false;
        for source in ALLOWED {
            allowed |= ctx.object(volume, source, &base).is_some();
        }
        let mut forbidden = None;
        for source in FORBIDDEN {
            if ctx.object(volume, source, &base).is_some() && forbidden.is_none() {
                forbidden = Some(*source);
            }
        }
        if allowed {
            continue;
        }
        if let Some(source) = forbidden {
            names.push(ctx.str(volume, "name", &base).unwrap_or(""));
            types.push(source);
            fields.push(base().key(source));
        }
    }
    if names.is_empty() {
        return None;
    }
    let types = msg::sorted_set(types);
    let detail = format!(
        "{} {} {} {} {}",
        msg::plural(names.len(), "volume", "volumes"),
        msg::join_quote(&names),
        msg::plural(names.len(), "uses", "use"),
        msg::plural(
            types.len(),
            "restricted volume type",
            "restricted volume types"
        ),
        msg::join_quote(&types)
    );
    Some(Violation::new(
        CHECK.id,
        "restricted volume types",
        detail,
        fields,
    ))
}

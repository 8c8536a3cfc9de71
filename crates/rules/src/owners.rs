//! One problem, reported once: a Pod made by a ReplicaSet made by a Deployment has the findings
//! of the Deployment's template. When the input holds the owner too (a live cluster, a dump,
//! `kubectl get deploy,rs,pods -o yaml` in a repository), a finding of an owned object that its
//! top owner in the input also has (same rule, same level, same field of the pod template) is
//! folded into the owner's. What an owned object has of its own (a sidecar injected at
//! admission, a field changed since) stays on it.

use kcheck_model::{Finding, Inventory, Level, Object, ObjectRef};
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// Owners are followed this far at most (Pod, ReplicaSet, Deployment is two steps; a cycle in
/// hostile input stops here).
const MAX_DEPTH: usize = 8;

/// Drops the findings of owned objects that their top owner in `inventory` also has; returns
/// how many were dropped.
pub fn fold_owned(findings: &mut Vec<Finding>, inventory: &Inventory) -> usize {
    // Top owners by the owned object's identity (findings of one object share it), computed
    // once per object.
    let mut tops: HashMap<*const ObjectRef, Option<Arc<ObjectRef>>> = HashMap::default();
    let owners: Vec<Option<Arc<ObjectRef>>> = findings
        .iter()
        .map(|f| {
            let r = f.object.as_ref()?;
            tops.entry(Arc::as_ptr(r))
                .or_insert_with(|| top_owner(inventory, r).map(Arc::new))
                .clone()
        })
        .collect();
    let top_set: HashSet<&ObjectRef> = owners.iter().flatten().map(|o| &**o).collect();
    if top_set.is_empty() {
        return 0;
    }
    // What the top owners report themselves.
    let own: HashSet<(&ObjectRef, Key)> = findings
        .iter()
        .filter_map(|f| {
            let o = f.object.as_deref().filter(|o| top_set.contains(o))?;
            Some((o, key(f)?))
        })
        .collect();
    let folded: Vec<bool> = findings
        .iter()
        .zip(&owners)
        .map(|(f, top)| match (top, key(f)) {
            (Some(top), Some(k)) => own.contains(&(&**top, k)),
            _ => false,
        })
        .collect();
    let before = findings.len();
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !folded[i - 1]
    });
    before - findings.len()
}

/// A finding as it would read on any object with the same pod template: its rule, level and
/// the field under the pod template (`spec.containers[0].securityContext.privileged`,
/// `metadata.labels`), or the whole object.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    code: &'static str,
    level: Level,
    field: String,
}

fn key(f: &Finding) -> Option<Key> {
    let kind = f.object.as_deref()?.kind.as_str();
    let field = match f.path.as_deref() {
        None => String::new(),
        Some(p) => {
            let prefix = match kind {
                "Pod" => "",
                "CronJob" => "spec.jobTemplate.spec.template.",
                "PodTemplate" => "template.",
                _ => "spec.template.",
            };
            p.strip_prefix(prefix)?.to_string()
        }
    };
    Some(Key {
        code: f.code,
        level: f.level,
        field,
    })
}

/// The top owner in the inventory of the object `r` names, when it is owned at all.
fn top_owner(inventory: &Inventory, r: &ObjectRef) -> Option<ObjectRef> {
    let mut object = inventory.get(&r.kind, r.namespace.as_deref(), &r.name)?;
    let mut top = None;
    for _ in 0..MAX_DEPTH {
        let Some(owner) = controller(inventory, object) else {
            break;
        };
        top = Some(owner.reference());
        object = owner;
    }
    top
}

/// The object's controller (`ownerReferences` entry with `controller: true`), when the
/// inventory holds it (and its uid matches, when both have one).
fn controller<'i>(inventory: &'i Inventory, object: &Object) -> Option<&'i Object> {
    let refs = object.root.path(&["metadata", "ownerReferences"])?;
    let entry = refs
        .as_seq()
        .iter()
        .find(|e| e.get("controller").and_then(|c| c.as_bool()) == Some(true))?;
    let kind = entry.str_at("kind")?;
    let name = entry.str_at("name")?;
    let owner = inventory.get(kind, object.namespace.as_deref(), name)?;
    let uid = |n: &kcheck_model::Node| n.str_at("uid").map(str::to_string);
    match (
        entry.str_at("uid"),
        owner.root.get("metadata").and_then(uid),
    ) {
        (Some(a), Some(b)) if a != b => None,
        _ => Some(owner),
    }
}

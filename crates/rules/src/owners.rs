//! One problem, reported once: a Pod made by a ReplicaSet made by a Deployment has the findings
//! of the Deployment's template. When the input holds the owner too (a live cluster, a dump,
//! `kubectl get deploy,rs,pods -o yaml` in a repository), a finding of an owned object that its
//! top owner in the input also has (same rule, same level, same field of the pod template) is
//! folded into the owner's. What an owned object has of its own (a sidecar injected at
//! admission, a field changed since) stays on it.

use kcheck_model::{Finding, Inventory, Level, Object, ObjectRef};
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;

/// Owners are followed this far at most (Pod, ReplicaSet, Deployment is two steps; a cycle in
/// hostile input stops here).
const MAX_DEPTH: usize = 8;

/// Drops the findings of owned objects that their top owner in `inventory` also has; returns
/// how many were dropped.
pub fn fold_owned(findings: &mut Vec<Finding>, inventory: &Inventory) -> usize {
    let Some(fold) = Fold::plan(inventory, findings.iter()) else {
        return 0;
    };
    let before = findings.len();
    findings.retain(|f| !fold.folds(f));
    before - findings.len()
}

/// Which findings fold into their top owner's: planned once over all the findings, then asked
/// of each (a streaming scan asks as it writes its report's findings out).
pub(crate) struct Fold {
    /// The top owner of each owned object of the inventory.
    tops: HashMap<ObjectRef, ObjectRef>,
    /// What the top owners report themselves.
    own: HashMap<ObjectRef, HashSet<Key>>,
}

impl Fold {
    /// The plan for `findings` (all of them); `None` when no object of `inventory` is owned by
    /// another object of it, and nothing folds.
    pub(crate) fn plan(
        inventory: &Inventory,
        findings: impl Iterator<Item = impl std::ops::Deref<Target = Finding>>,
    ) -> Option<Fold> {
        let mut tops: HashMap<ObjectRef, ObjectRef> = HashMap::default();
        for o in inventory.objects() {
            if controller(inventory, o).is_none() {
                continue;
            }
            let r = o.reference();
            if let Some(top) = top_owner(inventory, &r) {
                tops.insert(r, top);
            }
        }
        if tops.is_empty() {
            return None;
        }
        let top_set: HashSet<&ObjectRef> = tops.values().collect();
        let mut own: HashMap<ObjectRef, HashSet<Key>> = HashMap::default();
        for f in findings {
            let Some(o) = f.object.as_deref().filter(|o| top_set.contains(o)) else {
                continue;
            };
            if let Some(k) = key(&f) {
                own.entry(o.clone()).or_default().insert(k);
            }
        }
        Some(Fold { tops, own })
    }

    /// Whether `f`, a finding of an owned object, is one its top owner has too.
    pub(crate) fn folds(&self, f: &Finding) -> bool {
        let Some(top) = f.object.as_deref().and_then(|o| self.tops.get(o)) else {
            return false;
        };
        self.own
            .get(top)
            .is_some_and(|keys| key(f).is_some_and(|k| keys.contains(&k)))
    }
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

//! One problem, reported once: a Pod made by a ReplicaSet made by a Deployment has the findings
//! of the Deployment's template. When the input holds the owner too (a live cluster, a dump,
//! `kubectl get deploy,rs,pods -o yaml` in a repository), a finding of an owned object that its
//! top owner in the input also has (same rule, same level, same field of the pod template) is
//! folded into the owner's. What an owned object has of its own (a sidecar injected at
//! admission, a field changed since) stays on it.
//!
//! The owner's finding says how many Pods it covers ([`Finding::pods`]): the distinct Pods
//! whose same finding folded into it (a ReplicaSet or a Job in between is not counted). A run
//! that lists every Pod's findings instead (`kcheck cluster --per-pod`) skips the fold
//! ([`crate::Engine::per_pod`]).

use kcheck_model::{Finding, Inventory, Level, Object, ObjectRef};
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;

/// Owners are followed this far at most (Pod, ReplicaSet, Deployment is two steps; a cycle in
/// hostile input stops here).
const MAX_DEPTH: usize = 8;

/// Drops the findings of owned objects that their top owner in `inventory` also has, and gives
/// each owner's finding the number of Pods whose same finding it took ([`Finding::pods`]);
/// returns how many were dropped.
pub fn fold_owned(findings: &mut Vec<Finding>, inventory: &Inventory) -> usize {
    let Some(fold) = Fold::plan(inventory, findings.iter()) else {
        return 0;
    };
    let before = findings.len();
    findings.retain(|f| !fold.folds(f));
    for f in findings.iter_mut() {
        fold.count_pods(f);
    }
    before - findings.len()
}

/// Which findings fold into their top owner's, and how many Pods each owner's finding then
/// covers: planned once over all the findings, then asked of each (a streaming scan asks as it
/// writes its report's findings out, so the counts are known before the first is written).
/// Objects are named by the inventory's strings and keys by number: a cluster has a hundred
/// thousand owned Pods.
pub(crate) struct Fold<'i> {
    /// The top owner of each owned object of the inventory (by its number in `tops`), and the
    /// object's number among the owned Pods when it is a Pod.
    owned: HashMap<Name<'i>, Owned>,
    /// The number of each top owner.
    tops: HashMap<Name<'i>, u32>,
    /// The number of each [`Key`].
    keys: HashMap<Key, u32>,
    /// What each top owner reports itself, by owner and key, with the Pods its finding covers.
    own: HashMap<(u32, u32), u32>,
}

/// An object's kind, namespace and name.
type Name<'a> = (&'a str, Option<&'a str>, &'a str);

fn name(o: &ObjectRef) -> Name<'_> {
    (&o.kind, o.namespace.as_deref(), &o.name)
}

#[derive(Clone, Copy)]
struct Owned {
    top: u32,
    pod: Option<u32>,
}

impl<'i> Fold<'i> {
    /// The plan for `findings` (all of them); `None` when no object of `inventory` is owned by
    /// another object of it, and nothing folds.
    pub(crate) fn plan(
        inventory: &'i Inventory,
        findings: impl Iterator<Item = impl std::ops::Deref<Target = Finding>>,
    ) -> Option<Fold<'i>> {
        let mut owned: HashMap<Name<'i>, Owned> = HashMap::default();
        let mut tops: HashMap<Name<'i>, u32> = HashMap::default();
        let mut pods = 0u32;
        for o in inventory.objects() {
            let Some(top) = top_owner(inventory, o) else {
                continue;
            };
            let next = u32::try_from(tops.len()).unwrap_or(u32::MAX);
            let top = *tops
                .entry((&top.kind, top.namespace.as_deref(), &top.name))
                .or_insert(next);
            let pod = (o.kind == "Pod").then(|| {
                pods = pods.saturating_add(1);
                pods - 1
            });
            owned.insert(
                (&o.kind, o.namespace.as_deref(), &o.name),
                Owned { top, pod },
            );
        }
        if owned.is_empty() {
            return None;
        }
        let mut keys: HashMap<Key, u32> = HashMap::default();
        let mut own: HashMap<(u32, u32), u32> = HashMap::default();
        // Top owner, key and Pod of each Pod's finding, as found: whether the owner has it too
        // is known only once every finding was seen.
        let mut of_pods: HashSet<(u32, u32, u32)> = HashSet::default();
        for f in findings {
            let Some(o) = f.object.as_deref().map(name) else {
                continue;
            };
            let top = tops.get(&o).copied();
            let pod = owned.get(&o).and_then(|w| Some((w.top, w.pod?)));
            if top.is_none() && pod.is_none() {
                continue;
            }
            let Some(k) = key(&f) else {
                continue;
            };
            let next = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            let k = match keys.get(&k) {
                Some(&id) => id,
                None => *keys.entry(k).or_insert(next),
            };
            if let Some(top) = top {
                own.entry((top, k)).or_insert(0);
            } else if let Some((top, pod)) = pod {
                of_pods.insert((top, k, pod));
            }
        }
        for (top, k, _) in of_pods {
            if let Some(n) = own.get_mut(&(top, k)) {
                *n = n.saturating_add(1);
            }
        }
        Some(Fold {
            owned,
            tops,
            keys,
            own,
        })
    }

    /// The number of `f`'s key, when some top owner's finding has it.
    fn key_id(&self, f: &Finding) -> Option<u32> {
        key(f).and_then(|k| self.keys.get(&k).copied())
    }

    /// Whether `f`, a finding of an owned object, is one its top owner has too.
    pub(crate) fn folds(&self, f: &Finding) -> bool {
        let Some(owned) = f.object.as_deref().and_then(|o| self.owned.get(&name(o))) else {
            return false;
        };
        self.key_id(f)
            .is_some_and(|k| self.own.contains_key(&(owned.top, k)))
    }

    /// Sets [`Finding::pods`] of `f`, a finding that stays, when Pods' findings folded into it.
    pub(crate) fn count_pods(&self, f: &mut Finding) {
        let n = self.pods(f);
        if n > 0 {
            f.pods = n;
        }
    }

    /// How many Pods' same finding folded into `f`, a top owner's finding (0 for any other).
    pub(crate) fn pods(&self, f: &Finding) -> u32 {
        let Some(&top) = f.object.as_deref().and_then(|o| self.tops.get(&name(o))) else {
            return 0;
        };
        self.key_id(f)
            .and_then(|k| self.own.get(&(top, k)).copied())
            .unwrap_or(0)
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

/// The top owner in the inventory of `object`, when it is owned at all.
fn top_owner<'i>(inventory: &'i Inventory, object: &'i Object) -> Option<&'i Object> {
    let mut object = object;
    let mut top = None;
    for _ in 0..MAX_DEPTH {
        let Some(owner) = controller(inventory, object) else {
            break;
        };
        top = Some(owner);
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

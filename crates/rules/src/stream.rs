//! Judging a manifest scan file by file, without holding every object's tree.
//!
//! A scan of a large repository must not keep the whole input in memory: 100,000 objects are
//! about a gigabyte of positioned trees. Most rules need nothing but the object they judge;
//! the others look up a few kinds (NetworkPolicies, Namespaces, RBAC, ...) or judge the whole
//! input once. So a streaming scan runs in two passes over the files:
//!
//! 1. **Index**: the objects of the kinds rules look up ([`Stream::index_kinds`]), kept whole
//!    ([`Stream::indexes`]). The collector need not parse other documents at all.
//! 2. **Judge**: each file is parsed, its objects judged by the object and gather rules over
//!    the complete index ([`Stream::judge`]), and its trees dropped; of each object not
//!    indexed, only a [`skeleton`] stays: identity, owners and what the whole-input rules read
//!    of a workload (owners, replicas, containers' names and images).
//!
//! Then [`Stream::finish`] runs the whole-input rules over the index and the skeletons, and
//! orders the findings exactly as [`Engine::run`] does: the same input gives the same report
//! bytes either way (`tests/stream.rs` holds both to it on every fixture and scenario).

use crate::engine::{FileOrder, Judged, Plan};
use crate::rule::{Analyses, Check, Context};
use crate::Engine;
use kcheck_model::{Entry, Evidence, Inputs, Inventory, Node, Object, Report, Value};

/// A streaming run of an [`Engine`] over manifests.
pub struct Stream<'e> {
    engine: &'e Engine,
    plan: Plan,
    index_kinds: Vec<&'static str>,
}

impl Engine {
    /// Starts a streaming run (see [`crate::stream`]) of a manifest scan: it judges
    /// `Evidence::Objects`, and the skeletons hold what that evidence's whole-input rules read.
    pub fn stream(&self) -> Stream<'_> {
        let plan = Plan::new(self, &[Evidence::Objects]);
        let mut index_kinds: Vec<&'static str> = Vec::new();
        for rule in &plan.runnable {
            let whole_input = matches!(rule.check, Check::Inventory(_));
            for &kind in rule.reads {
                // What the whole-input rules read of workloads is in their skeletons; a rule
                // that looks workloads up while judging an object needs them whole.
                if whole_input && is_workload(kind) {
                    continue;
                }
                index_kinds.push(kind);
            }
        }
        index_kinds.sort_unstable();
        index_kinds.dedup();
        Stream {
            engine: self,
            plan,
            index_kinds,
        }
    }
}

fn is_workload(kind: &str) -> bool {
    kcheck_model::WORKLOAD_KINDS.contains(&kind)
}

impl<'e> Stream<'e> {
    /// The kinds pass 1 reads: a document whose text names none of them holds no object the
    /// index keeps.
    pub fn index_kinds(&self) -> &[&'static str] {
        &self.index_kinds
    }

    /// Whether the index keeps `object` whole. Of Pods, only the control plane's are looked up
    /// ([`crate::analysis::control_plane::is_candidate`]).
    pub fn indexes(&self, object: &Object) -> bool {
        if !self.index_kinds.contains(&object.kind.as_str()) {
            return false;
        }
        object.kind != "Pod" || crate::analysis::control_plane::is_candidate(object)
    }

    /// Judges one file's objects over the complete `index` (with its shared `analyses`):
    /// what the object and gather rules found, and the skeletons of the objects the index
    /// does not hold, in order. Files may be judged in parallel; merge the results in file
    /// order.
    pub fn judge<'i>(
        &self,
        objects: &[Object],
        index: &'i Inventory,
        analyses: &'i Analyses<'i>,
    ) -> (Judged, Vec<Object>)
    where
        'e: 'i,
    {
        let engine = self.engine;
        let ctx = Context::sharing(index, &engine.config, analyses).at(engine.now);
        let mut judged = Judged::new(self.plan.runnable.len());
        engine.judge_objects(&self.plan, objects, &ctx, &mut judged);
        let skeletons = objects
            .iter()
            .inspect(|o| engine.waivers.check_annotation_rules_of(o))
            .filter(|o| !self.indexes(o))
            .map(skeleton)
            .collect();
        (judged, skeletons)
    }

    /// An empty result to merge the files' results into.
    pub fn judged(&self) -> Judged {
        Judged::new(self.plan.runnable.len())
    }

    /// Runs the whole-input rules over `inventory` (the index and the skeletons, in input
    /// order) and makes the report; `order` is the files in the order they were read.
    pub fn finish(
        &self,
        judged: Judged,
        inventory: &Inventory,
        inputs: Inputs,
        order: &FileOrder,
    ) -> Report {
        let engine = self.engine;
        let ctx = Context::new(inventory, &engine.config).at(engine.now);
        engine.conclude(&self.plan, judged, &ctx, None, inputs, order)
    }
}

/// What stays of an object the index does not hold: what the whole-input rules of a manifest
/// scan read of it (KC207 the first workload of a namespace, KC704 the workload a scanner's
/// report names; and the owners' fold): `apiVersion`, `kind` and `metadata` (name,
/// namespace, uid, owners), and of a workload also `spec.replicas` and its pod template's
/// metadata (the same) and containers (name, image). A whole-input rule that reads more of a
/// workload adds it here; `crates/scan/tests/same_report.rs` fails on its fixtures until it
/// does. Positions are kept, so a finding on a skeleton points where it would on
/// the object.
pub fn skeleton(object: &Object) -> Object {
    let workload = object.pod_spec().is_some();
    let mut root = Vec::new();
    for e in object.root.as_map() {
        match e.key.as_str() {
            "apiVersion" | "kind" => root.push(e.clone()),
            "metadata" => root.push(pick(e, METADATA)),
            "spec" if workload => root.push(workload_spec(e, &object.kind)),
            _ => {}
        }
    }
    Object {
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        namespace: object.namespace.clone(),
        name: object.name.clone(),
        root: Node::new(object.root.pos, Value::Map(root)),
        source: object.source.clone(),
    }
}

/// What stays of an object's metadata: its identity and owners.
const METADATA: &[&str] = &["name", "namespace", "uid", "ownerReferences"];

/// `entry` with only the keys `keep` of its mapping.
fn pick(entry: &Entry, keep: &[&str]) -> Entry {
    map_entry(
        entry,
        entry
            .value
            .as_map()
            .iter()
            .filter(|e| keep.contains(&e.key.as_str()))
            .cloned()
            .collect(),
    )
}

fn map_entry(entry: &Entry, entries: Vec<Entry>) -> Entry {
    Entry {
        key: entry.key.clone(),
        key_pos: entry.key_pos,
        value: Node::new(entry.value.pos, Value::Map(entries)),
    }
}

/// A workload's `spec`: its replicas and pod template (a Pod's `spec` is the pod spec).
fn workload_spec(spec: &Entry, kind: &str) -> Entry {
    if kind == "Pod" {
        return pod_spec(spec);
    }
    let entries = spec
        .value
        .as_map()
        .iter()
        .filter_map(|e| match e.key.as_str() {
            "replicas" => Some(e.clone()),
            "template" => Some(template(e)),
            "jobTemplate" => Some(map_entry(
                e,
                e.value
                    .as_map()
                    .iter()
                    .filter(|s| s.key == "spec")
                    .map(|s| {
                        map_entry(
                            s,
                            s.value
                                .as_map()
                                .iter()
                                .filter(|t| t.key == "template")
                                .map(template)
                                .collect(),
                        )
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    map_entry(spec, entries)
}

/// A pod template: its metadata and the skeleton of its spec.
fn template(t: &Entry) -> Entry {
    let entries = t
        .value
        .as_map()
        .iter()
        .filter_map(|e| match e.key.as_str() {
            "metadata" => Some(pick(e, METADATA)),
            "spec" => Some(pod_spec(e)),
            _ => None,
        })
        .collect();
    map_entry(t, entries)
}

/// A pod spec: its containers' names and images.
fn pod_spec(spec: &Entry) -> Entry {
    let entries = spec
        .value
        .as_map()
        .iter()
        .filter_map(|e| match e.key.as_str() {
            "containers" | "initContainers" | "ephemeralContainers" => {
                Some(seq_of(e, &["name", "image"]))
            }
            _ => None,
        })
        .collect();
    map_entry(spec, entries)
}

/// A sequence of mappings, each with only the keys `keep`.
fn seq_of(entry: &Entry, keep: &[&str]) -> Entry {
    let Value::Seq(items) = &entry.value.value else {
        return entry.clone();
    };
    let items = items
        .iter()
        .map(|item| match &item.value {
            Value::Map(m) => Node::new(
                item.pos,
                Value::Map(
                    m.iter()
                        .filter(|e| keep.contains(&e.key.as_str()))
                        .cloned()
                        .collect(),
                ),
            ),
            _ => item.clone(),
        })
        .collect();
    Entry {
        key: entry.key.clone(),
        key_pos: entry.key_pos,
        value: Node::new(entry.value.pos, Value::Seq(items)),
    }
}

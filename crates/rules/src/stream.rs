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
//!    the complete index ([`Stream::judge`]), and its trees dropped. A rule that needs
//!    workloads after their files are gone gathers what it needs ([`Check::Gather`]: KC207
//!    the first workload of each namespace, KC704 the workloads a scanner's report may
//!    name), often a [`skeleton`]. Only when the input may name owners (`ownerReferences`)
//!    does every object not indexed keep a skeleton, for the owners' fold.
//!
//! Then [`Stream::finish`] runs the whole-input rules over the index (and the skeletons), and
//! orders the findings exactly as [`Engine::run`] does: the same input gives the same report
//! bytes either way (`crates/scan/tests/same_report.rs` holds both to it on every fixture and
//! scenario).

use crate::engine::{FileOrder, Judged, Plan};
use crate::rule::{Analyses, Check, Context};
use crate::Engine;
use kcheck_model::{Entry, Evidence, Inputs, Inventory, Node, Object, Report, Value};

/// A streaming run of an [`Engine`] over manifests.
pub struct Stream<'e> {
    engine: &'e Engine,
    plan: Plan,
    index_kinds: Vec<&'static str>,
    /// Whether some object of the input may name an owner (see [`Stream::mind_owners`]).
    owners: std::sync::atomic::AtomicBool,
}

impl Engine {
    /// Starts a streaming run (see [`crate::stream`]) of a manifest scan: it judges
    /// `Evidence::Objects`, and the skeletons hold what that evidence's whole-input rules read.
    pub fn stream(&self) -> Stream<'_> {
        let plan = Plan::new(self, &[Evidence::Objects]);
        let mut index_kinds: Vec<&'static str> = Vec::new();
        for rule in &plan.runnable {
            let gathers = matches!(rule.check, Check::Gather { .. });
            for &kind in rule.reads {
                // A rule that needs workloads after their files are judged gathers what it
                // needs of them (KC207, KC704); one that looks workloads up while judging an
                // object needs them whole.
                if gathers && is_workload(kind) {
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
            owners: std::sync::atomic::AtomicBool::new(true),
        }
    }
}

/// An object with owners where the stream was told there are none: the input's text hid them
/// (escapes in JSON). The scan starts again in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misread;

fn has_owners(o: &Object) -> bool {
    o.root.path(&["metadata", "ownerReferences"]).is_some()
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

    /// Tells the stream whether any object of the input may have `ownerReferences` (the text
    /// of the input names them); it assumes so until told. When none has, nothing folds into
    /// an owner, and the objects the index does not hold keep no skeleton: nothing reads them
    /// after their file is judged. An object that has owners after all is a [`Misread`].
    pub fn mind_owners(&self, some_may_have: bool) {
        self.owners
            .store(some_may_have, std::sync::atomic::Ordering::Relaxed);
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
    ) -> Result<(Judged, Vec<Object>), Misread>
    where
        'e: 'i,
    {
        let engine = self.engine;
        let owners = self.owners.load(std::sync::atomic::Ordering::Relaxed);
        if !owners && objects.iter().any(has_owners) {
            return Err(Misread);
        }
        let ctx = Context::sharing(index, &engine.config, analyses)
            .with_images(engine.images.as_deref())
            .at(engine.now);
        let mut judged = Judged::new(self.plan.runnable.len());
        engine.judge_objects(&self.plan, objects, &ctx, &mut judged);
        let skeletons = objects
            .iter()
            .inspect(|o| engine.waivers.check_annotation_rules_of(o))
            .filter(|o| owners && !self.indexes(o))
            .map(skeleton)
            .collect();
        Ok((judged, skeletons))
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
        let ctx = Context::new(inventory, &engine.config)
            .with_images(engine.images.as_deref())
            .at(engine.now);
        engine.conclude(&self.plan, judged, &ctx, None, inputs, order)
    }
}

/// What a rule keeps of an object after its file is judged (KC207 the first workload of a
/// namespace, KC704 the workload a scanner's report names, the owners' fold when the input
/// names owners): `apiVersion`, `kind` and `metadata` (name, namespace, uid, owners, and the
/// `kcheck.io/ignore` annotations, which waive findings on it), and of a workload also
/// `spec.replicas` and its pod template's metadata (the same) and containers (name, image).
/// A rule that reads more of a workload adds it here; `crates/scan/tests/same_report.rs`
/// fails on its fixtures until it does. Positions are kept, so a finding on a skeleton points
/// where it would on the object.
pub fn skeleton(object: &Object) -> Object {
    let workload = object.pod_spec().is_some();
    let mut root = Vec::new();
    for e in object.root.as_map() {
        match e.key.as_str() {
            "apiVersion" | "kind" => root.push(e.clone()),
            "metadata" => root.push(metadata(e)),
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

/// An object's metadata: its identity, owners and waiver annotations.
fn metadata(entry: &Entry) -> Entry {
    let mut kept = pick(entry, METADATA);
    if let Some(annotations) = entry.value.as_map().iter().find(|e| e.key == "annotations") {
        let waivers = pick(
            annotations,
            &[crate::waivers::IGNORE, crate::waivers::IGNORE_REASON],
        );
        if !waivers.value.as_map().is_empty() {
            if let Value::Map(m) = &mut kept.value.value {
                m.push(waivers);
            }
        }
    }
    kept
}

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
            "metadata" => Some(metadata(e)),
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

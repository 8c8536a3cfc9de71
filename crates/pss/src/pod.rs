//! The per-evaluation view of a pod: the fields the checks read from the pod spec, from each
//! container and from each `securityContext`, found once when the evaluation starts (see
//! [`crate::fields`]) instead of looked up again by every check.
//!
//! Finding a field records nothing; its type is checked when a check reads it, so an
//! evaluation reports exactly the type errors of the fields its checks read. The exceptions are
//! the objects every evaluation reads through, which are type-checked here, once: the pod spec,
//! the container lists and their items, every container's `securityContext` (`privileged`
//! reads it at every level and version), the pod's `securityContext` (`sysctls`), `volumes`
//! (`hostPathVolumes` or `restrictedVolumes`) and the annotations (`appArmorProfile`).

use crate::fields::{ContainerFields, Sc, ScFields, Spec, SpecFields, C};
use crate::read::{Append, Ctx};
use kcheck_model::{ContainerKind, Entry, FieldPath, Node, Segment};
use std::cell::Cell;

/// How many containers have their fields found in advance; the rare pods with more look the
/// others' fields up by key.
const CACHED: usize = 8;

const KINDS: [(ContainerKind, Spec); 3] = [
    (ContainerKind::Init, Spec::InitContainers),
    (ContainerKind::Regular, Spec::Containers),
    (ContainerKind::Ephemeral, Spec::EphemeralContainers),
];

/// What is resolved once per evaluation.
#[derive(Default)]
pub(crate) struct View<'a> {
    pub spec: SpecFields<'a>,
    /// `initContainers`, `containers`, `ephemeralContainers` (empty unless lists).
    lists: [&'a [Node]; 3],
    /// The pod's `securityContext` fields.
    pod_sc: ScFields<'a>,
    /// The fields of the first [`CACHED`] containers and of their `securityContext`s, in
    /// [`Ctx::containers`] order.
    containers: [ContainerFields<'a>; CACHED],
    container_scs: [ScFields<'a>; CACHED],
    pub volumes: &'a [Node],
    /// The entries of `metadata.annotations`, duplicates included.
    annotations: &'a [Entry],
    /// `spec.os.name == "windows"` and `spec.hostUsers == false`, once asked.
    windows: Cell<Option<bool>>,
    user_namespace: Cell<Option<bool>>,
}

/// One container of the pod.
#[derive(Clone, Copy)]
pub(crate) struct Cont<'a> {
    pub kind: ContainerKind,
    /// The index in its own list.
    pub index: usize,
    node: &'a Node,
    /// The index among all containers, in [`Ctx::containers`] order.
    n: usize,
}

/// Whose `securityContext` a read is about.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    Pod,
    Container(Cont<'a>),
}

impl<'a> View<'a> {
    /// Fills `ctx.view` (in place: it is too large to move cheaply).
    pub fn resolve(ctx: &mut Ctx<'a>) {
        let spec_node = ctx.pod.spec;
        ctx.object_node(spec_node, &|| ctx.pod_path(&[]));
        let spec = SpecFields::pick(spec_node);
        ctx.view.spec = spec;
        for (slot, (_, field)) in KINDS.into_iter().enumerate() {
            let list = match spec.get(field) {
                Some(list) => ctx.list_node(list, &|| ctx.pod_path(&[field.key()])),
                None => &[],
            };
            ctx.view.lists[slot] = list;
        }
        let sc = spec
            .get(Spec::SecurityContext)
            .and_then(|sc| ctx.object_node(sc, &|| ctx.pod_path(&[Spec::SecurityContext.key()])));
        ctx.view.pod_sc = sc.map(ScFields::pick).unwrap_or_default();
        ctx.view.volumes = match spec.get(Spec::Volumes) {
            Some(list) => ctx.list_node(list, &|| ctx.pod_path(&[Spec::Volumes.key()])),
            None => &[],
        };
        ctx.view.annotations = match ctx.pod.metadata {
            Some(meta) => ctx
                .object(meta, &["annotations"], &|| ctx.metadata_path(&[]))
                .map_or(&[][..], Node::as_map),
            None => &[],
        };
        let lists = ctx.view.lists;
        for c in containers(lists) {
            // Every container is type-checked, cached or not.
            let fields = match ctx.object_node(c.node, &|| ctx.c_path(&c, &[])) {
                Some(node) => ContainerFields::pick(node),
                None => ContainerFields::default(),
            };
            let sc = container_sc(ctx, &c, fields.get(C::SecurityContext));
            if c.n < CACHED {
                ctx.view.containers[c.n] = fields;
                ctx.view.container_scs[c.n] = sc.map(ScFields::pick).unwrap_or_default();
            }
        }
    }
}

/// Every container in `lists`, in order.
fn containers<'a>(lists: [&'a [Node]; 3]) -> impl Iterator<Item = Cont<'a>> {
    KINDS
        .into_iter()
        .zip(lists)
        .flat_map(|((kind, _), items)| {
            items
                .iter()
                .enumerate()
                .map(move |(index, node)| (kind, index, node))
        })
        .enumerate()
        .map(|(n, (kind, index, node))| Cont {
            kind,
            index,
            node,
            n,
        })
}

/// A container's `securityContext`, when set and an object.
fn container_sc<'a>(ctx: &Ctx<'a>, c: &Cont<'a>, sc: Option<&'a Node>) -> Option<&'a Node> {
    ctx.object_node(sc?, &|| ctx.c_path(c, &[C::SecurityContext.key()]))
}

impl<'a> Ctx<'a> {
    /// Every container: init containers first, then regular, then ephemeral, as the kubelet
    /// starts them.
    pub fn containers(&self) -> impl Iterator<Item = Cont<'a>> {
        containers(self.view.lists)
    }

    /// A field of a container, when present (it may be null or of any type).
    pub fn c_field(&self, c: &Cont<'a>, field: C) -> Option<&'a Node> {
        match self.view.containers.get(c.n) {
            Some(found) => found.get(field),
            None => c.node.get(field.key()),
        }
    }

    /// A list field of a container; absent, null and mistyped lists are empty.
    pub fn c_list(&self, c: &Cont<'a>, field: C) -> &'a [Node] {
        match self.c_field(c, field) {
            Some(list) => self.list_node(list, &|| self.c_path(c, &[field.key()])),
            None => &[],
        }
    }

    /// `spec.containers[1]` plus `keys`.
    pub fn c_path(&self, c: &Cont<'_>, keys: &[&str]) -> FieldPath {
        self.pod_path(&[c.kind.list_field()]).at(c.index).then(keys)
    }

    /// The container's name as messages print it ("" when missing, as in Go).
    pub fn c_name(&self, c: &Cont<'a>) -> &'a str {
        self.c_field(c, C::Name)
            .and_then(|name| self.string_node(name, &|| self.c_path(c, &[C::Name.key()])))
            .unwrap_or("")
    }

    /// A field of the pod's or a container's `securityContext`: `Some` when set (not null).
    fn sc_field(&self, who: Who<'a>, field: Sc) -> Option<&'a Node> {
        let found = match who {
            Who::Pod => self.view.pod_sc.get(field),
            Who::Container(c) => match self.view.container_scs.get(c.n) {
                Some(found) => found.get(field),
                None => {
                    let sc = self.c_field(&c, C::SecurityContext);
                    container_sc(self, &c, sc)?.get(field.key())
                }
            },
        };
        found.filter(|node| !node.is_null())
    }

    /// The path to `securityContext.<field>` plus `keys`, below the pod spec or a container.
    pub fn sc_path(&self, who: Who<'_>, field: Sc, keys: &[&str]) -> FieldPath {
        let owner = match who {
            Who::Pod => self.pod_path(&[]),
            Who::Container(c) => self.c_path(&c, &[]),
        };
        owner.then(&["securityContext", field.key()]).then(keys)
    }

    pub fn sc_bool(&self, who: Who<'a>, field: Sc) -> Option<bool> {
        let node = self.sc_field(who, field)?;
        self.bool_node(node, &|| self.sc_path(who, field, &[]))
    }

    pub fn sc_str(&self, who: Who<'a>, field: Sc) -> Option<&'a str> {
        let node = self.sc_field(who, field)?;
        self.string_node(node, &|| self.sc_path(who, field, &[]))
    }

    /// An integer field; `bits` is the width of the Go type (32 or 64).
    pub fn sc_int(&self, who: Who<'a>, field: Sc, bits: u32) -> Option<i64> {
        let node = self.sc_field(who, field)?;
        self.int_node(node, bits, &|| self.sc_path(who, field, &[]))
    }

    pub fn sc_object(&self, who: Who<'a>, field: Sc) -> Option<&'a Node> {
        let node = self.sc_field(who, field)?;
        self.object_node(node, &|| self.sc_path(who, field, &[]))
    }

    pub fn sc_list(&self, who: Who<'a>, field: Sc) -> &'a [Node] {
        match self.sc_field(who, field) {
            Some(node) => self.list_node(node, &|| self.sc_path(who, field, &[])),
            None => &[],
        }
    }

    /// A boolean field of the pod spec.
    pub fn spec_bool(&self, field: Spec) -> Option<bool> {
        let node = self.view.spec.get(field)?;
        self.bool_node(node, &|| self.pod_path(&[field.key()]))
    }

    /// `spec.os.name == "windows"`: from policy v1.25 some restricted checks let Windows pods
    /// through, because the API server refuses the Linux-only fields on them.
    pub fn is_windows(&self) -> bool {
        once(&self.view.windows, || {
            let Some(os) = self.view.spec.get(Spec::Os) else {
                return false;
            };
            let name = self.str(os, &["name"], &|| self.pod_path(&[Spec::Os.key()]));
            name == Some("windows")
        })
    }

    /// `spec.hostUsers: false`: the pod runs in a user namespace, so root in the container is
    /// not root on the node. From policy v1.35 this relaxes runAsNonRoot, runAsUser and the
    /// baseline procMount check.
    pub fn in_user_namespace(&self) -> bool {
        once(&self.view.user_namespace, || {
            self.spec_bool(Spec::HostUsers) == Some(false)
        })
    }

    /// The pod's annotations, each key once (the last of duplicates, as Kubernetes keeps it).
    pub fn annotations(&self) -> impl Iterator<Item = &'a Entry> + 'a {
        let entries = self.view.annotations;
        entries
            .iter()
            .enumerate()
            .filter(move |(i, e)| !entries[i + 1..].iter().any(|later| later.key == e.key))
            .map(|(_, e)| e)
    }

    /// An annotation's value: a string, or "" for null (a Go map of strings decodes null so).
    pub fn annotation_value(&self, entry: &'a Entry) -> Option<&'a str> {
        if entry.value.is_null() {
            return Some("");
        }
        self.string_node(&entry.value, &|| self.annotation_path(&entry.key))
    }

    pub fn annotation_path(&self, key: &str) -> FieldPath {
        let mut path = self.metadata_path(&["annotations"]);
        path.0.push(Segment::Key(key.to_string()));
        path
    }
}

/// The cached answer, or `f`'s (which is then cached).
fn once(cell: &Cell<Option<bool>>, f: impl FnOnce() -> bool) -> bool {
    if let Some(answer) = cell.get() {
        return answer;
    }
    let answer = f();
    cell.set(Some(answer));
    answer
}

//! One view of the pod spec inside every workload kind, and of the containers in it.

use crate::object::Object;
use crate::value::{FieldPath, Node, Segment};

/// Where the pod spec sits in each workload kind.
const POD: &[&str] = &["spec"];
const TEMPLATE: &[&str] = &["spec", "template", "spec"];
const CRONJOB: &[&str] = &["spec", "jobTemplate", "spec", "template", "spec"];
const POD_TEMPLATE: &[&str] = &["template", "spec"];

/// The workload kinds that carry a pod spec, after any kinds given first: the one list of them,
/// for every constant that needs it (`workload_kinds!("Namespace")`).
#[macro_export]
macro_rules! workload_kinds {
    ($($first:expr),* $(,)?) => {
        &[
            $($first,)*
            "Pod",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "ReplicationController",
            "PodTemplate",
        ]
    };
}

/// The workload kinds that carry a pod spec.
pub const WORKLOAD_KINDS: &[&str] = workload_kinds!();

fn spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => POD,
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => TEMPLATE,
        "CronJob" => CRONJOB,
        "PodTemplate" => POD_TEMPLATE,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn list_field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            ContainerKind::Init => ("init container", "初始化容器"),
            ContainerKind::Regular => ("container", "容器"),
            ContainerKind::Ephemeral => ("ephemeral container", "临时容器"),
        }
    }
}

/// The pod spec of a workload, with the path that leads to it.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    pub spec: &'a Node,
    /// Pod-level metadata: the Pod's own, or the template's.
    pub metadata: Option<&'a Node>,
    base: &'static [&'static str],
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub index: usize,
    base: &'static [&'static str],
}

fn base_path(base: &[&str]) -> FieldPath {
    FieldPath(
        base.iter()
            .map(|k| Segment::Key((*k).to_string()))
            .collect(),
    )
}

impl<'a> PodSpec<'a> {
    /// `spec.template.spec` plus the dotted `rest` (which may hold `[i]` indices).
    pub fn path(&self, rest: &str) -> FieldPath {
        let mut p = base_path(self.base);
        p.0.extend(FieldPath::parse(rest).0);
        p
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.spec.get(key)
    }

    /// Every container: init containers first, then regular, then ephemeral, as the kubelet
    /// starts them.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let spec = self.spec;
        let base = self.base;
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            spec.get(kind.list_field())
                .map_or(&[][..], Node::as_seq)
                .iter()
                .enumerate()
                .map(move |(index, node)| Container {
                    node,
                    kind,
                    index,
                    base,
                })
        })
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata?.get("annotations")?.str_at(key)
    }

    pub fn label(&self, key: &str) -> Option<&'a str> {
        self.metadata?.get("labels")?.str_at(key)
    }
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        self.node.str_at("name").unwrap_or("")
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// `spec.containers[1]` plus the dotted `rest`.
    pub fn path(&self, rest: &str) -> FieldPath {
        let mut p = base_path(self.base);
        p.0.push(Segment::Key(self.kind.list_field().to_string()));
        p.0.push(Segment::Index(self.index));
        p.0.extend(FieldPath::parse(rest).0);
        p
    }

    /// "container \"web\"" / "容器 \"web\"".
    pub fn label_en(&self) -> String {
        format!("{} \"{}\"", self.kind.describe().0, self.name())
    }

    pub fn label_zh(&self) -> String {
        format!("{} \"{}\"", self.kind.describe().1, self.name())
    }
}

impl Object {
    /// The pod spec, for every workload kind.
    pub fn pod_spec(&self) -> Option<PodSpec<'_>> {
        let base = spec_path(&self.kind)?;
        let spec = self.root.path(base)?;
        let metadata = match base.len() {
            1 => self.root.get("metadata"),
            n => self
                .root
                .path(&base[..n - 1])
                .and_then(|t| t.get("metadata")),
        };
        Some(PodSpec {
            spec,
            metadata,
            base,
        })
    }
}

//! A Kubernetes object and where it came from.

use crate::finding::Location;
use crate::value::{FieldPath, Node, Pos};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Where an object was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A manifest file (`<stdin>` for standard input): the document's index in the file (0-based)
    /// and, for objects taken out of a `List`, the index in its `items`.
    File {
        path: Arc<str>,
        document: u32,
        item: Option<u32>,
    },
    /// The API server (`/api/v1/namespaces/x/pods/y`) or a dump of it.
    Api { path: Arc<str> },
}

/// Identifies an object in a report.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The whole object as decoded, with positions when it came from a file.
    pub root: Node,
    pub source: Source,
}

impl Object {
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// The API group, "" for the core group.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    pub fn labels(&self) -> &[crate::value::Entry] {
        self.metadata()
            .and_then(|m| m.get("labels"))
            .map_or(&[], Node::as_map)
    }

    pub fn annotations(&self) -> &[crate::value::Entry] {
        self.metadata()
            .and_then(|m| m.get("annotations"))
            .map_or(&[], Node::as_map)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("labels")?.str_at(key)
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("annotations")?.str_at(key)
    }

    /// The file position of a field path (the nearest existing parent when it is absent).
    pub fn position(&self, path: &FieldPath) -> Pos {
        path.locate(&self.root)
    }

    pub fn file(&self) -> Option<&Arc<str>> {
        match &self.source {
            Source::File { path, .. } => Some(path),
            Source::Api { .. } => None,
        }
    }

    /// Where a field is in its file (the nearest existing parent when it is absent), for an
    /// object read from a file.
    pub fn location(&self, path: &FieldPath) -> Option<Location> {
        self.file()
            .map(|file| Location::new(file.clone(), self.position(path)))
    }

    /// Where the object is, for a reader who wants to open it: `file:line` where it starts (the
    /// first line when the position is unknown), or its API path.
    pub fn place(&self) -> String {
        match &self.source {
            Source::File { path, .. } => format!("{path}:{}", self.root.pos.line.max(1)),
            Source::Api { path } => path.to_string(),
        }
    }
}

/// Kinds that live outside namespaces (so a missing namespace is expected, not "default").
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "StorageClass"
            | "RuntimeClass"
            | "PriorityClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding"
            | "APIService"
            | "CertificateSigningRequest"
            | "IngressClass"
            | "CSIDriver"
            | "CSINode"
            | "VolumeAttachment"
            | "PodSecurityPolicy"
            | "FlowSchema"
            | "PriorityLevelConfiguration"
            | "ClusterIssuer"
            | "ClusterPolicy"
    )
}

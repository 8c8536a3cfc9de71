//! A node's report as `kcheck node` publishes it for a cluster audit to merge
//! (`kcheck node --format node-report`, `kcheck node --publish NS`): the verdict of every item a
//! node scan judges, with the findings and notes behind it in both languages, the node's name,
//! the kcheck version and the moment of the scan. Plain data with owned strings, read back by
//! `kcheck cluster` (`--node-reports DIR`, or the ConfigMaps the DaemonSet publishes).
//!
//! The document is versioned twice: `apiVersion` is its shape (a reader refuses a shape it does
//! not know), `kcheckVersion` the rules that judged it (the cluster decides whether it accepts
//! another version's verdicts, see `kcheck_rules::node_reports`).

use crate::finding::{Level, Severity, Status};
use crate::now::Now;
use crate::text::Text;
use serde::{Deserialize, Serialize};

/// `apiVersion` of the document this kcheck writes and reads.
pub const API_VERSION: &str = "kcheck.dev/v1alpha1";
/// `kind` of the document.
pub const KIND: &str = "NodeReport";

/// One node's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    pub api_version: String,
    pub kind: String,
    /// The Kubernetes Node's name (`NODE_NAME` in the DaemonSet, else the host name).
    pub node: String,
    /// The kcheck version that scanned the node.
    pub kcheck_version: String,
    /// When the node was scanned, RFC 3339 in UTC (`2026-12-08T02:00:00Z`).
    pub generated_at: String,
    /// The components the scan found on the node (`kubelet`, `kube-apiserver`, ...): a node
    /// running a control-plane component is a control-plane node, whatever its labels say.
    pub components: Vec<String>,
    /// The node's distribution and role as the scan detected them (`k3s, control plane`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Words>,
    /// The items that node scans judge, in checklist order.
    pub items: Vec<NodeItem>,
}

/// One item's verdict on the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeItem {
    /// `3.5`
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Words>,
    /// How many facts the item's node rules examined on the node.
    pub examined: usize,
    /// Each node rule of the item that ran, with how many facts it examined.
    pub rules: Vec<NodeRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<NodeFinding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NodeNote>,
}

/// A node rule that ran on the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRule {
    pub code: String,
    pub examined: usize,
}

/// A sentence in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    pub en: String,
    pub zh: String,
}

impl From<&Text> for Words {
    fn from(t: &Text) -> Words {
        Words {
            en: t.en.to_string(),
            zh: t.zh.to_string(),
        }
    }
}

impl From<&Words> for Text {
    fn from(w: &Words) -> Text {
        Text::new(w.en.clone(), w.zh.clone())
    }
}

/// Where on the node: the file position, the source (a host path, `/proc/1234/cmdline`), the
/// flag or field, and the object (static pod, configuration document) it is in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodePlace {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub line: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<NodeObject>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An object a node finding names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeObject {
    pub api_version: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

/// A finding on the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeFinding {
    /// The rule's code, `KC313`.
    pub code: String,
    pub severity: Severity,
    pub level: Level,
    #[serde(flatten)]
    pub place: NodePlace,
    pub message: Words,
    pub fix: Words,
    /// The node's own waiver, when one accepted the finding there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<NodeWaiver>,
}

/// A waiver applied on the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeWaiver {
    pub source: String,
    pub reason: String,
}

/// A note on the node: what a rule could not examine, or evidence it found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeNote {
    pub code: String,
    /// `not_examined` or `evidence`.
    pub kind: crate::finding::NoteKind,
    #[serde(flatten)]
    pub place: NodePlace,
    pub message: Words,
    /// A "not examined" note because someone else configures it (a managed control plane, an
    /// operator): what to check there.
    #[serde(default, skip_serializing_if = "is_false")]
    pub managed: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl NodeReport {
    /// When the node was scanned, when `generated_at` reads as RFC 3339.
    pub fn generated(&self) -> Option<Now> {
        Now::parse_rfc3339(&self.generated_at)
    }
}

//! What a rule reports.

use crate::object::ObjectRef;
use crate::text::Text;
use crate::value::Pos;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Severity::Info => Text::fixed("info", "提示"),
            Severity::Low => Text::fixed("low", "低"),
            Severity::Medium => Text::fixed("medium", "中"),
            Severity::High => Text::fixed("high", "高"),
            Severity::Critical => Text::fixed("critical", "严重"),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict on a checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Manual,
    NotEvaluated,
    Error,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Fail,
        Status::Warn,
        Status::Pass,
        Status::Manual,
        Status::NotEvaluated,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Manual => "manual",
            Status::NotEvaluated => "not_evaluated",
            Status::Error => "error",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Status::Pass => Text::fixed("PASS", "通过"),
            Status::Fail => Text::fixed("FAIL", "不通过"),
            Status::Warn => Text::fixed("WARN", "警告"),
            Status::Manual => Text::fixed("MANUAL", "人工"),
            Status::NotEvaluated => Text::fixed("N/E", "未评估"),
            Status::Error => Text::fixed("ERROR", "错误"),
        }
    }
}

/// What a finding does to its item: fail it, warn, or only inform (shown, never changes the
/// item's status: for example what would break if a namespace moved up to `restricted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Fail,
    Warn,
    Info,
}

/// A position in a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    /// `pos` in `file`.
    pub fn new(file: impl Into<Arc<str>>, pos: Pos) -> Location {
        Location {
            file: file.into(),
            line: pos.line,
            column: pos.column,
        }
    }
}

/// `file:line:column`, the way compilers and editors point at a place.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    /// Rule code, e.g. `KC301`.
    pub code: &'static str,
    /// Rule name, e.g. `privileged-container`.
    pub rule: &'static str,
    /// Checklist item, e.g. `3.2`.
    pub item: &'static str,
    pub severity: Severity,
    pub level: Level,
    /// Shared by the findings of one object (a report of 500k findings repeats a few hundred
    /// thousand identities).
    pub object: Option<Arc<ObjectRef>>,
    /// The field that is wrong, e.g. `spec.containers[0].securityContext.privileged`.
    pub path: Option<String>,
    /// File position, for objects read from files.
    pub location: Option<Location>,
    /// Where API or host evidence came from, when there is no file (shared with the object's
    /// [`Source::Api`](crate::Source) path).
    pub source: Option<Arc<str>>,
    /// The node the finding was found on, in a cluster report that merged node reports
    /// (`location` and `source` are then that node's files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<Arc<str>>,
    pub message: Text,
    pub fix: Text,
    /// Whether a waiver accepted this finding (then `waiver` says which and why).
    pub waived: bool,
    pub waiver: Option<Box<crate::waiver::Waiver>>,
    /// How many Pods this finding covers: on a workload whose Pods' same finding was folded
    /// into it (see `kcheck_rules::owners`), the number of those Pods; 0 where it does not
    /// apply.
    #[serde(skip_serializing_if = "is_zero")]
    pub pods: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// What a rule says that is not a problem: what it could not examine (which keeps its item from
/// passing, at any status, and is shown with the item), or positive evidence the item rests on
/// ("Cilium enforces NetworkPolicy"). Notes have no severity and no fix, and never fail a run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub code: &'static str,
    pub item: &'static str,
    pub object: Option<Arc<ObjectRef>>,
    pub path: Option<String>,
    pub location: Option<Location>,
    pub source: Option<Arc<str>>,
    /// The node it concerns, as for [`Finding::node`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<Arc<str>>,
    pub message: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Evidence the rule needed and could not read: the item cannot pass on it.
    NotExamined,
    /// Something the rule found that the item's verdict rests on.
    Evidence,
}

impl NoteKind {
    pub fn label(self) -> &'static Text {
        static NOT_EXAMINED: Text = Text::fixed("not examined", "未检查");
        static EVIDENCE: Text = Text::fixed("evidence", "证据");
        match self {
            NoteKind::NotExamined => &NOT_EXAMINED,
            NoteKind::Evidence => &EVIDENCE,
        }
    }
}

impl Finding {
    /// The order of a report: by item, code, place, then message.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            item_order(self.item),
            self.code,
            &self.location,
            &self.object,
            &self.path,
            &self.message,
            self.level,
            self.severity,
        )
    }
}

/// "3.10" sorts after "3.9".
pub fn item_order(id: &str) -> (u32, u32) {
    let (a, b) = id.split_once('.').unwrap_or((id, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

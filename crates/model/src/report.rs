//! The result of a run: the 35 items with their statuses, the findings behind them, and what
//! could not be read.

use crate::checklist::{Evidence, Item};
use crate::finding::{Note, NoteKind, Severity, Status};
use crate::text::Text;
use serde::Serialize;
use std::sync::Arc;

/// A problem with the input: a file that could not be read, a document that is not an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub file: Arc<str>,
    /// 0 when the problem concerns the whole file.
    pub line: u32,
    pub column: u32,
    pub severity: DiagnosticSeverity,
    pub message: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticSeverity {
    /// The input, or part of it, was not scanned.
    Error,
    /// Scanned, but something looks wrong (a duplicate key).
    Warning,
}

impl Diagnostic {
    /// `file:line:column: message` in `lang`.
    pub fn line_in(&self, lang: crate::text::Lang) -> String {
        let message = self.message.get(lang);
        if self.line > 0 {
            format!("{}:{}:{}: {message}", self.file, self.line, self.column)
        } else {
            format!("{}: {message}", self.file)
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message.en
            )
        } else {
            write!(f, "{}: {}", self.file, self.message.en)
        }
    }
}

/// What the run read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Inputs {
    pub files_read: usize,
    pub bytes_read: u64,
    pub documents: usize,
    pub objects: usize,
    /// Files and directories in scanned directories passed over (not YAML or JSON, Helm chart
    /// sources, Kustomize configuration, excluded): each is in `skipped` too.
    pub files_skipped: usize,
    /// What was passed over on purpose, with why: those files and directories, and documents
    /// that are not Kubernetes objects.
    pub skipped: Vec<Skipped>,
    pub diagnostics: Vec<Diagnostic>,
    /// Kinds the run could not list (forbidden, not served, timed out), sorted: every item whose
    /// rules read one of them cannot pass.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
    /// The cluster's nodes and their node reports, when a cluster audit merged node reports:
    /// which were merged, and why the others were not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeSeen>,
}

/// One node of a cluster audit that merged node reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeSeen {
    pub name: String,
    pub control_plane: bool,
    /// Its report was merged.
    pub merged: bool,
    /// When it was scanned and by which kcheck, or why its report was not merged.
    pub detail: Text,
}

/// A kind of object the run could not see, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unavailable {
    /// The kind as rules name it (`Secret`).
    pub kind: String,
    /// The resource as kubectl names it (`secrets`, `networkpolicies.networking.k8s.io`).
    pub resource: String,
    pub cause: UnavailableCause,
    /// Short, ready to show: `forbidden: list secrets`.
    pub reason: Text,
}

/// Why a kind could not be listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableCause {
    /// The API answered 401 or 403.
    Forbidden,
    /// Discovery does not show the resource, or its group could not be discovered.
    NotServed,
    /// No answer within the time allowed.
    Timeout,
    /// Any other failure: a server error after retries, a connection error, a broken page.
    Failed,
}

impl Inputs {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == DiagnosticSeverity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Kinds the run asked for and could not see for a reason other than the server not serving
    /// them (forbidden, timed out, failed): the evidence is there and was not read, so the run is
    /// incomplete. A kind the server does not serve has nothing to read.
    pub fn incomplete(&self) -> impl Iterator<Item = &Unavailable> {
        self.unavailable
            .iter()
            .filter(|u| u.cause != UnavailableCause::NotServed)
    }

    pub fn merge(&mut self, other: Inputs) {
        self.files_read += other.files_read;
        self.bytes_read += other.bytes_read;
        self.documents += other.documents;
        self.objects += other.objects;
        self.files_skipped += other.files_skipped;
        self.skipped.extend(other.skipped);
        self.diagnostics.extend(other.diagnostics);
        self.unavailable.extend(other.unavailable);
        self.unavailable.sort();
        self.unavailable.dedup();
        self.nodes.extend(other.nodes);
    }

    /// Why `kind` could not be listed, when it could not.
    pub fn unavailable(&self, kind: &str) -> Option<&Unavailable> {
        self.unavailable.iter().find(|u| u.kind == kind)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: Text,
}

/// One checklist item's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct ItemResult {
    pub item: &'static Item,
    pub status: Status,
    /// Why the item has this status when it is not plain (not evaluated, manual, partial).
    pub reason: Option<Text>,
    /// Indices into `Report::findings`.
    pub findings: Vec<usize>,
    /// Indices into `Report::notes`: what the item's rules could not examine, and the evidence
    /// they found.
    pub notes: Vec<usize>,
    /// How many objects or facts the item's rules examined.
    pub examined: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub tool_name: &'static str,
    pub tool_version: &'static str,
    /// The kinds of evidence this run had.
    pub evidence: Vec<Evidence>,
    pub items: Vec<ItemResult>,
    /// The rules this run ran, sorted by code (SARIF lists them; `Finding::code` refers to them).
    pub rules: Vec<RuleInfo>,
    /// Sorted by item, code and place; in memory, or spilled to a file by a streaming scan.
    pub findings: crate::findings::Findings,
    /// What rules could not examine and the positive evidence they saw, sorted like findings.
    pub notes: Vec<Note>,
    pub inputs: Inputs,
    /// Waivers applied, and those that did not apply (expired, unused, without a reason).
    pub waivers: crate::waiver::WaiverSummary,
    /// This run compared with an earlier report (`--baseline`), when one was given.
    #[serde(skip)]
    pub baseline: Option<Box<crate::baseline::Baseline>>,
    /// What the run judged (the cluster's context, the dump, the node, the inputs), when the
    /// command says: `kcheck summary` names a report by it.
    pub target: Option<Target>,
}

/// What a report is about, as the JSON report's `target` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The command that judged it: `scan`, `cluster`, `node`, `image`.
    pub mode: String,
    /// The kubeconfig context or the dump's path (cluster), the node's root (node), the paths
    /// given (scan, image).
    pub name: String,
    /// The namespace a cluster audit was scoped to (`kcheck cluster -n NS`).
    pub namespace: Option<String>,
    /// The node's distribution and role, and why (`kcheck node` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<crate::facts::Detection>,
}

impl Report {
    /// The notes of `item` of `kind`.
    pub fn notes_of<'r>(
        &'r self,
        item: &'r ItemResult,
        kind: NoteKind,
    ) -> impl Iterator<Item = &'r Note> + 'r {
        item.notes
            .iter()
            .map(|&i| &self.notes[i])
            .filter(move |n| n.kind == kind)
    }

    /// How the whole checklist fared (see [`Score`]).
    pub fn score(&self) -> Score {
        Score::of(&self.items)
    }

    /// How the items of checklist section `section` fared.
    pub fn section_score(&self, section: u8) -> Score {
        Score::of(self.items.iter().filter(|r| r.item.section == section))
    }

    pub fn count_status(&self, status: Status) -> usize {
        self.items.iter().filter(|i| i.status == status).count()
    }

    /// Unwaived findings at or above `severity` that fail their item.
    pub fn failing_at(&self, severity: Severity) -> usize {
        self.findings
            .briefs()
            .filter(|f| {
                !f.waived && f.level == crate::finding::Level::Fail && f.severity >= severity
            })
            .count()
    }

    /// Like [`Report::failing_at`], counting only findings the baseline did not have (all of
    /// them without a baseline): what fails a run adopted with `--baseline`.
    pub fn failing_new_at(&self, severity: Severity) -> usize {
        let Some(baseline) = &self.baseline else {
            return self.failing_at(severity);
        };
        self.findings
            .briefs()
            .enumerate()
            .filter(|(i, f)| {
                !f.waived
                    && f.level == crate::finding::Level::Fail
                    && f.severity >= severity
                    && baseline.state(*i) == crate::baseline::BaselineState::New
            })
            .count()
    }

    pub fn count_severity(&self, severity: Severity) -> usize {
        self.findings
            .briefs()
            .filter(|f| !f.waived && f.severity == severity)
            .count()
    }

    /// Failing findings (not warnings, not information) of `severity`, waived ones left out.
    pub fn count_failing(&self, severity: Severity) -> usize {
        self.findings
            .briefs()
            .filter(|f| !f.waived && f.level == crate::Level::Fail && f.severity == severity)
            .count()
    }

    /// Findings of `level`, waived ones left out.
    pub fn count_level(&self, level: crate::Level) -> usize {
        self.findings
            .briefs()
            .filter(|f| !f.waived && f.level == level)
            .count()
    }
}

/// How a group of items fared: how many there are, how many the run could judge (passed,
/// failed or warned: not "not evaluated", not a manual check, not an error) and how many of
/// those passed. "All green" over a third of the checklist says so: the coverage is beside the
/// pass rate, never folded into it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub items: usize,
    pub evaluated: usize,
    pub passed: usize,
}

impl Score {
    pub fn of<'r>(items: impl IntoIterator<Item = &'r ItemResult>) -> Score {
        let mut score = Score::default();
        for r in items {
            score.items += 1;
            if matches!(r.status, Status::Pass | Status::Fail | Status::Warn) {
                score.evaluated += 1;
                if r.status == Status::Pass {
                    score.passed += 1;
                }
            }
        }
        score
    }

    /// Passed out of evaluated, in whole percent rounded down (a pass rate never rounds up to
    /// 100); `None` when nothing was evaluated.
    pub fn pass_percent(&self) -> Option<usize> {
        (self.evaluated > 0).then(|| self.passed * 100 / self.evaluated)
    }

    /// Evaluated out of all items, in whole percent rounded down.
    pub fn coverage_percent(&self) -> usize {
        (self.evaluated * 100).checked_div(self.items).unwrap_or(0)
    }
}

/// What a report needs to know about a rule.
#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    /// `KC301`
    pub code: &'static str,
    /// `privileged-container`
    pub name: &'static str,
    /// Checklist item, `3.2`.
    pub item: &'static str,
    pub severity: Severity,
    /// One line, both languages.
    pub title: Text,
    /// The rule's documentation in Markdown (What it checks, Why, Fix, References).
    pub doc: &'static str,
    /// The same in Chinese (检查内容, 原因, 修复, 参考); empty until written.
    pub doc_zh: &'static str,
    /// How many objects or facts the rule examined in this run.
    pub examined: usize,
}

impl RuleInfo {
    /// The documentation in `lang`, shaped like `doc` (a doc comment's space before every
    /// line): the Chinese when there is one, else the English.
    pub fn doc_in(&self, lang: crate::text::Lang) -> std::borrow::Cow<'static, str> {
        if lang == crate::text::Lang::Zh && !self.doc_zh.trim().is_empty() {
            let mut out = String::with_capacity(self.doc_zh.len() + 64);
            for line in self.doc_zh.trim().lines() {
                out.push(' ');
                out.push_str(line);
                out.push('\n');
            }
            std::borrow::Cow::Owned(out)
        } else {
            std::borrow::Cow::Borrowed(self.doc)
        }
    }
}

/// What `kcheck rules` and `kcheck explain` say about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSummary {
    /// `KC301`
    pub code: &'static str,
    /// `privileged-container`
    pub name: &'static str,
    /// Checklist item, `3.2`.
    pub item: &'static str,
    /// The rule's own severity.
    pub severity: Severity,
    /// Every severity its findings may carry, most severe first (the rule's own among them).
    pub severities: Vec<Severity>,
    pub evidence: Evidence,
    /// One line, both languages.
    pub title: Text,
}

impl RuleSummary {
    /// `high`, or `high/medium` when some findings carry another severity, in `lang`.
    pub fn severity_label(&self, lang: crate::Lang) -> String {
        self.severities
            .iter()
            .map(|s| s.label().get(lang).to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, status: Status) -> ItemResult {
        ItemResult {
            item: crate::checklist::item(id).expect("an item"),
            status,
            reason: None,
            findings: Vec::new(),
            notes: Vec::new(),
            examined: 0,
        }
    }

    #[test]
    fn a_score_counts_what_was_judged_and_what_passed_apart() {
        let items = [
            result("1.1", Status::Pass),
            result("1.2", Status::Fail),
            result("1.3", Status::Warn),
            result("1.4", Status::NotEvaluated),
            result("1.5", Status::Manual),
            result("1.6", Status::Error),
            result("2.1", Status::Pass),
        ];
        let all = Score::of(&items);
        assert_eq!(
            all,
            Score {
                items: 7,
                evaluated: 4,
                passed: 2
            }
        );
        assert_eq!(all.pass_percent(), Some(50));
        assert_eq!(all.coverage_percent(), 57, "rounded down");
        let none = Score::of(&items[3..6]);
        assert_eq!((none.evaluated, none.pass_percent()), (0, None));
        // Two of three passing is 66%, not 67%: a rate never rounds up.
        let two_of_three = Score::of(&[items[0].clone(), items[6].clone(), items[1].clone()]);
        assert_eq!(two_of_three.pass_percent(), Some(66));
        assert_eq!(Score::of(&[]).coverage_percent(), 0);
    }
}

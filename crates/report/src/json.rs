//! The JSON report, schema 1 (DESIGN §5). Scripts and CI pipelines depend on these names and on
//! their order: change them only with a new schema number. Structs rather than `json!` so the key
//! order is the declaration order whatever serde_json features the final binary enables.

use crate::labels;
use crate::RenderOptions;
use kcheck_model::{
    Diagnostic, DiagnosticSeverity, Evidence, Finding, Inputs, ItemResult, Lang, Level, NoteKind,
    ObjectRef, Report, Severity, Status,
};
use serde::Serialize;

pub(crate) const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    tool: Tool<'a>,
    /// What the run judged (`kcheck summary` names the report by it); absent when the command
    /// does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<JsonTarget<'a>>,
    evidence: &'a [Evidence],
    summary: Summary,
    items: Vec<JsonItem<'a>>,
    findings: Findings<'a>,
    inputs: JsonInputs<'a>,
    waivers: JsonWaivers<'a>,
    /// This run against an earlier report (`--baseline`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
}

#[derive(Serialize)]
struct JsonTarget<'a> {
    mode: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distribution: Option<JsonDistribution<'a>>,
}

/// A node's distribution as `kcheck node` detected it (or `--distro` set it).
#[derive(Serialize)]
pub(crate) struct JsonDistribution<'a> {
    /// `kubeadm`, `k3s`, `rke2`, `microk8s`, `kind`, `openshift`, `eks`, `gke`, `aks`, `unknown`.
    pub(crate) name: &'static str,
    /// `control-plane`, `worker`, `unknown`.
    pub(crate) role: &'static str,
    /// Set by `--distro`.
    pub(crate) overridden: bool,
    /// What was seen, one sentence each.
    pub(crate) why: Vec<&'a str>,
}

impl<'a> JsonDistribution<'a> {
    pub(crate) fn of(d: &'a kcheck_model::Detection, lang: Lang) -> JsonDistribution<'a> {
        JsonDistribution {
            name: d.distro.name(),
            role: d.role.name(),
            overridden: d.overridden,
            why: d.why.iter().map(|w| w.get(lang)).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: &'a str,
    tool_version: &'a str,
    new: usize,
    existing: usize,
    fixed_count: usize,
    /// The baseline's findings this run no longer has, as the baseline gave them.
    fixed: Vec<SavedJson<'a>>,
    notes: Vec<&'a str>,
}

/// A finding of a saved report, in the shape of this run's (without a waiver, pod count or
/// baseline state, which a saved report's findings do not keep).
pub(crate) type SavedJson<'a> = JsonFinding<'a, &'a str>;

pub(crate) fn saved(f: &kcheck_model::SavedFinding) -> SavedJson<'_> {
    JsonFinding {
        code: &f.code,
        rule: &f.rule,
        item: &f.item,
        severity: f.severity,
        level: f.level,
        object: f.object.as_ref().map(object),
        path: f.path.as_deref(),
        location: f.location.as_ref().map(location),
        source: f.source.as_deref(),
        node: f.node.as_deref(),
        message: &f.message,
        fix: &f.fix,
        waived: f.waived,
        waiver: None,
        pods: 0,
        baseline: None,
        fingerprint: &f.fingerprint,
    }
}

fn baseline<'a>(b: &'a kcheck_model::Baseline, lang: Lang) -> JsonBaseline<'a> {
    JsonBaseline {
        file: &b.source,
        tool_version: &b.tool_version,
        new: b.new_count,
        existing: b.existing_count,
        fixed_count: b.fixed.len(),
        fixed: b.fixed.iter().map(saved).collect(),
        notes: b.notes.iter().map(|n| n.get(lang)).collect(),
    }
}

#[derive(Serialize)]
struct JsonWaivers<'a> {
    applied: usize,
    problems: Vec<JsonWaiverProblem<'a>>,
}

#[derive(Serialize)]
struct JsonWaiverProblem<'a> {
    source: &'a str,
    kind: kcheck_model::WaiverProblemKind,
    message: &'a str,
}

#[derive(Serialize)]
pub(crate) struct Tool<'a> {
    pub(crate) name: &'a str,
    pub(crate) version: &'a str,
    /// The codes of the rules this run ran: a baseline compared with a later run tells a rule
    /// that found nothing from one that did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rules: Option<Vec<&'a str>>,
}

/// Counts per item status, per severity (unwaived findings), and of the input.
#[derive(Serialize)]
struct Summary {
    status: StatusCounts,
    severity: SeverityCounts,
    /// Items passed of those evaluated, and evaluated of all 35.
    score: kcheck_model::Score,
    /// The same per checklist section.
    sections: Vec<SectionScore>,
    findings: usize,
    waived: usize,
    files_read: usize,
    objects: usize,
    errors: usize,
}

#[derive(Serialize)]
struct SectionScore {
    section: u8,
    #[serde(flatten)]
    score: kcheck_model::Score,
}

#[derive(Serialize)]
struct StatusCounts {
    pass: usize,
    fail: usize,
    warn: usize,
    manual: usize,
    not_evaluated: usize,
    error: usize,
}

#[derive(Serialize)]
struct SeverityCounts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    section: u8,
    title: Title<'a>,
    status: Status,
    reason: Option<String>,
    findings: Vec<&'a str>,
    finding_count: usize,
    examined: usize,
    /// What the item's rules could not examine: the item cannot pass on it.
    not_examined: Vec<JsonNote<'a>>,
    /// Positive evidence the item's verdict rests on.
    evidence: Vec<JsonNote<'a>>,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    code: &'a str,
    object: Option<Object<'a>>,
    path: Option<&'a str>,
    location: Option<Location<'a>>,
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    message: &'a str,
}

/// The findings, each turned into its JSON shape as it is written: a vector of 500k of them
/// would be 100 MB held for nothing.
struct Findings<'a>(
    &'a kcheck_model::Findings,
    Option<&'a kcheck_model::Baseline>,
    Lang,
);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        // Fingerprints as SARIF gives them, repeats counted as the findings are written.
        let mut repeats = crate::fingerprint::Repeats::default();
        for (i, f) in self.0.iter().enumerate() {
            let fingerprint = repeats.next(&f);
            let state = self.1.map(|b| b.state(i));
            seq.serialize_element(&finding(&f, fingerprint, state, self.2))?;
        }
        seq.end()
    }
}

/// A finding; `F` its fingerprint, made as it is written for this run's, a saved report's string.
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a, F> {
    code: &'a str,
    rule: &'a str,
    item: &'a str,
    severity: Severity,
    level: Level,
    object: Option<Object<'a>>,
    path: Option<&'a str>,
    location: Option<Location<'a>>,
    source: Option<&'a str>,
    /// The node of a merged node report's finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    message: &'a str,
    fix: &'a str,
    waived: bool,
    waiver: Option<&'a kcheck_model::Waiver>,
    /// How many Pods the finding covers, on a workload whose Pods' same finding was folded
    /// into it; absent otherwise.
    #[serde(skip_serializing_if = "is_zero")]
    pods: u32,
    /// `new` or `existing` against the baseline; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<kcheck_model::BaselineState>,
    /// The finding's identity across runs (rule, object, field; never the line), as SARIF's
    /// `partialFingerprints["kcheck/v1"]`: what a baseline compares.
    fingerprint: F,
}

#[derive(Serialize)]
struct Title<'a> {
    en: &'a str,
    zh: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Object<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
pub(crate) struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
pub(crate) struct JsonInputs<'a> {
    files_read: usize,
    bytes_read: u64,
    documents: usize,
    objects: usize,
    files_skipped: usize,
    skipped: Vec<JsonSkipped<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Kinds a cluster run could not list (absent when it saw everything).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unavailable: Vec<JsonUnavailable<'a>>,
    /// The cluster's nodes, when node reports were merged (absent otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    nodes: Vec<JsonNode<'a>>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    name: &'a str,
    control_plane: bool,
    merged: bool,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonUnavailable<'a> {
    kind: &'a str,
    resource: &'a str,
    cause: kcheck_model::UnavailableCause,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    severity: DiagnosticSeverity,
    message: &'a str,
}

/// The report document, borrowing from `report`.
fn document<'r>(report: &'r Report, opts: &RenderOptions) -> JsonReport<'r> {
    let lang = opts.lang;
    JsonReport {
        schema: SCHEMA,
        tool: Tool {
            name: report.tool_name,
            version: report.tool_version,
            rules: Some(report.rules.iter().map(|r| r.code).collect()),
        },
        target: report.target.as_ref().map(|t| JsonTarget {
            mode: &t.mode,
            name: &t.name,
            namespace: t.namespace.as_deref(),
            distribution: t
                .distribution
                .as_ref()
                .map(|d| JsonDistribution::of(d, lang)),
        }),
        evidence: &report.evidence,
        summary: summary(report),
        items: labels::items_in_order(report)
            .into_iter()
            .map(|r| item(report, r, lang))
            .collect(),
        findings: Findings(&report.findings, report.baseline.as_deref(), lang),
        inputs: inputs(&report.inputs, lang),
        waivers: JsonWaivers {
            applied: report.waivers.applied,
            problems: report
                .waivers
                .problems
                .iter()
                .map(|p| JsonWaiverProblem {
                    source: &p.source,
                    kind: p.kind,
                    message: p.message.get(lang),
                })
                .collect(),
        },
        baseline: report.baseline.as_deref().map(|b| baseline(b, lang)),
    }
}

/// The same bytes as [`render`], written as they are made: a report of half a million
/// findings is hundreds of megabytes, which need not be held in memory.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report, opts))
        .map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

fn summary(report: &Report) -> Summary {
    let st = |s| report.count_status(s);
    let sev = |s| report.count_severity(s);
    Summary {
        status: StatusCounts {
            pass: st(Status::Pass),
            fail: st(Status::Fail),
            warn: st(Status::Warn),
            manual: st(Status::Manual),
            not_evaluated: st(Status::NotEvaluated),
            error: st(Status::Error),
        },
        severity: SeverityCounts {
            critical: sev(Severity::Critical),
            high: sev(Severity::High),
            medium: sev(Severity::Medium),
            low: sev(Severity::Low),
            info: sev(Severity::Info),
        },
        score: report.score(),
        sections: kcheck_model::SECTIONS
            .iter()
            .map(|s| SectionScore {
                section: s.number,
                score: report.section_score(s.number),
            })
            .collect(),
        findings: report.findings.len(),
        waived: report.findings.waived(),
        files_read: report.inputs.files_read,
        objects: report.inputs.objects,
        errors: report.inputs.errors().count(),
    }
}

fn item<'a>(report: &'a Report, r: &'a ItemResult, lang: Lang) -> JsonItem<'a> {
    let mut codes: Vec<&str> = report
        .findings
        .briefs_of(&r.findings)
        .map(|f| f.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    JsonItem {
        id: r.item.id,
        section: r.item.section,
        title: Title {
            en: &r.item.title.en,
            zh: &r.item.title.zh,
        },
        status: r.status,
        reason: r.reason.as_ref().map(|t| t.get(lang).to_owned()),
        findings: codes,
        finding_count: report.findings.briefs_of(&r.findings).count(),
        examined: r.examined,
        not_examined: notes(report, r, NoteKind::NotExamined, lang),
        evidence: notes(report, r, NoteKind::Evidence, lang),
    }
}

fn notes<'a>(
    report: &'a Report,
    r: &'a ItemResult,
    kind: NoteKind,
    lang: Lang,
) -> Vec<JsonNote<'a>> {
    report
        .notes_of(r, kind)
        .map(|n| JsonNote {
            code: n.code,
            object: n.object.as_deref().map(object),
            path: n.path.as_deref(),
            location: n.location.as_ref().map(location),
            source: n.source.as_deref(),
            node: n.node.as_deref(),
            message: n.message.get(lang),
        })
        .collect()
}

fn finding<'f>(
    f: &'f Finding,
    fingerprint: crate::fingerprint::Fingerprint<'f>,
    baseline: Option<kcheck_model::BaselineState>,
    lang: Lang,
) -> JsonFinding<'f, crate::Formatted<crate::fingerprint::Fingerprint<'f>>> {
    JsonFinding {
        fingerprint: crate::Formatted(fingerprint),
        code: f.code,
        rule: f.rule,
        item: f.item,
        severity: f.severity,
        level: f.level,
        object: f.object.as_deref().map(object),
        path: f.path.as_deref(),
        location: f.location.as_ref().map(location),
        source: f.source.as_deref(),
        node: f.node.as_deref(),
        message: f.message.get(lang),
        fix: f.fix.get(lang),
        waived: f.waived,
        waiver: f.waiver.as_deref(),
        pods: f.pods,
        baseline,
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub(crate) fn object(o: &ObjectRef) -> Object<'_> {
    Object {
        api_version: &o.api_version,
        kind: &o.kind,
        namespace: o.namespace.as_deref(),
        name: &o.name,
    }
}

pub(crate) fn location(l: &kcheck_model::Location) -> Location<'_> {
    Location {
        file: &l.file,
        line: l.line,
        column: l.column,
    }
}

pub(crate) fn inputs(i: &Inputs, lang: Lang) -> JsonInputs<'_> {
    JsonInputs {
        files_read: i.files_read,
        bytes_read: i.bytes_read,
        documents: i.documents,
        objects: i.objects,
        files_skipped: i.files_skipped,
        skipped: i
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                path: &s.path,
                reason: s.reason.get(lang),
            })
            .collect(),
        diagnostics: i.diagnostics.iter().map(|d| diagnostic(d, lang)).collect(),
        unavailable: i
            .unavailable
            .iter()
            .map(|u| JsonUnavailable {
                kind: &u.kind,
                resource: &u.resource,
                cause: u.cause,
                reason: u.reason.get(lang),
            })
            .collect(),
        nodes: i
            .nodes
            .iter()
            .map(|n| JsonNode {
                name: &n.name,
                control_plane: n.control_plane,
                merged: n.merged,
                detail: n.detail.get(lang),
            })
            .collect(),
    }
}

fn diagnostic(d: &Diagnostic, lang: Lang) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        file: &d.file,
        line: d.line,
        column: d.column,
        severity: d.severity,
        message: d.message.get(lang),
    }
}

//! SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs): one run, the rules that ran, a result
//! per finding pointing at the file, line and column (columns count characters), waived findings
//! as suppressions, and unreadable input as tool execution notifications.
//!
//! Structs borrowing from the report, written as they are made: a cluster's half a million
//! results held as a `serde_json::Value` tree took gigabytes. The document was built with `json!`
//! before, whose objects sort their keys (serde_json without `preserve_order`), so every struct
//! declares its fields in the alphabetical order of their JSON names and the bytes stay the same:
//! keep them sorted.

use crate::fingerprint::{Fingerprint, ObjectName, Repeats};
use crate::labels::{self, FIX};
use crate::Formatted;
use crate::RenderOptions;
use kcheck_model::{
    Diagnostic, DiagnosticSeverity, Evidence, Finding, Lang, Level, ObjectRef, Report, RuleInfo,
    Severity, Unavailable,
};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub(crate) const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The project's address, unless it is empty or a placeholder (`.invalid`, `example.`).
fn information_uri() -> Option<&'static str> {
    let placeholder = INFORMATION_URI.is_empty()
        || INFORMATION_URI.contains(".invalid")
        || INFORMATION_URI.contains("example.");
    (!placeholder).then_some(INFORMATION_URI)
}

/// The same bytes as [`render`], written as they are made: the results are serialized one at a
/// time straight from the findings.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let lang = opts.lang;
    let rules: Vec<Rule<'_>> = report.rules.iter().map(|r| rule(r, lang)).collect();
    let notifications: Vec<Notification<'_>> = report
        .inputs
        .diagnostics
        .iter()
        .map(|d| diagnostic_notification(d, lang))
        .chain(
            report
                .inputs
                .unavailable
                .iter()
                .map(|u| unavailable_notification(u, lang)),
        )
        .chain(
            report
                .notes
                .iter()
                .filter(|n| n.kind == kcheck_model::NoteKind::NotExamined)
                .map(|n| not_examined_notification(n, lang)),
        )
        .collect();
    let properties = RunProperties {
        evidence: &report.evidence,
        items: labels::items_in_order(report)
            .into_iter()
            .map(|r| (r.item.id, r.status.as_str()))
            .collect(),
        distribution: report
            .target
            .as_ref()
            .and_then(|t| t.distribution.as_ref())
            .map(|d| crate::json::JsonDistribution::of(d, lang)),
    };
    let doc = log(
        (report.tool_name, report.tool_version),
        rules,
        notifications,
        SarifResults::new(report, lang),
        lang,
        properties,
    );
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// A SARIF log with one run: the frame both kcheck reports share. `kcheck pss` fills it with
/// `Value`s, this report with the structs below.
#[derive(Serialize)]
pub(crate) struct Log<'a, Rules, Notes, Results, Props> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a, Rules, Notes, Results, Props>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, Rules, Notes, Results, Props> {
    column_kind: &'static str,
    invocations: [Invocation<Notes>; 1],
    language: &'static str,
    properties: Props,
    results: Results,
    tool: Tool<'a, Rules>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<Notes> {
    execution_successful: bool,
    tool_execution_notifications: Notes,
}

#[derive(Serialize)]
struct Tool<'a, Rules> {
    driver: Driver<'a, Rules>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a, Rules> {
    /// Only a real address: a placeholder would send GitHub's users nowhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    name: &'a str,
    rules: Rules,
    semantic_version: &'a str,
    version: &'a str,
}

pub(crate) fn log<'a, Rules, Notes, Results, Props>(
    (name, version): (&'a str, &'a str),
    rules: Rules,
    notifications: Notes,
    results: Results,
    lang: Lang,
    properties: Props,
) -> Log<'a, Rules, Notes, Results, Props> {
    Log {
        schema: SCHEMA_URI,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            language: match lang {
                Lang::En => "en",
                Lang::Zh => "zh-CN",
            },
            properties,
            results,
            tool: Tool {
                driver: Driver {
                    information_uri: information_uri(),
                    name,
                    rules,
                    semantic_version: version,
                    version,
                },
            },
        }],
        version: "2.1.0",
    }
}

/// The run's properties: the evidence the run had and each checklist item's status by id (a map,
/// so in the order of the ids as strings).
#[derive(Serialize)]
struct RunProperties<'a> {
    evidence: &'a [Evidence],
    items: BTreeMap<&'a str, &'static str>,
    /// A node scan's distribution and role (`kcheck node`).
    #[serde(skip_serializing_if = "Option::is_none")]
    distribution: Option<crate::json::JsonDistribution<'a>>,
}

/// `{ "text": ... }`, SARIF's message and description shape.
#[derive(Serialize)]
struct Message<T> {
    text: T,
}

/// An array of one element or none, without a vector.
struct AtMostOne<T>(Option<T>);

impl<T: Serialize> Serialize for AtMostOne<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.0)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    default_configuration: Configuration,
    full_description: Message<Cow<'a, str>>,
    /// Absent for a rule without documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    id: &'a str,
    name: &'a str,
    properties: RuleProperties<'a>,
    short_description: Message<&'a str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// The rule's documentation, the same Markdown twice (it reads well enough as plain text); owned,
/// once per rule.
#[derive(Serialize)]
struct Help {
    markdown: String,
    text: String,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    item: &'a str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    severity: &'static str,
    tags: [Cow<'a, str>; 3],
}

/// The results, each made as it is written, like the JSON report's findings.
struct SarifResults<'a> {
    findings: &'a kcheck_model::Findings,
    /// Each rule's index in the driver's rules by code (the first, should two share a code), so
    /// that a result does not search the rules.
    rule_index: HashMap<&'a str, usize>,
    baseline: Option<&'a kcheck_model::Baseline>,
    lang: Lang,
}

impl<'a> SarifResults<'a> {
    fn new(report: &'a Report, lang: Lang) -> SarifResults<'a> {
        let mut rule_index = HashMap::with_capacity(report.rules.len());
        for (i, r) in report.rules.iter().enumerate() {
            rule_index.entry(r.code).or_insert(i);
        }
        SarifResults {
            findings: &report.findings,
            rule_index,
            baseline: report.baseline.as_deref(),
            lang,
        }
    }
}

impl Serialize for SarifResults<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let fixed = self.baseline.map_or(&[][..], |b| &b.fixed[..]);
        let mut seq = serializer.serialize_seq(Some(self.findings.len() + fixed.len()))?;
        // How many before each share its fingerprint, counted as the results are written.
        let mut repeats = Repeats::default();
        for (i, f) in self.findings.iter().enumerate() {
            let index = self.rule_index.get(f.code).copied();
            let repeat = repeats.next(&f).1;
            let mut r = result(&f, index, repeat, self.lang);
            r.baseline_state = self.baseline.map(|b| match b.state(i) {
                kcheck_model::BaselineState::New => "new",
                kcheck_model::BaselineState::Existing => "unchanged",
            });
            seq.serialize_element(&r)?;
        }
        // The baseline's findings this run no longer has: `absent`, as the baseline gave them.
        for f in fixed {
            let index = self.rule_index.get(f.code.as_str()).copied();
            seq.serialize_element(&absent(f, index, self.lang))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    /// `new`, `unchanged` or `absent` against the baseline; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    level: &'static str,
    /// Absent when the finding has neither a file position nor an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[SarifLocation<'a>; 1]>,
    message: Message<Formatted<ResultText<'a>>>,
    partial_fingerprints: PartialFingerprints<'a>,
    properties: ResultProperties<'a>,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    /// An empty list says "checked, not suppressed"; an absent one would say "unknown".
    suppressions: AtMostOne<Suppression<'a>>,
}

/// Where a result or a notification is: in a file, on an object, or both.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: Formatted<QualifiedName<'a>>,
    kind: &'static str,
    name: Formatted<ObjectName<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    /// Absent when the position is the whole file (line 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    start_line: u32,
}

#[derive(Serialize)]
struct PartialFingerprints<'a> {
    #[serde(rename = "kcheck/v1")]
    kcheck_v1: Formatted<Print<'a>>,
}

/// A fingerprint made for a finding of this run, or one a baseline gave.
enum Print<'a> {
    Made(Fingerprint<'a>),
    Saved(&'a str),
}

impl fmt::Display for Print<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Print::Made(p) => p.fmt(f),
            Print::Saved(s) => f.write_str(s),
        }
    }
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    item: &'a str,
    level: &'static str,
    /// The node of a merged node report's finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<SarifObject<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    /// How many Pods the result covers (a workload's, with its Pods' folded into it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pods: Option<u32>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// Not the JSON report's `Object`: its fields follow that report's order, these are sorted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    /// `null` for a cluster-scoped object.
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    /// The waiver's reason and source, when the finding says which waiver it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SuppressionProperties<'a>>,
    status: &'static str,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    source: &'a str,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    /// Absent for a kind a cluster run could not list: there is no file to point at.
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[SarifLocation<'a>; 1]>,
    message: Message<Cow<'a, str>>,
}

/// The number GitHub code scanning reads to rank security results (0.0 to 10.0).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn default_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

fn level_of(severity: Severity, level: Level) -> &'static str {
    match (severity, level) {
        (Severity::Info, _) | (_, Level::Info) => "note",
        (Severity::Critical | Severity::High, Level::Fail) => "error",
        _ => "warning",
    }
}

/// A rule's documentation as Markdown: doc comments keep the space after `///`, so a space that
/// starts every line is taken off.
fn doc_markdown(doc: &str) -> String {
    let indented = doc
        .lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| l.starts_with(' '));
    let mut out: Vec<&str> = doc
        .lines()
        .map(|l| {
            if indented {
                l.strip_prefix(' ').unwrap_or(l)
            } else {
                l
            }
        })
        .collect();
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut s = out.join("\n");
    s.push('\n');
    s.trim_start_matches('\n').to_owned()
}

/// The first paragraph of prose in a rule's documentation (headings and code blocks skipped),
/// on one line.
fn first_paragraph(doc: &str) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in doc.lines().map(str::trim) {
        if line.starts_with("```") {
            in_fence = !in_fence;
            if !words.is_empty() {
                break;
            }
            continue;
        }
        if in_fence {
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            if words.is_empty() {
                continue;
            }
            break;
        }
        words.extend(line.split_whitespace());
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn rule(r: &RuleInfo, lang: Lang) -> Rule<'_> {
    let title = r.title.get(lang);
    let source = r.doc_in(lang);
    let help = (!source.trim().is_empty()).then(|| {
        let doc = doc_markdown(&source);
        Help {
            markdown: doc.clone(),
            text: doc,
        }
    });
    Rule {
        default_configuration: Configuration {
            level: default_level(r.severity),
        },
        full_description: Message {
            text: first_paragraph(&source).map_or(Cow::Borrowed(title), Cow::Owned),
        },
        help,
        id: r.code,
        name: r.name,
        properties: RuleProperties {
            item: r.item,
            security_severity: security_severity(r.severity),
            severity: r.severity.as_str(),
            tags: [
                Cow::Borrowed("security"),
                Cow::Borrowed("kubernetes"),
                Cow::Owned(format!("checklist-{}", r.item)),
            ],
        },
        short_description: Message { text: title },
    }
}

/// [`ObjectName`] as a string, for `kcheck pss`'s results.
pub(crate) fn object_name(o: &ObjectRef) -> String {
    ObjectName(o).to_string()
}

/// The object's name, then `:` and the field at fault when there is one.
struct QualifiedName<'a> {
    object: &'a ObjectRef,
    path: Option<&'a str>,
}

impl fmt::Display for QualifiedName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ObjectName(self.object).fmt(f)?;
        match self.path {
            Some(path) => write!(f, ":{path}"),
            None => Ok(()),
        }
    }
}

/// A file path as a URI reference: kept as given (relative stays relative), with the characters
/// a URI cannot hold percent-encoded and backslashes turned into slashes. Most paths need
/// neither, and are borrowed.
pub(crate) fn uri_reference(path: &str) -> Cow<'_, str> {
    if path.bytes().all(uri_safe) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        match b {
            b'\\' => out.push('/'),
            b if uri_safe(b) => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Cow::Owned(out)
}

/// Bytes a URI reference's path holds as they are. Not ':': in a relative path's first segment
/// it would read as a scheme.
fn uri_safe(b: u8) -> bool {
    matches!(
        b,
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9'
            | b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*'
            | b'+' | b',' | b';' | b'=' | b'@'
    )
}

fn physical(file: &str, line: u32, column: u32) -> PhysicalLocation<'_> {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_reference(file),
        },
        region: (line > 0).then(|| Region {
            start_column: (column > 0).then_some(column),
            start_line: line,
        }),
    }
}

/// [`physical`] as a `Value`, for `kcheck pss`'s results.
pub(crate) fn physical_location(file: &str, line: u32, column: u32) -> Value {
    json!(physical(file, line, column))
}

/// A result's message: the finding's, then how to fix it when the rule says.
struct ResultText<'a> {
    message: &'a str,
    fix: &'a str,
    lang: Lang,
}

impl fmt::Display for ResultText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)?;
        if self.fix.trim().is_empty() {
            return Ok(());
        }
        let sep = labels::colon(self.lang);
        write!(f, "\n{}{sep}{}", FIX.get(self.lang), self.fix)
    }
}

fn result(f: &Finding, rule_index: Option<usize>, repeat: u32, lang: Lang) -> SarifResult<'_> {
    let mut r = shape(
        Shape {
            code: f.code,
            item: f.item,
            severity: f.severity,
            level: f.level,
            location: f.location.as_ref(),
            source: f.source.as_deref(),
            node: f.node.as_deref(),
            object: f.object.as_deref(),
            path: f.path.as_deref(),
            message: f.message.get(lang),
            fix: f.fix.get(lang),
            pods: f.pods,
            fingerprint: Print::Made(Fingerprint(crate::fingerprint::Parts::of(f), repeat)),
        },
        rule_index,
        lang,
    );
    r.suppressions = AtMostOne(f.waived.then(|| {
        let waiver = f.waiver.as_deref();
        Suppression {
            justification: waiver.map(|w| w.reason.as_str()),
            kind: "external",
            properties: waiver.map(|w| SuppressionProperties { source: &w.source }),
            status: "accepted",
        }
    }));
    r
}

/// A finding of the baseline that this run no longer has.
fn absent(
    f: &kcheck_model::SavedFinding,
    rule_index: Option<usize>,
    lang: Lang,
) -> SarifResult<'_> {
    let mut r = shape(
        Shape {
            code: &f.code,
            item: &f.item,
            severity: f.severity,
            level: f.level,
            location: f.location.as_ref(),
            source: f.source.as_deref(),
            node: f.node.as_deref(),
            object: f.object.as_ref(),
            path: f.path.as_deref(),
            message: &f.message,
            fix: &f.fix,
            pods: 0,
            fingerprint: Print::Saved(&f.fingerprint),
        },
        rule_index,
        lang,
    );
    r.baseline_state = Some("absent");
    r
}

/// What a result is made of, from a finding of this run or of a baseline.
struct Shape<'a> {
    code: &'a str,
    item: &'a str,
    severity: Severity,
    level: Level,
    location: Option<&'a kcheck_model::Location>,
    source: Option<&'a str>,
    node: Option<&'a str>,
    object: Option<&'a ObjectRef>,
    path: Option<&'a str>,
    message: &'a str,
    fix: &'a str,
    /// The Pods a workload's finding covers (0: not a folded workload finding).
    pods: u32,
    fingerprint: Print<'a>,
}

fn shape(f: Shape<'_>, rule_index: Option<usize>, lang: Lang) -> SarifResult<'_> {
    // Every result has a physical location (GitHub code scanning refuses an upload otherwise):
    // the file and position, else where the evidence came from (a node's file or process, an
    // API path).
    let physical_location = match (f.location, f.source) {
        (Some(l), _) => Some(physical(&l.file, l.line, l.column)),
        (None, Some(source)) => Some(physical(source, 0, 0)),
        (None, None) => None,
    };
    let logical_locations = f.object.map(|o| {
        [LogicalLocation {
            fully_qualified_name: Formatted(QualifiedName {
                object: o,
                path: f.path,
            }),
            kind: "resource",
            name: Formatted(ObjectName(o)),
        }]
    });
    let locations = if physical_location.is_none() && logical_locations.is_none() {
        None
    } else {
        Some([SarifLocation {
            logical_locations,
            physical_location,
        }])
    };
    SarifResult {
        baseline_state: None,
        level: level_of(f.severity, f.level),
        locations,
        message: Message {
            text: Formatted(ResultText {
                message: f.message,
                fix: f.fix,
                lang,
            }),
        },
        partial_fingerprints: PartialFingerprints {
            kcheck_v1: Formatted(f.fingerprint),
        },
        properties: ResultProperties {
            item: f.item,
            node: f.node,
            level: match f.level {
                Level::Fail => "fail",
                Level::Warn => "warn",
                Level::Info => "info",
            },
            object: f.object.map(|o| SarifObject {
                api_version: &o.api_version,
                kind: &o.kind,
                name: &o.name,
                namespace: o.namespace.as_deref(),
            }),
            path: f.path,
            pods: (f.pods > 0).then_some(f.pods),
            severity: f.severity.as_str(),
            source: f.source,
        },
        rule_id: f.code,
        rule_index,
        suppressions: AtMostOne(None),
    }
}

fn diagnostic_notification(d: &Diagnostic, lang: Lang) -> Notification<'_> {
    Notification {
        level: match d.severity {
            DiagnosticSeverity::Error => "error",
            DiagnosticSeverity::Warning => "warning",
        },
        locations: Some([SarifLocation {
            logical_locations: None,
            physical_location: Some(physical(&d.file, d.line, d.column)),
        }]),
        message: Message {
            text: Cow::Borrowed(d.message.get(lang)),
        },
    }
}

fn unavailable_notification(u: &Unavailable, lang: Lang) -> Notification<'_> {
    Notification {
        level: "warning",
        locations: None,
        message: Message {
            text: Cow::Owned(format!("{}: {}", u.kind, u.reason.get(lang))),
        },
    }
}

/// What a rule could not examine: a warning about the run, not a result.
fn not_examined_notification(n: &kcheck_model::Note, lang: Lang) -> Notification<'_> {
    let label = kcheck_model::NoteKind::NotExamined.label().get(lang);
    Notification {
        level: "warning",
        locations: n.location.as_ref().map(|l| {
            [SarifLocation {
                logical_locations: None,
                physical_location: Some(physical(&l.file, l.line, l.column)),
            }]
        }),
        message: Message {
            text: Cow::Owned(format!(
                "{}{}{}{label}{}{}",
                n.code,
                crate::labels::paren(n.item, lang),
                if lang == Lang::Zh { "" } else { " " },
                crate::labels::colon(lang),
                n.message.get(lang)
            )),
        },
    }
}

/// [`diagnostic_notification`] as a `Value`, for `kcheck pss`'s notifications.
pub(crate) fn notification(d: &Diagnostic, lang: Lang) -> Value {
    json!(diagnostic_notification(d, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = " ## What it checks\n The pod spec of every workload for `hostNetwork`\n (one finding per field).\n\n ## Fix\n ```yaml\n spec:\n   hostPID: false\n ```\n";

    #[test]
    fn rule_docs_as_doc_comments_give_them() {
        assert_eq!(
            first_paragraph(DOC).as_deref(),
            Some("The pod spec of every workload for `hostNetwork` (one finding per field).")
        );
        assert_eq!(
            doc_markdown(DOC),
            "## What it checks\nThe pod spec of every workload for `hostNetwork`\n(one finding per field).\n\n## Fix\n```yaml\nspec:\n  hostPID: false\n```\n"
        );
        assert_eq!(first_paragraph("## Only a heading\n"), None);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri_reference("deploy/my app/x.yaml"),
            "deploy/my%20app/x.yaml"
        );
        assert_eq!(uri_reference("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri_reference("C:\\k8s\\a.yaml"), "C%3A/k8s/a.yaml");
        assert_eq!(uri_reference("清单.yaml"), "%E6%B8%85%E5%8D%95.yaml");
    }
}

//! Reading a JSON report written earlier (`--format json`), for `--baseline` and `kcheck diff`;
//! and comparing a run with it by fingerprint.
//!
//! A saved report is read leniently: only the fields a comparison needs, each optional, so a
//! report from another kcheck version reads as long as its schema is 1. A report without
//! fingerprints (written before they existed) gets them made from its fields, exactly as this
//! version makes them.

use crate::fingerprint::{Parts, Repeats};
use kcheck_model::{
    Baseline, Level, Location, ObjectRef, Report, SavedFinding, Severity, Status, Text,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// An earlier run, as its JSON report gave it.
#[derive(Clone, Debug, Default)]
pub struct SavedReport {
    /// The file as the command line named it.
    pub source: String,
    pub tool_version: String,
    /// The rules that run ran, when the report lists them (reports since `tool.rules`).
    pub rules: Option<Vec<String>>,
    pub items: Vec<SavedItem>,
    pub findings: Vec<SavedFinding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedItem {
    pub id: String,
    pub status: Status,
}

/// Why a saved report could not be read. Its `Display` names the file, and the line and column
/// when the JSON itself is at fault.
#[derive(Debug)]
pub struct ReadError(String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

/// What says which report a file is, read first (the rest passed over unparsed) so that a report
/// of another schema or kind is named as such rather than failing on its first unknown shape.
#[derive(Deserialize)]
struct RawHeader {
    schema: Option<serde_json::Value>,
    tool: Option<RawTool>,
    /// SARIF's version key: a SARIF log given where a JSON report belongs.
    #[serde(rename = "$schema")]
    sarif_schema: Option<serde::de::IgnoredAny>,
    runs: Option<serde::de::IgnoredAny>,
    kind: Option<String>,
}

#[derive(Deserialize)]
struct RawReport {
    #[serde(default)]
    items: Vec<RawItem>,
    #[serde(default)]
    findings: Vec<RawFinding>,
}

#[derive(Deserialize)]
struct RawTool {
    name: Option<String>,
    version: Option<String>,
    rules: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawItem {
    id: String,
    status: Status,
}

#[derive(Deserialize)]
struct RawFinding {
    code: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    item: String,
    severity: Severity,
    level: Level,
    object: Option<RawObject>,
    path: Option<String>,
    location: Option<RawLocation>,
    source: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fix: String,
    #[serde(default)]
    waived: bool,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawObject {
    #[serde(default)]
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

#[derive(Deserialize)]
struct RawLocation {
    file: String,
    line: u32,
    column: u32,
}

/// The schema of JSON report this version reads.
const SCHEMA: u64 = crate::json::SCHEMA as u64;

/// Reads the JSON report at `path`.
pub fn read_report(path: &Path) -> Result<SavedReport, ReadError> {
    let name = path.display().to_string();
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
            .map_err(|e| ReadError(format!("{name}: {e}")))
    };
    let header: RawHeader = serde_json::from_reader(open()?).map_err(|e| json_error(&name, &e))?;
    let tool = check(header, &name)?;
    let raw: RawReport = serde_json::from_reader(open()?).map_err(|e| json_error(&name, &e))?;
    Ok(from_raw(raw, tool, name))
}

/// Parses a JSON report from text (tests, standard input).
pub fn parse_report(text: &str, name: &str) -> Result<SavedReport, ReadError> {
    let header: RawHeader = serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
    let tool = check(header, name)?;
    let raw: RawReport = serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
    Ok(from_raw(raw, tool, name.to_string()))
}

/// `file:line:column: not valid JSON: ...`, or that the JSON is not a report of this shape.
fn json_error(name: &str, e: &serde_json::Error) -> ReadError {
    let what = if e.is_syntax() || e.is_eof() {
        "not valid JSON"
    } else {
        "not a kcheck JSON report (make one with --format json)"
    };
    let detail = e.to_string();
    // serde_json ends its message with " at line L column C": say it the usual way.
    let detail = detail
        .rsplit_once(" at line ")
        .map_or(detail.as_str(), |(d, _)| d);
    if e.line() > 0 {
        ReadError(format!(
            "{name}:{}:{}: {what}: {detail}",
            e.line(),
            e.column().max(1)
        ))
    } else {
        ReadError(format!("{name}: {what}: {detail}"))
    }
}

/// That the header is a kcheck JSON report of the schema this version reads; its tool.
fn check(header: RawHeader, name: &str) -> Result<RawTool, ReadError> {
    if header.sarif_schema.is_some() || header.runs.is_some() {
        return Err(ReadError(format!(
            "{name}: this is a SARIF log; a baseline is a kcheck JSON report (--format json)"
        )));
    }
    let tool = header.tool.unwrap_or(RawTool {
        name: None,
        version: None,
        rules: None,
    });
    if tool.name.as_deref() != Some("kcheck") {
        return Err(ReadError(format!(
            "{name}: not a kcheck JSON report (no \"tool\": {{\"name\": \"kcheck\"}}; make one with --format json)"
        )));
    }
    if let Some(kind) = &header.kind {
        return Err(ReadError(format!(
            "{name}: a `kcheck {kind}` report; a baseline is the JSON report of scan, cluster or node"
        )));
    }
    match header.schema.as_ref().and_then(serde_json::Value::as_u64) {
        Some(SCHEMA) => Ok(tool),
        Some(n) => Err(ReadError(format!(
            "{name}: JSON report schema {n}, written by kcheck {}; this kcheck ({}) reads schema {SCHEMA}: make the baseline again with this version",
            tool.version.as_deref().unwrap_or("?"),
            env!("CARGO_PKG_VERSION"),
        ))),
        None => Err(ReadError(format!(
            "{name}: no \"schema\" number: not a kcheck JSON report"
        ))),
    }
}

fn from_raw(raw: RawReport, tool: RawTool, name: String) -> SavedReport {
    // Fingerprints made for reports that predate them, repeats counted in the report's order.
    let mut repeats = Repeats::default();
    let mut made = String::new();
    let findings =
        raw.findings
            .into_iter()
            .map(|f| {
                let fingerprint = match f.fingerprint {
                    Some(fp) => fp,
                    None => {
                        made.clear();
                        let place = match (&f.path, &f.location, &f.source) {
                            (Some(p), _, _) => p.as_str(),
                            (None, Some(l), _) => l.file.as_str(),
                            (None, None, Some(s)) => s.as_str(),
                            (None, None, None) => "",
                        };
                        let parts = Parts {
                            code: &f.code,
                            object: f.object.as_ref().map(|o| {
                                (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str())
                            }),
                            place,
                        };
                        let _ = write!(made, "{}", repeats.next_of(parts));
                        made.clone()
                    }
                };
                SavedFinding {
                    code: f.code,
                    rule: f.rule,
                    item: f.item,
                    severity: f.severity,
                    level: f.level,
                    object: f.object.map(|o| ObjectRef {
                        api_version: o.api_version,
                        kind: o.kind,
                        namespace: o.namespace,
                        name: o.name,
                    }),
                    path: f.path,
                    location: f.location.map(|l| Location {
                        file: l.file.into(),
                        line: l.line,
                        column: l.column,
                    }),
                    source: f.source,
                    message: f.message,
                    fix: f.fix,
                    waived: f.waived,
                    fingerprint,
                }
            })
            .collect();
    SavedReport {
        source: name,
        tool_version: tool.version.unwrap_or_default(),
        rules: tool.rules,
        items: raw
            .items
            .into_iter()
            .map(|i| SavedItem {
                id: i.id,
                status: i.status,
            })
            .collect(),
        findings,
    }
}

/// The findings of an earlier report by fingerprint, marked as a later run's are found in it.
pub(crate) struct PrintIndex<'a> {
    by_print: HashMap<&'a str, usize>,
    seen: Vec<bool>,
}

impl<'a> PrintIndex<'a> {
    pub(crate) fn new(old: &'a [SavedFinding]) -> PrintIndex<'a> {
        PrintIndex {
            by_print: old
                .iter()
                .enumerate()
                .map(|(i, f)| (f.fingerprint.as_str(), i))
                .collect(),
            seen: vec![false; old.len()],
        }
    }

    /// The old finding with fingerprint `print`, marked as seen.
    pub(crate) fn find(&mut self, print: &str) -> Option<usize> {
        let j = self.by_print.get(print).copied()?;
        self.seen[j] = true;
        Some(j)
    }

    /// The old findings nothing found, in their order.
    pub(crate) fn gone(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.seen.len()).filter(|&j| !self.seen[j])
    }
}

/// This run against `saved`: each finding new or existing, the saved ones gone listed as fixed,
/// and notes on what the comparison cannot tell.
pub fn compare(report: &Report, saved: SavedReport) -> Baseline {
    let mut baseline = Baseline::new(
        saved.source.clone(),
        saved.tool_version.clone(),
        report.findings.len(),
    );
    // Each fingerprint of this run, made into one buffer in turn.
    let mut repeats = Repeats::default();
    let mut index = PrintIndex::new(&saved.findings);
    let mut buf = String::new();
    for (i, f) in report.findings.iter().enumerate() {
        buf.clear();
        let _ = write!(buf, "{}", repeats.next(&f));
        if index.find(&buf).is_none() {
            baseline.mark_new(i);
        }
    }
    let ran: HashSet<&str> = report.rules.iter().map(|r| r.code).collect();
    // Findings of rules this run did not run are neither fixed nor new: nothing looked.
    let mut unknown: Vec<&str> = Vec::new();
    let mut unknown_findings = 0usize;
    let mut fixed = Vec::new();
    for j in index.gone() {
        let f = &saved.findings[j];
        if ran.contains(f.code.as_str()) {
            fixed.push(j);
        } else {
            unknown_findings += 1;
            if !unknown.contains(&f.code.as_str()) {
                unknown.push(&f.code);
            }
        }
    }
    let mut notes = Vec::new();
    if saved.tool_version != env!("CARGO_PKG_VERSION") {
        let v = if saved.tool_version.is_empty() {
            "?"
        } else {
            &saved.tool_version
        };
        notes.push(Text::new(
            format!(
                "the baseline was written by kcheck {v}, this is {}: a rule changed since may show its findings as new or fixed",
                env!("CARGO_PKG_VERSION")
            ),
            format!(
                "基线由 kcheck {v} 生成，当前版本为 {}：此后有改动的规则，其发现可能显示为新增或已修复",
                env!("CARGO_PKG_VERSION")
            ),
        ));
    }
    if !unknown.is_empty() {
        unknown.sort_unstable();
        let codes = unknown.join(", ");
        notes.push(Text::new(
            format!(
                "the baseline has {unknown_findings} findings of rules this run did not run ({codes}): they are neither fixed nor new"
            ),
            format!(
                "基线中有 {unknown_findings} 条发现来自本次未运行的规则（{codes}）：既不算已修复，也不算新增"
            ),
        ));
    }
    if let Some(rules) = &saved.rules {
        let had: HashSet<&str> = rules.iter().map(String::as_str).collect();
        let mut newly: Vec<&str> = report
            .findings
            .briefs()
            .map(|b| b.code)
            .filter(|c| !had.contains(c))
            .collect();
        newly.sort_unstable();
        newly.dedup();
        if !newly.is_empty() {
            let codes = newly.join(", ");
            notes.push(Text::new(
                format!("the baseline's run did not run {codes}: their findings count as new"),
                format!("生成基线的那次运行没有运行 {codes}：这些规则的发现都算作新增"),
            ));
        }
    }
    drop(index);
    let mut saved_findings = saved.findings;
    let mut keep = fixed.into_iter().peekable();
    let mut index = 0usize;
    saved_findings.retain(|_| {
        let k = keep.peek() == Some(&index);
        if k {
            keep.next();
        }
        index += 1;
        k
    });
    baseline.fixed = saved_findings;
    baseline.notes = notes;
    baseline
}

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
    /// The kinds of evidence the run had (`objects`, `cluster`, `node`, `images`).
    pub evidence: Vec<String>,
    /// What the run judged, when the report says (reports since `target`).
    pub target: Option<kcheck_model::Target>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedItem {
    pub id: String,
    pub status: Status,
    /// The checklist section, when the report gives it (else the item's own).
    pub section: Option<u8>,
    /// Why the item has its status, in the report's language.
    pub reason: Option<String>,
}

/// Why a saved report could not be read. Its `Display` names the file, and the line and column
/// when the JSON itself is at fault.
#[derive(Debug)]
pub struct ReadError(Text);

impl ReadError {
    /// The message in `lang` (`Display` gives the English).
    pub fn message(&self, lang: kcheck_model::Lang) -> &str {
        self.0.get(lang)
    }

    fn new(en: String, zh: String) -> ReadError {
        ReadError(Text::new(en, zh))
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.en)
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
    evidence: Vec<String>,
    target: Option<RawTarget>,
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
    section: Option<u8>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    name: String,
    namespace: Option<String>,
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
    node: Option<String>,
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
            .map_err(|e| ReadError::new(format!("{name}: {e}"), format!("{name}：{e}")))
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
    let (what, what_zh) = if e.is_syntax() || e.is_eof() {
        ("not valid JSON", "不是有效的 JSON")
    } else {
        (
            "not a kcheck JSON report (make one with --format json)",
            "不是 kcheck 的 JSON 报告（用 --format json 生成）",
        )
    };
    let detail = e.to_string();
    // serde_json ends its message with " at line L column C": say it the usual way.
    let detail = detail
        .rsplit_once(" at line ")
        .map_or(detail.as_str(), |(d, _)| d);
    if e.line() > 0 {
        let at = format!("{name}:{}:{}", e.line(), e.column().max(1));
        ReadError::new(
            format!("{at}: {what}: {detail}"),
            format!("{at}：{what_zh}：{detail}"),
        )
    } else {
        ReadError::new(
            format!("{name}: {what}: {detail}"),
            format!("{name}：{what_zh}：{detail}"),
        )
    }
}

/// That the header is a kcheck JSON report of the schema this version reads; its tool.
fn check(header: RawHeader, name: &str) -> Result<RawTool, ReadError> {
    if header.sarif_schema.is_some() || header.runs.is_some() {
        return Err(ReadError::new(
            format!(
                "{name}: this is a SARIF log; a baseline is a kcheck JSON report (--format json)"
            ),
            format!("{name}：这是 SARIF 日志；基线应是 kcheck 的 JSON 报告（--format json）"),
        ));
    }
    let tool = header.tool.unwrap_or(RawTool {
        name: None,
        version: None,
        rules: None,
    });
    if tool.name.as_deref() != Some("kcheck") {
        return Err(ReadError::new(
            format!(
                "{name}: not a kcheck JSON report (no \"tool\": {{\"name\": \"kcheck\"}}; make one with --format json)"
            ),
            format!(
                "{name}：不是 kcheck 的 JSON 报告（没有 \"tool\": {{\"name\": \"kcheck\"}}；用 --format json 生成）"
            ),
        ));
    }
    if let Some(kind) = &header.kind {
        return Err(ReadError::new(
            format!(
                "{name}: a `kcheck {kind}` report; a baseline is the JSON report of scan, cluster or node"
            ),
            format!("{name}：这是 `kcheck {kind}` 的报告；基线应是 scan、cluster 或 node 的 JSON 报告"),
        ));
    }
    match header.schema.as_ref().and_then(serde_json::Value::as_u64) {
        Some(SCHEMA) => Ok(tool),
        Some(n) => {
            let (theirs, ours) = (
                tool.version.as_deref().unwrap_or("?"),
                env!("CARGO_PKG_VERSION"),
            );
            Err(ReadError::new(
                format!(
                    "{name}: JSON report schema {n}, written by kcheck {theirs}; this kcheck ({ours}) reads schema {SCHEMA}: make the baseline again with this version"
                ),
                format!(
                    "{name}：JSON 报告的 schema 为 {n}，由 kcheck {theirs} 生成；当前 kcheck（{ours}）读取 schema {SCHEMA}：请用当前版本重新生成基线"
                ),
            ))
        }
        None => Err(ReadError::new(
            format!("{name}: no \"schema\" number: not a kcheck JSON report"),
            format!("{name}：没有 \"schema\" 编号：不是 kcheck 的 JSON 报告"),
        )),
    }
}

fn from_raw(raw: RawReport, tool: RawTool, name: String) -> SavedReport {
    // Fingerprints made for reports that predate them, repeats counted in the report's order.
    let mut repeats = Repeats::default();
    let findings = raw
        .findings
        .into_iter()
        .map(|f| saved_finding(f, &mut repeats))
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
                section: i.section,
                reason: i.reason,
            })
            .collect(),
        findings,
        evidence: raw.evidence,
        target: raw.target.map(|t| kcheck_model::Target {
            mode: t.mode,
            name: t.name,
            namespace: t.namespace,
            distribution: None,
        }),
    }
}

/// A finding as read, with its fingerprint made when the report has none (`repeats` counts
/// over the report's findings in order).
fn saved_finding(f: RawFinding, repeats: &mut Repeats) -> SavedFinding {
    let fingerprint = match f.fingerprint {
        Some(fp) => fp,
        None => made_print(
            repeats,
            &f.code,
            f.object.as_ref(),
            f.path.as_deref(),
            f.location.as_ref().map(|l| l.file.as_str()),
            f.source.as_deref(),
        ),
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
        node: f.node,
        message: f.message,
        fix: f.fix,
        waived: f.waived,
        fingerprint,
    }
}

/// The findings of an earlier report by fingerprint, marked as a later run's are found in it.
pub(crate) struct PrintIndex<'a> {
    by_print: HashMap<&'a str, usize>,
    seen: Vec<bool>,
}

impl<'a> PrintIndex<'a> {
    pub(crate) fn new(old: &'a [SavedFinding]) -> PrintIndex<'a> {
        PrintIndex::of(old.iter().map(|f| f.fingerprint.as_str()))
    }

    /// The index of `prints`, the old report's fingerprints in its order.
    fn of(prints: impl ExactSizeIterator<Item = &'a str>) -> PrintIndex<'a> {
        let seen = vec![false; prints.len()];
        PrintIndex {
            by_print: prints.enumerate().map(|(i, p)| (p, i)).collect(),
            seen,
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
    let prints = Prints {
        source: saved.source.clone(),
        tool_version: saved.tool_version.clone(),
        rules: saved.rules.clone(),
        prints: saved
            .findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect(),
        codes: saved.findings.iter().map(|f| f.code.clone()).collect(),
    };
    let (mut baseline, fixed) = judge(report, &prints);
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
    baseline
}

/// This run against the JSON report at `path`, as [`compare`] does, reading only what each step
/// needs: the header, then every finding's fingerprint (not its message or fix), then in full
/// only the findings that are gone. A baseline of 300,000 findings is not held whole.
pub fn compare_file(report: &Report, path: &Path) -> Result<Baseline, ReadError> {
    let name = path.display().to_string();
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
            .map_err(|e| ReadError::new(format!("{name}: {e}"), format!("{name}：{e}")))
    };
    let header: RawHeader = serde_json::from_reader(open()?).map_err(|e| json_error(&name, &e))?;
    let tool = check(header, &name)?;
    let light: LightReport = serde_json::from_reader(open()?).map_err(|e| json_error(&name, &e))?;
    let mut repeats = Repeats::default();
    let (mut prints, mut codes) = (Vec::new(), Vec::new());
    for f in light.findings {
        prints.push(match f.fingerprint {
            Some(p) => p,
            None => made_print(
                &mut repeats,
                &f.code,
                f.object.as_ref(),
                f.path.as_deref(),
                f.location.as_ref().map(|l| l.file.as_str()),
                f.source.as_deref(),
            ),
        });
        codes.push(f.code);
    }
    let prints = Prints {
        source: name.clone(),
        tool_version: tool.version.unwrap_or_default(),
        rules: tool.rules,
        prints,
        codes,
    };
    let (mut baseline, fixed) = judge(report, &prints);
    drop(prints);
    if !fixed.is_empty() {
        let mut wanted = vec![false; fixed.last().map_or(0, |&j| j + 1)];
        for &j in &fixed {
            wanted[j] = true;
        }
        let mut de = serde_json::Deserializer::from_reader(open()?);
        let picked = serde::de::DeserializeSeed::deserialize(FindingsAt(&wanted), &mut de)
            .map_err(|e| json_error(&name, &e))?;
        baseline.fixed = picked;
    }
    Ok(baseline)
}

/// What a comparison needs of a saved report: its fingerprints and rule codes, in its order.
struct Prints {
    source: String,
    tool_version: String,
    rules: Option<Vec<String>>,
    prints: Vec<String>,
    codes: Vec<String>,
}

/// The fingerprint of a saved finding that has none, made as this version makes them.
fn made_print(
    repeats: &mut Repeats,
    code: &str,
    object: Option<&RawObject>,
    path: Option<&str>,
    file: Option<&str>,
    source: Option<&str>,
) -> String {
    let place = path.or(file).or(source).unwrap_or("");
    let parts = Parts {
        code,
        object: object.map(|o| (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str())),
        place,
        node: None,
    };
    repeats.next_of(parts).to_string()
}

/// The comparison without the fixed findings themselves: the baseline (each of this run's
/// findings new or existing, the notes) and the indices of the saved findings that are fixed.
fn judge(report: &Report, saved: &Prints) -> (Baseline, Vec<usize>) {
    let mut baseline = Baseline::new(
        saved.source.clone(),
        saved.tool_version.clone(),
        report.findings.len(),
    );
    // Each fingerprint of this run, made into one buffer in turn.
    let mut repeats = Repeats::default();
    let mut index = PrintIndex::of(saved.prints.iter().map(String::as_str));
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
        let code = saved.codes[j].as_str();
        if ran.contains(code) {
            fixed.push(j);
        } else {
            unknown_findings += 1;
            if !unknown.contains(&code) {
                unknown.push(code);
            }
        }
    }
    baseline.notes = notes(report, saved, unknown, unknown_findings);
    (baseline, fixed)
}

/// What the reader should know about a comparison with `saved`.
fn notes(
    report: &Report,
    saved: &Prints,
    mut unknown: Vec<&str>,
    unknown_findings: usize,
) -> Vec<Text> {
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
    notes
}

/// A finding as the comparison first reads it: what its fingerprint is made of.
#[derive(Deserialize)]
struct LightFinding {
    code: String,
    object: Option<RawObject>,
    path: Option<String>,
    location: Option<LightLocation>,
    source: Option<String>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct LightLocation {
    file: String,
}

#[derive(Deserialize)]
struct LightReport {
    #[serde(default)]
    findings: Vec<LightFinding>,
}

/// Reads a report's findings at the indices `wanted` marks, in full, passing over the rest
/// unparsed.
struct FindingsAt<'w>(&'w [bool]);

impl<'de> serde::de::DeserializeSeed<'de> for FindingsAt<'_> {
    type Value = Vec<SavedFinding>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FindingsAt<'_> {
    type Value = Vec<SavedFinding>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a kcheck JSON report")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "findings" {
                found = map.next_value_seed(Picked(self.0))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// The findings array, read as [`FindingsAt`] says.
struct Picked<'w>(&'w [bool]);

impl<'de> serde::de::DeserializeSeed<'de> for Picked<'_> {
    type Value = Vec<SavedFinding>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Picked<'_> {
    type Value = Vec<SavedFinding>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of findings")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let mut repeats = Repeats::default();
        let mut i = 0usize;
        loop {
            if self.0.get(i).copied().unwrap_or(false) {
                let Some(f) = seq.next_element::<RawFinding>()? else {
                    break;
                };
                out.push(saved_finding(f, &mut repeats));
            } else {
                let Some(f) = seq.next_element::<LightFinding>()? else {
                    break;
                };
                // Repeats are counted over every finding, as the first pass counted them.
                if f.fingerprint.is_none() {
                    let file = f.location.as_ref().map(|l| l.file.as_str());
                    let _ = made_print(
                        &mut repeats,
                        &f.code,
                        f.object.as_ref(),
                        f.path.as_deref(),
                        file,
                        f.source.as_deref(),
                    );
                }
            }
            i += 1;
        }
        Ok(out)
    }
}

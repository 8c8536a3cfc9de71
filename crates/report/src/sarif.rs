//! SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs): one run, the rules that ran, a result
//! per finding pointing at the file, line and column (columns count characters), waived findings
//! as suppressions, and unreadable input as tool execution notifications.

use crate::labels::{self, FIX};
use crate::RenderOptions;
use kcheck_model::{
    Diagnostic, DiagnosticSeverity, Finding, Lang, Level, ObjectRef, Report, RuleInfo, Severity,
};
use serde_json::{json, Map, Value};

pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub(crate) const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

pub(crate) fn render(report: &Report, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    let rules: Vec<Value> = report.rules.iter().map(|r| rule(r, lang)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(report, f, lang))
        .collect();
    let notifications: Vec<Value> = report
        .inputs
        .diagnostics
        .iter()
        .map(|d| notification(d, lang))
        .chain(report.inputs.unavailable.iter().map(|u| {
            json!({
                "level": "warning",
                "message": { "text": format!("{}: {}", u.kind, u.reason.get(lang)) },
            })
        }))
        .collect();
    let items: Map<String, Value> = labels::items_in_order(report)
        .into_iter()
        .map(|r| (r.item.id.to_owned(), json!(r.status.as_str())))
        .collect();
    let properties = json!({ "evidence": report.evidence, "items": items });
    let doc = log(
        (report.tool_name, report.tool_version),
        rules,
        notifications,
        results,
        lang,
        properties,
    );
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    out.push('\n');
    out
}

/// A SARIF log with one run: the frame both kcheck reports share.
pub(crate) fn log(
    (name, version): (&str, &str),
    rules: Vec<Value>,
    notifications: Vec<Value>,
    results: Vec<Value>,
    lang: Lang,
    properties: Value,
) -> Value {
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": name,
                    "version": version,
                    "semanticVersion": version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "language": match lang { Lang::En => "en", Lang::Zh => "zh-CN" },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": properties,
        }],
    })
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

fn result_level(f: &Finding) -> &'static str {
    match (f.severity, f.level) {
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

fn rule(r: &RuleInfo, lang: Lang) -> Value {
    let title = r.title.get(lang);
    let full = first_paragraph(r.doc).unwrap_or_else(|| title.to_owned());
    let mut v = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": title },
        "fullDescription": { "text": full },
        "defaultConfiguration": { "level": default_level(r.severity) },
        "properties": {
            "item": r.item,
            "severity": r.severity.as_str(),
            "security-severity": security_severity(r.severity),
            "tags": ["security", "kubernetes", format!("checklist-{}", r.item)],
        },
    });
    if !r.doc.trim().is_empty() {
        let doc = doc_markdown(r.doc);
        v["help"] = json!({ "text": doc, "markdown": doc });
    }
    v
}

/// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects.
pub(crate) fn object_name(o: &ObjectRef) -> String {
    match &o.namespace {
        Some(ns) => format!("{}/{}/{}", o.kind, ns, o.name),
        None => format!("{}/{}", o.kind, o.name),
    }
}

/// A file path as a URI reference: kept as given (relative stays relative), with the characters
/// a URI cannot hold percent-encoded and backslashes turned into slashes.
pub(crate) fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'\\' => out.push('/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(char::from(b)),
            b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*'
            | b'+' | b',' | b';' | b'=' | b'@' => out.push(char::from(b)),
            // ':' too: in a relative path's first segment it would read as a scheme.
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn physical_location(file: &str, line: u32, column: u32) -> Value {
    let mut loc = json!({ "artifactLocation": { "uri": uri_reference(file) } });
    if line > 0 {
        let mut region = json!({ "startLine": line });
        if column > 0 {
            region["startColumn"] = json!(column);
        }
        loc["region"] = region;
    }
    loc
}

fn result(report: &Report, f: &Finding, lang: Lang) -> Value {
    let message = f.message.get(lang);
    let fix = f.fix.get(lang);
    let text = if fix.trim().is_empty() {
        message.to_owned()
    } else {
        let sep = labels::colon(lang);
        format!("{message}\n{}{sep}{fix}", FIX.get(lang))
    };
    let mut location = Map::new();
    if let Some(l) = &f.location {
        location.insert(
            "physicalLocation".into(),
            physical_location(&l.file, l.line, l.column),
        );
    }
    if let Some(o) = &f.object {
        let name = object_name(o);
        let qualified = match &f.path {
            Some(path) => format!("{name}:{path}"),
            None => name.clone(),
        };
        location.insert(
            "logicalLocations".into(),
            json!([{ "name": name, "fullyQualifiedName": qualified, "kind": "resource" }]),
        );
    }
    let mut v = json!({
        "ruleId": f.code,
        "level": result_level(f),
        "message": { "text": text },
        "partialFingerprints": { "kcheck/v1": fingerprint(f) },
        "properties": {
            "item": f.item,
            "severity": f.severity.as_str(),
            "level": match f.level { Level::Fail => "fail", Level::Warn => "warn", Level::Info => "info" },
        },
    });
    if let Some(i) = report.rules.iter().position(|r| r.code == f.code) {
        v["ruleIndex"] = json!(i);
    }
    if !location.is_empty() {
        v["locations"] = json!([location]);
    }
    if let Some(o) = &f.object {
        v["properties"]["object"] = json!({
            "apiVersion": o.api_version,
            "kind": o.kind,
            "namespace": o.namespace,
            "name": o.name,
        });
    }
    if let Some(path) = &f.path {
        v["properties"]["path"] = json!(path);
    }
    if let Some(source) = &f.source {
        v["properties"]["source"] = json!(source);
    }
    // An empty list says "checked, not suppressed"; an absent one would say "unknown".
    v["suppressions"] = if f.waived {
        let mut s = json!({ "kind": "external", "status": "accepted" });
        if let Some(w) = &f.waiver {
            s["justification"] = json!(w.reason);
            s["properties"] = json!({ "source": w.source });
        }
        json!([s])
    } else {
        json!([])
    };
    v
}

/// Identifies a finding across runs even when lines move: rule, object and field, not position.
fn fingerprint(f: &Finding) -> String {
    let object = f.object.as_deref().map(object_name).unwrap_or_default();
    let place = match (&f.path, &f.location, &f.source) {
        (Some(p), _, _) => p.clone(),
        (None, Some(l), _) => l.file.to_string(),
        (None, None, Some(s)) => s.to_string(),
        (None, None, None) => String::new(),
    };
    format!("{}|{}|{}", f.code, object, place)
}

pub(crate) fn notification(d: &Diagnostic, lang: Lang) -> Value {
    let level = match d.severity {
        DiagnosticSeverity::Error => "error",
        DiagnosticSeverity::Warning => "warning",
    };
    json!({
        "level": level,
        "message": { "text": d.message.get(lang) },
        "locations": [{ "physicalLocation": physical_location(&d.file, d.line, d.column) }],
    })
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

/// Writes the report to `out` (for now the whole rendered text at once).
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(render(report, opts).as_bytes())
}

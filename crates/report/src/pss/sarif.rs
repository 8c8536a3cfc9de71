//! SARIF 2.1.0 of `kcheck pss`: a rule per check id that was violated (`pss/runAsNonRoot`), a
//! result per workload, column and violation, located at each field at fault (the object's start
//! when a field has no position) with the object as a logical location, and unreadable input as
//! tool execution notifications.

use super::{check_title, column_label};
use crate::sarif::{notification, object_name, physical_location};
use crate::RenderOptions;
use kcheck_model::{Lang, Location, PssColumn, PssReport, PssViolation, PssWorkload};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Where the Pod Security Standards are defined, check by check.
const HELP_URI: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    // Sorted by id: the same report always lists them in the same order.
    let ids: Vec<&str> = report
        .workloads
        .iter()
        .flat_map(|w| &w.verdicts)
        .flat_map(|v| &v.violations)
        .map(|v| v.check.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules: Vec<Value> = ids.iter().map(|id| rule(id, lang)).collect();
    let mut results = Vec::new();
    for w in &report.workloads {
        for (c, v) in super::verdicts(report, w) {
            for violation in &v.violations {
                let index = ids.iter().position(|id| *id == violation.check);
                results.push(result(w, c, violation, index));
            }
        }
    }
    let notifications: Vec<Value> = report
        .inputs
        .diagnostics
        .iter()
        .map(|d| notification(d, lang))
        .collect();
    let columns: Vec<Value> = report
        .columns
        .iter()
        .map(|c| json!({ "level": c.level, "version": c.version }))
        .collect();
    let properties = json!({ "kind": "pss", "columns": columns });
    let doc = crate::sarif::log(
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

fn rule_id(check: &str) -> String {
    format!("pss/{check}")
}

fn rule(id: &str, lang: Lang) -> Value {
    let title = check_title(id, lang);
    json!({
        "id": rule_id(id),
        "name": id,
        "shortDescription": { "text": title },
        "fullDescription": { "text": title },
        "helpUri": HELP_URI,
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "check": id,
            "tags": ["security", "kubernetes", "pod-security-standards"],
        },
    })
}

/// `restricted:v1.37 runAsNonRoot != true (pod or container "web" must set ...)`.
fn message(c: &PssColumn, v: &PssViolation) -> String {
    let mut text = format!("{}:{} {}", c.level, c.version, v.reason);
    if !v.detail.trim().is_empty() {
        text.push_str(&format!(" ({})", v.detail));
    }
    text
}

fn location(object: &str, path: Option<&str>, at: Option<&Location>) -> Value {
    let mut loc = Map::new();
    if let Some(l) = at {
        loc.insert(
            "physicalLocation".into(),
            physical_location(&l.file, l.line, l.column),
        );
    }
    let qualified = match path {
        Some(p) => format!("{object}:{p}"),
        None => object.to_owned(),
    };
    loc.insert(
        "logicalLocations".into(),
        json!([{ "name": object, "fullyQualifiedName": qualified, "kind": "resource" }]),
    );
    Value::Object(loc)
}

fn result(w: &PssWorkload, c: &PssColumn, v: &PssViolation, rule_index: Option<usize>) -> Value {
    let object = object_name(&w.object);
    let mut locations: Vec<Value> = v
        .fields
        .iter()
        .map(|f| {
            location(
                &object,
                Some(&f.path),
                f.location.as_ref().or(w.location.as_ref()),
            )
        })
        .collect();
    if locations.is_empty() {
        locations.push(location(&object, None, w.location.as_ref()));
    }
    let fields: Vec<&str> = v.fields.iter().map(|f| f.path.as_str()).collect();
    let mut r = json!({
        "ruleId": rule_id(&v.check),
        "level": "error",
        "message": { "text": message(c, v) },
        "locations": locations,
        // Stable across runs and kcheck upgrades: the version (`latest` moves) is left out.
        "partialFingerprints": {
            "kcheck-pss/v1": format!("{}|{}|{}", v.check, c.level, object),
        },
        "properties": {
            "column": column_label(c),
            "level": c.level,
            "version": c.version,
            "check": v.check,
            "reason": v.reason,
            "detail": v.detail,
            "object": {
                "apiVersion": w.object.api_version,
                "kind": w.object.kind,
                "namespace": w.object.namespace,
                "name": w.object.name,
            },
            "fields": fields,
        },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    r
}

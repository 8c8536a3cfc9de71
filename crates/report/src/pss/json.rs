//! The JSON report of `kcheck pss`, schema 1, `"kind": "pss"`. Scripts depend on these names and
//! their order: change them only with a new schema number. Reasons and details are upstream's
//! words in every language; the input diagnostics follow the reader's language, as in the
//! checklist report.

use super::counts;
use crate::json::{self as checklist, JsonInputs, Location, Object, Tool, SCHEMA};
use crate::RenderOptions;
use kcheck_model::{PssColumn, PssField, PssReport, PssViolation, PssWorkload};
use serde::Serialize;

#[derive(Serialize)]
struct JsonPssReport<'a> {
    schema: u32,
    kind: &'static str,
    tool: Tool<'a>,
    columns: Vec<Column<'a>>,
    summary: Vec<ColumnSummary<'a>>,
    workloads: Vec<Workload<'a>>,
    inputs: JsonInputs<'a>,
}

#[derive(Serialize)]
struct Column<'a> {
    level: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct ColumnSummary<'a> {
    level: &'a str,
    version: &'a str,
    allowed: usize,
    denied: usize,
}

#[derive(Serialize)]
struct Workload<'a> {
    object: Object<'a>,
    location: Option<Location<'a>>,
    verdicts: Vec<Verdict<'a>>,
}

#[derive(Serialize)]
struct Verdict<'a> {
    level: &'a str,
    version: &'a str,
    allowed: bool,
    violations: Vec<Violation<'a>>,
}

#[derive(Serialize)]
struct Violation<'a> {
    check: &'a str,
    reason: &'a str,
    detail: &'a str,
    fields: Vec<Field<'a>>,
}

#[derive(Serialize)]
struct Field<'a> {
    path: &'a str,
    location: Option<Location<'a>>,
}

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let doc = JsonPssReport {
        schema: SCHEMA,
        kind: "pss",
        tool: Tool {
            name: report.tool_name,
            version: report.tool_version,
            rules: None,
        },
        columns: report.columns.iter().map(column).collect(),
        summary: counts(report)
            .into_iter()
            .map(|(c, allowed, denied)| ColumnSummary {
                level: &c.level,
                version: &c.version,
                allowed,
                denied,
            })
            .collect(),
        workloads: report
            .workloads
            .iter()
            .map(|w| workload(report, w))
            .collect(),
        inputs: checklist::inputs(&report.inputs, opts.lang),
    };
    // Plain structs of strings and numbers: serializing cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    out.push('\n');
    out
}

fn column(c: &PssColumn) -> Column<'_> {
    Column {
        level: &c.level,
        version: &c.version,
    }
}

fn workload<'a>(report: &'a PssReport, w: &'a PssWorkload) -> Workload<'a> {
    Workload {
        object: checklist::object(&w.object),
        location: w.location.as_ref().map(checklist::location),
        verdicts: super::verdicts(report, w)
            .map(|(c, v)| Verdict {
                level: &c.level,
                version: &c.version,
                allowed: v.allowed,
                violations: v.violations.iter().map(violation).collect(),
            })
            .collect(),
    }
}

fn violation(v: &PssViolation) -> Violation<'_> {
    Violation {
        check: &v.check,
        reason: &v.reason,
        detail: &v.detail,
        fields: v.fields.iter().map(field).collect(),
    }
}

fn field(f: &PssField) -> Field<'_> {
    Field {
        path: &f.path,
        location: f.location.as_ref().map(checklist::location),
    }
}

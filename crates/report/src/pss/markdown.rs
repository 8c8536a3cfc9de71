//! Markdown of `kcheck pss`: the counts per column, a table of workloads by columns, then the
//! violations of each denied workload. Input text is escaped as in the checklist Markdown.

use super::{column_label, counts, field_place, verdicts, workload_place};
use crate::labels::{
    self, ALLOWED, ALLOWED_HEADING, DENIED, DENIED_HEADING, DETAIL, FIELD, LOCATION, NO_VIOLATIONS,
    NO_WORKLOADS, PSS_LEVEL, SUMMARY, VIOLATIONS, WORKLOAD, WORKLOADS,
};
use crate::markdown::{code, esc, inputs, row};
use crate::RenderOptions;
use kcheck_model::{Lang, PssReport, PssViolation};
use std::fmt::Write;

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} {} {}\n",
        esc(report.tool_name),
        esc(report.tool_version),
        labels::PSS_REPORT.get(lang)
    );
    let _ = writeln!(out, "{}\n", esc(&super::columns_line(report, lang)));
    let _ = writeln!(out, "{}\n", esc(&super::run_line(report, lang)));
    summary(&mut out, report, lang);
    workloads(&mut out, report, lang);
    violations(&mut out, report, lang);
    inputs(&mut out, &report.inputs, lang);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

fn summary(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(out, "## {}\n", SUMMARY.get(lang));
    row(
        out,
        &[
            PSS_LEVEL.get(lang),
            ALLOWED_HEADING.get(lang),
            DENIED_HEADING.get(lang),
        ],
    );
    out.push_str("|---|---:|---:|\n");
    for (c, allowed, denied) in counts(report) {
        row(
            out,
            &[
                &esc(&column_label(c)),
                &allowed.to_string(),
                &denied.to_string(),
            ],
        );
    }
    out.push('\n');
}

fn workloads(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(out, "## {}\n", WORKLOADS.get(lang));
    if report.workloads.is_empty() {
        let _ = writeln!(out, "{}\n", NO_WORKLOADS.get(lang));
        return;
    }
    let columns: Vec<String> = report
        .columns
        .iter()
        .map(|c| esc(&column_label(c)))
        .collect();
    let mut head = vec![WORKLOAD.get(lang), LOCATION.get(lang)];
    head.extend(columns.iter().map(String::as_str));
    row(out, &head);
    out.push_str("|---|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    for w in &report.workloads {
        let object = esc(&w.object.to_string());
        let place = workload_place(w).map(|p| code(&p)).unwrap_or_default();
        let verdicts: Vec<String> = (0..report.columns.len())
            .map(|i| match w.verdicts.get(i) {
                Some(v) if v.allowed => format!("**{}**", ALLOWED.get(lang)),
                Some(_) => format!("**{}**", DENIED.get(lang)),
                None => "-".to_owned(),
            })
            .collect();
        let mut cells = vec![object.as_str(), place.as_str()];
        cells.extend(verdicts.iter().map(String::as_str));
        row(out, &cells);
    }
    out.push('\n');
}

fn violations(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(out, "## {}\n", VIOLATIONS.get(lang));
    let mut any = false;
    for w in &report.workloads {
        let denied: Vec<_> = verdicts(report, w).filter(|(_, v)| !v.allowed).collect();
        if denied.is_empty() {
            continue;
        }
        any = true;
        let _ = write!(out, "### {}", esc(&w.object.to_string()));
        if let Some(place) = workload_place(w) {
            let _ = write!(out, " {}", code(&place));
        }
        out.push_str("\n\n");
        for (c, v) in denied {
            if v.violations.is_empty() {
                let _ = writeln!(out, "- **{}**", esc(&column_label(c)));
            }
            for violation in &v.violations {
                let _ = writeln!(
                    out,
                    "- **{}** {}{}{}",
                    esc(&column_label(c)),
                    code(&violation.check),
                    labels::colon(lang),
                    esc(&violation.reason)
                );
                details(out, violation, lang);
            }
        }
        out.push('\n');
    }
    if !any {
        let _ = writeln!(out, "{}\n", NO_VIOLATIONS.get(lang));
    }
}

fn details(out: &mut String, v: &PssViolation, lang: Lang) {
    let sep = labels::colon(lang);
    if !v.detail.trim().is_empty() {
        let _ = writeln!(out, "  - {}{sep}{}", DETAIL.get(lang), esc(&v.detail));
    }
    for f in &v.fields {
        let _ = write!(out, "  - {}{sep}{}", FIELD.get(lang), code(&f.path));
        if f.location.is_some() {
            let _ = write!(out, " ({})", code(&field_place(f)));
        }
        out.push('\n');
    }
}

//! One self-contained HTML page for `kcheck pss`: the counts per column, workloads by columns,
//! the violations of each denied workload, input problems. Inline CSS shared with the checklist
//! page, no scripts, every string that is not ours escaped.

use super::{column_label, counts, field_place, verdicts, workload_place};
use crate::html::{document_start, esc, inputs};
use crate::labels::{
    self, ALLOWED, ALLOWED_HEADING, DENIED, DENIED_HEADING, DETAIL, FIELD, LOCATION, NO_VIOLATIONS,
    NO_WORKLOADS, PSS_LEVEL, SUMMARY, VIOLATIONS, WORKLOAD, WORKLOADS,
};
use crate::RenderOptions;
use kcheck_model::{Lang, PssReport, PssVerdict, PssViolation};
use std::fmt::Write;

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    let title = format!(
        "{} {} {}",
        report.tool_name,
        report.tool_version,
        labels::PSS_REPORT.get(lang)
    );
    let mut out = String::new();
    document_start(&mut out, &title, lang);
    let _ = writeln!(
        out,
        "<p>{}</p>\n<p class=\"muted\">{}</p>",
        esc(&super::columns_line(report, lang)),
        esc(&super::run_line(report, lang))
    );
    summary(&mut out, report, lang);
    workloads(&mut out, report, lang);
    violations(&mut out, report, lang);
    inputs(&mut out, &report.inputs, lang);
    out.push_str("</body>\n</html>\n");
    out
}

fn verdict_span(v: Option<&PssVerdict>, lang: Lang) -> String {
    match v {
        Some(v) if v.allowed => format!(
            "<span class=\"st s-pass\">{}</span>",
            esc(ALLOWED.get(lang))
        ),
        Some(_) => format!("<span class=\"st s-fail\">{}</span>", esc(DENIED.get(lang))),
        None => "-".to_owned(),
    }
}

fn summary(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        SUMMARY.get(lang),
        PSS_LEVEL.get(lang),
        ALLOWED_HEADING.get(lang),
        DENIED_HEADING.get(lang)
    );
    for (c, allowed, denied) in counts(report) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{allowed}</td><td class=\"n\">{denied}</td></tr>",
            esc(&column_label(c))
        );
    }
    out.push_str("</table>\n");
}

fn workloads(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(out, "<h2>{}</h2>", WORKLOADS.get(lang));
    if report.workloads.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", NO_WORKLOADS.get(lang));
        return;
    }
    let _ = write!(
        out,
        "<table>\n<tr><th>{}</th><th>{}</th>",
        WORKLOAD.get(lang),
        LOCATION.get(lang)
    );
    for c in &report.columns {
        let _ = write!(out, "<th>{}</th>", esc(&column_label(c)));
    }
    out.push_str("</tr>\n");
    for w in &report.workloads {
        let place = workload_place(w)
            .map(|p| format!("<code>{}</code>", esc(&p)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{place}</td>",
            esc(&w.object.to_string())
        );
        for i in 0..report.columns.len() {
            let _ = write!(out, "<td>{}</td>", verdict_span(w.verdicts.get(i), lang));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn violations(out: &mut String, report: &PssReport, lang: Lang) {
    let _ = writeln!(out, "<h2>{}</h2>", VIOLATIONS.get(lang));
    let mut any = false;
    for w in &report.workloads {
        let denied: Vec<_> = verdicts(report, w).filter(|(_, v)| !v.allowed).collect();
        if denied.is_empty() {
            continue;
        }
        any = true;
        let _ = write!(out, "<h3>{}", esc(&w.object.to_string()));
        if let Some(place) = workload_place(w) {
            let _ = write!(out, " <code>{}</code>", esc(&place));
        }
        out.push_str("</h3>\n<ul class=\"f\">\n");
        for (c, v) in denied {
            if v.violations.is_empty() {
                let _ = writeln!(
                    out,
                    "<li><span class=\"st s-fail\">{}</span></li>",
                    esc(&column_label(c))
                );
            }
            for violation in &v.violations {
                let _ = write!(
                    out,
                    "<li><span class=\"st s-fail\">{}</span> <code>{}</code>{}{}",
                    esc(&column_label(c)),
                    esc(&violation.check),
                    labels::colon(lang),
                    esc(&violation.reason)
                );
                details(out, violation, lang);
                out.push_str("</li>\n");
            }
        }
        out.push_str("</ul>\n");
    }
    if !any {
        let _ = writeln!(out, "<p>{}</p>", NO_VIOLATIONS.get(lang));
    }
}

fn details(out: &mut String, v: &PssViolation, lang: Lang) {
    let sep = labels::colon(lang);
    if !v.detail.trim().is_empty() {
        let _ = write!(out, "<br>{}{sep}{}", DETAIL.get(lang), esc(&v.detail));
    }
    for f in &v.fields {
        let _ = write!(
            out,
            "<br>{}{sep}<code>{}</code>",
            FIELD.get(lang),
            esc(&f.path)
        );
        if f.location.is_some() {
            let _ = write!(out, " <code>{}</code>", esc(&field_place(f)));
        }
    }
}

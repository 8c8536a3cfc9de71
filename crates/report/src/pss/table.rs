//! The terminal report of `kcheck pss`: a line per workload with a verdict per column, the
//! violations under each denied workload, what could not be read, and the counts per column.
//! Laid out as the checklist table: at most 100 columns where the text allows it, CJK measured by
//! display width, colours only on request, control characters from the input neutralised.

use super::{column_label, counts, field_place, verdicts, workload_place};
use crate::labels::{self, ALLOWED, DENIED, FIELDS, NO_WORKLOADS, SUMMARY, WORKLOAD};
use crate::layout::{clean, pack, pad, width, wrap};
use crate::table::{self as checklist, push_line, Painter, BOLD, DIM, WIDTH};
use crate::RenderOptions;
use kcheck_model::{Lang, PssColumn, PssReport, PssVerdict, PssViolation, PssWorkload};

const GREEN: &str = "32";
const RED: &str = "31";

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let p = Painter { color: opts.color };
    let lang = opts.lang;
    let mut out = String::new();
    header(&mut out, report, lang, &p);
    workloads(&mut out, report, lang, &p);
    checklist::inputs(&mut out, &report.inputs, lang, &p);
    summary(&mut out, report, lang, &p);
    out
}

fn header(out: &mut String, report: &PssReport, lang: Lang, p: &Painter) {
    let tool = format!("{} {}", clean(report.tool_name), clean(report.tool_version));
    push_line(
        out,
        &format!("{}  {}", p.paint(&tool, BOLD), labels::PSS_REPORT.get(lang)),
    );
    for line in [
        super::columns_line(report, lang),
        super::run_line(report, lang),
    ] {
        for l in wrap(&clean(&line), WIDTH) {
            push_line(out, &l);
        }
    }
}

/// The widths of the verdict columns: each column's label or the widest verdict.
fn verdict_widths(columns: &[PssColumn], lang: Lang) -> Vec<usize> {
    let verdict_w = width(ALLOWED.get(lang)).max(width(DENIED.get(lang)));
    columns
        .iter()
        .map(|c| width(&clean(&column_label(c))).max(verdict_w))
        .collect()
}

fn workloads(out: &mut String, report: &PssReport, lang: Lang, p: &Painter) {
    out.push('\n');
    if report.workloads.is_empty() {
        push_line(out, &format!("  {}", NO_WORKLOADS.get(lang)));
        return;
    }
    let widths = verdict_widths(&report.columns, lang);
    let right: usize = widths.iter().map(|w| w + 2).sum();
    let left_w = WIDTH.saturating_sub(2 + right).max(16);
    let mut head = format!("  {}", pad(WORKLOAD.get(lang), left_w));
    for (c, w) in report.columns.iter().zip(&widths) {
        head.push_str("  ");
        head.push_str(&pad(&clean(&column_label(c)), *w));
    }
    push_line(out, &p.paint(head.trim_end(), BOLD));
    for w in &report.workloads {
        workload(out, report, w, lang, p, (left_w, &widths));
    }
}

fn workload(
    out: &mut String,
    report: &PssReport,
    w: &PssWorkload,
    lang: Lang,
    p: &Painter,
    (left_w, widths): (usize, &[usize]),
) {
    let parts = [
        clean(&w.object.to_string()).into_owned(),
        workload_place(w)
            .map(|s| clean(&s).into_owned())
            .unwrap_or_default(),
    ];
    let left = fit(pack(&parts, left_w), left_w);
    for (i, l) in left.iter().enumerate() {
        let mut line = format!("  {}", pad(l, left_w));
        if i == 0 {
            for (k, cw) in widths.iter().enumerate() {
                line.push_str("  ");
                line.push_str(&match w.verdicts.get(k) {
                    Some(v) if v.allowed => p.paint_padded(ALLOWED.get(lang), *cw, GREEN),
                    Some(_) => p.paint_padded(DENIED.get(lang), *cw, RED),
                    None => pad("-", *cw),
                });
            }
        }
        push_line(out, &line);
    }
    for (c, v) in verdicts(report, w).filter(|(_, v)| !v.allowed) {
        denied(out, c, v, lang, p);
    }
}

/// `restricted v1.37: 2 violations`, then each violation.
fn denied(out: &mut String, c: &PssColumn, v: &PssVerdict, lang: Lang, p: &Painter) {
    let heading = format!(
        "{}{}{}",
        clean(&column_label(c)),
        labels::colon(lang),
        labels::violations_count(v.violations.len(), lang)
    );
    for line in wrap(&heading, WIDTH - 4) {
        push_line(out, &format!("    {}", p.paint(&line, RED)));
    }
    for violation in &v.violations {
        self::violation(out, violation, lang, p);
    }
}

/// `check  reason`, the detail below, then where each field is.
fn violation(out: &mut String, v: &PssViolation, lang: Lang, p: &Painter) {
    const INDENT: usize = 6;
    const BODY: usize = 8;
    let parts = [
        p.paint(&clean(&v.check), BOLD),
        clean(&v.reason).into_owned(),
    ];
    for line in pack(&parts, WIDTH - INDENT) {
        push_line(out, &format!("{}{line}", " ".repeat(INDENT)));
    }
    let lead = " ".repeat(BODY);
    if !v.detail.trim().is_empty() {
        for line in wrap(&clean(&v.detail), WIDTH - BODY) {
            push_line(out, &format!("{lead}{line}"));
        }
    }
    // Missing fields resolve to the parent that exists: the same place may come more than once.
    let mut places: Vec<String> = Vec::new();
    for f in &v.fields {
        let place = clean(&field_place(f)).into_owned();
        if !places.contains(&place) {
            places.push(place);
        }
    }
    if places.is_empty() {
        return;
    }
    let label = format!("{}{}", FIELDS.get(lang), labels::colon(lang));
    let label_w = width(&label);
    let room = WIDTH - BODY - label_w;
    for (i, line) in fit(pack(&places, room), room).iter().enumerate() {
        let head = if i == 0 {
            p.paint(&label, DIM)
        } else {
            " ".repeat(label_w)
        };
        push_line(out, &format!("{lead}{head}{line}"));
    }
}

/// Packed lines, with a line still too wide (one very long part) wrapped.
fn fit(lines: Vec<String>, w: usize) -> Vec<String> {
    lines
        .into_iter()
        .flat_map(|l| if width(&l) <= w { vec![l] } else { wrap(&l, w) })
        .collect()
}

fn summary(out: &mut String, report: &PssReport, lang: Lang, p: &Painter) {
    out.push('\n');
    let label = SUMMARY.get(lang);
    let indent = width(label) + 2;
    let rows = counts(report);
    if rows.is_empty() {
        push_line(
            out,
            &format!("{}  {}", p.paint(label, BOLD), labels::NONE.get(lang)),
        );
        return;
    }
    for (i, (c, allowed, denied)) in rows.into_iter().enumerate() {
        let paint_if = |text: String, n: usize, sgr: &str| {
            if n > 0 {
                p.paint(&text, sgr)
            } else {
                text
            }
        };
        let line = format!(
            "{}{}{}{}{}",
            clean(&column_label(c)),
            labels::colon(lang),
            paint_if(labels::allowed_count(allowed, lang), allowed, GREEN),
            labels::comma(lang),
            paint_if(labels::denied_count(denied, lang), denied, RED),
        );
        let lead = if i == 0 {
            format!("{}  ", p.paint(label, BOLD))
        } else {
            " ".repeat(indent)
        };
        push_line(out, &format!("{lead}{line}"));
    }
}

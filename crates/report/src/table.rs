//! The terminal report: the 35 items by section, the findings behind them, what could not be
//! read, and a summary. At most 100 columns where the text allows it; CJK text is measured by its
//! display width; colours only on request; control characters from the input are neutralised.

use crate::group::{Grouped, RuleGroup};
use crate::labels::{self, FINDINGS, FIX, INPUT_PROBLEMS, SKIPPED_FILES, SUMMARY, WAIVED};
use crate::layout::{clean, pack, pad, width, wrap, Spool};
use crate::RenderOptions;
use kcheck_model::{
    DiagnosticSeverity, Finding, Inputs, ItemResult, Lang, Level, Note, NoteKind, Report, Severity,
    Status,
};
use std::io;

pub(crate) const WIDTH: usize = 100;
/// Tails up to this wide stay on the item's line; longer ones (reasons) go below the title.
const TAIL: usize = 20;

pub(crate) struct Painter {
    pub(crate) color: bool,
}

impl Painter {
    pub(crate) fn paint(&self, s: &str, sgr: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{sgr}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    /// `s` padded to `w` columns, with only the text painted.
    pub(crate) fn paint_padded(&self, s: &str, w: usize, sgr: &str) -> String {
        let mut out = self.paint(s, sgr);
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
        out
    }
}

fn status_sgr(s: Status) -> &'static str {
    match s {
        Status::Fail => "31",
        Status::Warn => "33",
        Status::Pass => "32",
        Status::NotEvaluated => "2",
        Status::Manual => "36",
        Status::Error => "1;35",
    }
}

fn severity_sgr(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "34",
        Severity::Info => "2",
    }
}

pub(crate) const BOLD: &str = "1";
pub(crate) const DIM: &str = "2";

/// Writes the report to `out` as it is laid out: the header and the 35 item lines, then one
/// finding at a time, then the inputs, waivers and summary. Nothing here needs every finding at
/// once (the column widths come from the items and the fixed labels), so a single pass does.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let p = Painter { color: opts.color };
    let lang = opts.lang;
    let mut spool = Spool::new(out);
    header(&mut spool.buf, report, lang, &p);
    items(&mut spool.buf, report, lang, &p);
    spool.flush()?;
    let grouped = Grouped::new(report, opts.examples);
    findings(&mut spool, report, &grouped, lang, &p)?;
    // The rest is as long as the input problems and waiver file are, not the findings.
    inputs(&mut spool.buf, &report.inputs, lang, &p);
    waivers(&mut spool.buf, report, lang, &p);
    fixed(&mut spool.buf, report, opts.examples, lang, &p);
    summary(&mut spool.buf, report, lang, &p);
    spool.finish()
}

/// The baseline's findings this run no longer has: the first `examples` of them, and how many
/// more (JSON and SARIF list them all).
fn fixed(out: &mut String, report: &Report, examples: Option<usize>, lang: Lang, p: &Painter) {
    let Some(b) = report.baseline.as_deref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    out.push('\n');
    push_line(out, &p.paint(labels::FIXED_SINCE.get(lang), BOLD));
    let shown = examples.unwrap_or(usize::MAX).min(b.fixed.len());
    for f in &b.fixed[..shown] {
        let text = clean(&labels::saved_line(f, lang)).into_owned();
        for (i, line) in wrap(&text, WIDTH - 4).iter().enumerate() {
            let lead = if i == 0 { "  " } else { "    " };
            push_line(out, &format!("{lead}{line}"));
        }
    }
    if shown < b.fixed.len() {
        let text = labels::more_in_group(b.fixed.len() - shown, true, lang);
        push_line(out, &format!("  {}", p.paint(&text, DIM)));
    }
}

static WAIVERS: kcheck_model::Text = kcheck_model::Text::fixed("Waivers", "豁免");

/// Waivers that did not apply: expired, unused, without a reason, malformed.
fn waivers(out: &mut String, report: &Report, lang: Lang, p: &Painter) {
    if report.waivers.problems.is_empty() {
        return;
    }
    out.push('\n');
    push_line(out, &p.paint(WAIVERS.get(lang), BOLD));
    for w in &report.waivers.problems {
        let kind = format!("{:?}", w.kind).to_lowercase();
        let lead = format!("  {}  {}  ", p.paint(&kind, "33"), clean(&w.source));
        for (i, line) in wrap(
            &clean(w.message.get(lang)),
            WIDTH.saturating_sub(width(&lead)),
        )
        .iter()
        .enumerate()
        {
            if i == 0 {
                push_line(out, &format!("{lead}{line}"));
            } else {
                push_line(out, &format!("{}{line}", " ".repeat(width(&lead))));
            }
        }
    }
}

pub(crate) fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
}

fn header(out: &mut String, report: &Report, lang: Lang, p: &Painter) {
    let tool = format!("{} {}", clean(report.tool_name), clean(report.tool_version));
    push_line(
        out,
        &format!("{}  {}", p.paint(&tool, BOLD), labels::REPORT.get(lang)),
    );
    let read = clean(&labels::run_line(report, lang)).into_owned();
    for line in wrap(&read, WIDTH) {
        push_line(out, &line);
    }
    if let Some(d) = labels::distribution_line(report, lang) {
        for line in wrap(&clean(&d), WIDTH) {
            push_line(out, &line);
        }
    }
}

fn status_width(lang: Lang) -> usize {
    Status::ALL
        .iter()
        .map(|s| width(s.label().get(lang)))
        .max()
        .unwrap_or(0)
}

/// The widest "level severity" label (`fail critical`).
fn severity_width(lang: Lang) -> usize {
    let level = [Level::Fail, Level::Warn, Level::Info]
        .iter()
        .map(|l| width(labels::level_label(*l).get(lang)))
        .max()
        .unwrap_or(0);
    let severity = Severity::ALL
        .iter()
        .map(|s| width(s.label().get(lang)))
        .max()
        .unwrap_or(0);
    let note = [NoteKind::NotExamined, NoteKind::Evidence]
        .iter()
        .map(|k| width(k.label().get(lang)))
        .max()
        .unwrap_or(0);
    (level + 1 + severity).max(note)
}

/// `fail critical`, `warn high`, `info medium`: what the finding does to its item, and how bad.
fn level_and_severity(f: &Finding, lang: Lang) -> String {
    format!(
        "{} {}",
        labels::level_label(f.level).get(lang),
        f.severity.label().get(lang)
    )
}

fn items(out: &mut String, report: &Report, lang: Lang, p: &Painter) {
    let id_w = report
        .items
        .iter()
        .map(|r| width(r.item.id))
        .max()
        .unwrap_or(3);
    let status_w = status_width(lang);
    let indent = 2 + id_w + 2 + status_w + 2;
    let title_w = WIDTH - indent - 2 - TAIL;
    for (section, results) in labels::by_section(report) {
        out.push('\n');
        let heading = labels::section_heading(section, lang);
        let score = labels::section_score(report.section_score(section.number), lang);
        push_line(
            out,
            &format!("{}   {}", p.paint(&heading, BOLD), p.paint(&score, DIM)),
        );
        for r in results {
            item_line(out, report, r, lang, p, (id_w, status_w, indent, title_w));
        }
    }
}

fn item_line(
    out: &mut String,
    report: &Report,
    r: &ItemResult,
    lang: Lang,
    p: &Painter,
    (id_w, status_w, indent, title_w): (usize, usize, usize, usize),
) {
    let status = p.paint_padded(r.status.label().get(lang), status_w, status_sgr(r.status));
    let tail = clean(&labels::item_tail(report, r, lang)).into_owned();
    let tail_inline = width(&tail) <= TAIL;
    // A tail that goes below leaves the whole line to the title.
    let wrap_w = if tail_inline { title_w } else { WIDTH - indent };
    let title = wrap(&clean(r.item.title.get(lang)), wrap_w);
    for (i, t) in title.iter().enumerate() {
        let mut line = if i == 0 {
            format!("  {}  {status}  ", pad(r.item.id, id_w))
        } else {
            " ".repeat(indent)
        };
        if i == 0 && tail_inline {
            line.push_str(&pad(t, title_w));
            line.push_str("  ");
            line.push_str(&tail_painted(&tail, r, p));
        } else {
            line.push_str(t);
        }
        push_line(out, &line);
    }
    if !tail_inline {
        for t in wrap(&tail, WIDTH - indent - 2) {
            push_line(
                out,
                &format!("{}  {}", " ".repeat(indent), p.paint(&t, DIM)),
            );
        }
    }
    // What could not be examined stays with the item at any status; a not-evaluated item's
    // reason already names the first of it.
    if let Some(text) = labels::not_examined_line(report, r, lang) {
        for t in wrap(&clean(&text), WIDTH - indent - 2) {
            push_line(
                out,
                &format!("{}  {}", " ".repeat(indent), p.paint(&t, DIM)),
            );
        }
    }
}

fn tail_painted(tail: &str, r: &ItemResult, p: &Painter) -> String {
    match r.status {
        Status::Fail | Status::Warn if !r.findings.is_empty() => {
            p.paint(tail, status_sgr(r.status))
        }
        _ => p.paint(tail, DIM),
    }
}

/// The findings by item, grouped by rule and namespace (see [`crate::group`]), each written out
/// as soon as it is laid out, then the item's notes: what could not be examined and the
/// evidence its verdict rests on.
fn findings(
    spool: &mut Spool,
    report: &Report,
    grouped: &Grouped,
    lang: Lang,
    p: &Painter,
) -> io::Result<()> {
    if report.findings.is_empty() && report.notes.is_empty() {
        return Ok(());
    }
    spool.buf.push('\n');
    push_line(&mut spool.buf, &p.paint(FINDINGS.get(lang), BOLD));
    let sev_w = severity_width(lang);
    for r in labels::items_in_order(report) {
        let groups = grouped.of(r);
        if groups.is_empty() && r.notes.is_empty() {
            continue;
        }
        spool.buf.push('\n');
        let heading = format!("{}  {}", r.item.id, clean(r.item.title.get(lang)));
        for line in wrap(&heading, WIDTH) {
            push_line(&mut spool.buf, &p.paint(&line, BOLD));
        }
        for g in groups {
            if g.complete() {
                complete_rule(spool, report, g, lang, p, sev_w)?;
            } else {
                rule_group(spool, report, g, lang, p, sev_w)?;
            }
        }
        for kind in [NoteKind::NotExamined, NoteKind::Evidence] {
            for n in report.notes_of(r, kind) {
                note(&mut spool.buf, n, lang, p, sev_w);
            }
        }
    }
    Ok(())
}

/// A rule whose findings are all shown: a plain list in report order, the fix once after the
/// last finding of a run that shares it.
fn complete_rule(
    spool: &mut Spool,
    report: &Report,
    g: &RuleGroup,
    lang: Lang,
    p: &Painter,
    sev_w: usize,
) -> io::Result<()> {
    let all = g.all_examples();
    let mut list = all.iter().zip(report.findings.pick(&all)).peekable();
    while let Some((&i, f)) = list.next() {
        let last_of_run = list
            .peek()
            .is_none_or(|(_, next)| next.code != f.code || next.fix != f.fix);
        let new = labels::is_new(report, i);
        finding(&mut spool.buf, &f, new, lang, p, sev_w, 2);
        if last_of_run {
            fix(&mut spool.buf, f.fix.get(lang), 2 + sev_w + 2, lang, p);
        }
        spool.flush()?;
    }
    Ok(())
}

/// A rule with more findings than examples: a heading with its counts, its largest namespaces
/// with their first findings and how many more each has, how many namespaces more, the fix.
fn rule_group(
    spool: &mut Spool,
    report: &Report,
    g: &RuleGroup,
    lang: Lang,
    p: &Painter,
    sev_w: usize,
) -> io::Result<()> {
    let sev = p.paint(
        &format!(
            "{} {}",
            labels::level_label(g.level).get(lang),
            g.severity.label().get(lang)
        ),
        severity_sgr(g.severity),
    );
    let parts = [
        p.paint(g.code, BOLD),
        sev,
        clean(&labels::rule_counts(g, lang)).into_owned(),
    ];
    for (i, line) in pack(&parts, WIDTH - 4).iter().enumerate() {
        let lead = if i == 0 { "  " } else { "    " };
        push_line(&mut spool.buf, &format!("{lead}{line}"));
    }
    let single = g.single().is_some();
    // A rule's only namespace is named in its heading: its findings go straight under it.
    let base = if single { 4 } else { 6 };
    for ns in &g.shown {
        if !single {
            let heading = clean(&labels::namespace_heading(ns, lang)).into_owned();
            for line in wrap(&heading, WIDTH - 4) {
                push_line(&mut spool.buf, &format!("    {}", p.paint(&line, BOLD)));
            }
        }
        for (&i, f) in ns.examples.iter().zip(report.findings.pick(&ns.examples)) {
            let new = labels::is_new(report, i);
            finding(&mut spool.buf, &f, new, lang, p, sev_w, base);
            spool.flush()?;
        }
        let more = ns.count - ns.examples.len();
        if more > 0 {
            let text = labels::more_in_group(more, single, lang);
            push_line(
                &mut spool.buf,
                &format!("{}{}", " ".repeat(base), p.paint(&text, DIM)),
            );
        }
    }
    if g.rest.groups > 0 && !g.shown.is_empty() {
        let text = labels::more_namespaces(g.rest, lang);
        for line in wrap(&text, WIDTH - 4) {
            push_line(&mut spool.buf, &format!("    {}", p.paint(&line, DIM)));
        }
    }
    if let Some(first) = report.findings.get(g.first) {
        fix(&mut spool.buf, first.fix.get(lang), 4, lang, p);
    }
    spool.flush()
}

/// A note laid out like a finding: its kind where a finding has its level and severity, and no
/// fix.
fn note(out: &mut String, n: &Note, lang: Lang, p: &Painter, sev_w: usize) {
    let indent = 2 + sev_w + 2;
    let body_w = WIDTH - indent;
    let mut parts = vec![p.paint(n.code, BOLD)];
    parts.extend(labels::note_place(n).map(|s| clean(&s).into_owned()));
    parts.extend(
        n.object
            .as_ref()
            .map(|o| clean(&o.to_string()).into_owned()),
    );
    if n.location.is_none() {
        parts.extend(n.path.as_deref().map(|s| clean(s).into_owned()));
    }
    let sgr = match n.kind {
        NoteKind::NotExamined => DIM,
        NoteKind::Evidence => "32",
    };
    let label = p.paint_padded(n.kind.label().get(lang), sev_w, sgr);
    for (i, line) in pack(&parts, body_w).iter().enumerate() {
        let lead = if i == 0 {
            format!("  {label}  ")
        } else {
            " ".repeat(indent)
        };
        push_line(out, &format!("{lead}{line}"));
    }
    for line in wrap(&clean(n.message.get(lang)), body_w) {
        push_line(out, &format!("{}{line}", " ".repeat(indent)));
    }
}

/// A finding, its level and severity `base` columns in; `new` when a baseline did not have it.
fn finding(
    out: &mut String,
    f: &Finding,
    new: bool,
    lang: Lang,
    p: &Painter,
    sev_w: usize,
    base: usize,
) {
    let indent = base + sev_w + 2;
    let body_w = WIDTH - indent;
    let mut parts = vec![p.paint(f.code, BOLD)];
    parts.extend(labels::place(f).map(|s| clean(&s).into_owned()));
    parts.extend(labels::finding_object(f, lang).map(|s| clean(&s).into_owned()));
    if f.location.is_none() {
        // Without a line to point at, the field path says where to look.
        parts.extend(f.path.as_deref().map(|s| clean(s).into_owned()));
    }
    if f.waived {
        parts.push(format!("[{}]", WAIVED.get(lang)));
    }
    if new {
        parts.push(p.paint(&format!("[{}]", labels::NEW.get(lang)), "1;33"));
    }
    // Packing measures the painted code; its escape codes only make lines break a little early.
    let sev = p.paint_padded(
        &level_and_severity(f, lang),
        sev_w,
        severity_sgr(f.severity),
    );
    for (i, line) in pack(&parts, body_w).iter().enumerate() {
        let lead = if i == 0 {
            format!("{}{sev}  ", " ".repeat(base))
        } else {
            " ".repeat(indent)
        };
        push_line(out, &format!("{lead}{line}"));
    }
    for line in wrap(&clean(f.message.get(lang)), body_w) {
        push_line(out, &format!("{}{line}", " ".repeat(indent)));
    }
    if let Some(w) = &f.waiver {
        let sep = labels::colon(lang);
        let text = format!(
            "{}{sep}{}{}",
            WAIVED.get(lang),
            clean(&w.reason),
            labels::paren(&clean(&w.source), lang)
        );
        for line in wrap(&text, body_w) {
            push_line(
                out,
                &format!("{}{}", " ".repeat(indent), p.paint(&line, DIM)),
            );
        }
    }
}

/// `fix: ...`, `indent` columns in, wrapped under itself.
fn fix(out: &mut String, fix: &str, indent: usize, lang: Lang, p: &Painter) {
    let fix = clean(fix);
    if fix.trim().is_empty() {
        return;
    }
    let sep = labels::colon(lang);
    let label = format!("{}{sep}", FIX.get(lang));
    let fix_w = (WIDTH - indent).saturating_sub(width(&label));
    for (i, line) in wrap(&fix, fix_w).iter().enumerate() {
        let lead = if i == 0 {
            p.paint(&label, DIM)
        } else {
            " ".repeat(width(&label))
        };
        push_line(out, &format!("{}{lead}{line}", " ".repeat(indent)));
    }
}

/// Input diagnostics, kinds not seen and skipped files, when there are any.
pub(crate) fn inputs(out: &mut String, inputs: &Inputs, lang: Lang, p: &Painter) {
    if !inputs.nodes.is_empty() {
        out.push('\n');
        push_line(out, &p.paint(labels::NODE_REPORTS.get(lang), BOLD));
        let (lines, more) = labels::node_lines(inputs, lang);
        for (node, state) in lines {
            hanging(out, "  ", 2, &clean(&node), &clean(&state));
        }
        if more > 0 {
            push_line(
                out,
                &format!("  {}", p.paint(&labels::more_merged(more, lang), DIM)),
            );
        }
    }
    if !inputs.unavailable.is_empty() {
        out.push('\n');
        push_line(out, &p.paint(labels::UNSEEN_KINDS.get(lang), BOLD));
        for u in &inputs.unavailable {
            hanging(out, "  ", 2, &clean(&u.kind), &clean(u.reason.get(lang)));
        }
    }
    if !inputs.diagnostics.is_empty() {
        out.push('\n');
        push_line(out, &p.paint(INPUT_PROBLEMS.get(lang), BOLD));
        let sev_w = [&labels::DIAG_ERROR, &labels::DIAG_WARNING]
            .iter()
            .map(|t| width(t.get(lang)))
            .max()
            .unwrap_or(0);
        let indent = 2 + sev_w + 2;
        for d in &inputs.diagnostics {
            let sgr = match d.severity {
                DiagnosticSeverity::Error => "31",
                DiagnosticSeverity::Warning => "33",
            };
            let sev = p.paint_padded(labels::diagnostic_severity(d).get(lang), sev_w, sgr);
            let place = clean(&labels::diagnostic_place(d)).into_owned();
            let message = clean(d.message.get(lang)).into_owned();
            hanging(out, &format!("  {sev}  "), indent, &place, &message);
        }
    }
    if !inputs.skipped.is_empty() {
        out.push('\n');
        push_line(out, &p.paint(SKIPPED_FILES.get(lang), BOLD));
        let (shown, more) = labels::skipped_shown(inputs);
        for s in shown {
            let parts = [
                clean(&s.path).into_owned(),
                p.paint(&clean(s.reason.get(lang)), DIM),
            ];
            for (i, line) in pack(&parts, WIDTH - 4).iter().enumerate() {
                let lead = if i == 0 { "  " } else { "    " };
                push_line(out, &format!("{lead}{line}"));
            }
        }
        for (n, reason) in more {
            let text = clean(&labels::more_skipped(n, reason, lang)).into_owned();
            for (i, line) in wrap(&text, WIDTH - 4).iter().enumerate() {
                let lead = if i == 0 { "  " } else { "    " };
                push_line(out, &format!("{lead}{}", p.paint(line, DIM)));
            }
        }
    }
}

fn summary(out: &mut String, report: &Report, lang: Lang, p: &Painter) {
    out.push('\n');
    let label = SUMMARY.get(lang);
    let indent = width(label) + 2;
    let statuses: Vec<String> = Status::ALL
        .iter()
        .map(|s| {
            let n = report.count_status(*s);
            let text = format!("{n} {}", s.label().get(lang));
            if n > 0 {
                p.paint(&text, status_sgr(*s))
            } else {
                text
            }
        })
        .collect();
    // Failing findings by severity; warnings and information counted apart, so that a clean
    // run never reads "0 FAIL" over "6 high".
    let failing: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = report.count_failing(*s);
            let text = format!("{n} {}", s.label().get(lang));
            if n > 0 {
                p.paint(&text, severity_sgr(*s))
            } else {
                text
            }
        })
        .collect();
    let sep = labels::comma(lang);
    let colon = labels::colon(lang);
    let mut parts = vec![format!(
        "{}{colon}{}",
        labels::FAILING.get(lang),
        failing.join(sep)
    )];
    let warnings = report.count_level(kcheck_model::Level::Warn);
    let word = labels::WARNINGS.get(lang);
    let word = if lang == Lang::En && warnings == 1 {
        word.trim_end_matches('s')
    } else {
        word
    };
    parts.push(format!("{warnings} {word}"));
    parts.push(format!(
        "{} {}",
        report.count_level(kcheck_model::Level::Info),
        labels::INFORMATION.get(lang)
    ));
    let waived = report.findings.waived();
    if waived > 0 {
        parts.push(labels::waived_count(waived, lang));
    }
    let items_line = format!("{}{colon}{}", labels::ITEMS.get(lang), statuses.join(sep));
    let semicolon = match lang {
        Lang::En => "; ",
        Lang::Zh => "；",
    };
    push_line(out, &format!("{}  {items_line}", p.paint(label, BOLD)));
    // Broken between the parts, never inside one ("1 waived" stays whole).
    let mut line = format!("{}{colon}", FINDINGS.get(lang));
    for (i, part) in parts.iter().enumerate() {
        let piece = if i + 1 < parts.len() {
            format!("{part}{}", semicolon.trim_end())
        } else {
            part.clone()
        };
        let gap = if i == 0 || lang == Lang::Zh { "" } else { " " };
        if i > 0 && width(&line) + gap.len() + width(&piece) > WIDTH - indent {
            push_line(out, &format!("{}{line}", " ".repeat(indent)));
            line = piece;
        } else {
            line.push_str(gap);
            line.push_str(&piece);
        }
    }
    push_line(out, &format!("{}{line}", " ".repeat(indent)));
    // The pass rate beside the coverage (wrapped lines hang under the text).
    let lead = format!("{}{colon}", labels::SCORE.get(lang));
    let text = labels::overall_score(report.score(), lang);
    for (i, l) in wrap(&text, WIDTH - indent - width(&lead))
        .iter()
        .enumerate()
    {
        let head = if i == 0 {
            lead.clone()
        } else {
            " ".repeat(width(&lead))
        };
        push_line(out, &format!("{}{head}{l}", " ".repeat(indent)));
    }
    if let Some(b) = &report.baseline {
        for line in wrap(&clean(&labels::baseline_line(b, lang)), WIDTH - indent) {
            push_line(out, &format!("{}{line}", " ".repeat(indent)));
        }
        for note in &b.notes {
            for line in wrap(&clean(note.get(lang)), WIDTH - indent) {
                push_line(
                    out,
                    &format!("{}{}", " ".repeat(indent), p.paint(&line, DIM)),
                );
            }
        }
    }
}

/// `lead` then `label` and `text` on one line, the text wrapped below the label; when the label
/// is too wide for that, the text goes under it.
pub(crate) fn hanging(out: &mut String, lead: &str, indent: usize, label: &str, text: &str) {
    let label_w = width(label) + 2;
    let room = WIDTH - indent;
    if label_w + 20 <= room {
        for (i, line) in wrap(text, room - label_w).iter().enumerate() {
            if i == 0 {
                push_line(out, &format!("{lead}{label}  {line}"));
            } else {
                push_line(out, &format!("{}{line}", " ".repeat(indent + label_w)));
            }
        }
    } else {
        push_line(out, &format!("{lead}{label}"));
        for line in wrap(text, room) {
            push_line(out, &format!("{}{line}", " ".repeat(indent)));
        }
    }
}

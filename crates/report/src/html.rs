//! One self-contained HTML page: inline CSS, no scripts, no external assets, so it can be archived
//! as a CI artifact or mailed. Every string that is not ours is escaped.

use crate::labels::{
    self, COUNT, DETAILS, FINDINGS, INPUT_PROBLEMS, ITEM, LOCATION, MESSAGE, SEVERITY,
    SKIPPED_FILES, STATUS, SUMMARY, TITLE, WAIVED,
};
use crate::layout::Spool;
use crate::RenderOptions;
use kcheck_model::{Finding, Inputs, Lang, Note, NoteKind, Report, Severity, Status};
use std::fmt::Write;
use std::io;

pub(crate) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;\
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}\
h3{font-size:1.05rem;margin-top:1.5rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}td.n{text-align:right}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;\
background:#f6f8fa;padding:0 .2em;border-radius:3px;word-break:break-all}\
.st{font-weight:600;white-space:nowrap}\
.s-fail{color:#cf222e}.s-warn{color:#9a6700}.s-pass{color:#1a7f37}\
.s-manual{color:#0969da}.s-not_evaluated{color:#6e7781}.s-error{color:#8250df}\
.v-critical,.v-high{color:#cf222e;font-weight:600}.v-medium{color:#9a6700}\
.v-low{color:#0969da}.v-info{color:#6e7781}\
ul.f{list-style:none;padding-left:0}ul.f>li{margin:.6rem 0;padding-left:.8rem;border-left:3px solid #d0d7de}\
.waived{opacity:.6}.muted{color:#6e7781}ul.f>li.n-evidence{border-left-color:#1a7f37}";

/// Writes the page to `out` as it is formatted: the head, summary and section tables, then one
/// finding at a time, then the inputs.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let lang = opts.lang;
    let mut spool = Spool::new(out);
    head(&mut spool.buf, report, lang);
    spool.flush()?;
    findings(&mut spool, report, lang)?;
    inputs(&mut spool.buf, &report.inputs, lang);
    spool.buf.push_str("</body>\n</html>\n");
    spool.finish()
}

/// The start of a page, up to its title: the checklist and the PSS reports share it.
pub(crate) fn document_start(out: &mut String, title: &str, lang: Lang) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        match lang {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        },
        esc(title),
        esc(title)
    );
}

/// The document head, the title, the summary and a table per section: as long as the
/// checklist, whatever the number of findings.
fn head(out: &mut String, report: &Report, lang: Lang) {
    let title = format!(
        "{} {} {}",
        report.tool_name,
        report.tool_version,
        labels::REPORT.get(lang)
    );
    document_start(out, &title, lang);
    let _ = writeln!(
        out,
        "<p class=\"muted\">{}</p>",
        esc(&labels::run_line(report, lang))
    );
    summary(out, report, lang);
    for (section, results) in labels::by_section(report) {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<p class=\"muted\">{}</p>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(&labels::section_heading(section, lang)),
            esc(&labels::section_score(report.section_score(section.number), lang)),
            ITEM.get(lang),
            STATUS.get(lang),
            TITLE.get(lang),
            DETAILS.get(lang)
        );
        for r in results {
            let gap = labels::not_examined_line(report, r, lang)
                .map(|g| format!("<br><span class=\"muted\">{}</span>", esc(&g)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{gap}</td></tr>",
                esc(r.item.id),
                status_span(r.status, lang),
                esc(r.item.title.get(lang)),
                esc(&labels::item_tail(report, r, lang))
            );
        }
        out.push_str("</table>\n");
    }
}

fn status_span(s: Status, lang: Lang) -> String {
    format!(
        "<span class=\"st s-{}\">{}</span>",
        s.as_str(),
        esc(s.label().get(lang))
    )
}

fn severity_span(s: Severity, lang: Lang) -> String {
    format!(
        "<span class=\"v-{}\">{}</span>",
        s.as_str(),
        esc(s.label().get(lang))
    )
}

fn summary(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<p class=\"score\"><b>{}</b>{}{}</p>\n<table>\n<tr><th>{}</th><th>{}</th></tr>",
        SUMMARY.get(lang),
        labels::SCORE.get(lang),
        labels::colon(lang),
        esc(&labels::overall_score(report.score(), lang)),
        STATUS.get(lang),
        COUNT.get(lang)
    );
    for s in Status::ALL {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            status_span(s, lang),
            report.count_status(s)
        );
    }
    let _ = writeln!(
        out,
        "</table>\n<table>\n<tr><th>{}</th><th>{}</th></tr>",
        SEVERITY.get(lang),
        COUNT.get(lang)
    );
    // Failing findings by severity; warnings and information apart.
    for s in Severity::ALL {
        let _ = writeln!(
            out,
            "<tr><td>{} {}</td><td class=\"n\">{}</td></tr>",
            esc(labels::FAILING.get(lang)),
            severity_span(s, lang),
            report.count_failing(s)
        );
    }
    for (level, label) in [
        (kcheck_model::Level::Warn, &labels::WARNINGS),
        (kcheck_model::Level::Info, &labels::INFORMATION),
    ] {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(label.get(lang)),
            report.count_level(level)
        );
    }
    let waived = report.findings.waived();
    if waived > 0 {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{waived}</td></tr>",
            WAIVED.get(lang)
        );
    }
    out.push_str("</table>\n");
}

/// The findings by item, each written out as soon as it is formatted.
fn findings(spool: &mut Spool, report: &Report, lang: Lang) -> io::Result<()> {
    let _ = writeln!(spool.buf, "<h2>{}</h2>", FINDINGS.get(lang));
    if report.findings.is_empty() {
        let _ = writeln!(spool.buf, "<p>{}</p>", labels::NO_FINDINGS.get(lang));
        if report.notes.is_empty() {
            return Ok(());
        }
    }
    for r in labels::items_in_order(report) {
        let mut list = labels::item_findings(report, r).peekable();
        if list.peek().is_none() && r.notes.is_empty() {
            continue;
        }
        let _ = writeln!(
            spool.buf,
            "<h3>{} {}</h3>\n<ul class=\"f\">",
            esc(r.item.id),
            esc(r.item.title.get(lang))
        );
        for f in list {
            finding(&mut spool.buf, &f, lang);
            spool.flush()?;
        }
        for kind in [NoteKind::NotExamined, NoteKind::Evidence] {
            for n in report.notes_of(r, kind) {
                note(&mut spool.buf, n, lang);
            }
        }
        spool.buf.push_str("</ul>\n");
    }
    Ok(())
}

/// A note: its kind, where it is and what it says (no severity, no fix).
fn note(out: &mut String, n: &Note, lang: Lang) {
    let class = match n.kind {
        NoteKind::NotExamined => "n-not_examined muted",
        NoteKind::Evidence => "n-evidence",
    };
    let _ = write!(
        out,
        "<li class=\"{class}\"><em>{}</em> <code>{}</code>",
        esc(n.kind.label().get(lang)),
        esc(n.code)
    );
    if let Some(o) = &n.object {
        let _ = write!(out, " {}", esc(&o.to_string()));
    }
    place_path_message(
        out,
        labels::note_place(n),
        n.path.as_deref(),
        n.message.get(lang),
        lang,
    );
    out.push_str("</li>\n");
}

/// The lines a finding and a note share: where (file and field) and what.
fn place_path_message(
    out: &mut String,
    place: Option<String>,
    path: Option<&str>,
    message: &str,
    lang: Lang,
) {
    let sep = labels::colon(lang);
    if let Some(place) = place {
        let _ = write!(
            out,
            "<br>{}{sep}<code>{}</code>",
            LOCATION.get(lang),
            esc(&place)
        );
    }
    if let Some(path) = path {
        let _ = write!(
            out,
            "<br>{}{sep}<code>{}</code>",
            labels::FIELD.get(lang),
            esc(path)
        );
    }
    let _ = write!(out, "<br>{}{sep}{}", MESSAGE.get(lang), esc(message));
}

fn finding(out: &mut String, f: &Finding, lang: Lang) {
    let class = if f.waived { " class=\"waived\"" } else { "" };
    let _ = write!(
        out,
        "<li{class}><span class=\"l-{}\">{}</span> {} <code>{}</code>",
        labels::level_label(f.level).en,
        esc(labels::level_label(f.level).get(lang)),
        severity_span(f.severity, lang),
        esc(f.code)
    );
    if let Some(o) = labels::finding_object(f, lang) {
        let _ = write!(out, " {}", esc(&o));
    }
    if f.waived {
        let _ = write!(out, " <em>({})</em>", WAIVED.get(lang));
    }
    place_path_message(
        out,
        labels::place(f),
        f.path.as_deref(),
        f.message.get(lang),
        lang,
    );
    let sep = labels::colon(lang);
    let fix = f.fix.get(lang);
    if !fix.trim().is_empty() {
        let _ = write!(
            out,
            "<br>{}{sep}{}",
            labels::FIX_HEADING.get(lang),
            esc(fix)
        );
    }
    out.push_str("</li>\n");
}

/// Input diagnostics, kinds not seen and skipped files, when there are any.
pub(crate) fn inputs(out: &mut String, inputs: &Inputs, lang: Lang) {
    if !inputs.unavailable.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", labels::UNSEEN_KINDS.get(lang));
        for u in &inputs.unavailable {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(&u.kind),
                esc(u.reason.get(lang))
            );
        }
        out.push_str("</ul>\n");
    }
    if !inputs.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            INPUT_PROBLEMS.get(lang),
            SEVERITY.get(lang),
            LOCATION.get(lang),
            MESSAGE.get(lang)
        );
        for d in &inputs.diagnostics {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                labels::diagnostic_severity(d).get(lang),
                esc(&labels::diagnostic_place(d)),
                esc(d.message.get(lang))
            );
        }
        out.push_str("</table>\n");
    }
    if !inputs.skipped.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", SKIPPED_FILES.get(lang));
        let (shown, more) = labels::skipped_shown(inputs);
        for s in shown {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(&s.path),
                esc(s.reason.get(lang))
            );
        }
        for (n, reason) in more {
            let _ = writeln!(
                out,
                "<li>{}</li>",
                esc(&labels::more_skipped(n, reason, lang))
            );
        }
        out.push_str("</ul>\n");
    }
}

/// Escaped for text and for quoted attributes; newlines become `<br>`, other control characters
/// (not allowed in HTML) are dropped.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("a\nb\u{0}"), "a<br>b");
    }
}

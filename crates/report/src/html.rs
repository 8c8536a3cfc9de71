//! One self-contained HTML page: inline CSS and a small inline script written for it, no
//! external assets, so it can be archived as a CI artifact or mailed. At the top the 35 items as
//! a grid by section, coloured by status, and what to fix first; then every item with its
//! findings grouped by rule and namespace (collapsible, with stable anchors `#item-3.2` and
//! `#KC301`), a few examples per group with the lines of YAML around them (redacted, see
//! [`crate::snippet`]), the fix and the rule's documentation; filters by severity, status,
//! namespace and rule, and a search box. Every string that is not ours is escaped.

use crate::group::{Grouped, RuleGroup};
use crate::labels::{
    self, COUNT, FINDINGS, INPUT_PROBLEMS, LOCATION, MESSAGE, SEVERITY, SKIPPED_FILES, STATUS,
    SUMMARY, WAIVED,
};
use crate::layout::Spool;
use crate::snippet::{Snippet, Snippets};
use crate::RenderOptions;
use kcheck_model::{Finding, Inputs, ItemResult, Lang, Note, NoteKind, Report, Severity, Status};
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
.waived{opacity:.6}.muted{color:#6e7781}ul.f>li.n-evidence{border-left-color:#1a7f37}\
.new{background:#fff8c5;color:#7d4e00;font-weight:600;padding:0 .3em;border-radius:3px}";

/// Writes the page to `out` as it is formatted: the head, the grid, what to fix first and the
/// summary, then one item at a time with its groups of findings, then the inputs and the script.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let lang = opts.lang;
    let grouped = Grouped::new(report, opts.examples);
    let mut spool = Spool::new(out);
    head(&mut spool.buf, report, &grouped, lang);
    spool.flush()?;
    let mut snippets = opts.snippets.then(Snippets::new);
    findings(&mut spool, report, &grouped, snippets.as_mut(), lang)?;
    fixed(&mut spool.buf, report, opts.examples, lang);
    inputs(&mut spool.buf, &report.inputs, lang);
    let _ = write!(spool.buf, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    spool.finish()
}

/// The start of a page, up to its title: the checklist and the PSS reports share it.
pub(crate) fn document_start(out: &mut String, title: &str, lang: Lang) {
    page_start(out, title, lang, "");
}

pub(crate) fn page_start(out: &mut String, title: &str, lang: Lang, more_style: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{more_style}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        match lang {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        },
        esc(title),
        esc(title)
    );
}

/// The checklist page's own style: the grid, the groups, the filters, snippets, print.
const REPORT_STYLE: &str = "\
body{max-width:80rem}\
.grid{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;gap:.4rem 1rem;align-items:start;margin:1rem 0}\
.grid h3{font-size:.95rem;margin:.3rem 0 0}.grid h3 small{display:block;font-weight:400;color:#6e7781}\
.cells{display:flex;flex-wrap:wrap;gap:.4rem}\
a.cell{display:block;width:8.6rem;min-height:4.6rem;padding:.35rem .5rem;border-radius:6px;color:#1f2328;\
text-decoration:none;border:1px solid rgba(0,0,0,.12);font-size:.8rem;line-height:1.25;box-sizing:border-box}\
a.cell:hover{outline:2px solid #0969da}\
a.cell b{font-size:.95rem}a.cell .st{float:right;font-size:.75rem}\
a.cell .t{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;margin:.15rem 0;color:#424a53}\
.c-fail{background:#ffebe9;border-color:#ff8182}.c-warn{background:#fff8c5;border-color:#d4a72c}\
.c-pass{background:#dafbe1;border-color:#4ac26b}.c-manual{background:#ddf4ff;border-color:#54aeff}\
.c-not_evaluated{background:#f6f8fa;border-color:#d0d7de}.c-error{background:#fbefff;border-color:#c297ff}\
.b{display:inline-block;min-width:1.1rem;padding:0 .3rem;margin-right:.2rem;border-radius:9px;\
font-size:.72rem;font-weight:600;text-align:center;color:#fff}\
.b-critical{background:#a40e26}.b-high{background:#cf222e}.b-medium{background:#bf8700}\
.b-low{background:#0969da}.b-info{background:#6e7781}\
.legend{font-size:.8rem;color:#6e7781}.legend>span{margin-right:.8rem}\
.sw{display:inline-block;width:.9rem;height:.9rem;border:1px solid;border-radius:3px;vertical-align:-2px;margin-right:.25rem}\
.top{display:flex;flex-wrap:wrap;gap:0 2.5rem}.top>div{flex:1 1 22rem}\
ol.first li{margin:.25rem 0}\
#filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d0d7de;\
padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;font-size:.85rem}\
#filters fieldset{border:0;margin:0;padding:0;display:inline}\
#filters input[type=search]{width:11rem}\
[id]{scroll-margin-top:5.5rem}\
.item{margin:1.2rem 0;padding-top:.2rem;border-top:1px solid #d0d7de}\
.item h3{margin:.6rem 0 .3rem}.item h3 .tail{font-weight:400;font-size:.85rem;color:#6e7781}\
details.rule{margin:.5rem 0 .5rem .2rem;border:1px solid #d0d7de;border-radius:6px;padding:.3rem .7rem}\
details.rule>summary{cursor:pointer;font-weight:600}details.rule>summary .n{font-weight:400;color:#424a53}\
details.ns{margin:.4rem 0 .4rem .6rem}details.ns>summary{cursor:pointer;color:#424a53}\
.fix{background:#f6f8fa;border-left:3px solid #1a7f37;padding:.3rem .6rem;margin:.4rem 0}\
details.doc{margin:.3rem 0;font-size:.9rem}details.doc>summary{cursor:pointer;color:#0969da}\
details.doc .md{border-left:3px solid #d0d7de;padding-left:.8rem}details.doc h4{font-size:.9rem;margin:.6rem 0 .2rem}\
pre{background:#f6f8fa;padding:.4rem .6rem;border-radius:4px;overflow-x:auto;font-size:.8rem;line-height:1.35}\
pre.snip{margin:.3rem 0}pre.snip .ln{display:inline-block;width:3.2em;color:#8c959f;user-select:none}\
pre.snip mark{background:#fff8c5;display:inline-block;min-width:100%}\
.more{color:#6e7781;font-style:italic;margin:.2rem 0 .2rem .8rem}\
li.finding .loc{font-size:.85rem}\
@media print{#filters,.noprint{display:none}body{max-width:none;margin:0}\
a{color:inherit;text-decoration:none}details.rule,li.finding,a.cell{break-inside:avoid}\
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// Filters, anchors, expanding for print: the page's only script, written for it.
const SCRIPT: &str = r#"
(function () {
  'use strict';
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fill(select, attr) {
    var seen = {}, values = [];
    all('[' + attr + ']').forEach(function (e) {
      var v = e.getAttribute(attr);
      if (v && !seen[v]) { seen[v] = true; values.push(v); }
    });
    values.sort().forEach(function (v) {
      var o = document.createElement('option');
      o.value = v; o.textContent = v; select.appendChild(o);
    });
  }
  var status = document.getElementById('f-status'), ns = document.getElementById('f-ns'),
    rule = document.getElementById('f-rule'), search = document.getElementById('f-q'),
    boxes = all('#filters input[data-sev]');
  fill(ns, 'data-ns');
  fill(rule, 'data-rule');
  function apply() {
    var sev = {}, every = true;
    boxes.forEach(function (b) { if (b.checked) { sev[b.getAttribute('data-sev')] = true; } else { every = false; } });
    var st = status.value, n = ns.value, r = rule.value, q = search.value.trim().toLowerCase();
    var active = !every || n || r || q;
    all('.item').forEach(function (item) {
      var itemOk = !st || item.getAttribute('data-status') === st, any = false;
      all('details.rule', item).forEach(function (g) {
        var ok = itemOk && (!r || g.getAttribute('data-rule') === r) &&
          g.getAttribute('data-sevs').split(' ').some(function (s) { return sev[s]; });
        var named = q && g.querySelector('summary').textContent.toLowerCase().indexOf(q) >= 0;
        var shown = 0;
        all('.finding', g).forEach(function (f) {
          var v = ok && sev[f.getAttribute('data-sev')] && (!n || f.getAttribute('data-ns') === n) &&
            (!q || named || f.textContent.toLowerCase().indexOf(q) >= 0);
          f.hidden = !v;
          if (v) { shown++; }
        });
        all('details.ns', g).forEach(function (d) {
          d.hidden = !ok || (n && d.getAttribute('data-ns') !== n) || !d.querySelector('.finding:not([hidden])');
        });
        all('.more', g).forEach(function (m) { m.hidden = !!active; });
        g.hidden = !ok || ((n || (q && !named)) && shown === 0);
        if (!g.hidden) { any = true; }
      });
      item.hidden = !itemOk || (active && !any);
    });
  }
  boxes.concat([status, ns, rule]).forEach(function (e) { e.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  function setOpen(open) { all('details.rule, details.ns').forEach(function (d) { d.open = open; }); }
  document.getElementById('f-open').addEventListener('click', function () { setOpen(true); });
  document.getElementById('f-close').addEventListener('click', function () { setOpen(false); });
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1)), e = id && document.getElementById(id);
    if (!e) { return; }
    for (var p = e; p; p = p.parentElement) { if (p.tagName === 'DETAILS') { p.open = true; } }
    e.scrollIntoView();
  }
  window.addEventListener('hashchange', reveal);
  window.addEventListener('beforeprint', function () { all('details').forEach(function (d) { d.open = true; }); });
  reveal();
})();
"#;

/// The document head, the title, the grid of items, what to fix first, the summary and the
/// filters: as long as the checklist and its rules, whatever the number of findings.
fn head(out: &mut String, report: &Report, grouped: &Grouped, lang: Lang) {
    let title = format!(
        "{} {} {}",
        report.tool_name,
        report.tool_version,
        labels::REPORT.get(lang)
    );
    page_start(out, &title, lang, REPORT_STYLE);
    let _ = writeln!(
        out,
        "<p class=\"muted\">{}</p>\n<p class=\"score\"><b>{}</b>{}{}</p>",
        esc(&labels::run_line(report, lang)),
        labels::SCORE.get(lang),
        labels::colon(lang),
        esc(&labels::overall_score(report.score(), lang)),
    );
    if let Some(d) = labels::distribution_line(report, lang) {
        let _ = writeln!(out, "<p class=\"distribution\">{}</p>", esc(&d));
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "<p class=\"score\">{}</p>",
            esc(&labels::baseline_line(b, lang))
        );
        for note in &b.notes {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(note.get(lang)));
        }
    }
    grid(out, report, lang);
    out.push_str("<div class=\"top\">\n<div>\n");
    fix_first(out, report, grouped, lang);
    out.push_str("</div>\n<div>\n");
    summary(out, report, lang);
    out.push_str("</div>\n</div>\n");
    filters(out, lang);
}

/// The 35 items by section, each a cell coloured by its status with its findings' counts by
/// severity, linking to the item.
fn grid(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(
        out,
        "<h2 id=\"checklist\">{}</h2>\n<p class=\"legend\">",
        labels::CHECKLIST.get(lang)
    );
    for s in Status::ALL {
        let _ = write!(
            out,
            "<span><span class=\"sw c-{0}\"></span>{1}</span>",
            s.as_str(),
            esc(s.label().get(lang))
        );
    }
    for s in Severity::ALL {
        let _ = write!(
            out,
            "<span><span class=\"b b-{}\">1</span>{}</span>",
            s.as_str(),
            esc(s.label().get(lang))
        );
    }
    out.push_str("</p>\n<div class=\"grid\">\n");
    for (section, results) in labels::by_section(report) {
        let _ = writeln!(
            out,
            "<h3>{}<small>{}</small></h3>\n<div class=\"cells\">",
            esc(&labels::section_heading(section, lang)),
            esc(&labels::section_score(
                report.section_score(section.number),
                lang
            ))
        );
        for r in results {
            let mut by_severity = [0usize; 5];
            for b in report.findings.briefs_of(&r.findings) {
                if !b.waived {
                    by_severity[b.severity as usize] += 1;
                }
            }
            let _ = write!(
                out,
                "<a class=\"cell c-{}\" href=\"#item-{}\" title=\"{} {}\"><b>{}</b> <span class=\"st s-{0}\">{}</span><span class=\"t\">{}</span>",
                r.status.as_str(),
                esc(r.item.id),
                esc(r.item.id),
                esc(r.item.title.get(lang)),
                esc(r.item.id),
                esc(r.status.label().get(lang)),
                esc(r.item.title.get(lang)),
            );
            for s in Severity::ALL {
                let n = by_severity[s as usize];
                if n > 0 {
                    let _ = write!(
                        out,
                        "<span class=\"b b-{}\" title=\"{}\">{}</span>",
                        s.as_str(),
                        esc(s.label().get(lang)),
                        labels::thousands(n)
                    );
                }
            }
            out.push_str("</a>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

/// At most this many rules in the list of what to fix first.
const FIX_FIRST: usize = 10;

/// The rules with failing critical and high findings, most first.
fn fix_first(out: &mut String, report: &Report, grouped: &Grouped, lang: Lang) {
    let _ = writeln!(
        out,
        "<h2 id=\"fix-first\">{}</h2>\n<p class=\"muted\">{}</p>",
        labels::FIX_FIRST.get(lang),
        labels::FIX_FIRST_NOTE.get(lang)
    );
    let mut urgent: Vec<(&ItemResult, &RuleGroup)> = labels::items_in_order(report)
        .into_iter()
        .flat_map(|r| grouped.of(r).iter().map(move |g| (r, g)))
        .filter(|(_, g)| g.urgent > 0)
        .collect();
    if urgent.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", labels::NOTHING_URGENT.get(lang));
        return;
    }
    urgent.sort_by(|a, b| b.1.urgent.cmp(&a.1.urgent).then(a.1.code.cmp(b.1.code)));
    out.push_str("<ol class=\"first\">\n");
    for (r, g) in urgent.iter().take(FIX_FIRST) {
        let _ = writeln!(
            out,
            "<li><span class=\"b b-{}\" title=\"{}\">{}</span> <a href=\"#{}\"><code>{}</code> {}</a> {} — {} <span class=\"muted\">{}{} <a href=\"#item-{}\">{}</a>{}</span></li>",
            g.severity.as_str(),
            esc(labels::FIX_FIRST_NOTE.get(lang)),
            labels::thousands(g.urgent),
            esc(g.code),
            esc(g.code),
            esc(&rule_title(report, g, lang)),
            severity_span(g.severity, lang),
            esc(&labels::urgent_counts(g, lang)),
            if lang == Lang::Zh { "（" } else { "(" },
            labels::ITEM_LINK.get(lang),
            esc(r.item.id),
            esc(r.item.id),
            if lang == Lang::Zh { "）" } else { ")" },
        );
    }
    out.push_str("</ol>\n");
}

/// A rule's title from the report's rules, its name when the report does not know it.
fn rule_title(report: &Report, g: &RuleGroup, lang: Lang) -> String {
    report
        .rules
        .iter()
        .find(|r| r.code == g.code)
        .map_or_else(|| g.rule.to_owned(), |r| r.title.get(lang).to_owned())
}

/// The bar of filters: severities, status, namespace and rule (filled in by the script from
/// the page), a search box, and buttons to expand or collapse every group.
fn filters(out: &mut String, lang: Lang) {
    let _ = write!(
        out,
        "<div id=\"filters\" class=\"noprint\">\n<fieldset><legend class=\"muted\">{}</legend>",
        SEVERITY.get(lang)
    );
    for s in Severity::ALL {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" checked data-sev=\"{0}\" id=\"f-sev-{0}\"> {1}</label> ",
            s.as_str(),
            esc(s.label().get(lang))
        );
    }
    let every = labels::FILTER_ALL.get(lang);
    let _ = write!(
        out,
        "</fieldset>\n<label>{} <select id=\"f-status\"><option value=\"\">{every}</option>",
        STATUS.get(lang)
    );
    for s in Status::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            s.as_str(),
            esc(s.label().get(lang))
        );
    }
    let _ = writeln!(
        out,
        "</select></label>\n<label>{} <select id=\"f-ns\"><option value=\"\">{every}</option></select></label>\n\
         <label>{} <select id=\"f-rule\"><option value=\"\">{every}</option></select></label>\n\
         <label>{} <input type=\"search\" id=\"f-q\"></label>\n\
         <button type=\"button\" id=\"f-open\">{}</button> <button type=\"button\" id=\"f-close\">{}</button>\n</div>",
        labels::NAMESPACE_HEADING.get(lang),
        labels::RULE.get(lang),
        labels::SEARCH.get(lang),
        labels::EXPAND_ALL.get(lang),
        labels::COLLAPSE_ALL.get(lang),
    );
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
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th></tr>",
        SUMMARY.get(lang),
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
            labels::thousands(report.count_failing(s))
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
            labels::thousands(report.count_level(level))
        );
    }
    let waived = report.findings.waived();
    if waived > 0 {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            WAIVED.get(lang),
            labels::thousands(waived)
        );
    }
    out.push_str("</table>\n");
}

/// Every item in checklist order, by section: its status and details, its groups of findings,
/// its notes. Each finding is written out as soon as it is formatted.
fn findings(
    spool: &mut Spool,
    report: &Report,
    grouped: &Grouped,
    mut snippets: Option<&mut Snippets>,
    lang: Lang,
) -> io::Result<()> {
    let _ = writeln!(spool.buf, "<h2 id=\"findings\">{}</h2>", FINDINGS.get(lang));
    if report.findings.is_empty() {
        let _ = writeln!(spool.buf, "<p>{}</p>", labels::NO_FINDINGS.get(lang));
    }
    for (section, results) in labels::by_section(report) {
        let _ = writeln!(
            spool.buf,
            "<h2 class=\"sec\">{}</h2>\n<p class=\"muted\">{}</p>",
            esc(&labels::section_heading(section, lang)),
            esc(&labels::section_score(
                report.section_score(section.number),
                lang
            ))
        );
        for r in results {
            item(
                spool,
                report,
                r,
                grouped.of(r),
                snippets.as_deref_mut(),
                lang,
            )?;
        }
    }
    Ok(())
}

/// One item: its heading with status and tail, what could not be examined, its rules' groups,
/// its notes.
fn item(
    spool: &mut Spool,
    report: &Report,
    r: &ItemResult,
    groups: &[RuleGroup],
    mut snippets: Option<&mut Snippets>,
    lang: Lang,
) -> io::Result<()> {
    let _ = writeln!(
        spool.buf,
        "<section class=\"item\" id=\"item-{}\" data-status=\"{}\">\n<h3>{} {} {} <span class=\"tail\">{}</span></h3>",
        esc(r.item.id),
        r.status.as_str(),
        status_span(r.status, lang),
        esc(r.item.id),
        esc(r.item.title.get(lang)),
        esc(&labels::item_tail(report, r, lang))
    );
    if let Some(gap) = labels::not_examined_line(report, r, lang) {
        let _ = writeln!(spool.buf, "<p class=\"muted\">{}</p>", esc(&gap));
    }
    for g in groups {
        rule_group(spool, report, g, snippets.as_deref_mut(), lang)?;
    }
    if !r.notes.is_empty() {
        spool.buf.push_str("<ul class=\"f\">\n");
        for kind in [NoteKind::NotExamined, NoteKind::Evidence] {
            for n in report.notes_of(r, kind) {
                note(&mut spool.buf, n, lang);
            }
        }
        spool.buf.push_str("</ul>\n");
    }
    spool.buf.push_str("</section>\n");
    spool.flush()
}

/// A rule's findings, collapsible, anchored by its code: its counts, fix and documentation,
/// then its findings (all of them, in report order, when they are few; else its largest
/// namespaces, each with its first findings and how many more).
fn rule_group(
    spool: &mut Spool,
    report: &Report,
    g: &RuleGroup,
    mut snippets: Option<&mut Snippets>,
    lang: Lang,
) -> io::Result<()> {
    let sevs: Vec<&str> = g.severities().map(Severity::as_str).collect();
    let _ = writeln!(
        spool.buf,
        "<details class=\"rule\" id=\"{}\" data-rule=\"{}\" data-sevs=\"{}\" open>\n<summary><code>{}</code> {} {} {} <span class=\"n\">— {}</span></summary>",
        esc(g.code),
        esc(g.code),
        sevs.join(" "),
        esc(g.code),
        esc(labels::level_label(g.level).get(lang)),
        severity_span(g.severity, lang),
        esc(&rule_title(report, g, lang)),
        esc(&labels::rule_counts(g, lang)),
    );
    if let Some(first) = report.findings.get(g.first) {
        let fix = first.fix.get(lang);
        if !fix.trim().is_empty() {
            let _ = writeln!(
                spool.buf,
                "<div class=\"fix\"><b>{}</b>{}{}</div>",
                labels::FIX_HEADING.get(lang),
                labels::colon(lang),
                esc(fix)
            );
        }
    }
    if let Some(info) = report.rules.iter().find(|i| i.code == g.code) {
        let doc = info.doc_in(lang);
        if !doc.trim().is_empty() {
            let _ = write!(
                spool.buf,
                "<details class=\"doc\"><summary>{} {}</summary><div class=\"md\">",
                labels::DOCUMENTATION.get(lang),
                esc(g.code)
            );
            markdown_to_html(&mut spool.buf, &doc);
            spool.buf.push_str("</div></details>\n");
        }
    }
    if g.complete() {
        spool.buf.push_str("<ul class=\"f\">\n");
        let all = g.all_examples();
        for (&i, f) in all.iter().zip(report.findings.pick(&all)) {
            let new = labels::is_new(report, i);
            finding(&mut spool.buf, &f, new, snippets.as_deref_mut(), lang);
            spool.flush()?;
        }
        spool.buf.push_str("</ul>\n");
    } else {
        let single = g.single().is_some();
        for ns in &g.shown {
            if !single {
                let _ = writeln!(
                    spool.buf,
                    "<details class=\"ns\" data-ns=\"{}\" open><summary>{}</summary>",
                    attr(ns.namespace.as_deref().unwrap_or("")),
                    esc(&labels::namespace_heading(ns, lang))
                );
            }
            spool.buf.push_str("<ul class=\"f\">\n");
            for (&i, f) in ns.examples.iter().zip(report.findings.pick(&ns.examples)) {
                let new = labels::is_new(report, i);
                finding(&mut spool.buf, &f, new, snippets.as_deref_mut(), lang);
                spool.flush()?;
            }
            spool.buf.push_str("</ul>\n");
            let more = ns.count - ns.examples.len();
            if more > 0 {
                let _ = writeln!(
                    spool.buf,
                    "<p class=\"more\">{}</p>",
                    esc(&labels::more_in_group(more, single, lang))
                );
            }
            if !single {
                spool.buf.push_str("</details>\n");
            }
        }
        if g.rest.groups > 0 && !g.shown.is_empty() {
            let _ = writeln!(
                spool.buf,
                "<p class=\"more\">{}</p>",
                esc(&labels::more_namespaces(g.rest, lang))
            );
        }
    }
    spool.buf.push_str("</details>\n");
    spool.flush()
}

/// A rule's documentation (Markdown of our own: headings, paragraphs, lists, code blocks and
/// inline code) as HTML, every character escaped.
fn markdown_to_html(out: &mut String, md: &str) {
    let mut in_code = false;
    let mut in_list = false;
    let mut in_para = false;
    let close = |out: &mut String, in_list: &mut bool, in_para: &mut bool| {
        if *in_list {
            out.push_str("</ul>");
            *in_list = false;
        }
        if *in_para {
            out.push_str("</p>");
            *in_para = false;
        }
    };
    // Doc comments keep the space after `///`.
    for line in md.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)) {
        if line.trim_start().starts_with("```") {
            if in_code {
                out.push_str("</pre>");
            } else {
                close(out, &mut in_list, &mut in_para);
                out.push_str("<pre>");
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(&esc_pre(line));
            out.push('\n');
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            close(out, &mut in_list, &mut in_para);
        } else if let Some(h) = trimmed.strip_prefix('#') {
            close(out, &mut in_list, &mut in_para);
            let _ = write!(out, "<h4>{}</h4>", inline(h.trim_start_matches('#').trim()));
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            if in_para {
                out.push_str("</p>");
                in_para = false;
            }
            if !in_list {
                out.push_str("<ul>");
                in_list = true;
            }
            let _ = write!(out, "<li>{}</li>", inline(item));
        } else {
            if in_list {
                // The rest of the last item.
                if out.ends_with("</li>") {
                    out.truncate(out.len() - "</li>".len());
                    let _ = write!(out, " {}</li>", inline(trimmed));
                    continue;
                }
            }
            if !in_para {
                out.push_str("<p>");
                in_para = true;
            } else {
                out.push(' ');
            }
            out.push_str(&inline(trimmed));
        }
    }
    if in_code {
        out.push_str("</pre>");
    }
    close(out, &mut in_list, &mut in_para);
}

/// Inline Markdown: `code` as code, `**` dropped, the rest escaped as it is.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(&part.replace("**", "")));
        }
    }
    out
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

/// A finding: level, severity, code and object; where; what; the waiver; the lines of YAML
/// around it with its line marked.
fn finding(out: &mut String, f: &Finding, new: bool, snippets: Option<&mut Snippets>, lang: Lang) {
    let ns = f
        .object
        .as_deref()
        .and_then(|o| o.namespace.as_deref())
        .unwrap_or("");
    let class = if f.waived { " waived" } else { "" };
    let _ = write!(
        out,
        "<li class=\"finding{class}\" data-sev=\"{}\" data-ns=\"{}\"><span class=\"l-{}\">{}</span> {} <code>{}</code>",
        f.severity.as_str(),
        attr(ns),
        labels::level_label(f.level).en,
        esc(labels::level_label(f.level).get(lang)),
        severity_span(f.severity, lang),
        esc(f.code)
    );
    if let Some(o) = labels::finding_object(f, lang) {
        let _ = write!(out, " {}", esc(&o));
    }
    if f.waived {
        let _ = write!(
            out,
            " <em>{}</em>",
            labels::paren(WAIVED.get(lang), lang).trim()
        );
    }
    if new {
        let _ = write!(out, " <span class=\"new\">{}</span>", labels::NEW.get(lang));
    }
    place_path_message(
        out,
        labels::place(f),
        f.path.as_deref(),
        f.message.get(lang),
        lang,
    );
    if let Some(w) = &f.waiver {
        let _ = write!(
            out,
            "<br><span class=\"muted\">{}{}{}{}</span>",
            WAIVED.get(lang),
            labels::colon(lang),
            esc(&w.reason),
            esc(&labels::paren(&w.source, lang))
        );
    }
    if let (Some(snippets), Some(loc)) = (snippets, &f.location) {
        if let Some(s) = snippets.around(loc) {
            snippet(out, &s);
        }
    }
    out.push_str("</li>\n");
}

/// The baseline's findings this run no longer has: the first `examples`, and how many more.
fn fixed(out: &mut String, report: &Report, examples: Option<usize>, lang: Lang) {
    let Some(b) = report.baseline.as_deref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2 id=\"fixed\">{}</h2>\n<ul class=\"f\">",
        labels::FIXED_SINCE.get(lang)
    );
    let shown = examples.unwrap_or(usize::MAX).min(b.fixed.len());
    for f in &b.fixed[..shown] {
        let _ = writeln!(out, "<li>{}</li>", esc(&labels::saved_line(f, lang)));
    }
    out.push_str("</ul>\n");
    if shown < b.fixed.len() {
        let more = labels::more_in_group(b.fixed.len() - shown, true, lang);
        let _ = writeln!(out, "<p class=\"more\">{}</p>", esc(&more));
    }
}

/// Numbered lines, the finding's marked and its field, from its column on, in bold.
fn snippet(out: &mut String, s: &Snippet) {
    out.push_str("<pre class=\"snip\">");
    for (i, line) in s.lines.iter().enumerate() {
        let n = s.first + i as u32;
        let text = esc_pre(line);
        if n == s.at {
            let split = (s.column as usize)
                .checked_sub(1)
                .and_then(|c| line.char_indices().nth(c))
                .map(|(at, _)| at);
            let text = match split {
                Some(at) => format!("{}<b>{}</b>", esc_pre(&line[..at]), esc_pre(&line[at..])),
                None => text,
            };
            let _ = write!(out, "<mark><span class=\"ln\">{n}</span>{text}</mark>");
        } else {
            let _ = write!(out, "<span class=\"ln\">{n}</span>{text}");
        }
        if i + 1 < s.lines.len() {
            out.push('\n');
        }
    }
    out.push_str("</pre>");
}

/// Escaped for a `<pre>`: markup characters, and control characters other than tabs dropped.
fn esc_pre(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("    "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escaped for a quoted attribute, on one line.
fn attr(s: &str) -> String {
    esc(&s.replace(['\n', '\r'], " "))
}

/// Input diagnostics, kinds not seen and skipped files, when there are any.
pub(crate) fn inputs(out: &mut String, inputs: &Inputs, lang: Lang) {
    if !inputs.nodes.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", labels::NODE_REPORTS.get(lang));
        let (lines, more) = labels::node_lines(inputs, lang);
        for (node, state) in lines {
            let _ = writeln!(out, "<li><code>{}</code>: {}</li>", esc(&node), esc(&state));
        }
        if more > 0 {
            let _ = writeln!(out, "<li>{}</li>", esc(&labels::more_merged(more, lang)));
        }
        out.push_str("</ul>\n");
    }
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

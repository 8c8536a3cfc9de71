//! Markdown for pull-request comments and job summaries: a summary table, a table per section,
//! then the findings grouped by item. Text from the input is escaped so that it renders as text:
//! no tables broken by `|`, no raw HTML, no accidental emphasis or links.

use crate::group::{Grouped, RuleGroup};
use crate::labels::{
    self, COUNT, DETAILS, FINDINGS, INPUT_PROBLEMS, ITEM, LOCATION, MESSAGE, SEVERITY,
    SKIPPED_FILES, STATUS, SUMMARY, TITLE, WAIVED,
};
use crate::layout::Spool;
use crate::RenderOptions;
use kcheck_model::{Finding, Inputs, Lang, Note, NoteKind, Report, Severity, Status};
use std::fmt::Write;
use std::io;

/// Writes the report to `out` as it is formatted: the summary and section tables, then one
/// finding at a time, then the inputs.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let lang = opts.lang;
    // One trailing newline, whatever the last block left: the spool holds back trailing
    // whitespace until it knows whether more text follows.
    let mut spool = Spool::trimming_end(out);
    head(&mut spool.buf, report, lang);
    spool.flush()?;
    let grouped = Grouped::new(report, opts.examples);
    findings(&mut spool, report, &grouped, lang)?;
    fixed(&mut spool.buf, report, opts.examples, lang);
    inputs(&mut spool.buf, &report.inputs, lang);
    spool.finish()
}

/// The baseline's findings this run no longer has: the first `examples`, and how many more.
fn fixed(out: &mut String, report: &Report, examples: Option<usize>, lang: Lang) {
    let Some(b) = report.baseline.as_deref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    let _ = writeln!(out, "## {}\n", labels::FIXED_SINCE.get(lang));
    let shown = examples.unwrap_or(usize::MAX).min(b.fixed.len());
    for f in &b.fixed[..shown] {
        let _ = writeln!(out, "- {}", esc(&labels::saved_line(f, lang)));
    }
    if shown < b.fixed.len() {
        let more = labels::more_in_group(b.fixed.len() - shown, true, lang);
        let _ = writeln!(out, "- _{}_", esc(&more));
    }
    out.push('\n');
}

/// The title, the summary and a table per section: as long as the checklist, whatever the
/// number of findings.
fn head(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(
        out,
        "# {} {} {}\n",
        esc(report.tool_name),
        esc(report.tool_version),
        labels::REPORT.get(lang)
    );
    let _ = writeln!(out, "{}\n", esc(&labels::run_line(report, lang)));
    if let Some(d) = labels::distribution_line(report, lang) {
        let _ = writeln!(out, "{}\n", esc(&d));
    }
    summary(out, report, lang);
    for (section, results) in labels::by_section(report) {
        let _ = writeln!(out, "## {}\n", esc(&labels::section_heading(section, lang)));
        let score = labels::section_score(report.section_score(section.number), lang);
        let _ = writeln!(out, "_{}_\n", esc(&score));
        row(
            out,
            &[
                ITEM.get(lang),
                STATUS.get(lang),
                TITLE.get(lang),
                DETAILS.get(lang),
            ],
        );
        out.push_str("|---|---|---|---|\n");
        for r in results {
            let status = format!("**{}**", r.status.label().get(lang));
            let mut tail = labels::item_tail(report, r, lang);
            if let Some(gap) = labels::not_examined_line(report, r, lang) {
                if !tail.is_empty() {
                    tail.push_str(labels::semicolon(lang));
                }
                tail.push_str(&gap);
            }
            row(
                out,
                &[
                    r.item.id,
                    &status,
                    &esc(r.item.title.get(lang)),
                    &esc(&tail),
                ],
            );
        }
        out.push('\n');
    }
}

/// A table's heading row and the line under it (every column left-aligned).
pub(crate) fn table_head(out: &mut String, cells: &[&str]) {
    row(out, cells);
    out.push('|');
    for _ in cells {
        out.push_str("---|");
    }
    out.push('\n');
}

pub(crate) fn row(out: &mut String, cells: &[&str]) {
    out.push('|');
    for c in cells {
        let _ = write!(out, " {c} |");
    }
    out.push('\n');
}

fn summary(out: &mut String, report: &Report, lang: Lang) {
    let _ = writeln!(out, "## {}\n", SUMMARY.get(lang));
    let _ = writeln!(
        out,
        "**{}**{}{}\n",
        labels::SCORE.get(lang),
        labels::colon(lang),
        esc(&labels::overall_score(report.score(), lang))
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(out, "**{}**\n", esc(&labels::baseline_line(b, lang)));
        for note in &b.notes {
            let _ = writeln!(out, "_{}_\n", esc(note.get(lang)));
        }
    }
    row(out, &[STATUS.get(lang), COUNT.get(lang)]);
    out.push_str("|---|---:|\n");
    for s in Status::ALL {
        row(
            out,
            &[s.label().get(lang), &report.count_status(s).to_string()],
        );
    }
    out.push('\n');
    row(out, &[SEVERITY.get(lang), COUNT.get(lang)]);
    out.push_str("|---|---:|\n");
    // Failing findings by severity; warnings and information apart.
    for s in Severity::ALL {
        let label = format!("{} {}", labels::FAILING.get(lang), s.label().get(lang));
        row(out, &[&label, &report.count_failing(s).to_string()]);
    }
    for (level, label) in [
        (kcheck_model::Level::Warn, &labels::WARNINGS),
        (kcheck_model::Level::Info, &labels::INFORMATION),
    ] {
        row(
            out,
            &[label.get(lang), &report.count_level(level).to_string()],
        );
    }
    let waived = report.findings.waived();
    if waived > 0 {
        row(out, &[WAIVED.get(lang), &waived.to_string()]);
    }
    out.push('\n');
}

/// The findings by item, grouped by rule and namespace (see [`crate::group`]), each written out
/// as soon as it is formatted.
fn findings(spool: &mut Spool, report: &Report, grouped: &Grouped, lang: Lang) -> io::Result<()> {
    let _ = writeln!(spool.buf, "## {}\n", FINDINGS.get(lang));
    if report.findings.is_empty() {
        let _ = writeln!(spool.buf, "{}\n", labels::NO_FINDINGS.get(lang));
        if report.notes.is_empty() {
            return Ok(());
        }
    }
    for r in labels::items_in_order(report) {
        let groups = grouped.of(r);
        if groups.is_empty() && r.notes.is_empty() {
            continue;
        }
        let _ = writeln!(
            spool.buf,
            "### {} {}\n",
            r.item.id,
            esc(r.item.title.get(lang))
        );
        // A list runs on from one complete rule to the next; a rule group ends it.
        let mut in_list = false;
        for g in groups {
            if g.complete() {
                let all = g.all_examples();
                for (&i, f) in all.iter().zip(report.findings.pick(&all)) {
                    let new = labels::is_new(report, i);
                    finding(&mut spool.buf, &f, new, lang, "", true);
                    spool.flush()?;
                }
                in_list = true;
            } else {
                if in_list {
                    spool.buf.push('\n');
                }
                rule_group(spool, report, g, lang)?;
                in_list = false;
            }
        }
        for kind in [NoteKind::NotExamined, NoteKind::Evidence] {
            for n in report.notes_of(r, kind) {
                note(&mut spool.buf, n, lang);
            }
        }
        // A rule group's fix already ends with a blank line.
        if !spool.buf.ends_with("\n\n") {
            spool.buf.push('\n');
        }
    }
    Ok(())
}

/// A rule with more findings than examples: a heading with its counts, its largest namespaces
/// with their first findings and how many more each has, how many namespaces more, the fix.
fn rule_group(spool: &mut Spool, report: &Report, g: &RuleGroup, lang: Lang) -> io::Result<()> {
    let _ = writeln!(
        spool.buf,
        "#### {} {} {}{}{}\n",
        code(g.code),
        labels::level_label(g.level).get(lang),
        g.severity.label().get(lang),
        labels::colon(lang),
        esc(&labels::rule_counts(g, lang))
    );
    let single = g.single().is_some();
    let indent = if single { "" } else { "  " };
    for ns in &g.shown {
        if !single {
            let _ = writeln!(
                spool.buf,
                "- **{}**",
                esc(&labels::namespace_heading(ns, lang))
            );
        }
        for (&i, f) in ns.examples.iter().zip(report.findings.pick(&ns.examples)) {
            let new = labels::is_new(report, i);
            finding(&mut spool.buf, &f, new, lang, indent, false);
            spool.flush()?;
        }
        let more = ns.count - ns.examples.len();
        if more > 0 {
            let _ = writeln!(
                spool.buf,
                "{indent}- _{}_",
                esc(&labels::more_in_group(more, single, lang))
            );
        }
    }
    if g.rest.groups > 0 && !g.shown.is_empty() {
        let _ = writeln!(
            spool.buf,
            "- _{}_",
            esc(&labels::more_namespaces(g.rest, lang))
        );
    }
    if !g.shown.is_empty() {
        spool.buf.push('\n');
    }
    if let Some(first) = report.findings.get(g.first) {
        let fix = first.fix.get(lang);
        if !fix.trim().is_empty() {
            let _ = writeln!(
                spool.buf,
                "**{}**{}{}\n",
                labels::FIX_HEADING.get(lang),
                labels::colon(lang),
                esc(fix)
            );
        }
    }
    spool.flush()
}

/// A note: its kind, where it is and what it says (no severity, no fix).
fn note(out: &mut String, n: &Note, lang: Lang) {
    let _ = write!(out, "- _{}_ {}", n.kind.label().get(lang), code(n.code));
    if let Some(o) = &n.object {
        let _ = write!(out, " {}", esc(&o.to_string()));
    }
    out.push('\n');
    let sep = labels::colon(lang);
    if let Some(place) = labels::note_place(n) {
        let _ = writeln!(out, "  - {}{sep}{}", LOCATION.get(lang), code(&place));
    }
    if let Some(path) = &n.path {
        let _ = writeln!(out, "  - {}{sep}{}", labels::FIELD.get(lang), code(path));
    }
    let _ = writeln!(
        out,
        "  - {}{sep}{}",
        MESSAGE.get(lang),
        esc(n.message.get(lang))
    );
}

/// A finding as a list item `indent` in, with its fix when `with_fix` (a rule group shows its fix
/// once, under the list).
fn finding(out: &mut String, f: &Finding, new: bool, lang: Lang, indent: &str, with_fix: bool) {
    let _ = write!(
        out,
        "{indent}- **{} {}** {}",
        labels::level_label(f.level).get(lang),
        f.severity.label().get(lang),
        code(f.code)
    );
    if let Some(o) = labels::finding_object(f, lang) {
        let _ = write!(out, " {}", esc(&o));
    }
    if f.waived {
        let _ = write!(out, " _{}_", labels::paren(WAIVED.get(lang), lang).trim());
    }
    if new {
        let _ = write!(out, " **[{}]**", labels::NEW.get(lang));
    }
    out.push('\n');
    let sep = labels::colon(lang);
    if let Some(place) = labels::place(f) {
        let _ = writeln!(
            out,
            "{indent}  - {}{sep}{}",
            LOCATION.get(lang),
            code(&place)
        );
    }
    if let Some(path) = &f.path {
        let _ = writeln!(
            out,
            "{indent}  - {}{sep}{}",
            labels::FIELD.get(lang),
            code(path)
        );
    }
    let _ = writeln!(
        out,
        "{indent}  - {}{sep}{}",
        MESSAGE.get(lang),
        esc(f.message.get(lang))
    );
    let fix = f.fix.get(lang);
    if with_fix && !fix.trim().is_empty() {
        let _ = writeln!(
            out,
            "{indent}  - {}{sep}{}",
            labels::FIX_HEADING.get(lang),
            esc(fix)
        );
    }
}

/// Input diagnostics, kinds not seen and skipped files, when there are any.
pub(crate) fn inputs(out: &mut String, inputs: &Inputs, lang: Lang) {
    if !inputs.nodes.is_empty() {
        let _ = writeln!(out, "## {}\n", labels::NODE_REPORTS.get(lang));
        let (lines, more) = labels::node_lines(inputs, lang);
        for (node, state) in lines {
            let _ = writeln!(out, "- {}: {}", code(&node), esc(&state));
        }
        if more > 0 {
            let _ = writeln!(out, "- {}", esc(&labels::more_merged(more, lang)));
        }
        out.push('\n');
    }
    if !inputs.unavailable.is_empty() {
        let _ = writeln!(out, "## {}\n", labels::UNSEEN_KINDS.get(lang));
        for u in &inputs.unavailable {
            let _ = writeln!(out, "- {}: {}", code(&u.kind), esc(u.reason.get(lang)));
        }
        out.push('\n');
    }
    if !inputs.diagnostics.is_empty() {
        let _ = writeln!(out, "## {}\n", INPUT_PROBLEMS.get(lang));
        row(
            out,
            &[SEVERITY.get(lang), LOCATION.get(lang), MESSAGE.get(lang)],
        );
        out.push_str("|---|---|---|\n");
        for d in &inputs.diagnostics {
            row(
                out,
                &[
                    labels::diagnostic_severity(d).get(lang),
                    &code(&labels::diagnostic_place(d)),
                    &esc(d.message.get(lang)),
                ],
            );
        }
        out.push('\n');
    }
    if !inputs.skipped.is_empty() {
        let _ = writeln!(out, "## {}\n", SKIPPED_FILES.get(lang));
        let (shown, more) = labels::skipped_shown(inputs);
        for s in shown {
            let _ = writeln!(out, "- {}: {}", code(&s.path), esc(s.reason.get(lang)));
        }
        for (n, reason) in more {
            let _ = writeln!(out, "- {}", esc(&labels::more_skipped(n, reason, lang)));
        }
        out.push('\n');
    }
}

/// Text that renders as itself: Markdown punctuation and HTML escaped, newlines as `<br>`
/// (single-line contexts: table cells and list items).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inline code that holds any text: a fence longer than any backtick run inside, `|` escaped
/// (tables split on it even inside code), newlines as spaces.
pub(crate) fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let body = s.replace('|', "\\|");
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cells_and_code() {
        assert_eq!(esc("a|b\nc <x>"), "a\\|b<br>c &lt;x&gt;");
        assert_eq!(code("a`b|c"), "``a`b\\|c``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}

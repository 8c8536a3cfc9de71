//! `kcheck summary REPORT.json...`: saved reports side by side ([`FleetSummary`]): per report
//! and per section the items of each status, the pass rate and the coverage; the items failing
//! in every report and in most; the reports that could not be read.

use super::{write_json, Scrubbed};
use crate::saved::SavedReport;
use kcheck_model::{
    FleetInput, FleetItem, FleetReport, FleetSummary, Lang, Score, StatusCounts, Text, SECTIONS,
};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{self, Write};

/// What the summary reads of a saved report.
pub fn fleet_input(saved: &SavedReport) -> FleetInput {
    FleetInput {
        file: saved.source.clone(),
        target: saved.target.clone(),
        items: saved
            .items
            .iter()
            .map(|i| (i.id.clone(), i.status))
            .collect(),
    }
}

static TITLE: Text = Text::fixed("kcheck summary", "kcheck 汇总");
static REPORT: Text = Text::fixed("Report", "报告");
static MODE: Text = Text::fixed("Mode", "模式");
static SECTION: Text = Text::fixed("Section", "部分");
static PASS_RATE: Text = Text::fixed("Pass rate", "通过率");
static COVERAGE: Text = Text::fixed("Coverage", "覆盖率");
static BY_SECTION: Text = Text::fixed("By section", "按部分");
static EVERYWHERE: Text = Text::fixed("Failing in every report", "在所有报告中不通过");
static MOST: Text = Text::fixed("Failing in most reports", "在多数报告中不通过");
static NONE: Text = Text::fixed("none", "无");
static UNREADABLE: Text = Text::fixed("Could not be read", "无法读取");
static ALL: Text = Text::fixed("all", "全部");

/// `3 reports` (`2 could not be read` added when some could not).
fn count_line(s: &FleetSummary, lang: Lang) -> String {
    let (n, bad) = (s.reports.len(), s.errors.len());
    match lang {
        Lang::En => {
            let mut line = format!("{n} {}", if n == 1 { "report" } else { "reports" });
            if bad > 0 {
                let _ = write!(line, "; {bad} could not be read");
            }
            line
        }
        Lang::Zh => {
            let mut line = format!("{n} 份报告");
            if bad > 0 {
                let _ = write!(line, "；{bad} 份无法读取");
            }
            line
        }
    }
}

/// `4/34 (11%)`, `-` when nothing was evaluated.
fn pass_rate(score: Score, lang: Lang) -> String {
    match score.pass_percent() {
        Some(p) => ratio(score.passed, score.evaluated, p, lang),
        None => "-".to_string(),
    }
}

/// `34/35 (97%)`.
fn coverage(score: Score, lang: Lang) -> String {
    ratio(score.evaluated, score.items, score.coverage_percent(), lang)
}

fn ratio(a: usize, b: usize, pct: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{a}/{b} ({pct}%)"),
        Lang::Zh => format!("{a}/{b}（{pct}%）"),
    }
}

/// `: ` or `：`.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

/// `(` `)` or `（` `）`.
fn parens(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => ("(", ")"),
        Lang::Zh => ("（", "）"),
    }
}

/// `2 of 3: prod, stage`.
fn failing_in(i: &FleetItem, n: usize, lang: Lang) -> String {
    let names = i.failing_in.join(match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    });
    match lang {
        Lang::En => format!("{} of {n}: {names}", i.failing_in.len()),
        Lang::Zh => format!("{n} 份中的 {} 份：{names}", i.failing_in.len()),
    }
}

/// The header cells of the counts: the status labels, the pass rate, the coverage.
fn count_heads(lang: Lang) -> Vec<String> {
    let mut h: Vec<String> = FleetSummary::STATUSES
        .iter()
        .map(|s| s.label().get(lang).to_string())
        .collect();
    h.push(PASS_RATE.get(lang).to_string());
    h.push(COVERAGE.get(lang).to_string());
    h
}

fn count_cells(counts: &StatusCounts, score: Score, lang: Lang) -> Vec<String> {
    let mut c: Vec<String> = counts.in_order().iter().map(usize::to_string).collect();
    c.push(pass_rate(score, lang));
    c.push(coverage(score, lang));
    c
}

fn section_title(number: u8, lang: Lang) -> String {
    let s = &SECTIONS[usize::from(number.saturating_sub(1)).min(SECTIONS.len() - 1)];
    format!("{} {}", s.number, s.title.get(lang))
}

/// The report rows: name, mode, counts.
fn report_rows(s: &FleetSummary, lang: Lang) -> Vec<Vec<String>> {
    s.reports
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone(), r.mode.clone()];
            row.extend(count_cells(&r.counts, r.score, lang));
            row
        })
        .collect()
}

/// Rows aligned in columns: the first `left` columns to the left, the others to the right.
fn aligned(rows: &[Vec<String>], left: usize, indent: &str, out: &mut String) {
    // Measured as the terminal will show them: control characters already replaced.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::layout::clean(c).into_owned())
                .collect()
        })
        .collect();
    let rows = rows.as_slice();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| crate::layout::width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c].saturating_sub(crate::layout::width(cell));
            if c < left {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            } else {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn heads(first: &[&Text], lang: Lang) -> Vec<String> {
    let mut h: Vec<String> = first.iter().map(|t| t.get(lang).to_string()).collect();
    h.extend(count_heads(lang));
    h
}

pub(crate) fn table(s: &FleetSummary, lang: Lang, out: &mut Scrubbed<'_>) -> io::Result<()> {
    let mut o = String::new();
    let _ = writeln!(o, "{}  {}", TITLE.get(lang), count_line(s, lang));
    if !s.reports.is_empty() {
        o.push('\n');
        let mut rows = vec![heads(&[&REPORT, &MODE], lang)];
        rows.extend(report_rows(s, lang));
        aligned(&rows, 2, "", &mut o);
        let _ = writeln!(o, "\n{}", BY_SECTION.get(lang));
        let mut rows = vec![heads(&[&SECTION], lang)];
        for section in &SECTIONS {
            rows.push(vec![section_title(section.number, lang)]);
            for r in &s.reports {
                let sec = section_of(r, section.number);
                let mut row = vec![format!("  {}", r.name)];
                row.extend(count_cells(&sec.0, sec.1, lang));
                rows.push(row);
            }
        }
        aligned(&rows, 1, "  ", &mut o);
        failing_lists(s, lang, &mut o, |o, i, rest| {
            let (open, close) = parens(lang);
            let _ = writeln!(
                o,
                "  {}  {}  {open}{rest}{close}",
                i.item.id,
                i.item.title.get(lang)
            );
        });
    }
    if !s.errors.is_empty() {
        let _ = writeln!(o, "\n{}", UNREADABLE.get(lang));
        for e in &s.errors {
            let _ = writeln!(o, "  {}", e.message.get(lang));
        }
    }
    out.write_all(o.as_bytes())
}

/// The counts and score of `section` in `r`.
fn section_of(r: &FleetReport, section: u8) -> (StatusCounts, Score) {
    r.sections
        .iter()
        .find(|s| s.section == section)
        .map(|s| (s.counts, s.score))
        .unwrap_or_default()
}

/// The two lists of failing items, each under its heading, `line` writing an item.
fn failing_lists(
    s: &FleetSummary,
    lang: Lang,
    o: &mut String,
    line: impl Fn(&mut String, &FleetItem, &str),
) {
    let n = s.reports.len();
    for (head, list) in [
        (&EVERYWHERE, &s.failing_everywhere),
        (&MOST, &s.failing_in_most),
    ] {
        let _ = writeln!(o, "\n{}", head.get(lang));
        if list.is_empty() {
            let _ = writeln!(o, "  {}", NONE.get(lang));
        }
        for i in list {
            let rest = if i.failing_in.len() == n {
                ALL.get(lang).to_string()
            } else {
                failing_in(i, n, lang)
            };
            line(o, i, &rest);
        }
    }
}

pub(crate) fn markdown(s: &FleetSummary, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let esc = crate::markdown::esc;
    let mut o = String::new();
    let _ = writeln!(o, "## {}\n\n{}", TITLE.get(lang), count_line(s, lang));
    if !s.reports.is_empty() {
        o.push('\n');
        let h = heads(&[&REPORT, &MODE], lang);
        crate::markdown::table_head(&mut o, &h.iter().map(String::as_str).collect::<Vec<_>>());
        for row in report_rows(s, lang) {
            let mut row = row;
            row[0] = esc(&row[0]);
            row[1] = esc(&row[1]);
            crate::markdown::row(&mut o, &row.iter().map(String::as_str).collect::<Vec<_>>());
        }
        let _ = writeln!(o, "\n### {}\n", BY_SECTION.get(lang));
        let h = heads(&[&SECTION, &REPORT], lang);
        crate::markdown::table_head(&mut o, &h.iter().map(String::as_str).collect::<Vec<_>>());
        for section in &SECTIONS {
            for r in &s.reports {
                let sec = section_of(r, section.number);
                let mut row = vec![section_title(section.number, lang), esc(&r.name)];
                row.extend(count_cells(&sec.0, sec.1, lang));
                crate::markdown::row(&mut o, &row.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
        let mut lists = String::new();
        failing_lists(s, lang, &mut lists, |o, i, rest| {
            let _ = writeln!(
                o,
                "- **{}** {}{}{}",
                i.item.id,
                esc(i.item.title.get(lang)),
                colon(lang),
                esc(rest)
            );
        });
        // Headings of the lists one level down, a blank line under each.
        for line in lists.lines() {
            if line.is_empty() {
                o.push('\n');
            } else if line.starts_with("  ") {
                let _ = writeln!(o, "- {}", line.trim());
            } else if line.starts_with("- ") {
                let _ = writeln!(o, "{line}");
            } else {
                let _ = writeln!(o, "### {line}\n");
            }
        }
    }
    if !s.errors.is_empty() {
        let _ = writeln!(o, "\n### {}\n", UNREADABLE.get(lang));
        for e in &s.errors {
            let _ = writeln!(o, "- {}", crate::markdown::code(e.message.get(lang)));
        }
    }
    out.write_all(o.as_bytes())
}

const STYLE: &str = "table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #d0d7de;padding:.2rem .5rem}td.n{text-align:right}\
tr.sec td{background:#f6f8fa;font-weight:600}.f{color:#cf222e}";

pub(crate) fn html(s: &FleetSummary, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let esc = crate::html::esc;
    let mut o = String::new();
    crate::html::page_start(&mut o, TITLE.get(lang), lang, STYLE);
    let _ = writeln!(o, "<p>{}</p>", esc(&count_line(s, lang)));
    let row = |o: &mut String, cells: &[String], left: usize| {
        o.push_str("<tr>");
        for (c, cell) in cells.iter().enumerate() {
            let n = if c < left { "" } else { " class=\"n\"" };
            let _ = write!(o, "<td{n}>{}</td>", esc(cell));
        }
        o.push_str("</tr>\n");
    };
    let head = |o: &mut String, cells: &[String]| {
        o.push_str("<table>\n<tr>");
        for c in cells {
            let _ = write!(o, "<th>{}</th>", esc(c));
        }
        o.push_str("</tr>\n");
    };
    if !s.reports.is_empty() {
        head(&mut o, &heads(&[&REPORT, &MODE], lang));
        for r in report_rows(s, lang) {
            row(&mut o, &r, 2);
        }
        o.push_str("</table>\n");
        let _ = writeln!(o, "<h2>{}</h2>", esc(BY_SECTION.get(lang)));
        head(&mut o, &heads(&[&SECTION], lang));
        for section in &SECTIONS {
            let _ = writeln!(
                o,
                "<tr class=\"sec\"><td colspan=\"9\">{}</td></tr>",
                esc(&section_title(section.number, lang))
            );
            for r in &s.reports {
                let sec = section_of(r, section.number);
                let mut cells = vec![r.name.clone()];
                cells.extend(count_cells(&sec.0, sec.1, lang));
                row(&mut o, &cells, 1);
            }
        }
        o.push_str("</table>\n");
        let n = s.reports.len();
        for (h, list) in [
            (&EVERYWHERE, &s.failing_everywhere),
            (&MOST, &s.failing_in_most),
        ] {
            let _ = writeln!(o, "<h2>{}</h2>", esc(h.get(lang)));
            if list.is_empty() {
                let _ = writeln!(o, "<p>{}</p>", esc(NONE.get(lang)));
                continue;
            }
            o.push_str("<ul>\n");
            for i in list {
                let rest = if i.failing_in.len() == n {
                    ALL.get(lang).to_string()
                } else {
                    failing_in(i, n, lang)
                };
                let _ = writeln!(
                    o,
                    "<li><b class=\"f\">{}</b> {}{}{}</li>",
                    esc(i.item.id),
                    esc(i.item.title.get(lang)),
                    colon(lang),
                    esc(&rest)
                );
            }
            o.push_str("</ul>\n");
        }
    }
    if !s.errors.is_empty() {
        let _ = writeln!(o, "<h2>{}</h2>\n<ul>", esc(UNREADABLE.get(lang)));
        for e in &s.errors {
            let _ = writeln!(o, "<li><code>{}</code></li>", esc(e.message.get(lang)));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</body>\n</html>\n");
    out.write_all(o.as_bytes())
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    schema: u32,
    kind: &'static str,
    reports: Vec<JsonReport<'a>>,
    failing_everywhere: Vec<JsonItem<'a>>,
    failing_in_most: Vec<JsonItem<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    name: &'a str,
    file: &'a str,
    mode: &'a str,
    status: StatusCounts,
    score: Score,
    sections: Vec<JsonSection>,
}

#[derive(Serialize)]
struct JsonSection {
    section: u8,
    status: StatusCounts,
    score: Score,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    section: u8,
    reports: &'a [String],
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    message: &'a str,
}

/// The summary as JSON: the same in both languages (messages in English).
pub(crate) fn json(s: &FleetSummary, out: &mut dyn Write) -> io::Result<()> {
    fn item(i: &FleetItem) -> JsonItem<'_> {
        JsonItem {
            id: i.item.id,
            section: i.item.section,
            reports: &i.failing_in,
        }
    }
    let doc = JsonSummary {
        schema: 1,
        kind: "summary",
        reports: s
            .reports
            .iter()
            .map(|r| JsonReport {
                name: &r.name,
                file: &r.file,
                mode: &r.mode,
                status: r.counts,
                score: r.score,
                sections: r
                    .sections
                    .iter()
                    .map(|x| JsonSection {
                        section: x.section,
                        status: x.counts,
                        score: x.score,
                    })
                    .collect(),
            })
            .collect(),
        failing_everywhere: s.failing_everywhere.iter().map(item).collect(),
        failing_in_most: s.failing_in_most.iter().map(item).collect(),
        errors: s
            .errors
            .iter()
            .map(|e| JsonError {
                file: &e.file,
                message: &e.message.en,
            })
            .collect(),
    };
    write_json(&doc, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Status, Target, ITEMS};

    fn input(name: &str, fail: &[&str]) -> FleetInput {
        FleetInput {
            file: format!("{name}.json"),
            target: Some(Target {
                mode: "cluster".into(),
                name: name.into(),
                namespace: None,
                distribution: None,
            }),
            items: ITEMS
                .iter()
                .map(|i| {
                    let s = if fail.contains(&i.id) {
                        Status::Fail
                    } else {
                        Status::NotEvaluated
                    };
                    (i.id.to_string(), s)
                })
                .collect(),
        }
    }

    fn table_of(s: &FleetSummary, lang: Lang) -> String {
        crate::layout::to_string(|out| table(s, lang, &mut Scrubbed(out)))
    }

    #[test]
    fn names_of_any_width_line_up_and_control_characters_are_scrubbed() {
        let s = FleetSummary::of(
            vec![
                input("生产集群", &["1.1"]),
                input("dev\u{1b}[31m", &["1.1", "2.2"]),
            ],
            Vec::new(),
        );
        let t = table_of(&s, Lang::En);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[2..5],
            [
                "Report    Mode     PASS  FAIL  WARN  MANUAL  N/E  ERROR  Pass rate   Coverage",
                "生产集群  cluster     0     1     0       0   34      0   0/1 (0%)  1/35 (2%)",
                "dev\u{FFFD}[31m  cluster     0     2     0       0   33      0   0/2 (0%)  2/35 (5%)",
            ]
        );
        assert!(t.contains("\nFailing in every report\n  1.1  "), "{t}");
        assert!(t.contains("\nFailing in most reports\n  none\n"), "{t}");
    }

    #[test]
    fn markdown_escapes_names() {
        let s = FleetSummary::of(vec![input("a|b", &[]), input("c", &[])], Vec::new());
        let mut out = Vec::new();
        markdown(&s, Lang::En, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.contains("\n| a\\|b | cluster | 0 | 0 | 0 | 0 | 35 | 0 | - | 0/35 (0%) |\n"),
            "{md}"
        );
    }
}

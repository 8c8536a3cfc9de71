//! `kcheck diff OLD.json NEW.json`: two JSON reports compared item by item. A finding is the
//! same in both when its fingerprint is (rule, object, field; never the line): what only the old
//! report has was fixed, what only the new one has is new, and a finding in both whose level,
//! severity or waiver changed is listed as changed. Items whose status moved are named with
//! both statuses.

use super::{escaped, same, write_json, Scrubbed};
use crate::labels;
use crate::saved::{PrintIndex, SavedReport};
use kcheck_model::{Item, Lang, SavedFinding, Severity, Status, Text, ITEMS};
use serde::Serialize;
use std::io::{self, Write};

/// Two reports compared.
pub struct Diff {
    pub old: SavedReport,
    pub new: SavedReport,
    /// Every checklist item, in checklist order, with what moved in it.
    pub items: Vec<ItemDiff>,
}

/// What moved in one item. Indices are into the old or the new report's findings.
pub struct ItemDiff {
    pub item: &'static Item,
    pub old_status: Option<Status>,
    pub new_status: Option<Status>,
    pub fixed: Vec<usize>,
    pub added: Vec<usize>,
    /// (old, new) pairs of the same finding whose level, severity or waiver differs.
    pub changed: Vec<(usize, usize)>,
    pub unchanged: usize,
}

impl ItemDiff {
    pub fn status_changed(&self) -> bool {
        self.old_status != self.new_status
    }

    fn moved(&self) -> bool {
        self.status_changed()
            || !self.fixed.is_empty()
            || !self.added.is_empty()
            || !self.changed.is_empty()
    }
}

/// Totals of a diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffTotals {
    pub new: usize,
    pub fixed: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub status_changed: usize,
}

impl Diff {
    /// Compares `old` with `new`.
    pub fn of(old: SavedReport, new: SavedReport) -> Diff {
        let mut items: Vec<ItemDiff> = ITEMS
            .iter()
            .map(|item| ItemDiff {
                item,
                old_status: status(&old, item.id),
                new_status: status(&new, item.id),
                fixed: Vec::new(),
                added: Vec::new(),
                changed: Vec::new(),
                unchanged: 0,
            })
            .collect();
        let slot = |id: &str| ITEMS.iter().position(|i| i.id == id);
        let mut index = PrintIndex::new(&old.findings);
        for (n, f) in new.findings.iter().enumerate() {
            let Some(at) = slot(&f.item) else { continue };
            match index.find(&f.fingerprint) {
                None => items[at].added.push(n),
                Some(o) => {
                    let was = &old.findings[o];
                    if (was.level, was.severity, was.waived) != (f.level, f.severity, f.waived) {
                        items[at].changed.push((o, n));
                    } else {
                        items[at].unchanged += 1;
                    }
                }
            }
        }
        let gone: Vec<usize> = index.gone().collect();
        for o in gone {
            if let Some(at) = slot(&old.findings[o].item) {
                items[at].fixed.push(o);
            }
        }
        Diff { old, new, items }
    }

    pub fn totals(&self) -> DiffTotals {
        let mut t = DiffTotals::default();
        for i in &self.items {
            t.new += i.added.len();
            t.fixed += i.fixed.len();
            t.changed += i.changed.len();
            t.unchanged += i.unchanged;
            t.status_changed += usize::from(i.status_changed());
        }
        t
    }

    /// New unwaived failing findings at or above `severity`: what fails `kcheck diff --fail-on`.
    pub fn failing_new_at(&self, severity: Severity) -> usize {
        self.items
            .iter()
            .flat_map(|i| &i.added)
            .map(|&n| &self.new.findings[n])
            .filter(|f| !f.waived && f.level == kcheck_model::Level::Fail && f.severity >= severity)
            .count()
    }
}

fn status(report: &SavedReport, id: &str) -> Option<Status> {
    report.items.iter().find(|i| i.id == id).map(|i| i.status)
}

static TITLE: Text = Text::fixed("kcheck diff", "kcheck 对比");
static NEW: Text = Text::fixed("new", "新增");
static FIXED: Text = Text::fixed("fixed", "已修复");
static CHANGED: Text = Text::fixed("changed", "有变化");
static ITEM: Text = Text::fixed("Item", "检查项");
static STATUS: Text = Text::fixed("Status", "状态");
static NOTHING: Text = Text::fixed(
    "Nothing changed: the same findings, every item with the same status.",
    "没有变化：发现相同，每个检查项的状态也相同。",
);
static MISSING: Text = Text::fixed("none", "无");

/// `2 new, 1 fixed, 0 changed, 40 unchanged; 1 item changed status`.
fn totals_line(t: DiffTotals, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} new, {} fixed, {} changed, {} unchanged; {} {} changed status",
            t.new,
            t.fixed,
            t.changed,
            t.unchanged,
            t.status_changed,
            if t.status_changed == 1 {
                "item"
            } else {
                "items"
            }
        ),
        Lang::Zh => format!(
            "新增 {}，已修复 {}，有变化 {}，未变 {}；{} 个检查项状态改变",
            t.new, t.fixed, t.changed, t.unchanged, t.status_changed
        ),
    }
}

fn status_label(s: Option<Status>, lang: Lang) -> String {
    match s {
        Some(s) => s.label().get(lang).to_string(),
        None => MISSING.get(lang).to_string(),
    }
}

/// `FAIL → PASS`, or the one status when it did not move.
fn statuses(d: &ItemDiff, lang: Lang) -> String {
    if d.status_changed() {
        format!(
            "{} → {}",
            status_label(d.old_status, lang),
            status_label(d.new_status, lang)
        )
    } else {
        status_label(d.new_status, lang)
    }
}

/// How many findings of each list to show; the rest are counted.
fn shown<T>(list: &[T], examples: Option<usize>) -> (&[T], usize) {
    let n = examples.unwrap_or(usize::MAX).min(list.len());
    (&list[..n], list.len() - n)
}

fn more_line(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("… and {n} more (the JSON diff lists them all)"),
        Lang::Zh => format!("…… 另有 {n} 条（JSON 格式列出全部）"),
    }
}

/// `old.json (kcheck 0.1.0) → new.json (kcheck 0.1.0)`.
fn sides(d: &Diff, name: fn(&str) -> String) -> String {
    let side = |r: &SavedReport| format!("{} (kcheck {})", name(&r.source), name(&r.tool_version));
    format!("{} → {}", side(&d.old), side(&d.new))
}

/// The lists of one item: new, changed, fixed.
fn lists<'d>(d: &'d Diff, i: &'d ItemDiff) -> [(&'static Text, Vec<&'d SavedFinding>); 3] {
    [
        (&NEW, i.added.iter().map(|&n| &d.new.findings[n]).collect()),
        (
            &CHANGED,
            i.changed.iter().map(|&(_, n)| &d.new.findings[n]).collect(),
        ),
        (
            &FIXED,
            i.fixed.iter().map(|&o| &d.old.findings[o]).collect(),
        ),
    ]
}

pub(crate) fn table(
    d: &Diff,
    examples: Option<usize>,
    lang: Lang,
    out: &mut Scrubbed<'_>,
) -> io::Result<()> {
    let mut s = String::new();
    s.push_str(&format!("{}  {}\n", TITLE.get(lang), sides(d, same)));
    s.push_str(&totals_line(d.totals(), lang));
    s.push('\n');
    let moved: Vec<&ItemDiff> = d.items.iter().filter(|i| i.moved()).collect();
    if moved.is_empty() {
        s.push('\n');
        s.push_str(NOTHING.get(lang));
        s.push('\n');
    }
    let label_w = [&NEW, &CHANGED, &FIXED]
        .iter()
        .map(|t| crate::layout::width(t.get(lang)))
        .max()
        .unwrap_or(0);
    for i in moved {
        s.push('\n');
        s.push_str(&format!(
            "{}  {}  {}\n",
            i.item.id,
            i.item.title.get(lang),
            statuses(i, lang)
        ));
        for (label, list) in lists(d, i) {
            let (first, rest) = shown(&list, examples);
            for f in first {
                s.push_str(&format!(
                    "  {}  {}\n",
                    crate::layout::pad(label.get(lang), label_w),
                    labels::saved_line(f, lang)
                ));
            }
            if rest > 0 {
                s.push_str(&format!(
                    "  {}  {}\n",
                    crate::layout::pad(label.get(lang), label_w),
                    more_line(rest, lang)
                ));
            }
        }
    }
    out.write_all(s.as_bytes())
}

pub(crate) fn markdown(
    d: &Diff,
    examples: Option<usize>,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    let t = d.totals();
    s.push_str(&format!("## {}\n\n", TITLE.get(lang)));
    s.push_str(&format!("{}\n\n", sides(d, escaped)));
    s.push_str(&format!("**{}**\n", totals_line(t, lang)));
    let moved: Vec<&ItemDiff> = d.items.iter().filter(|i| i.moved()).collect();
    if moved.is_empty() {
        s.push_str(&format!("\n{}\n", NOTHING.get(lang)));
        return out.write_all(s.as_bytes());
    }
    s.push('\n');
    crate::markdown::table_head(
        &mut s,
        &[
            ITEM.get(lang),
            STATUS.get(lang),
            NEW.get(lang),
            FIXED.get(lang),
            CHANGED.get(lang),
        ],
    );
    for i in &moved {
        let title = format!("{} {}", i.item.id, i.item.title.get(lang));
        crate::markdown::row(
            &mut s,
            &[
                &title,
                &statuses(i, lang),
                &i.added.len().to_string(),
                &i.fixed.len().to_string(),
                &i.changed.len().to_string(),
            ],
        );
    }
    for i in moved {
        let all: usize = i.added.len() + i.fixed.len() + i.changed.len();
        if all == 0 {
            continue;
        }
        s.push_str(&format!(
            "\n### {} {}\n\n",
            i.item.id,
            i.item.title.get(lang)
        ));
        for (label, list) in lists(d, i) {
            let (first, rest) = shown(&list, examples);
            for f in first {
                s.push_str(&format!(
                    "- **{}** {}\n",
                    label.get(lang),
                    escaped(&labels::saved_line(f, lang))
                ));
            }
            if rest > 0 {
                s.push_str(&format!(
                    "- **{}** {}\n",
                    label.get(lang),
                    more_line(rest, lang)
                ));
            }
        }
    }
    out.write_all(s.as_bytes())
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    schema: u32,
    kind: &'static str,
    old: JsonSide<'a>,
    new: JsonSide<'a>,
    summary: DiffTotals,
    items: Vec<JsonItemDiff<'a>>,
}

#[derive(Serialize)]
struct JsonSide<'a> {
    file: &'a str,
    tool_version: &'a str,
}

#[derive(Serialize)]
struct JsonItemDiff<'a> {
    id: &'a str,
    old_status: Option<Status>,
    new_status: Option<Status>,
    new: Vec<crate::json::SavedJson<'a>>,
    fixed: Vec<crate::json::SavedJson<'a>>,
    changed: Vec<JsonChanged<'a>>,
    unchanged: usize,
}

#[derive(Serialize)]
struct JsonChanged<'a> {
    old: crate::json::SavedJson<'a>,
    new: crate::json::SavedJson<'a>,
}

/// Every item that moved, with every finding (JSON is not cut short).
pub(crate) fn json(d: &Diff, out: &mut dyn Write) -> io::Result<()> {
    fn side(r: &SavedReport) -> JsonSide<'_> {
        JsonSide {
            file: &r.source,
            tool_version: &r.tool_version,
        }
    }
    let doc = JsonDiff {
        schema: 1,
        kind: "diff",
        old: side(&d.old),
        new: side(&d.new),
        summary: d.totals(),
        items: d
            .items
            .iter()
            .filter(|i| i.moved())
            .map(|i| JsonItemDiff {
                id: i.item.id,
                old_status: i.old_status,
                new_status: i.new_status,
                new: i
                    .added
                    .iter()
                    .map(|&n| crate::json::saved(&d.new.findings[n]))
                    .collect(),
                fixed: i
                    .fixed
                    .iter()
                    .map(|&o| crate::json::saved(&d.old.findings[o]))
                    .collect(),
                changed: i
                    .changed
                    .iter()
                    .map(|&(o, n)| JsonChanged {
                        old: crate::json::saved(&d.old.findings[o]),
                        new: crate::json::saved(&d.new.findings[n]),
                    })
                    .collect(),
                unchanged: i.unchanged,
            })
            .collect(),
    };
    write_json(&doc, out)
}

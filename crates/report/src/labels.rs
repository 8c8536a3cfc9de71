//! Every human-facing string the renderers print, in English and Chinese, side by side; and the
//! small counting and naming helpers every format shares. Titles, messages and fixes come from the
//! model; only the words around them live here.

use kcheck_model::{
    Evidence, Finding, Inputs, ItemResult, Lang, Report, Section, Severity, Skipped, Status, Text,
    SECTIONS,
};

pub(crate) static REPORT: Text = Text::fixed(
    "Kubernetes Security Checklist report",
    "Kubernetes 安全检查清单报告",
);
pub(crate) static SUMMARY: Text = Text::fixed("Summary", "汇总");
pub(crate) static ITEMS: Text = Text::fixed("Items", "检查项");
pub(crate) static FINDINGS: Text = Text::fixed("Findings", "问题");
pub(crate) static ITEM: Text = Text::fixed("Item", "检查项");
pub(crate) static STATUS: Text = Text::fixed("Status", "状态");
pub(crate) static TITLE: Text = Text::fixed("Title", "标题");
pub(crate) static DETAILS: Text = Text::fixed("Findings / reason", "问题 / 原因");
pub(crate) static SEVERITY: Text = Text::fixed("Severity", "严重程度");
pub(crate) static COUNT: Text = Text::fixed("Count", "数量");
pub(crate) static LOCATION: Text = Text::fixed("Location", "位置");
pub(crate) static FIELD: Text = Text::fixed("Field", "字段");
pub(crate) static MESSAGE: Text = Text::fixed("Message", "说明");
pub(crate) static FIX: Text = Text::fixed("fix", "修复");
pub(crate) static FIX_HEADING: Text = Text::fixed("Fix", "修复");
pub(crate) static WAIVED: Text = Text::fixed("waived", "已豁免");
pub(crate) static FAILING: Text = Text::fixed("failing", "不通过");
pub(crate) static WARNINGS: Text = Text::fixed("warnings", "警告");
pub(crate) static INFORMATION: Text = Text::fixed("information", "提示");

/// A finding's level as a word: it fails its item, warns, or informs.
pub(crate) fn level_label(l: kcheck_model::Level) -> &'static Text {
    static FAIL: Text = Text::fixed("fail", "不通过");
    static WARN: Text = Text::fixed("warn", "警告");
    static INFO: Text = Text::fixed("info", "提示");
    match l {
        kcheck_model::Level::Fail => &FAIL,
        kcheck_model::Level::Warn => &WARN,
        kcheck_model::Level::Info => &INFO,
    }
}
pub(crate) static FILES_READ: Text = Text::fixed("files read", "已读取文件");
pub(crate) static FILES_SKIPPED: Text = Text::fixed("files skipped", "已跳过文件");
pub(crate) static OBJECTS: Text = Text::fixed("objects", "对象");
pub(crate) static INPUT_ERRORS: Text = Text::fixed("input errors", "输入错误");
pub(crate) static EVIDENCE: Text = Text::fixed("evidence", "证据");
pub(crate) static NONE: Text = Text::fixed("none", "无");
pub(crate) static INPUT_PROBLEMS: Text = Text::fixed("Input problems", "输入问题");
pub(crate) static SKIPPED_FILES: Text = Text::fixed("Skipped files", "已跳过的文件");
/// Kinds a cluster run could not list: the items that read them are not evaluated.
pub(crate) static UNSEEN_KINDS: Text = Text::fixed("Kinds not seen", "未能查看的资源类型");
pub(crate) static DIAG_ERROR: Text = Text::fixed("error", "错误");
pub(crate) static DIAG_WARNING: Text = Text::fixed("warning", "警告");
pub(crate) static NO_FINDINGS: Text = Text::fixed("No findings.", "没有发现问题。");
pub(crate) static NOT_EVALUATED: Text = Text::fixed("not evaluated", "未评估");
pub(crate) static MANUAL_CHECK: Text = Text::fixed("needs a manual check", "需要人工检查");
pub(crate) static ITEM_ERROR: Text =
    Text::fixed("the item could not be evaluated", "该检查项评估出错");

/// Chinese text in kcheck uses full-width punctuation (`：`, `，`, `；`, `（）`), as the Kubernetes
/// Chinese documentation does; `docs/glossary.md` says so and the CLI's tests check it.
pub(crate) fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

/// `text` in parentheses after what precedes it: ` (text)`, `（text）`.
pub(crate) fn paren(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(" ({text})"),
        Lang::Zh => format!("（{text}）"),
    }
}

pub(crate) fn semicolon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "; ",
        Lang::Zh => "；",
    }
}

pub(crate) fn comma(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "，",
    }
}

/// `n` with its thousands separated: `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` in a sentence: "3 findings", "3 个问题".
pub(crate) fn findings_count(n: usize, lang: Lang) -> String {
    let k = thousands(n);
    match (lang, n) {
        (Lang::En, 1) => "1 finding".to_owned(),
        (Lang::En, _) => format!("{k} findings"),
        (Lang::Zh, _) => format!("{k} 个问题"),
    }
}

pub(crate) fn waived_count(n: usize, lang: Lang) -> String {
    let n = thousands(n);
    match lang {
        Lang::En => format!("{n} waived"),
        Lang::Zh => format!("{n} 个已豁免"),
    }
}

// The words of the HTML report's page furniture.
pub(crate) static CHECKLIST: Text = Text::fixed("Checklist", "检查清单");
pub(crate) static FIX_FIRST: Text = Text::fixed("Fix first", "优先修复");
pub(crate) static FIX_FIRST_NOTE: Text = Text::fixed(
    "Failing critical and high findings, by rule, most first.",
    "不通过的严重和高危问题，按规则分组，数量多的在前。",
);
pub(crate) static NOTHING_URGENT: Text = Text::fixed(
    "No failing critical or high finding.",
    "没有不通过的严重或高危问题。",
);
pub(crate) static FILTER_ALL: Text = Text::fixed("all", "全部");
pub(crate) static RULE: Text = Text::fixed("Rule", "规则");
pub(crate) static NAMESPACE_HEADING: Text = Text::fixed("Namespace", "名字空间");
pub(crate) static SEARCH: Text = Text::fixed("Search", "搜索");
pub(crate) static EXPAND_ALL: Text = Text::fixed("Expand all", "全部展开");
pub(crate) static COLLAPSE_ALL: Text = Text::fixed("Collapse all", "全部折叠");
pub(crate) static DOCUMENTATION: Text = Text::fixed("Rule documentation", "规则文档");
pub(crate) static ITEM_LINK: Text = Text::fixed("item", "检查项");

/// The group of cluster-scoped objects and of findings about no object.
pub(crate) static NO_NAMESPACE: Text = Text::fixed("not in a namespace", "不在名字空间中");

/// "12 findings", then ", 3 waived" when some are.
fn count_and_waived(count: usize, waived: usize, lang: Lang) -> String {
    let mut s = findings_count(count, lang);
    if waived > 0 {
        s.push_str(comma(lang));
        s.push_str(&waived_count(waived, lang));
    }
    s
}

/// A namespace group's name: `namespace prod`, or `not in a namespace`.
pub(crate) fn namespace_name(ns: Option<&str>, lang: Lang) -> String {
    match (ns, lang) {
        (Some(ns), Lang::En) => format!("namespace {ns}"),
        (Some(ns), Lang::Zh) => format!("名字空间 {ns}"),
        (None, _) => NO_NAMESPACE.get(lang).to_owned(),
    }
}

/// What a rule group holds: "12,345 findings in 2,000 namespaces, 3 waived", "4 findings in
/// namespace prod".
pub(crate) fn rule_counts(g: &crate::group::RuleGroup, lang: Lang) -> String {
    let mut s = findings_count(g.count, lang);
    let single = g.sole_namespace.as_ref().map(Option::as_deref);
    match (single, lang) {
        (Some(None), _) => {}
        (Some(Some(ns)), Lang::En) => s.push_str(&format!(" in namespace {ns}")),
        (Some(Some(ns)), Lang::Zh) => s.push_str(&format!("，在名字空间 {ns} 中")),
        (None, Lang::En) => s.push_str(&format!(" in {} namespaces", thousands(g.namespaces))),
        (None, Lang::Zh) => s.push_str(&format!(
            "，分布在 {} 个名字空间中",
            thousands(g.namespaces)
        )),
    }
    if g.waived > 0 {
        s.push_str(comma(lang));
        s.push_str(&waived_count(g.waived, lang));
    }
    s
}

/// A rule's counts in the list of what to fix first, saying how many of them fail at high or
/// critical when not all do (the number on its badge): "10,000 findings (6,666 failing at high or
/// critical)".
pub(crate) fn urgent_counts(g: &crate::group::RuleGroup, lang: Lang) -> String {
    let mut s = rule_counts(g, lang);
    if g.urgent < g.count {
        let n = thousands(g.urgent);
        match lang {
            Lang::En => s.push_str(&format!(" ({n} failing at high or critical)")),
            Lang::Zh => s.push_str(&format!("（其中 {n} 个为高或严重级别的不通过）")),
        }
    }
    s
}

/// A namespace group's heading: "namespace prod: 1,234 findings, 1 waived".
pub(crate) fn namespace_heading(g: &crate::group::NsGroup, lang: Lang) -> String {
    format!(
        "{}{}{}",
        namespace_name(g.namespace.as_deref(), lang),
        colon(lang),
        count_and_waived(g.count, g.waived, lang)
    )
}

/// After a group's examples: "and 1,231 more in this namespace" (or "and 1,231 more" when the
/// group is the rule's only one).
pub(crate) fn more_in_group(n: usize, only: bool, lang: Lang) -> String {
    let k = thousands(n);
    match (lang, only) {
        (Lang::En, true) => format!("and {k} more"),
        (Lang::En, false) => format!("and {k} more in this namespace"),
        (Lang::Zh, true) => format!("另有 {k} 个"),
        (Lang::Zh, false) => format!("此名字空间另有 {k} 个"),
    }
}

/// After a rule's namespaces: "and 1,997 more namespaces: 11,000 findings".
pub(crate) fn more_namespaces(rest: crate::group::Rest, lang: Lang) -> String {
    let groups = thousands(rest.groups);
    let findings = count_and_waived(rest.count, rest.waived, lang);
    match (lang, rest.groups) {
        (Lang::En, 1) => format!("and 1 more namespace: {findings}"),
        (Lang::En, _) => format!("and {groups} more namespaces: {findings}"),
        (Lang::Zh, _) => format!("另有 {groups} 个名字空间：{findings}"),
    }
}

/// What an item's rules could not examine, as a line beside the item: the first note, and how
/// many more follow with the findings. `None` when there is none, or when the item is not
/// evaluated (its reason names the first already).
pub(crate) fn not_examined_line(report: &Report, r: &ItemResult, lang: Lang) -> Option<String> {
    if r.status == Status::NotEvaluated {
        return None;
    }
    let mut gaps = report.notes_of(r, kcheck_model::NoteKind::NotExamined);
    let first = gaps.next()?;
    let more = gaps.count();
    let mut text = format!(
        "{}{}{}",
        kcheck_model::NoteKind::NotExamined.label().get(lang),
        colon(lang),
        first.message.get(lang)
    );
    if more > 0 {
        text.push_str(&more_below(more, lang));
    }
    Some(text)
}

/// At most this many skipped entries of one reason are listed in the human formats; the rest
/// are counted (JSON lists them all).
pub(crate) const SKIPPED_SHOWN: usize = 5;

/// The skipped entries as people read them: the first [`SKIPPED_SHOWN`] of each reason, then
/// for each reason with more, how many more.
pub(crate) fn skipped_shown(inputs: &Inputs) -> (Vec<&Skipped>, Vec<(usize, &Text)>) {
    let mut shown = Vec::new();
    let mut more: Vec<(usize, &Text)> = Vec::new();
    for s in &inputs.skipped {
        let seen = shown
            .iter()
            .filter(|x: &&&Skipped| x.reason == s.reason)
            .count();
        if seen < SKIPPED_SHOWN {
            shown.push(s);
        } else if let Some(m) = more.iter_mut().find(|(_, r)| **r == s.reason) {
            m.0 += 1;
        } else {
            more.push((1, &s.reason));
        }
    }
    (shown, more)
}

pub(crate) static NODE_REPORTS: Text = Text::fixed("Node reports", "节点报告");

/// Merged nodes listed before the rest are counted (every node whose report was not merged is
/// listed).
const MERGED_SHOWN: usize = 20;

/// The nodes of a cluster audit that merged node reports, as lines: `cp-1 (control plane)` and
/// `merged: scanned ... ` or `not merged: why`; those not merged first, then up to
/// [`MERGED_SHOWN`] merged ones, then how many more were merged (0 when none).
pub(crate) fn node_lines(inputs: &Inputs, lang: Lang) -> (Vec<(String, String)>, usize) {
    let line = |n: &kcheck_model::NodeSeen| {
        let role = match (n.control_plane, lang) {
            (true, Lang::En) => " (control plane)",
            (false, Lang::En) => "",
            (true, Lang::Zh) => "（控制平面）",
            (false, Lang::Zh) => "",
        };
        let state = match (n.merged, lang) {
            (true, Lang::En) => "merged",
            (false, Lang::En) => "not merged",
            (true, Lang::Zh) => "已合并",
            (false, Lang::Zh) => "未合并",
        };
        (
            format!("{}{role}", n.name),
            format!("{state}{}{}", colon(lang), n.detail.get(lang)),
        )
    };
    let mut lines: Vec<(String, String)> = inputs
        .nodes
        .iter()
        .filter(|n| !n.merged)
        .map(line)
        .collect();
    let merged: Vec<&kcheck_model::NodeSeen> = inputs.nodes.iter().filter(|n| n.merged).collect();
    lines.extend(merged.iter().take(MERGED_SHOWN).map(|n| line(n)));
    (lines, merged.len().saturating_sub(MERGED_SHOWN))
}

/// `and 12 more nodes merged`.
pub(crate) fn more_merged(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("and {n} more nodes merged"),
        Lang::Zh => format!("另有 {n} 个节点已合并"),
    }
}

/// `and 12 more: not YAML or JSON`.
pub(crate) fn more_skipped(n: usize, reason: &Text, lang: Lang) -> String {
    match lang {
        Lang::En => format!("and {n} more: {}", reason.en),
        Lang::Zh => format!("另有 {n} 个：{}", reason.zh),
    }
}

/// ` (and 2 more below)`, after the first of several notes.
pub(crate) fn more_below(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(" (and {n} more below)"),
        Lang::Zh => format!("（另有 {n} 条，见下文）"),
    }
}

pub(crate) fn examined_count(n: usize, lang: Lang) -> String {
    // Grouped like the findings' counts beside it: "182,558 checked".
    let n = thousands(n);
    match lang {
        Lang::En => format!("{n} checked"),
        Lang::Zh => format!("已检查 {n} 项"),
    }
}

pub(crate) fn evidence_label(e: Evidence) -> Text {
    match e {
        Evidence::Objects => Text::fixed("objects", "对象"),
        Evidence::Cluster => Text::fixed("cluster", "集群"),
        Evidence::Node => Text::fixed("node", "节点"),
        Evidence::Record => Text::fixed("records", "记录"),
        Evidence::Images => Text::fixed("images", "镜像"),
    }
}

/// "objects, node", or "none".
pub(crate) fn evidence_list(report: &Report, lang: Lang) -> String {
    if report.evidence.is_empty() {
        return NONE.get(lang).to_owned();
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let names: Vec<String> = report
        .evidence
        .iter()
        .map(|e| evidence_label(*e).get(lang).to_owned())
        .collect();
    names.join(sep)
}

/// Section heading: "1 Authentication and authorization".
/// A section's score, short enough for its heading: `2/4 pass, 4/6 evaluated`.
pub(crate) fn section_score(score: kcheck_model::Score, lang: Lang) -> String {
    let kcheck_model::Score {
        items,
        evaluated,
        passed,
    } = score;
    match (lang, evaluated) {
        (Lang::En, 0) => format!("0/{items} evaluated"),
        (Lang::Zh, 0) => format!("已评估 0/{items}"),
        (Lang::En, _) => format!("{passed}/{evaluated} pass, {evaluated}/{items} evaluated"),
        (Lang::Zh, _) => format!("通过 {passed}/{evaluated}，已评估 {evaluated}/{items}"),
    }
}

pub(crate) static SCORE: Text = Text::fixed("Score", "得分");

/// The run's score: the pass rate of what was evaluated, and how much of the checklist that
/// is, side by side, so that all green over a few items never reads as compliance.
pub(crate) fn overall_score(score: kcheck_model::Score, lang: Lang) -> String {
    let kcheck_model::Score {
        items,
        evaluated,
        passed,
    } = score;
    let coverage = score.coverage_percent();
    match (lang, score.pass_percent()) {
        (Lang::En, Some(pct)) => format!(
            "{passed} of {evaluated} evaluated items pass ({pct}%); {evaluated} of {items} items evaluated ({coverage}% coverage)"
        ),
        (Lang::En, None) => format!("no item could be evaluated (0 of {items})"),
        (Lang::Zh, Some(pct)) => format!(
            "已评估的 {evaluated} 项中通过 {passed} 项（{pct}%）；{items} 项中已评估 {evaluated} 项（覆盖率 {coverage}%）"
        ),
        (Lang::Zh, None) => format!("没有可以评估的检查项（0/{items}）"),
    }
}

pub(crate) fn section_heading(section: &Section, lang: Lang) -> String {
    format!("{} {}", section.number, section.title.get(lang))
}

/// The items of a report grouped by checklist section, in checklist order. Items of a section
/// number the model does not know are left out (the model cannot make one).
pub(crate) fn by_section(report: &Report) -> Vec<(&'static Section, Vec<&ItemResult>)> {
    let mut items: Vec<&ItemResult> = report.items.iter().collect();
    items.sort_by_key(|r| kcheck_model::item_order(r.item.id));
    SECTIONS
        .iter()
        .map(|s| {
            let of_section = items
                .iter()
                .copied()
                .filter(|r| r.item.section == s.number)
                .collect();
            (s, of_section)
        })
        .collect()
}

/// All items, in checklist order.
pub(crate) fn items_in_order(report: &Report) -> Vec<&ItemResult> {
    by_section(report)
        .into_iter()
        .flat_map(|(_, v)| v)
        .collect()
}

/// The findings of one item (indices out of range are ignored), one at a time: an item may
/// have a hundred thousand, read back from a file.
pub(crate) fn item_findings<'r>(
    report: &'r Report,
    item: &'r ItemResult,
) -> kcheck_model::findings::Iter<'r> {
    report.findings.pick(&item.findings)
}

/// Why an item has its status, in the reader's language; for the statuses that need one, a
/// generic reason when the report gives none.
pub(crate) fn reason(item: &ItemResult, lang: Lang) -> Option<String> {
    if let Some(r) = &item.reason {
        return Some(r.get(lang).to_owned());
    }
    let generic = match item.status {
        Status::NotEvaluated => &NOT_EVALUATED,
        Status::Manual => &MANUAL_CHECK,
        Status::Error => &ITEM_ERROR,
        Status::Pass | Status::Fail | Status::Warn => return None,
    };
    Some(generic.get(lang).to_owned())
}

/// The short tail of an item line: "2 findings, 1 waived", the reason, or how much was checked.
pub(crate) fn item_tail(report: &Report, item: &ItemResult, lang: Lang) -> String {
    let (count, waived) = report
        .findings
        .briefs_of(&item.findings)
        .fold((0, 0), |(n, w), f| (n + 1, w + usize::from(f.waived)));
    if count > 0 {
        let mut s = findings_count(count, lang);
        if waived > 0 {
            s.push_str(comma(lang));
            s.push_str(&waived_count(waived, lang));
        }
        // Not evaluated: why comes first, the findings beside it.
        if item.status == kcheck_model::Status::NotEvaluated {
            if let Some(r) = reason(item, lang) {
                return format!("{r}{}", paren(&s, lang));
            }
        }
        return s;
    }
    if let Some(r) = reason(item, lang) {
        return r;
    }
    if item.examined > 0 {
        return examined_count(item.examined, lang);
    }
    String::new()
}

/// The object a finding is on, as the human formats name it: `Deployment shop/web`, with the
/// Pods it covers when its Pods' findings were folded into it: `Deployment shop/web (12 pods)`,
/// `Deployment shop/web（12 个 Pod）`.
pub(crate) fn finding_object(f: &Finding, lang: Lang) -> Option<String> {
    let o = f.object.as_deref()?;
    Some(match (f.pods, lang) {
        (0, _) => o.to_string(),
        (1, Lang::En) => format!("{o} (1 pod)"),
        (n, Lang::En) => format!("{o} ({n} pods)"),
        (n, Lang::Zh) => format!("{o}（{n} 个 Pod）"),
    })
}

/// Where a finding is: `file:line:column` (`file` alone when the line is unknown), the API or
/// host source, or nothing.
pub(crate) fn place(f: &Finding) -> Option<String> {
    on_node(
        f.node.as_deref(),
        place_of(f.location.as_ref(), f.source.as_deref()),
    )
}

/// Where a note is, as [`place`] says it of a finding.
pub(crate) fn note_place(n: &kcheck_model::Note) -> Option<String> {
    on_node(
        n.node.as_deref(),
        place_of(n.location.as_ref(), n.source.as_deref()),
    )
}

/// A place on a node of a merged node report, the way `scp` names a remote file:
/// `worker-2:/var/lib/kubelet/config.yaml:12:3`.
fn on_node(node: Option<&str>, place: Option<String>) -> Option<String> {
    match (node, place) {
        (Some(node), Some(place)) => Some(format!("{node}:{place}")),
        (Some(node), None) => Some(node.to_string()),
        (None, place) => place,
    }
}

fn place_of(location: Option<&kcheck_model::Location>, source: Option<&str>) -> Option<String> {
    match (location, source) {
        (Some(l), _) if l.line == 0 => Some(l.file.to_string()),
        (Some(l), _) => Some(l.to_string()),
        (None, Some(s)) => Some(s.to_string()),
        (None, None) => None,
    }
}

/// `file:line:column` of a diagnostic, `file` when it concerns the whole file.
pub(crate) fn diagnostic_place(d: &kcheck_model::Diagnostic) -> String {
    if d.line > 0 {
        format!("{}:{}:{}", d.file, d.line, d.column)
    } else {
        d.file.to_string()
    }
}

pub(crate) fn diagnostic_severity(d: &kcheck_model::Diagnostic) -> &'static Text {
    match d.severity {
        kcheck_model::DiagnosticSeverity::Error => &DIAG_ERROR,
        kcheck_model::DiagnosticSeverity::Warning => &DIAG_WARNING,
    }
}

/// "12 files read, 40 objects, 1 input error" (and ", 3 files skipped" when some were) for
/// headers.
pub(crate) fn inputs_line(i: &Inputs, lang: Lang) -> String {
    let errors = i.errors().count();
    match lang {
        Lang::En => {
            let n = |n: usize, one: &str, many: &str| {
                format!("{} {}", thousands(n), if n == 1 { one } else { many })
            };
            let mut parts = Vec::new();
            // Objects listed from the API come from no file.
            if i.files_read > 0 || i.objects == 0 {
                parts.push(n(i.files_read, "file read", "files read"));
            }
            parts.push(n(i.objects, "object", "objects"));
            parts.push(n(errors, "input error", "input errors"));
            if i.files_skipped > 0 {
                parts.push(n(i.files_skipped, "file skipped", "files skipped"));
            }
            if !i.unavailable.is_empty() {
                parts.push(n(i.unavailable.len(), "kind not seen", "kinds not seen"));
            }
            if !i.nodes.is_empty() {
                let merged = i.nodes.iter().filter(|n| n.merged).count();
                parts.push(format!(
                    "node reports of {merged} of {}",
                    n(i.nodes.len(), "node", "nodes")
                ));
            }
            parts.join(", ")
        }
        Lang::Zh => {
            let mut s = if i.files_read > 0 || i.objects == 0 {
                format!("{}：{}，", FILES_READ.zh, thousands(i.files_read))
            } else {
                String::new()
            };
            s.push_str(&format!(
                "{}：{}，{}：{}",
                OBJECTS.zh,
                thousands(i.objects),
                INPUT_ERRORS.zh,
                thousands(errors)
            ));
            if i.files_skipped > 0 {
                s.push_str(&format!("，{}：{}", FILES_SKIPPED.zh, i.files_skipped));
            }
            if !i.unavailable.is_empty() {
                s.push_str(&format!("，{}：{}", UNSEEN_KINDS.zh, i.unavailable.len()));
            }
            if !i.nodes.is_empty() {
                let merged = i.nodes.iter().filter(|n| n.merged).count();
                s.push_str(&format!("，节点报告：{merged}/{} 个节点", i.nodes.len()));
            }
            s
        }
    }
}

/// The inputs line and the evidence the run had: "3 files read, ...; evidence: objects".
pub(crate) fn run_line(report: &Report, lang: Lang) -> String {
    let sep = match lang {
        Lang::En => "; ",
        Lang::Zh => "；",
    };
    format!(
        "{}{sep}{}{}{}",
        inputs_line(&report.inputs, lang),
        EVIDENCE.get(lang),
        colon(lang),
        evidence_list(report, lang)
    )
}

pub(crate) static DISTRIBUTION: Text = Text::fixed("Distribution", "发行版");

/// `Distribution: k3s, control plane (detected: ...)`, for a node scan's report.
pub(crate) fn distribution_line(report: &Report, lang: Lang) -> Option<String> {
    let d = report.target.as_ref()?.distribution.as_ref()?;
    Some(format!(
        "{}{}{}",
        DISTRIBUTION.get(lang),
        colon(lang),
        d.line().get(lang)
    ))
}

pub(crate) static NEW: Text = Text::fixed("new", "新增");
pub(crate) static FIXED_SINCE: Text = Text::fixed("Fixed since the baseline", "自基线以来已修复");

/// Whether the report's finding `i` is new against the run's baseline (never without one).
pub(crate) fn is_new(report: &Report, i: usize) -> bool {
    report
        .baseline
        .as_deref()
        .is_some_and(|b| b.state(i) == kcheck_model::BaselineState::New)
}

/// A saved finding on one line (a fixed one under a report, one of `kcheck diff`'s lists):
/// `KC301 critical DaemonSet logging/fluent-bit logging/fluent-bit.yaml:97:13: message`, with
/// `waived` before the message when it was.
pub(crate) fn saved_line(f: &kcheck_model::SavedFinding, lang: Lang) -> String {
    let mut parts = vec![f.code.clone(), f.severity.label().get(lang).to_string()];
    if let Some(o) = &f.object {
        parts.push(o.to_string());
    }
    match (&f.location, &f.path) {
        (Some(l), _) => parts.push(l.to_string()),
        (None, Some(p)) => parts.push(p.clone()),
        (None, None) => {}
    }
    if f.waived {
        parts.push(WAIVED.get(lang).to_string());
    }
    let colon = match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    };
    format!("{}{colon}{}", parts.join(" "), f.message)
}

/// `baseline old.json: 2 new, 40 existing, 1 fixed`: the run against its baseline.
pub(crate) fn baseline_line(b: &kcheck_model::Baseline, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "baseline {}: {} new, {} existing, {} fixed",
            b.source,
            b.new_count,
            b.existing_count,
            b.fixed.len()
        ),
        Lang::Zh => format!(
            "基线 {}：新增 {}，已有 {}，已修复 {}",
            b.source,
            b.new_count,
            b.existing_count,
            b.fixed.len()
        ),
    }
}

/// The highest severity among findings, for JUnit failure types and colours.
pub(crate) fn highest(findings: impl Iterator<Item = kcheck_model::Brief>) -> Option<Severity> {
    findings.map(|f| f.severity).max()
}

// The words of `kcheck pss` reports. Level names (`baseline`, `restricted`), check ids and
// upstream's reasons and details are identifiers or Kubernetes' own words: never translated.

pub(crate) static PSS_REPORT: Text =
    Text::fixed("Pod Security Standards report", "Pod 安全标准报告");
pub(crate) static PSS: Text = Text::fixed("Pod Security Standards", "Pod 安全标准");
pub(crate) static ALLOWED: Text = Text::fixed("ALLOWED", "允许");
pub(crate) static DENIED: Text = Text::fixed("DENIED", "拒绝");
pub(crate) static WORKLOAD: Text = Text::fixed("Workload", "工作负载");
pub(crate) static WORKLOADS: Text = Text::fixed("Workloads", "工作负载");
pub(crate) static VIOLATIONS: Text = Text::fixed("Violations", "违规");
pub(crate) static PSS_LEVEL: Text = Text::fixed("Level", "级别");
pub(crate) static ALLOWED_HEADING: Text = Text::fixed("Allowed", "允许");
pub(crate) static DENIED_HEADING: Text = Text::fixed("Denied", "拒绝");
pub(crate) static DETAIL: Text = Text::fixed("Detail", "详情");
pub(crate) static FIELDS: Text = Text::fixed("fields", "字段");
pub(crate) static NO_WORKLOADS: Text = Text::fixed("No workloads.", "没有工作负载。");
pub(crate) static NO_VIOLATIONS: Text = Text::fixed("No violations.", "没有违规。");

/// "3 workloads", "工作负载:3".
pub(crate) fn workloads_count(n: usize, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 workload".to_owned(),
        (Lang::En, n) => format!("{n} workloads"),
        (Lang::Zh, n) => format!("{}：{n}", WORKLOADS.zh),
    }
}

/// "2 violations", "2 项违规".
pub(crate) fn violations_count(n: usize, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 violation".to_owned(),
        (Lang::En, n) => format!("{n} violations"),
        (Lang::Zh, n) => format!("{n} 项违规"),
    }
}

/// "2 allowed", "允许 2".
pub(crate) fn allowed_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} allowed"),
        Lang::Zh => format!("{} {n}", ALLOWED.zh),
    }
}

/// "1 denied", "拒绝 1".
pub(crate) fn denied_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} denied"),
        Lang::Zh => format!("{} {n}", DENIED.zh),
    }
}

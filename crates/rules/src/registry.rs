//! Every rule, by code: the crate root hands the sections' lists over ([`crate::SECTION_RULES`]),
//! so that the registry, like the rest of the framework, names no section. Adding a rule: write
//! its file in its section's folder (see `docs/ARCHITECTURE.md`).

use crate::Rule;
use kcheck_model::{Lang, RuleSummary, Text};
use std::sync::OnceLock;

/// All rules, sorted by code.
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut rules: Vec<&'static Rule> = crate::SECTION_RULES.concat();
        rules.sort_by_key(|r| r.code);
        rules
    })
}

pub fn by_code(code: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// Parts of an item that no rule checks yet. While an item has such a gap, a clean result on it
/// is "not evaluated" with this reason, never "pass".
pub fn not_yet_checked(item: &str) -> Option<Text> {
    GAPS.iter()
        .find(|(id, _)| *id == item)
        .map(|(_, gap)| gap.clone())
}

/// Items whose object rules do not yet cover everything the objects can show.
static GAPS: &[(&str, Text)] = &[];

/// The page `docs/rules/<CODE>.md` for a rule: generated from its doc comment.
pub fn doc_page(rule: &Rule) -> String {
    format!(
        "<!-- generated from crates/rules/src by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test docs`; do not edit -->\n\
         # {code} {name}\n\n\
         {title_en} / {title_zh}\n\n\
         | checklist item | severity | evidence | admission webhook |\n|---|---|---|---|\n| {item} | {severity} | {evidence:?} | {admission} |\n\n\
         {doc}",
        code = rule.code,
        name = rule.name,
        title_en = rule.title.en,
        title_zh = rule.title.zh,
        item = rule.item,
        severity = rule.severity_label(kcheck_model::Lang::En),
        evidence = rule.evidence,
        admission = admission_label(rule),
        doc = rule.doc_markdown(),
    )
}

/// The page `docs/rules/zh/<CODE>.md`: the rule's Chinese documentation, for a rule that has it.
pub fn doc_page_zh(rule: &Rule) -> Option<String> {
    if rule.doc_zh.trim().is_empty() {
        return None;
    }
    Some(format!(
        "<!-- 由 crates/rules/src 生成（`KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test docs`），请勿手工修改 -->\n\
         # {code} {name}\n\n\
         {title_zh}\n\n\
         | 检查项 | 严重程度 | 证据 | 准入 Webhook |\n|---|---|---|---|\n| {item} | {severity} | {evidence:?} | {admission} |\n\n\
         {doc}",
        code = rule.code,
        name = rule.name,
        title_zh = rule.title.zh,
        item = rule.item,
        severity = rule.severity_label(Lang::Zh),
        evidence = rule.evidence,
        admission = match rule.admission {
            crate::Admission::NotApplicable => "-",
            crate::Admission::Judged | crate::Admission::JudgedDespite(_) => "运行",
            crate::Admission::Excluded(_) => "不运行",
        },
        doc = rule.doc_markdown_in(Lang::Zh),
    ))
}

/// `docs/rules/zh/README.md`: the rules by checklist item, in Chinese, each linked to its
/// Chinese page when it has one.
pub fn doc_index_zh() -> String {
    let mut rules: Vec<&'static Rule> = all().to_vec();
    rules.sort_by_key(|r| (kcheck_model::item_order(r.item), r.code));
    let mut out = String::from(
        "<!-- 生成的文件，请勿手工修改 -->\n# kcheck 规则\n\n按检查清单的检查项排列。\n\n| 规则 | 名称 | 检查项 | 严重程度 | 标题 |\n|---|---|---|---|---|\n",
    );
    for r in rules {
        let code = if r.doc_zh.trim().is_empty() {
            format!("{} （[英文]（../{}.md））", r.code, r.code)
        } else {
            format!("[{code}]({code}.md)", code = r.code)
        };
        out.push_str(&format!(
            "| {code} | {} | {} | {} | {} |\n",
            r.name,
            r.item,
            r.severity_label(Lang::Zh),
            r.title.zh
        ));
    }
    out
}

/// Whether the webhook runs the rule, for its page.
fn admission_label(rule: &Rule) -> String {
    match rule.admission {
        crate::Admission::NotApplicable => "-".to_string(),
        crate::Admission::Judged => "runs".to_string(),
        crate::Admission::JudgedDespite(why) => format!("runs; {}", why.replace('|', "\\|")),
        crate::Admission::Excluded(why) => format!("not run: {}", why.replace('|', "\\|")),
    }
}

/// What `kcheck rules` and `kcheck explain` show of a rule.
pub fn summary(rule: &Rule) -> RuleSummary {
    RuleSummary {
        code: rule.code,
        name: rule.name,
        item: rule.item,
        severity: rule.severity,
        severities: rule.all_severities(),
        evidence: rule.evidence,
        title: rule.title.clone(),
    }
}

/// [`summary`] of every rule, sorted by code.
pub fn summaries() -> Vec<RuleSummary> {
    all().iter().map(|r| summary(r)).collect()
}

/// `docs/rules/README.md`: the index of rules by checklist item.
pub fn doc_index() -> String {
    let mut rules = summaries();
    rules.sort_by_key(|r| (kcheck_model::item_order(r.item), r.code));
    format!(
        "<!-- generated; do not edit -->\n# kcheck rules\n\n{}",
        index_table(&rules, Lang::En, true)
    )
}

/// The table of rules of `docs/rules/README.md` and of `kcheck rules -f markdown`, in Markdown:
/// code, name, checklist item, severities and title in `lang`, in the order given. With
/// `linked`, each code links to its page (`KC301.md`), as it does in `docs/rules/`. The index is
/// made here rather than in `kcheck-report` because `docs/rules/` is generated from this crate.
pub fn index_table(rules: &[RuleSummary], lang: Lang, linked: bool) -> String {
    let mut out =
        String::from("| code | name | item | severity | title |\n|---|---|---|---|---|\n");
    for r in rules {
        let code = if linked {
            format!("[{code}]({code}.md)", code = r.code)
        } else {
            r.code.to_string()
        };
        out.push_str(&format!(
            "| {code} | {} | {} | {} | {} |\n",
            r.name,
            r.item,
            r.severity_label(lang),
            r.title.get(lang)
        ));
    }
    out
}

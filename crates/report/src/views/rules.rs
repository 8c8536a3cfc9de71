//! The rule catalogue: `kcheck rules` as a table or JSON, and `kcheck explain`. (Its Markdown
//! form is the index of `docs/rules/`, which `kcheck_rules::registry::index_table` makes: the
//! generated docs come from that crate, and this one cannot be below it.)

use kcheck_model::{Evidence, Lang, RuleSummary, Severity, Text};
use serde::Serialize;
use std::fmt::Write as _;

/// A line per rule: code, checklist item, severities, name and title, in aligned columns. The
/// severities stay in English in both languages, as the codes and names do: they are what
/// `--fail-on` and the configuration take.
pub fn rules_table(rules: &[RuleSummary], lang: Lang) -> String {
    // The name column is as wide as the longest name, so that no name runs into its title.
    let name_w = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let sev_w = rules
        .iter()
        .map(|r| r.severity_label(Lang::En).len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        let _ = writeln!(
            out,
            "{:<6} {:<4} {:<sev_w$}  {:<name_w$}  {}",
            r.code,
            r.item,
            r.severity_label(Lang::En),
            r.name,
            r.title.get(lang)
        );
    }
    out
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    evidence: Evidence,
    item: &'a str,
    name: &'a str,
    severities: &'a [Severity],
    severity: Severity,
    title: &'a Text,
}

/// The rules as a JSON array, the same in both languages (titles carry both).
pub fn rules_json(rules: &[RuleSummary]) -> String {
    let list: Vec<JsonRule> = rules
        .iter()
        .map(|r| JsonRule {
            code: r.code,
            evidence: r.evidence,
            item: r.item,
            name: r.name,
            severities: &r.severities,
            severity: r.severity,
            title: &r.title,
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
}

/// `kcheck explain`: the rule's code, name, severities and checklist item, its title, then its
/// documentation (`doc`, Markdown, as in `docs/rules/`).
pub fn explanation(rule: &RuleSummary, doc: &str, lang: Lang) -> String {
    let about = match lang {
        Lang::En => format!(
            " ({}, checklist item {})",
            rule.severity_label(lang),
            rule.item
        ),
        Lang::Zh => format!(
            "（{}，检查清单第 {} 项）",
            rule.severity_label(lang),
            rule.item
        ),
    };
    format!(
        "{} {}{about}\n{}\n\n{doc}",
        rule.code,
        rule.name,
        rule.title.get(lang)
    )
}

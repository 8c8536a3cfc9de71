//! Helpers shared by the rule test binaries (included with `#[path]`).
#![allow(dead_code)]

use kcheck_model::{Finding, Lang, Note, Report};

/// A finding as one snapshot line: code, level, severity, file position or `-`, `what` (the
/// object for manifest findings, the source for node findings) or `-`, flag or field, and the
/// message in both languages.
pub fn finding_line(f: &Finding, what: Option<String>) -> String {
    // Every finding carries a severity its rule declares (`kcheck rules` lists them).
    if let Some(rule) = kcheck_rules::registry::by_code(f.code) {
        assert!(
            rule.all_severities().contains(&f.severity),
            "{} finding of severity {} not declared by the rule ({:?}): {}",
            f.code,
            f.severity,
            rule.all_severities(),
            f.message.en
        );
    }
    format!(
        "{} {:?} {} {} {} {} | {} | {}",
        f.code,
        f.level,
        f.severity,
        f.location.as_ref().map_or("-".into(), ToString::to_string),
        what.as_deref().unwrap_or("-"),
        f.path.as_deref().unwrap_or("-"),
        f.message.get(Lang::En),
        f.message.get(Lang::Zh),
    )
}

/// A note as one snapshot line, shaped like a finding's: its kind where a finding has its level,
/// and `-` for the severity it does not have.
pub fn note_line(n: &Note, what: Option<String>) -> String {
    format!(
        "{} {:?} - {} {} {} | {} | {}",
        n.code,
        n.kind,
        n.location.as_ref().map_or("-".into(), ToString::to_string),
        what.as_deref().unwrap_or("-"),
        n.path.as_deref().unwrap_or("-"),
        n.message.get(Lang::En),
        n.message.get(Lang::Zh),
    )
}

/// The findings of a node report as lines (the source names the place on the node), then its
/// notes.
pub fn node_lines(report: &Report) -> Vec<String> {
    let findings = report
        .findings
        .iter()
        .map(|f| finding_line(&f, f.source.as_deref().map(str::to_string)));
    let notes = report
        .notes
        .iter()
        .map(|n| note_line(n, n.source.as_deref().map(str::to_string)));
    findings.chain(notes).collect()
}

/// The rule with this code. Rules are reached through the registry: their modules are private
/// to the rules crate.
pub fn rule(code: &str) -> &'static kcheck_rules::Rule {
    kcheck_rules::registry::by_code(code).unwrap_or_else(|| panic!("no rule {code}"))
}
pub mod tree;

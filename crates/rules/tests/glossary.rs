//! The rules' Chinese documentation speaks the checklist's language: the terms of
//! `docs/glossary.md` and not their alternatives, the four headings every page has, and no
//! English paragraph (code, flags, field paths, product names and links excepted).

use kcheck_rules::registry;
use std::path::Path;

/// The words the glossary says not to use, with the term to use instead.
fn avoided() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/glossary.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| English"))
    {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if let [_, term, avoid] = cells.as_slice() {
            for word in avoid.split('、').map(str::trim).filter(|w| !w.is_empty()) {
                out.push((word.to_string(), term.to_string()));
            }
        }
    }
    assert!(out.len() >= 10, "the glossary table was not read: {out:?}");
    out
}

/// A line of prose that is English (see `kcheck_model::text::has_english_sentence`).
fn english_prose(line: &str) -> bool {
    kcheck_model::text::has_english_sentence(line)
}

/// The prose lines of a Markdown page: outside fences, inline code and link lines taken out.
fn prose(doc: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || line.contains("http://") || line.contains("https://") {
            continue;
        }
        // Inline code is code.
        let mut text = String::new();
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                text.push(c);
            }
        }
        out.push(text);
    }
    out
}

#[test]
fn chinese_rule_docs_use_the_glossary_and_no_english_paragraph() {
    let avoided = avoided();
    let mut problems = Vec::new();
    for rule in registry::all() {
        let doc = rule.doc_zh;
        if doc.trim().is_empty() {
            continue;
        }
        for heading in ["## 检查内容", "## 原因", "## 修复", "## 参考"] {
            if !doc.contains(heading) {
                problems.push(format!("{}: no {heading}", rule.code));
            }
        }
        for line in prose(doc) {
            for (word, term) in &avoided {
                if line.contains(word.as_str()) {
                    problems.push(format!(
                        "{}: {word:?} where the glossary says {term:?}: {line}",
                        rule.code
                    ));
                }
            }
            if english_prose(&line) {
                problems.push(format!("{}: an English paragraph: {line}", rule.code));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checks_catch_what_they_should() {
    assert!(english_prose(
        "The pod shares the host network and can reach every local service"
    ));
    assert!(!english_prose(
        "Pod 共享主机网络：可以访问节点上的 kubelet 和 etcd"
    ));
    assert!(!english_prose("设置 `spec.hostNetwork: false`"));
    let lines = prose("```yaml\nthis is english code that does not count at all here\n```\n正文 `inline code with many english words in a row here` 结束");
    assert_eq!(lines, ["正文  结束"]);
    assert!(avoided()
        .iter()
        .any(|(w, t)| w == "命名空间" && t == "名字空间"));
}

/// Every rule has Chinese documentation (`kcheck explain --lang zh`, `docs/rules/zh/`).
#[test]
fn every_rule_has_chinese_documentation() {
    let all = registry::all();
    let missing: Vec<&str> = all
        .iter()
        .filter(|r| r.doc_zh.trim().is_empty())
        .map(|r| r.code)
        .collect();
    println!(
        "{} of {} rules have Chinese documentation; without: {missing:?}",
        all.len() - missing.len(),
        all.len()
    );
    assert!(
        missing.len() < all.len(),
        "no rule has Chinese documentation"
    );
}

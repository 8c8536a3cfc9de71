//! Every rule against its fixtures: each `pass` file gives no failing or warning finding of the
//! rule, each `fail` file at least one finding, and the exact findings of both (informational
//! ones only, for `pass` files) are a snapshot. A rule without both kinds of case fails.
//!
//! Object and inventory rules read manifests; node rules read node trees described in YAML
//! (`support/tree.rs`), built and collected like a real node, and their pass cases must pass
//! their item (the rule examined something).

#[path = "support/mod.rs"]
mod support;

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inventory};
use kcheck_rules::{registry, Config, Engine};
use std::path::{Path, PathBuf};

const ALL_EVIDENCE: &[Evidence] = &[
    Evidence::Objects,
    Evidence::Cluster,
    Evidence::Node,
    Evidence::Record,
    Evidence::Images,
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// `fixtures/<CODE>/config.yaml`, when a rule's fixtures need a configuration.
fn config(code: &str) -> Config {
    let path = fixture_dir().join(code).join("config.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Config::default();
    };
    let parsed = kcheck_load::parse_documents(&text, &Limits::default());
    match parsed.documents.into_iter().next() {
        Some(kcheck_load::DocOutcome::Node(node)) => {
            Config::from_node(&node).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        }
        _ => panic!("{}: not a configuration", path.display()),
    }
}

/// Runs one rule over one fixture file; returns the findings as lines.
fn run(rule: &'static kcheck_rules::Rule, file: &Path) -> Vec<String> {
    let name = file
        .strip_prefix(fixture_dir())
        .unwrap()
        .display()
        .to_string();
    let bytes = std::fs::read(file).unwrap();
    let loaded = load_bytes(&name, &bytes, &Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{name}: fixture does not load: {:?}",
        loaded.inputs.diagnostics
    );
    let inventory = Inventory::new(loaded.objects);
    // Fixtures with dates (certificates, scan reports, review records) are judged as of this
    // day, whenever the test runs.
    let today = kcheck_model::Date::parse("2026-12-07").unwrap();
    let report = Engine::new(vec![rule])
        .with_config(config(rule.code))
        .at(kcheck_model::Now::start_of(today))
        .run(&inventory, ALL_EVIDENCE, loaded.inputs);
    let what = |o: Option<&std::sync::Arc<kcheck_model::ObjectRef>>| o.map(ToString::to_string);
    let findings = report
        .findings
        .iter()
        .map(|f| support::finding_line(&f, what(f.object.as_ref())));
    let notes = report
        .notes
        .iter()
        .map(|n| support::note_line(n, what(n.object.as_ref())));
    findings.chain(notes).collect()
}

/// A node rule's fixture is a node tree (see `support/tree.rs`): built, collected, and judged
/// at the moment it was made.
fn run_node(rule: &'static kcheck_rules::Rule, file: &Path) -> Vec<String> {
    let facts = support::tree::facts(file);
    let pass = file.parent().is_some_and(|d| d.ends_with("pass"));
    let report = Engine::new(vec![rule])
        .with_config(config(rule.code))
        .at(kcheck_model::Now::from_unix(support::tree::TREE_NOW))
        .run_with_node(
            &Inventory::default(),
            Some(&facts),
            ALL_EVIDENCE,
            kcheck_model::Inputs::default(),
        );
    // A node rule's pass case must have looked at something: a tree where the rule found
    // nothing to examine passes nothing.
    if pass {
        let item = report
            .items
            .iter()
            .find(|i| i.item.id == rule.item)
            .unwrap();
        assert_eq!(
            item.status,
            kcheck_model::Status::Pass,
            "{}: the pass case does not pass its item ({:?})",
            file.display(),
            item.reason
        );
    }
    support::node_lines(&report)
}

fn run_any(rule: &'static kcheck_rules::Rule, file: &Path) -> Vec<String> {
    match rule.check {
        kcheck_rules::Check::Node(_) => run_node(rule, file),
        _ => run(rule, file),
    }
}

#[test]
fn every_rule_passes_and_fails_its_fixtures() {
    let mut checked = 0;
    for rule in registry::all() {
        if let kcheck_rules::Check::Image { .. } = rule.check {
            // Image rules judge archives, not manifests: their pass and fail cases are image
            // facts built in tests/images.rs and tests/images_74.rs (and real archives in the
            // CLI's tests/image.rs). Each must be there.
            let tests = [include_str!("images.rs"), include_str!("images_74.rs")];
            assert!(
                tests
                    .iter()
                    .any(|t| t.contains(&format!("\"{} Fail", rule.code))
                        || t.contains(&format!("{} Warn", rule.code))),
                "{}: an image rule without exact-finding tests",
                rule.code
            );
            checked += 1;
            continue;
        }
        let dir = fixture_dir().join(rule.code);
        let pass = files(&dir.join("pass"));
        let fail = files(&dir.join("fail"));
        assert!(
            !pass.is_empty(),
            "{}: no pass fixtures in {}",
            rule.code,
            dir.display()
        );
        assert!(
            !fail.is_empty(),
            "{}: no fail fixtures in {}",
            rule.code,
            dir.display()
        );
        // A pass fixture may carry informational findings and notes (the evidence a cluster
        // rule recognised); they join the snapshot.
        let mut snapshot = Vec::new();
        for file in &pass {
            let found = run_any(rule, file);
            let (info, problems): (Vec<String>, Vec<String>) =
                found.into_iter().partition(|line| {
                    matches!(
                        line.split(' ').nth(1),
                        Some("Info" | "Evidence" | "NotExamined")
                    )
                });
            assert!(
                problems.is_empty(),
                "{}: pass fixture has findings:\n{}",
                file.display(),
                problems.join("\n")
            );
            snapshot.extend(info);
        }
        for file in &fail {
            let found = run_any(rule, file);
            assert!(
                found
                    .iter()
                    .any(|line| matches!(line.split(' ').nth(1), Some("Fail" | "Warn" | "Info"))),
                "{}: fail fixture has no finding",
                file.display()
            );
            snapshot.extend(found);
        }
        insta::assert_snapshot!(rule.code, snapshot.join("\n"));
        checked += 1;
    }
    assert_eq!(checked, registry::all().len());
    assert!(checked >= 9, "only {checked} rules");
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    for dir in files(&fixture_dir()).into_iter().filter(|d| d.is_dir()) {
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            registry::by_code(&code).is_some(),
            "fixtures for unknown rule {code}"
        );
    }
}

#[test]
fn rule_metadata_is_complete() {
    let mut codes = std::collections::HashSet::new();
    for rule in registry::all() {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        let section = rule.item.split('.').next().unwrap();
        assert_eq!(
            &rule.code[2..3],
            section,
            "{} serves item {}",
            rule.code,
            rule.item
        );
        assert!(
            kcheck_model::item(rule.item).is_some(),
            "{}: unknown item",
            rule.code
        );
        let doc = rule.doc_markdown();
        for heading in ["## What it checks", "## Why", "## Fix", "## References"] {
            assert!(doc.contains(heading), "{}: doc lacks {heading}", rule.code);
        }
        assert!(!rule.title.zh.is_empty() && !rule.fix.zh.is_empty());
    }
}

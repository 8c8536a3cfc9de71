//! A rule is one file: its section's `mod.rs` is generated from the folder, and the file is named
//! after the rule and kept in the folder of its checklist section.
//!
//! `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections` rewrites the section lists
//! (as `--test docs` rewrites `docs/rules/`); without it the test fails when one is out of date.

use kcheck_rules::registry;
use std::path::{Path, PathBuf};

/// The section folders, by the checklist section they serve.
const SECTIONS: &[(&str, &str)] = &[
    ("1", "auth"),
    ("2", "network"),
    ("3", "pod_security"),
    ("4", "audit_logging"),
    ("5", "placement"),
    ("6", "secrets"),
    ("7", "images"),
    ("8", "admission"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// What `<section>/mod.rs` must hold: its own `//!` documentation, then a module per rule file
/// and the list of their rules, both by file name.
fn generated(section: &str, current: &str) -> String {
    let mut stems: Vec<String> = std::fs::read_dir(src().join(section))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|s| s != "mod")
        .collect();
    stems.sort();
    // The folder's own documentation: the leading `//!` lines, up to the generated note.
    let mut doc: Vec<&str> = current
        .lines()
        .take_while(|l| l.starts_with("//!") && !l.starts_with("//! Generated"))
        .collect();
    while doc.last() == Some(&"//!") {
        doc.pop();
    }
    let mut out: String = doc.iter().map(|l| format!("{l}\n")).collect();
    out.push_str(
        "//!\n//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p \
         kcheck-rules --test sections`:\n//! a rule is added by adding its file.\n",
    );
    out.push('\n');
    for s in &stems {
        out.push_str(&format!("mod {s};\n"));
    }
    out.push_str("\npub static RULES: &[&crate::Rule] = &[\n");
    for s in &stems {
        out.push_str(&format!("    &{s}::RULE,\n"));
    }
    out.push_str("];\n");
    out
}

#[test]
fn section_lists_are_generated_from_their_folders() {
    let update = std::env::var_os("KCHECK_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (_, section) in SECTIONS {
        let path = src().join(section).join("mod.rs");
        let current = std::fs::read_to_string(&path).unwrap();
        let want = generated(section, &current);
        if current != want {
            if update {
                std::fs::write(&path, want).unwrap();
            } else {
                stale.push(section.to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections"
    );
}

#[test]
fn each_rule_file_is_named_after_its_rule_in_its_sections_folder() {
    let mut wrong = Vec::new();
    for rule in registry::all() {
        let file = Path::new(rule.file);
        let stem = file.file_stem().unwrap().to_string_lossy();
        let folder = file
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_string_lossy();
        let section = rule.item.split('.').next().unwrap();
        let want_folder = SECTIONS.iter().find(|(s, _)| *s == section).unwrap().1;
        let want_stem = rule.name.replace('-', "_");
        if stem != want_stem || folder != want_folder {
            wrong.push(format!(
                "{} ({}, item {}): {} should be {want_folder}/{want_stem}.rs",
                rule.code, rule.name, rule.item, rule.file
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

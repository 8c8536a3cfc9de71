//! The layering `docs/ARCHITECTURE.md` draws, held by a test:
//!
//! - between crates: each crate depends only on the kcheck crates below it;
//! - inside `kcheck-rules`: the framework (`rule.rs`, `engine.rs`, `registry.rs`, ...) and the
//!   analyses (`analysis/`) import no section folder (the crate root alone declares them) (`auth/`, `network/`, ...); a rule file
//!   imports no other section and no other rule file. Sections are private modules, so no other
//!   crate can reach a rule but through the registry (the compiler holds that part).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SECTIONS: &[&str] = &[
    "auth",
    "network",
    "pod_security",
    "audit_logging",
    "placement",
    "secrets",
    "images",
    "admission",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The kcheck crates a crate's `[dependencies]` name (dev-dependencies are free).
fn kcheck_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut deps = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && line.starts_with("kcheck") {
            let name = line.split(['=', ' ', '.']).next().unwrap_or_default();
            deps.insert(name.to_string());
        }
    }
    deps
}

#[test]
fn crates_depend_only_downwards() {
    // What each crate may use. A new edge is a design decision: change this table and the
    // picture in docs/ARCHITECTURE.md together.
    let allowed: &[(&str, &[&str])] = &[
        ("model", &[]),
        ("load", &["kcheck-model"]),
        ("pki", &["kcheck-model"]),
        ("image", &["kcheck-model"]),
        ("pss", &["kcheck-model"]),
        ("report", &["kcheck-model"]),
        ("node", &["kcheck-model", "kcheck-load", "kcheck-pki"]),
        ("rules", &["kcheck-model", "kcheck-pss", "kcheck-pki"]),
        ("cluster", &["kcheck-model", "kcheck-load"]),
        ("scan", &["kcheck-model", "kcheck-load", "kcheck-rules"]),
        (
            "webhook",
            &[
                "kcheck-model",
                "kcheck-load",
                "kcheck-rules",
                "kcheck-cluster",
            ],
        ),
        (
            "cli",
            &[
                "kcheck-model",
                "kcheck-load",
                "kcheck-pki",
                "kcheck-pss",
                "kcheck-rules",
                "kcheck-report",
                "kcheck-node",
                "kcheck-cluster",
                "kcheck-webhook",
                "kcheck-scan",
                "kcheck-image",
            ],
        ),
        (
            "bench",
            &[
                "kcheck-model",
                "kcheck-load",
                "kcheck-rules",
                "kcheck-report",
                "kcheck-scan",
            ],
        ),
    ];
    let mut crates: Vec<String> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    for name in &crates {
        let Some((_, may)) = allowed.iter().find(|(c, _)| c == name) else {
            panic!("crates/{name} is not in the layering table of tests/layering.rs");
        };
        let deps = kcheck_dependencies(&workspace().join("crates").join(name).join("Cargo.toml"));
        let extra: Vec<&String> = deps.iter().filter(|d| !may.contains(&d.as_str())).collect();
        assert!(
            extra.is_empty(),
            "crates/{name} depends on {extra:?}, above or beside it in the layering"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module paths a file names: `crate::x::y`, `super::x` and `kcheck_rules::x`, comments
/// left out.
fn paths_named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for prefix in ["crate::", "super::"] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let after = &rest[at + prefix.len()..];
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(after.len());
                out.push(format!("{prefix}{}", &after[..end]));
                rest = &after[end..];
            }
        }
    }
    out
}

#[test]
fn the_framework_and_the_analyses_import_no_section_and_rules_import_no_rule() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        let first = rel.split('/').next().unwrap_or_default();
        let section = SECTIONS.iter().find(|s| **s == first).copied();
        // lib.rs declares the sections and hands their rules to the registry.
        if rel == "lib.rs" {
            continue;
        }
        for path in paths_named(&text) {
            let segs: Vec<&str> = path.split("::").collect();
            match (section, segs.as_slice()) {
                // Anything outside a section: no path into a section.
                (None, ["crate", s, ..]) if SECTIONS.contains(s) => {
                    wrong.push(format!("{rel} imports the section module {path}"));
                }
                // A rule file: no other section, no other rule file.
                (Some(own), ["crate", s, ..]) if SECTIONS.contains(s) && *s != own => {
                    wrong.push(format!("{rel} imports another section: {path}"));
                }
                (Some(own), ["crate", s, m, ..]) if *s == own && *m != "RULES" => {
                    wrong.push(format!("{rel} imports another rule file: {path}"));
                }
                (Some(_), ["super", m, ..])
                    if !rel.ends_with("mod.rs")
                        && !m.is_empty()
                        && *m != "*"
                        && is_module(&src, first, m) =>
                {
                    wrong.push(format!("{rel} imports another rule file: {path}"));
                }
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    // A section folder holds rules only: each file but mod.rs declares one.
    for section in SECTIONS {
        for entry in std::fs::read_dir(src.join(section)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "mod.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                text.matches("declare_rule!").count(),
                1,
                "{section}/{name}: a section folder holds rules only, one per file (shared code \
                 goes to analysis/)"
            );
        }
    }
}

/// Whether `name` is a module of the section folder (a rule file), not an item of the file's own
/// `mod tests { use super::* }`.
fn is_module(src: &Path, section: &str, name: &str) -> bool {
    src.join(section).join(format!("{name}.rs")).exists() || src.join(section).join(name).is_dir()
}

#[test]
fn the_check_catches_what_it_is_for() {
    let named = paths_named(
        "use crate::auth::rbac::Rbac; // crate::network::x\nlet x = super::cni::plugins(); use super::*;",
    );
    assert_eq!(
        named,
        ["crate::auth::rbac::Rbac", "super::cni::plugins", "super::"]
    );
}

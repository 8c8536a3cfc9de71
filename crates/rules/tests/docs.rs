//! `docs/rules/` is generated from the rules' doc comments; this test fails when it drifts.
//! Regenerate with `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test docs`.

use kcheck_rules::registry;
use std::path::Path;

#[test]
fn generated_rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var_os("KCHECK_UPDATE_DOCS").is_some();
    let mut expected: Vec<(String, String)> = registry::all()
        .iter()
        .map(|r| (format!("{}.md", r.code), registry::doc_page(r)))
        .collect();
    expected.push(("README.md".into(), registry::doc_index()));
    // The Chinese pages of the rules that have Chinese documentation, and their index.
    expected.extend(
        registry::all()
            .iter()
            .filter_map(|r| Some((format!("zh/{}.md", r.code), registry::doc_page_zh(r)?))),
    );
    expected.push(("zh/README.md".into(), registry::doc_index_zh()));
    if update {
        std::fs::create_dir_all(dir.join("zh")).unwrap();
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let listed = |sub: &str| -> Vec<String> {
        std::fs::read_dir(dir.join(sub))
            .map(|rd| {
                rd.filter_map(|e| {
                    let e = e.ok()?;
                    if e.file_type().ok()?.is_dir() {
                        return None;
                    }
                    Some(format!("{sub}{}", e.file_name().into_string().ok()?))
                })
                .collect()
            })
            .unwrap_or_default()
    };
    let mut on_disk = listed("");
    on_disk.extend(listed("zh/"));
    for name in on_disk {
        if !expected.iter().any(|(n, _)| *n == name) {
            if update {
                let _ = std::fs::remove_file(dir.join(&name));
            } else {
                stale.push(format!(
                    "{name} (no such rule, or no Chinese documentation)"
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date: {stale:?}; run KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test docs"
    );
}

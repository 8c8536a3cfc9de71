//! `examples/demo-cluster/README.md` promises, item by item, what is wrong in the demo and where:
//! each row must be what kcheck reports, so that the first thing a new user reads is true.
//! Unmarked rows are found by `kcheck scan`, rows marked (dump) by `kcheck cluster --from-dump`,
//! rows marked (node) only by a node scan (not checked here). The "deliberately right" rows must
//! have no failing or warning finding of their items in their files.

#[path = "support/mod.rs"]
mod support;
use support::{json, root};

struct Row {
    items: Vec<String>,
    files: Vec<String>,
    what: String,
}

/// The rows of the Markdown table that follows `heading`.
fn rows(readme: &str, heading: &str) -> Vec<Row> {
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no section {heading}"));
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| item") && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "{l}");
            let items = cells[0]
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| s.len() == 3 && s.as_bytes()[1] == b'.')
                .map(str::to_string)
                .collect();
            let files = cells[1]
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|f| f.ends_with(".yaml") || f.ends_with(".json"))
                .map(str::to_string)
                .collect();
            Row {
                items,
                files,
                what: cells[2].to_string(),
            }
        })
        .collect()
}

fn run(args: &[&str]) -> serde_json::Value {
    json(&support::command(args).output().unwrap())
}

/// Unwaived findings of `item` located in `file` (scan findings have files): all of them, or
/// only failing and warning ones.
fn found_in(report: &serde_json::Value, item: &str, file: &str, info: bool) -> Vec<String> {
    let suffix = format!("examples/demo-cluster/{file}");
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["item"] == item
                && f["waived"] == false
                && (info || f["level"] != "info")
                && f["location"]["file"]
                    .as_str()
                    .is_some_and(|l| l.ends_with(&suffix))
        })
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect()
}

fn status<'a>(report: &'a serde_json::Value, item: &str) -> &'a str {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == item)
        .unwrap()["status"]
        .as_str()
        .unwrap()
}

#[test]
fn the_demo_readme_promises_what_kcheck_reports() {
    let readme = std::fs::read_to_string(root().join("examples/demo-cluster/README.md")).unwrap();
    let scan = run(&["scan", "examples/demo-cluster", "--format", "json"]);
    let dump = run(&[
        "cluster",
        "--from-dump",
        "examples/demo-cluster",
        "--format",
        "json",
    ]);
    let wrong = rows(&readme, "## What is deliberately wrong");
    assert!(wrong.len() > 50, "{} rows", wrong.len());
    let mut broken = Vec::new();
    for row in &wrong {
        let item = &row.items[0];
        if row.what.contains("(node)") {
            continue;
        }
        if row.what.contains("(dump)") {
            let findings = dump["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| &f["item"] == item && f["waived"] == false)
                .count();
            if findings == 0 {
                broken.push(format!(
                    "{item} (dump): {}, no finding",
                    status(&dump, item)
                ));
            }
            continue;
        }
        if row.files.is_empty() {
            continue;
        }
        for file in &row.files {
            if found_in(&scan, item, file, true).is_empty() {
                broken.push(format!("{item} {file}: nothing found ({})", row.what));
            }
        }
    }
    // Files that hold other objects beside the one the row praises (the namespaces file, the
    // team bindings) are left out: the wrong table covers their other objects.
    let shared = ["namespaces/namespaces.yaml", "rbac/team-bindings.yaml"];
    for row in rows(&readme, "## What is deliberately right") {
        for file in row.files.iter().filter(|f| !shared.contains(&f.as_str())) {
            for item in &row.items {
                let found = found_in(&scan, item, file, false);
                if !found.is_empty() {
                    broken.push(format!("{item} {file} should be clean: {found:?}"));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "README rows kcheck does not bear out:\n{}",
        broken.join("\n")
    );
}

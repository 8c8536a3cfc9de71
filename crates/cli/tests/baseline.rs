//! `--baseline` and `kcheck diff` end to end: the demo is scanned, then changed so that one
//! finding is fixed, one is added and a file's lines all move; the second run against the first
//! report marks exactly one finding new and one fixed, the exit code counts only the new one,
//! SARIF carries the baseline states and stays valid, and `kcheck diff` says the same.

use serde_json::Value;
use std::path::Path;
use std::process::Output;

#[path = "support/mod.rs"]
mod support;
use support::{command, json, root, stdout, TempDir};

fn kcheck(args: &[&str]) -> Output {
    command(args).output().expect("run kcheck")
}

const FIXED: &str =
    "KC301|DaemonSet/logging/fluent-bit|spec.template.spec.containers[0].securityContext.privileged";
const ADDED: &str = "KC302|DaemonSet/monitoring/node-exporter|spec.template.spec.hostIPC";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The demo copied into `dir/demo`, its JSON report as `dir/old.json`, then the demo changed:
/// fluent-bit no longer privileged (KC301 fixed), node-exporter shares the host's IPC
/// namespace (KC302 added), and every line of cilium.yaml one further down (nothing changes).
fn scanned_then_changed(dir: &TempDir) -> (String, String) {
    let demo = dir.path("demo");
    copy_dir(&root().join("examples/demo-cluster"), &demo);
    let (demo_s, old) = (
        demo.display().to_string(),
        dir.path("old.json").display().to_string(),
    );
    let o = kcheck(&["scan", &demo_s, "--format", "json", "-o", &old]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    edit(
        &demo.join("logging/fluent-bit.yaml"),
        "            privileged: true",
        "            privileged: false",
    );
    edit(
        &demo.join("monitoring/node-exporter.yaml"),
        "      hostNetwork: true\n",
        "      hostNetwork: true\n      hostIPC: true\n",
    );
    let cilium = demo.join("kube-system/cilium.yaml");
    let text = std::fs::read_to_string(&cilium).unwrap();
    std::fs::write(&cilium, format!("# moved down a line\n{text}")).unwrap();
    (demo_s, old)
}

fn prints(report: &Value, state: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == state)
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_fix_and_a_new_finding_against_the_baseline() {
    let dir = TempDir::new("baseline-demo");
    let (demo, old) = scanned_then_changed(&dir);
    let before: Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    let total = before["findings"].as_array().unwrap().len();

    let o = kcheck(&["scan", &demo, "--baseline", &old, "--format", "json"]);
    let report = json(&o);
    assert_eq!(prints(&report, "new"), [ADDED]);
    assert_eq!(prints(&report, "existing").len(), total - 1);
    let b = &report["baseline"];
    assert_eq!(b["file"], old.as_str());
    assert_eq!(
        (b["new"].as_u64(), b["existing"].as_u64()),
        (Some(1), Some(total as u64 - 1))
    );
    assert_eq!(b["fixed_count"], 1);
    assert_eq!(b["fixed"][0]["fingerprint"], FIXED);
    assert_eq!(b["fixed"][0]["code"], "KC301");
    assert_eq!(b["notes"], serde_json::json!([]));
    // The outcome is said on standard error too, for CI logs.
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        format!(
            "kcheck: baseline {old}: 1 new, {} existing, 1 fixed",
            total - 1
        )
    );
    // The new finding is high: it fails at high, not at critical, though the demo still has
    // critical findings (existing ones).
    let code = |fail_on: &str, baseline: bool| {
        let mut args = vec![
            "scan",
            demo.as_str(),
            "--fail-on",
            fail_on,
            "--format",
            "json",
        ];
        if baseline {
            args.extend(["--baseline", old.as_str()]);
        }
        kcheck(&args).status.code()
    };
    // The human formats mark the new finding and list the fixed one.
    let table = stdout(&kcheck(&[
        "scan",
        &demo,
        "--baseline",
        &old,
        "--color",
        "never",
    ]));
    assert_eq!(table.matches("[new]").count(), 1, "{table}");
    let marked = table.lines().find(|l| l.contains("[new]")).unwrap();
    assert!(
        marked.contains("DaemonSet monitoring/node-exporter"),
        "{marked}"
    );
    let fixed = table.split("\nFixed since the baseline\n").nth(1).unwrap();
    assert!(
        fixed.starts_with("  KC301 critical DaemonSet logging/fluent-bit"),
        "{fixed}"
    );
    assert!(table.contains(&format!(
        "baseline {old}: 1 new, {} existing, 1 fixed\n",
        total - 1
    )));
    let md = stdout(&kcheck(&[
        "scan",
        &demo,
        "--baseline",
        &old,
        "--format",
        "markdown",
    ]));
    assert_eq!(md.matches("**[new]**").count(), 1);
    assert!(md.contains("- **fail high** `KC302` DaemonSet monitoring/node-exporter **[new]**\n"));
    assert!(md
        .contains("## Fixed since the baseline\n\n- KC301 critical DaemonSet logging/fluent-bit "));
    let zh = stdout(&kcheck(&[
        "scan",
        &demo,
        "--baseline",
        &old,
        "--lang",
        "zh",
        "--color",
        "never",
    ]));
    assert_eq!(zh.matches("[新增]").count(), 1);
    assert!(
        zh.contains("\n自基线以来已修复\n  KC301 严重 DaemonSet logging/fluent-bit"),
        "{zh}"
    );
    let html = stdout(&kcheck(&[
        "scan",
        &demo,
        "--baseline",
        &old,
        "--format",
        "html",
    ]));
    assert_eq!(html.matches("<span class=\"new\">new</span>").count(), 1);
    assert!(html.contains("<h2 id=\"fixed\">Fixed since the baseline</h2>\n<ul class=\"f\">\n<li>KC301 critical DaemonSet logging/fluent-bit "));
    assert_eq!(code("high", true), Some(1));
    assert_eq!(code("critical", true), Some(0));
    assert_eq!(code("critical", false), Some(1));
}

#[test]
fn sarif_carries_baseline_states_and_stays_valid() {
    let dir = TempDir::new("baseline-sarif");
    let (demo, old) = scanned_then_changed(&dir);
    let schema_path = root().join("schemas/sarif-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft4::options().build(&schema).unwrap();
    let o = kcheck(&["scan", &demo, "--baseline", &old, "--format", "sarif"]);
    let doc = json(&o);
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let with = |state: &str| -> Vec<&str> {
        results
            .iter()
            .filter(|r| r["baselineState"] == state)
            .map(|r| r["partialFingerprints"]["kcheck/v1"].as_str().unwrap())
            .collect()
    };
    assert_eq!(with("new"), [ADDED]);
    assert_eq!(with("absent"), [FIXED]);
    assert_eq!(with("unchanged").len(), results.len() - 2);
    // The absent result keeps where it was and what it said.
    let absent = results
        .iter()
        .find(|r| r["baselineState"] == "absent")
        .unwrap();
    assert_eq!(absent["ruleId"], "KC301");
    assert_eq!(absent["level"], "error");
    assert!(
        absent["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("logging/fluent-bit.yaml")
    );
}

#[test]
fn diff_lists_the_fix_and_the_new_finding() {
    let dir = TempDir::new("baseline-diff");
    let (demo, old) = scanned_then_changed(&dir);
    let new = dir.path("new.json").display().to_string();
    let o = kcheck(&["scan", &demo, "--format", "json", "-o", &new]);
    assert_eq!(o.status.code(), Some(1));
    let total = json(&kcheck(&["diff", &old, &new, "-f", "json"]))["summary"].clone();
    assert_eq!(
        total,
        serde_json::json!({"new": 1, "fixed": 1, "changed": 0, "unchanged": 175, "status_changed": 0})
    );
    let o = kcheck(&["diff", &old, &new]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o).replace(&format!("{demo}/"), "");
    assert_eq!(
        text,
        format!(
            "kcheck diff  {old} (kcheck {v}) → {new} (kcheck {v})\n\
             1 new, 1 fixed, 0 changed, 175 unchanged; 0 items changed status\n\
             \n\
             3.2  An appropriate Pod Security Standard is enforced on every namespace  FAIL\n  \
             new      KC302 high DaemonSet monitoring/node-exporter monitoring/node-exporter.yaml:29:7: hostIPC is true: the pod shares the node's shared memory\n  \
             fixed    KC301 critical DaemonSet logging/fluent-bit logging/fluent-bit.yaml:97:13: container \"fluent-bit\" runs privileged: it has every capability and the host's devices\n",
            v = env!("CARGO_PKG_VERSION")
        )
    );
    // Markdown for a pull request, in Chinese.
    let o = kcheck(&["diff", &old, &new, "-f", "markdown", "--lang", "zh"]);
    let md = stdout(&o);
    assert!(md.starts_with("## kcheck 对比\n"), "{md}");
    assert!(
        md.contains("**新增 1，已修复 1，有变化 0，未变 175；0 个检查项状态改变**"),
        "{md}"
    );
    assert!(
        md.contains("| 3.2 对所有名字空间强制执行适当的 Pod 安全标准 | 不通过 | 1 | 1 | 0 |"),
        "{md}"
    );
    // The new finding is high: --fail-on high fails the diff, critical does not.
    assert_eq!(
        kcheck(&["diff", &old, &new, "--fail-on", "high"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        kcheck(&["diff", &old, &new, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    // The same report twice: nothing moved.
    let o = kcheck(&["diff", &old, &old]);
    assert!(stdout(&o)
        .ends_with("\nNothing changed: the same findings, every item with the same status.\n"));
}

#[test]
fn a_baseline_without_fingerprints_is_matched_by_its_fields() {
    let dir = TempDir::new("baseline-old-version");
    let (demo, old) = scanned_then_changed(&dir);
    // As a kcheck before fingerprints (and before tool.rules) wrote it, by another version.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    for f in doc["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("fingerprint");
    }
    doc["tool"] = serde_json::json!({"name": "kcheck", "version": "0.0.9"});
    let legacy = dir.write("legacy.json", serde_json::to_vec(&doc).unwrap());
    let legacy = legacy.display().to_string();
    let o = kcheck(&["scan", &demo, "--baseline", &legacy, "--format", "json"]);
    let report = json(&o);
    assert_eq!(prints(&report, "new"), [ADDED]);
    assert_eq!(report["baseline"]["fixed"][0]["fingerprint"], FIXED);
    assert_eq!(report["baseline"]["tool_version"], "0.0.9");
    let notes = report["baseline"]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]
        .as_str()
        .unwrap()
        .starts_with("the baseline was written by kcheck 0.0.9, this is "));
}

#[test]
fn findings_of_rules_this_run_does_not_have_are_neither_fixed_nor_new() {
    let dir = TempDir::new("baseline-unknown-rule");
    let (demo, old) = scanned_then_changed(&dir);
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    let mut extra = doc["findings"][0].clone();
    extra["code"] = "KC999".into();
    extra["fingerprint"] = "KC999|Pod/a/b|spec".into();
    doc["findings"].as_array_mut().unwrap().push(extra);
    // And a rule the baseline's run did not have: KC302's findings are then all new.
    let rules = doc["tool"]["rules"].as_array_mut().unwrap();
    rules.retain(|r| r != "KC302");
    let path = dir.write("with-unknown.json", serde_json::to_vec(&doc).unwrap());
    let o = kcheck(&[
        "scan",
        &demo,
        "--baseline",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = json(&o);
    let b = &report["baseline"];
    assert_eq!(b["fixed_count"], 1, "{b}");
    let notes: Vec<&str> = b["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "the baseline has 1 findings of rules this run did not run (KC999): they are neither fixed nor new",
            "the baseline's run did not run KC302: their findings count as new",
        ]
    );
}

#[test]
fn baselines_that_are_not_kcheck_json_reports_are_refused_clearly() {
    let dir = TempDir::new("baseline-refused");
    let demo = "examples/demo-cluster";
    let cases: [(&str, &str, &str); 6] = [
        ("broken.json", "{\"schema\": 1,\n  \"tool\": ", "broken.json:2:10: not valid JSON: EOF while parsing a value"),
        ("sarif.json", r#"{"$schema": "x", "version": "2.1.0", "runs": []}"#, "sarif.json: this is a SARIF log; a baseline is a kcheck JSON report (--format json)"),
        ("other.json", r#"{"schema": 1, "tool": {"name": "trivy"}}"#, "other.json: not a kcheck JSON report (no \"tool\": {\"name\": \"kcheck\"}; make one with --format json)"),
        ("pss.json", r#"{"schema": 1, "kind": "pss", "tool": {"name": "kcheck", "version": "0.1.0"}}"#, "pss.json: a `kcheck pss` report; a baseline is the JSON report of scan, cluster or node"),
        ("future.json", r#"{"schema": 2, "tool": {"name": "kcheck", "version": "9.0.0"}, "findings": {}}"#, "future.json: JSON report schema 2, written by kcheck 9.0.0; this kcheck"),
        ("shape.json", r#"{"schema": 1, "tool": {"name": "kcheck"}, "findings": [{"code": 3}]}"#, "shape.json:1:66: not a kcheck JSON report (make one with --format json): invalid type: integer `3`, expected a string"),
    ];
    for (name, text, message) in cases {
        let path = dir.write(name, text);
        let o = kcheck(&["scan", demo, "--baseline", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        let expected = format!("kcheck: --baseline {}", dir.path(message).display());
        assert!(
            err.starts_with(&expected),
            "{name}: {err}\nexpected: {expected}"
        );
        assert!(
            o.stdout.is_empty(),
            "{name}: no report without its baseline"
        );
    }
    // In Chinese under --lang zh.
    let sarif = dir.path("sarif.json").display().to_string();
    let o = kcheck(&["scan", demo, "--baseline", &sarif, "--lang", "zh"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!("kcheck: --baseline {sarif}：这是 SARIF 日志；基线应是 kcheck 的 JSON 报告（--format json）\n")
    );
    // A baseline that does not exist is said before the run.
    let o = kcheck(&["scan", demo, "--baseline", "no/such.json"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("kcheck: --baseline no/such.json: "));
    // diff names both when both are wrong.
    let bad = dir.path("broken.json").display().to_string();
    let o = kcheck(&["diff", &bad, &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 2);
}

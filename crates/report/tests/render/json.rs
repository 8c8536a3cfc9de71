use crate::out;
use kcheck_model::{Lang, ITEMS};
use kcheck_report::Format;
use serde_json::{json, Value};

fn parse(lang: Lang) -> Value {
    serde_json::from_str(&out(Format::Json, lang)).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn top_level_and_summary() {
    let text = out(Format::Json, Lang::En);
    assert!(
        text.starts_with("{\n  \"schema\": 1,\n  \"tool\": {"),
        "{text}"
    );
    let v = parse(Lang::En);
    assert_eq!(
        keys(&v),
        ["evidence", "findings", "inputs", "items", "schema", "summary", "tool", "waivers"]
    );
    // The rules the run ran, so that a later run compared with this one tells a rule that found
    // nothing from one that did not run.
    let rules: Vec<&str> = crate::fixture::report()
        .rules
        .iter()
        .map(|r| r.code)
        .collect();
    assert!(!rules.is_empty());
    assert_eq!(
        v["tool"],
        json!({"name": "kcheck", "version": "0.1.0", "rules": rules})
    );
    assert_eq!(v["evidence"], json!(["objects"]));
    assert_eq!(
        v["summary"],
        json!({
            "status": {"pass": 15, "fail": 3, "warn": 1, "manual": 1, "not_evaluated": 14, "error": 1},
            "severity": {"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 1},
            "score": {"items": 35, "evaluated": 19, "passed": 15},
            "sections": [
                {"section": 1, "items": 6, "evaluated": 2, "passed": 0},
                {"section": 2, "items": 7, "evaluated": 4, "passed": 3},
                {"section": 3, "items": 6, "evaluated": 6, "passed": 6},
                {"section": 4, "items": 2, "evaluated": 0, "passed": 0},
                {"section": 5, "items": 2, "evaluated": 2, "passed": 2},
                {"section": 6, "items": 5, "evaluated": 2, "passed": 2},
                {"section": 7, "items": 4, "evaluated": 2, "passed": 1},
                {"section": 8, "items": 3, "evaluated": 1, "passed": 1}
            ],
            "findings": 5, "waived": 1, "files_read": 3, "objects": 4, "errors": 1
        })
    );
}

#[test]
fn items_are_the_35_in_checklist_order() {
    let v = parse(Lang::En);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 35);
    for (item, expected) in items.iter().zip(ITEMS.iter()) {
        assert_eq!(item["id"], expected.id);
        assert_eq!(item["section"], expected.section);
        assert_eq!(item["title"]["en"], expected.title.en.as_ref());
        assert_eq!(item["title"]["zh"], expected.title.zh.as_ref());
        assert_eq!(
            keys(item),
            [
                "evidence",
                "examined",
                "finding_count",
                "findings",
                "id",
                "not_examined",
                "reason",
                "section",
                "status",
                "title"
            ]
        );
    }
    assert_eq!(items[0]["status"], "fail");
    assert_eq!(items[0]["findings"], json!(["KC101"]));
    assert_eq!(items[0]["finding_count"], 2);
    assert_eq!(items[0]["reason"], Value::Null);
    assert_eq!(items[0]["examined"], 4);
    assert_eq!(items[1]["status"], "not_evaluated");
    assert_eq!(items[1]["reason"], "needs a node scan: kcheck node");
    assert_eq!(items[4]["status"], "manual");
    assert_eq!(items[6]["status"], "not_evaluated");
    assert_eq!(items[7]["id"], "2.2");
    assert_eq!(items[7]["status"], "warn");
    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(by_id("3.2")["status"], "pass");
    assert_eq!(by_id("3.2")["findings"], json!([]));
    assert_eq!(by_id("6.1")["status"], "error");
    assert_eq!(by_id("6.1")["reason"], "a rule panicked");
}

#[test]
fn findings_carry_every_field() {
    let v = parse(Lang::En);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 5);
    assert_eq!(
        f[0],
        json!({
            "code": "KC101", "rule": "system-masters-binding", "item": "1.1",
            "severity": "high", "level": "fail",
            "object": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                       "namespace": null, "name": "admins"},
            "path": "subjects[0].name",
            "location": {"file": "rbac.yaml", "line": 12, "column": 5},
            "source": null,
            "message": "ClusterRoleBinding admins binds group system:masters",
            "fix": "fix KC101 by doing the right thing",
            "waived": false,
            "waiver": null,
            "fingerprint": "KC101|ClusterRoleBinding/admins|subjects[0].name"
        })
    );
    assert_eq!(f[1]["waived"], true);
    assert_eq!(
        f[1]["waiver"],
        json!({"source": "waivers.yaml:3", "reason": "bootstrap only (SEC-1)"})
    );
    assert_eq!(
        v["waivers"],
        json!({"applied": 1, "problems": [{"source": "waivers.yaml:9", "kind": "expired",
               "message": "waiver for KC3* expired on 2020-01-31"}]})
    );
    assert_eq!(f[2]["object"]["namespace"], "prod");
    assert_eq!(f[3]["location"], Value::Null);
    assert_eq!(f[3]["level"], "warn");
    assert_eq!(
        f[3]["source"],
        "/apis/apps/v1/namespaces/prod/deployments/web"
    );
    assert_eq!(f[4]["severity"], "info");
}

/// A finding's fingerprint is the same in JSON and SARIF (a baseline of either kind matches the
/// other), and names no line: the API-sourced one falls back to its source, not a position.
#[test]
fn fingerprints_match_sarif() {
    let v = parse(Lang::En);
    let sarif: Value =
        serde_json::from_str(&crate::out(kcheck_report::Format::Sarif, Lang::En)).unwrap();
    let from_sarif: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["partialFingerprints"]["kcheck/v1"])
        .collect();
    let from_json: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["fingerprint"])
        .collect();
    assert_eq!(from_json, from_sarif);
    assert_eq!(
        from_json[3],
        "KC221|Deployment/prod/web|/apis/apps/v1/namespaces/prod/deployments/web"
    );
    assert!(from_json
        .iter()
        .all(|f| !f.as_str().unwrap().contains(":12")));
}

#[test]
fn inputs_block() {
    let v = parse(Lang::En);
    assert_eq!(
        v["inputs"],
        json!({
            "files_read": 3, "bytes_read": 1234, "documents": 5, "objects": 4, "files_skipped": 2,
            "skipped": [{"path": "chart/templates/x.yaml", "reason": "Helm template source"}],
            "diagnostics": [
                {"file": "bad.yaml", "line": 3, "column": 7, "severity": "error",
                 "message": "mapping values are not allowed here"},
                {"file": "dup.yaml", "line": 0, "column": 0, "severity": "warning",
                 "message": "duplicate key image"}
            ]
        })
    );
}

#[test]
fn chinese_strings_in_a_chinese_run() {
    let v = parse(Lang::Zh);
    assert_eq!(v["items"][1]["reason"], "需要节点扫描：kcheck node");
    assert_eq!(
        v["findings"][0]["message"],
        "ClusterRoleBinding admins 绑定了 system:masters 组"
    );
    assert_eq!(v["findings"][0]["fix"], "修复 KC101：按正确方式配置");
    assert_eq!(v["inputs"]["skipped"][0]["reason"], "Helm 模板源文件");
    // Machine fields do not change with the language.
    assert_eq!(v["items"][1]["status"], "not_evaluated");
    assert_eq!(v["findings"][0]["severity"], "high");
}

/// A report compared with its own JSON: nothing new, nothing fixed. Without one finding the
/// saved report makes that finding new; with one more, that one is fixed. Both show in the JSON.
#[test]
fn a_report_against_its_own_json_and_an_edited_one() {
    let report = crate::fixture::report();
    let text = kcheck_report::render(&report, Format::Json, &Default::default());
    let saved = kcheck_report::saved::parse_report(&text, "old.json").unwrap();
    assert_eq!(saved.findings.len(), report.findings.len());
    let same = kcheck_report::saved::compare(&report, saved.clone());
    assert_eq!(
        (same.new_count, same.existing_count),
        (0, report.findings.len())
    );
    assert!(same.fixed.is_empty() && same.notes.is_empty());

    let mut edited = saved.clone();
    let dropped = edited.findings.remove(0);
    let mut gone = edited.findings[0].clone();
    gone.fingerprint = format!("{}|gone", gone.fingerprint);
    edited.findings.push(gone.clone());
    let b = kcheck_report::saved::compare(&report, edited);
    assert_eq!(b.new_count, 1);
    assert_eq!(b.state(0), kcheck_model::BaselineState::New);
    assert_eq!(b.fixed, [gone]);

    let mut with = crate::fixture::report();
    with.baseline = Some(Box::new(b));
    let v: Value = serde_json::from_str(&kcheck_report::render(
        &with,
        Format::Json,
        &Default::default(),
    ))
    .unwrap();
    assert_eq!(v["findings"][0]["baseline"], "new");
    assert_eq!(
        v["findings"][0]["fingerprint"],
        dropped.fingerprint.as_str()
    );
    assert_eq!(v["findings"][1]["baseline"], "existing");
    assert_eq!(v["baseline"]["new"], 1);
    assert_eq!(v["baseline"]["fixed_count"], 1);
    assert_eq!(
        v["baseline"]["fixed"][0]["fingerprint"],
        format!("{}|gone", v["findings"][1]["fingerprint"].as_str().unwrap())
    );
    // Without a baseline neither key is there.
    let plain = parse(Lang::En);
    assert!(plain.get("baseline").is_none());
    assert!(plain["findings"][0].get("baseline").is_none());
}

/// Reading a baseline from its file in three light passes gives what reading it whole gives,
/// with and without fingerprints in it.
#[test]
fn a_baseline_read_from_its_file_compares_as_one_read_whole() {
    let report = crate::fixture::report();
    let text = kcheck_report::render(&report, Format::Json, &Default::default());
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    // One finding gone from the baseline (so new in the run), one more in it (so fixed).
    let findings = doc["findings"].as_array_mut().unwrap();
    findings.remove(1);
    let mut extra = findings[0].clone();
    extra["fingerprint"] = format!("{}|gone", extra["fingerprint"].as_str().unwrap()).into();
    findings.push(extra);
    let dir = std::env::temp_dir().join(format!("kcheck-baseline-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for strip in [false, true] {
        let mut doc = doc.clone();
        if strip {
            for f in doc["findings"].as_array_mut().unwrap() {
                f.as_object_mut().unwrap().remove("fingerprint");
            }
        }
        let text = serde_json::to_string(&doc).unwrap();
        let path = dir.join("old.json");
        std::fs::write(&path, &text).unwrap();
        let whole = kcheck_report::saved::compare(
            &report,
            kcheck_report::saved::parse_report(&text, &path.display().to_string()).unwrap(),
        );
        let light = kcheck_report::saved::compare_file(&report, &path).unwrap();
        assert_eq!(whole.fixed, light.fixed, "strip {strip}");
        assert_eq!(whole.notes, light.notes, "strip {strip}");
        assert_eq!(
            (light.new_count, light.state(1)),
            (1, kcheck_model::BaselineState::New)
        );
        // Without fingerprints the extra finding repeats the first: its made print is `|1`.
        assert_eq!(light.fixed.len(), 1, "strip {strip}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

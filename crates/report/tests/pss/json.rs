use crate::out;
use kcheck_model::Lang;
use kcheck_report::Format;
use serde_json::{json, Value};

fn parse(lang: Lang) -> Value {
    serde_json::from_str(&out(Format::Json, lang)).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn top_level_in_order() {
    let text = out(Format::Json, Lang::En);
    // Declaration order, whatever serde_json features the binary has.
    let order = [
        "\"schema\": 1,",
        "\"kind\": \"pss\",",
        "\"tool\": {",
        "\"columns\": [",
        "\"summary\": [",
        "\"workloads\": [",
        "\"inputs\": {",
    ];
    let at: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert!(text.starts_with("{\n  \"schema\": 1,\n  \"kind\": \"pss\",\n"));
    let v = parse(Lang::En);
    let mut k = keys(&v);
    k.sort_unstable();
    assert_eq!(
        k,
        [
            "columns",
            "inputs",
            "kind",
            "schema",
            "summary",
            "tool",
            "workloads"
        ]
    );
    assert_eq!(v["schema"], 1);
    assert_eq!(v["kind"], "pss");
    assert_eq!(v["tool"], json!({"name": "kcheck", "version": "0.1.0"}));
    assert_eq!(
        v["columns"],
        json!([{"level": "baseline", "version": "v1.37"}, {"level": "restricted", "version": "v1.37"}])
    );
    assert_eq!(
        v["summary"],
        json!([
            {"level": "baseline", "version": "v1.37", "allowed": 2, "denied": 1},
            {"level": "restricted", "version": "v1.37", "allowed": 1, "denied": 2}
        ])
    );
}

#[test]
fn workloads_field_by_field() {
    let v = parse(Lang::En);
    let w = v["workloads"].as_array().unwrap();
    assert_eq!(w.len(), 3);
    for workload in w {
        let mut k = keys(workload);
        k.sort_unstable();
        assert_eq!(k, ["location", "object", "verdicts"]);
    }
    // Allowed in both.
    assert_eq!(
        w[0]["object"],
        json!({"apiVersion": "v1", "kind": "Pod", "namespace": "prod", "name": "ok"})
    );
    assert_eq!(
        w[0]["location"],
        json!({"file": "pods.yaml", "line": 1, "column": 1})
    );
    assert_eq!(
        w[0]["verdicts"],
        json!([
            {"level": "baseline", "version": "v1.37", "allowed": true, "violations": []},
            {"level": "restricted", "version": "v1.37", "allowed": true, "violations": []}
        ])
    );
    // Denied in restricted only, two violations.
    assert_eq!(w[1]["object"]["kind"], "Deployment");
    assert_eq!(w[1]["location"]["file"], "deploy/my app/web.yaml");
    assert_eq!(w[1]["location"]["line"], 3);
    assert_eq!(w[1]["verdicts"][0]["allowed"], true);
    let restricted = &w[1]["verdicts"][1];
    assert_eq!(restricted["level"], "restricted");
    assert_eq!(restricted["version"], "v1.37");
    assert_eq!(restricted["allowed"], false);
    let violations = restricted["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 2);
    assert_eq!(
        violations[0],
        json!({
            "check": "runAsNonRoot",
            "reason": "runAsNonRoot != true",
            "detail": "pod or container \"web\" must set securityContext.runAsNonRoot=true",
            "fields": [
                {"path": "spec.template.spec.securityContext.runAsNonRoot",
                 "location": {"file": "deploy/my app/web.yaml", "line": 20, "column": 7}},
                {"path": "spec.template.spec.containers[0].securityContext.runAsNonRoot",
                 "location": {"file": "deploy/my app/web.yaml", "line": 20, "column": 7}}
            ]
        })
    );
    assert_eq!(violations[1]["check"], "allowPrivilegeEscalation");
    assert_eq!(violations[1]["fields"][0]["location"]["line"], 25);
    assert_eq!(violations[1]["fields"][0]["location"]["column"], 11);
    // From the API: no location, denied in both.
    assert_eq!(w[2]["location"], Value::Null);
    assert_eq!(w[2]["object"]["namespace"], "kube-system");
    assert_eq!(w[2]["verdicts"][0]["allowed"], false);
    assert_eq!(w[2]["verdicts"][0]["violations"][0]["check"], "privileged");
    assert_eq!(
        w[2]["verdicts"][0]["violations"][0]["fields"],
        json!([{"path": "spec.template.spec.containers[0].securityContext.privileged", "location": null}])
    );
    let checks: Vec<&Value> = w[2]["verdicts"][1]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["check"])
        .collect();
    assert_eq!(checks, [&json!("privileged"), &json!("runAsNonRoot")]);
}

#[test]
fn inputs_block() {
    let v = parse(Lang::En);
    assert_eq!(
        v["inputs"],
        json!({
            "files_read": 2, "bytes_read": 2048, "documents": 3, "objects": 3, "files_skipped": 0,
            "skipped": [],
            "diagnostics": [{"file": "bad.yaml", "line": 3, "column": 7, "severity": "error",
                             "message": "mapping values are not allowed here"}]
        })
    );
}

#[test]
fn chinese_run_translates_labels_only() {
    let en = parse(Lang::En);
    let mut zh = parse(Lang::Zh);
    assert_eq!(
        zh["inputs"]["diagnostics"][0]["message"],
        "此处不允许映射值"
    );
    // Everything else, upstream's reasons and details included, is the same.
    zh["inputs"]["diagnostics"][0]["message"] = en["inputs"]["diagnostics"][0]["message"].clone();
    assert_eq!(zh, en);
}

use crate::support::{schema, uris};
use crate::{empty, fixture, out};
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};
use serde_json::{json, Value};

fn sarif(report: &kcheck_model::PssReport, lang: Lang) -> Value {
    let text = render_pss(
        report,
        Format::Sarif,
        &RenderOptions {
            lang,
            color: false,
            ..Default::default()
        },
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn validates_against_the_sarif_schema() {
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the SARIF schema compiles");
    for report in [fixture::report(), fixture::hostile(), empty()] {
        for lang in [Lang::En, Lang::Zh] {
            let doc = sarif(&report, lang);
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{lang:?}: {errors:#?}");
            let mut all = Vec::new();
            uris(&doc, &mut all);
            for u in all {
                assert!(
                    u.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@%".contains(&b)),
                    "{u} is not a URI reference"
                );
            }
        }
    }
    // The validator is not one that accepts anything.
    let mut broken = sarif(&fixture::report(), Lang::En);
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn rules_are_the_checks_seen() {
    let doc = sarif(&fixture::report(), Lang::En);
    let run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["language"], "en");
    assert_eq!(run["tool"]["driver"]["name"], "kcheck");
    assert_eq!(run["tool"]["driver"]["version"], "0.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "pss/allowPrivilegeEscalation",
            "pss/privileged",
            "pss/runAsNonRoot"
        ]
    );
    assert_eq!(rules[2]["name"], "runAsNonRoot");
    assert_eq!(
        rules[2]["shortDescription"]["text"],
        "Containers must run as non-root"
    );
    assert_eq!(rules[2]["defaultConfiguration"]["level"], "error");
    assert_eq!(
        run["properties"]["columns"],
        json!([{"level": "baseline", "version": "v1.37"}, {"level": "restricted", "version": "v1.37"}])
    );
}

#[test]
fn one_result_per_workload_column_and_violation() {
    let doc = sarif(&fixture::report(), Lang::En);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["properties"]["level"].as_str().unwrap().to_owned(),
                r["locations"][0]["logicalLocations"][0]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        summary,
        [
            s("pss/runAsNonRoot", "restricted", "Deployment/prod/web"),
            s(
                "pss/allowPrivilegeEscalation",
                "restricted",
                "Deployment/prod/web"
            ),
            s("pss/privileged", "baseline", "DaemonSet/kube-system/agent"),
            s(
                "pss/privileged",
                "restricted",
                "DaemonSet/kube-system/agent"
            ),
            s(
                "pss/runAsNonRoot",
                "restricted",
                "DaemonSet/kube-system/agent"
            ),
        ]
    );
    assert!(results.iter().all(|r| r["level"] == "error"));

    let r0 = &results[0];
    assert_eq!(r0["ruleIndex"], 2);
    assert_eq!(
        r0["message"]["text"],
        "restricted:v1.37 runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true)"
    );
    // A location per field, each with the object.
    let locations = r0["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 2);
    assert_eq!(
        locations[0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "deploy/my%20app/web.yaml"},
               "region": {"startLine": 20, "startColumn": 7}})
    );
    assert_eq!(
        locations[1]["logicalLocations"],
        json!([{"name": "Deployment/prod/web",
                "fullyQualifiedName": "Deployment/prod/web:spec.template.spec.containers[0].securityContext.runAsNonRoot",
                "kind": "resource"}])
    );
    let r1 = &results[1];
    assert_eq!(r1["ruleIndex"], 0);
    assert_eq!(
        r1["locations"][0]["physicalLocation"]["region"]["startLine"],
        25
    );
    assert_eq!(
        r1["locations"][0]["physicalLocation"]["region"]["startColumn"],
        11
    );
    // From the API: the object, no file.
    let r2 = &results[2];
    assert_eq!(r2["ruleIndex"], 1);
    assert!(r2["locations"][0].get("physicalLocation").is_none());
    assert_eq!(
        r2["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "DaemonSet/kube-system/agent:spec.template.spec.containers[0].securityContext.privileged"
    );
    assert_eq!(
        r2["message"]["text"],
        "baseline:v1.37 privileged (container \"agent\" must not set securityContext.privileged=true)"
    );
    assert_eq!(
        r2["properties"]["object"],
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "namespace": "kube-system", "name": "agent"})
    );
    // The same check in two columns: two results, told apart by their fingerprints.
    assert_ne!(r2["partialFingerprints"], results[3]["partialFingerprints"]);

    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "bad.yaml"}, "region": {"startLine": 3, "startColumn": 7}})
    );
}

#[test]
fn a_field_without_a_position_points_at_its_object() {
    let mut report = fixture::report();
    report.workloads[1].verdicts[1].violations[1].fields[0].location = None;
    let doc = sarif(&report, Lang::En);
    assert_eq!(
        doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "deploy/my%20app/web.yaml"},
               "region": {"startLine": 3, "startColumn": 1}})
    );
    // A violation without fields: one location, the object's.
    report.workloads[1].verdicts[1].violations[1].fields.clear();
    let doc = sarif(&report, Lang::En);
    let locations = doc["runs"][0]["results"][1]["locations"]
        .as_array()
        .unwrap();
    assert_eq!(locations.len(), 1);
    assert_eq!(
        locations[0]["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment/prod/web"
    );
    assert_eq!(locations[0]["physicalLocation"]["region"]["startLine"], 3);
}

#[test]
fn chinese_rule_descriptions() {
    let doc: Value = serde_json::from_str(&out(Format::Sarif, Lang::Zh)).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(run["language"], "zh-CN");
    assert_eq!(
        run["tool"]["driver"]["rules"][2]["shortDescription"]["text"],
        "容器必须以非 root 用户运行"
    );
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
        "此处不允许映射值"
    );
    // Upstream's words in the message.
    assert!(run["results"][0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("restricted:v1.37 runAsNonRoot != true ("));
}

use crate::out;
use crate::support::{schema, uris};
use kcheck_model::Lang;
use kcheck_report::Format;
use serde_json::{json, Value};

#[test]
fn validates_against_the_sarif_schema() {
    // The OASIS schema is draft-04; `uri` formats are checked, `uri-reference` is not a draft-04
    // format, so artifact URIs are checked below by hand.
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the SARIF schema compiles");
    let quiet = kcheck_report::render(
        &crate::fixture::quiet_report(),
        Format::Sarif,
        &Default::default(),
    );
    let quiet: Value = serde_json::from_str(&quiet).unwrap();
    assert!(validator.is_valid(&quiet));
    assert_eq!(quiet["runs"][0]["results"], json!([]));
    for lang in [Lang::En, Lang::Zh] {
        let doc: Value = serde_json::from_str(&out(Format::Sarif, lang)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{lang:?}: {errors:#?}");
        let mut all = Vec::new();
        uris(&doc, &mut all);
        assert!(!all.is_empty());
        for u in all {
            assert!(
                u.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@%".contains(&b)),
                "{u} is not a URI reference"
            );
        }
    }
}

#[test]
fn the_validator_rejects_a_broken_log() {
    // Guards the test above against a schema that accepts anything.
    let validator = jsonschema::draft4::new(&schema()).unwrap();
    let mut doc: Value = serde_json::from_str(&out(Format::Sarif, Lang::En)).unwrap();
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(!validator.is_valid(&doc));
}

#[test]
fn results_rules_and_locations() {
    let doc: Value = serde_json::from_str(&out(Format::Sarif, Lang::En)).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kcheck");
    assert_eq!(driver["version"], "0.1.0");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4);
    assert_eq!(rules[1]["id"], "KC161");
    assert_eq!(rules[1]["name"], "wildcard-rbac");
    assert_eq!(rules[1]["shortDescription"]["text"], "Wildcard RBAC rule");
    assert_eq!(
        rules[1]["fullDescription"]["text"],
        "Bindings of the **system:masters** group."
    );
    assert!(rules[1]["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("## What it checks"));
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[1]["properties"]["security-severity"], "9.5");
    assert_eq!(rules[1]["properties"]["item"], "1.6");
    assert_eq!(rules[2]["properties"]["security-severity"], "5.5");
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let r0 = &results[0];
    assert_eq!(r0["ruleId"], "KC101");
    assert_eq!(r0["ruleIndex"], 0);
    assert_eq!(r0["level"], "error");
    assert_eq!(
        r0["message"]["text"],
        "ClusterRoleBinding admins binds group system:masters\nfix: fix KC101 by doing the right thing"
    );
    let loc = &r0["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "rbac.yaml"
    );
    assert_eq!(
        loc["physicalLocation"]["region"],
        json!({"startLine": 12, "startColumn": 5})
    );
    assert_eq!(
        loc["logicalLocations"][0],
        json!({"name": "ClusterRoleBinding/admins", "fullyQualifiedName": "ClusterRoleBinding/admins:subjects[0].name", "kind": "resource"})
    );
    assert_eq!(r0["suppressions"], json!([]));
    // Waived: suppressed, still reported.
    assert_eq!(
        results[1]["suppressions"],
        json!([{"kind": "external", "status": "accepted",
                "justification": "bootstrap only (SEC-1)",
                "properties": {"source": "waivers.yaml:3"}}])
    );
    // A path with a space is percent-encoded and stays relative.
    let r2 = &results[2];
    assert_eq!(r2["ruleIndex"], 1);
    assert_eq!(
        r2["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/my%20app/role.yaml"
    );
    assert_eq!(
        r2["locations"][0]["physicalLocation"]["region"]["startColumn"],
        12
    );
    assert_eq!(
        r2["locations"][0]["logicalLocations"][0]["name"],
        "Role/prod/everything"
    );
    // A warning from the API: its API path as the physical location (every result needs one),
    // the object and the source.
    let r3 = &results[3];
    assert_eq!(r3["level"], "warning");
    assert_eq!(
        r3["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        r3["properties"]["source"]
    );
    assert_eq!(
        r3["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment/prod/web"
    );
    assert_eq!(
        r3["properties"]["source"],
        "/apis/apps/v1/namespaces/prod/deployments/web"
    );
    // Info is a note; a whole-file location has no region.
    let r4 = &results[4];
    assert_eq!(r4["level"], "note");
    assert_eq!(
        r4["locations"][0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "web.yaml"}})
    );

    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["message"]["text"],
        "mapping values are not allowed here"
    );
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "bad.yaml"}, "region": {"startLine": 3, "startColumn": 7}})
    );
    assert_eq!(notes[1]["level"], "warning");
}

#[test]
fn chinese_messages() {
    let doc: Value = serde_json::from_str(&out(Format::Sarif, Lang::Zh)).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(run["language"], "zh-CN");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["shortDescription"]["text"],
        "绑定到 system:masters"
    );
    assert_eq!(
        run["results"][0]["message"]["text"],
        "ClusterRoleBinding admins 绑定了 system:masters 组\n修复：修复 KC101：按正确方式配置"
    );
}

/// The fixture report with a kind that could not be listed, as a cluster run reports it.
fn with_unavailable() -> kcheck_model::Report {
    let mut report = crate::fixture::report();
    report.inputs.unavailable.push(kcheck_model::Unavailable {
        kind: "Secret".into(),
        resource: "secrets".into(),
        cause: kcheck_model::UnavailableCause::Forbidden,
        reason: kcheck_model::Text::fixed("forbidden: list secrets", "禁止：列出 secrets"),
    });
    report
}

#[test]
fn kinds_not_listed_are_warnings_without_a_location() {
    let doc: Value = serde_json::from_str(&kcheck_report::render(
        &with_unavailable(),
        Format::Sarif,
        &Default::default(),
    ))
    .unwrap();
    let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[2],
        json!({"level": "warning", "message": {"text": "Secret: forbidden: list secrets"}})
    );
}

#[test]
fn written_as_rendered() {
    let report = with_unavailable();
    for lang in [Lang::En, Lang::Zh] {
        let opts = kcheck_report::RenderOptions {
            lang,
            color: false,
            ..Default::default()
        };
        let mut written = Vec::new();
        kcheck_report::render_to(&report, Format::Sarif, &opts, &mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            kcheck_report::render(&report, Format::Sarif, &opts),
            "{lang:?}"
        );
    }
}

/// Parses JSON and fails on an object whose keys are not in ascending order.
struct SortedKeys;

impl<'de> serde::Deserialize<'de> for SortedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SortedKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for SortedKeys {
    type Value = SortedKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<SortedKeys, E> {
        Ok(SortedKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<SortedKeys, A::Error> {
        while seq.next_element::<SortedKeys>()?.is_some() {}
        Ok(SortedKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SortedKeys, A::Error> {
        let mut last: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            if let Some(prev) = last.as_ref().filter(|prev| **prev >= key) {
                return Err(serde::de::Error::custom(format!("{key:?} after {prev:?}")));
            }
            map.next_value::<SortedKeys>()?;
            last = Some(key);
        }
        Ok(SortedKeys)
    }
}

#[test]
fn keys_stay_in_alphabetical_order() {
    // The SARIF was built with `json!`, whose objects sort their keys, before it was written from
    // structs: fields declared out of order would change the bytes of every report.
    let report = with_unavailable();
    for lang in [Lang::En, Lang::Zh] {
        let opts = kcheck_report::RenderOptions {
            lang,
            color: false,
            ..Default::default()
        };
        let text = kcheck_report::render(&report, Format::Sarif, &opts);
        if let Err(e) = serde_json::from_str::<SortedKeys>(&text) {
            panic!("{lang:?}: {e}");
        }
    }
}

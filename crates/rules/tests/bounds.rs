//! What one object can cost: at most `MAX_FINDINGS_PER_OBJECT` findings of a rule on it, then one
//! that counts the rest, and no message longer than `MAX_MESSAGE_BYTES` (plus the ellipsis).

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inputs, Inventory, Level};
use kcheck_rules::{Engine, MAX_FINDINGS_PER_OBJECT, MAX_MESSAGE_BYTES};

fn pod(containers: usize) -> String {
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: wide, namespace: default}\nspec:\n  containers:\n",
    );
    for i in 0..containers {
        yaml.push_str(&format!(
            "  - name: container-with-a-long-name-{i:04}\n    image: busybox\n    securityContext: {{privileged: true}}\n"
        ));
    }
    yaml
}

#[test]
fn findings_of_one_rule_on_one_object_are_capped_and_counted() {
    let loaded = load_bytes("pod.yaml", pod(120).as_bytes(), &Limits::default());
    let report = Engine::default().run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    );
    // KC301 (privileged) finds all 120 containers: 50 are listed, one more counts the 70 others.
    let kc301: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "KC301")
        .collect();
    assert_eq!(kc301.len(), MAX_FINDINGS_PER_OBJECT + 1);
    let counted: Vec<_> = kc301.iter().filter(|f| f.path.is_none()).collect();
    assert_eq!(counted.len(), 1);
    let last = counted[0];
    assert_eq!(
        last.message.en,
        "70 more findings of this rule on this object are not listed (at most 50 are)"
    );
    assert_eq!(last.level, Level::Fail);
    assert!(last.path.is_none());
    // Every message is bounded, whatever lists of containers a rule put in it.
    let longest = report
        .findings
        .iter()
        .map(|f| f.message.en.len())
        .max()
        .unwrap();
    assert!(longest <= MAX_MESSAGE_BYTES + '…'.len_utf8(), "{longest}");
    assert!(report
        .findings
        .iter()
        .any(|f| f.message.en.ends_with('…') && f.message.en.len() > 1000));

    // Below the cap nothing changes.
    let loaded = load_bytes("pod.yaml", pod(3).as_bytes(), &Limits::default());
    let report = Engine::default().run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    );
    assert_eq!(
        report.findings.iter().filter(|f| f.code == "KC301").count(),
        3
    );
    assert!(!report
        .findings
        .iter()
        .any(|f| f.message.en.contains("not listed")));
}

#[test]
fn one_problem_said_at_several_fields_is_reported_once() {
    // Pod Security's seccomp detail names all three containers: one finding, at the first.
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers:\n  - {name: a, image: x}\n  - {name: b, image: x}\n  - {name: c, image: x, securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}}\n";
    let loaded = load_bytes("pod.yaml", yaml.as_bytes(), &Limits::default());
    let report = Engine::default().run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    );
    let of = |code: &str| -> Vec<(String, String)> {
        report
            .findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| (f.path.clone().unwrap_or_default(), f.message.en.to_string()))
            .collect()
    };
    let kc310 = of("KC310");
    assert_eq!(kc310.len(), 1, "{kc310:#?}");
    assert!(kc310[0].1.contains("\"a\", \"b\", \"c\""), "{kc310:#?}");
    let kc307 = of("KC307");
    let capabilities: Vec<_> = kc307
        .iter()
        .filter(|(_, m)| m.contains("capabilities"))
        .collect();
    assert_eq!(capabilities.len(), 1, "{kc307:#?}");
    assert!(
        capabilities[0].0.ends_with("capabilities.add[0]"),
        "{kc307:#?}"
    );
}

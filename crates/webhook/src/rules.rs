//! Which rules run at admission.
//!
//! A review shows one object (and, for UPDATE, its previous state); the webhook adds the
//! object's Namespace from its cache. A rule belongs here only when its verdict on the object
//! depends on nothing else: inventory rules judge the whole input, and some object rules judge
//! the absence of other objects (no NetworkPolicy selects the pod, the service account has no
//! grants), which on a lone object would flag everything. `tests` below checks each listed rule
//! is an object rule whose findings do not change when unrelated objects join the inventory.

use kcheck_rules::{registry, Rule};
use std::sync::OnceLock;

/// The rules run on every review, by code.
pub const ADMISSION_RULES: &[&str] = &[
    // 1.1, 1.6: RBAC bindings and roles, judged on their own subjects and rules.
    "KC101", "KC102", "KC103", "KC105",
    // 2.5, 2.6, 2.7: Services and Ingresses; a NetworkPolicy's own egress rules.
    "KC201", "KC202", "KC203", "KC204", "KC208", "KC216",
    // 3.x: the pod spec, and the namespace's Pod Security labels (from the namespace cache).
    "KC301", "KC302", "KC303", "KC305", "KC306", "KC307", "KC310", "KC311",
    // 5.1: placement of sensitive and ordinary workloads (namespace annotations included).
    "KC501", "KC502",
    // 6.x: legacy token Secrets, secrets in ConfigMaps and env, projected token lifetimes.
    "KC601", "KC602", "KC603", "KC605",
    // 7.x: image references and base images, run-as-root; 8.3: webhook configurations.
    "KC701", "KC702", "KC705", "KC801", "KC802", "KC803", "KC804",
];

/// Object rules left out, and why: each reads objects a review does not carry.
pub const EXCLUDED_OBJECT_RULES: &[(&str, &str)] = &[
    (
        "KC205",
        "judges whether any NetworkPolicy selects the pods: a review carries no policies, and a \
         workload is created before or after its policy in any order",
    ),
    ("KC206", "as KC205, for egress policies"),
    (
        "KC209",
        "judges the namespace's NetworkPolicies for egress to the metadata API: not in a review",
    ),
    (
        "KC304",
        "a LimitRange in the namespace can supply the memory limit; the LimitRanger plugin fills \
         it into Pods before validation but never into controllers' templates, so a lone \
         Deployment would be flagged wrongly",
    ),
    ("KC309", "as KC304, for CPU limits of sensitive workloads"),
    (
        "KC503",
        "judges the RuntimeClass the pod names (its handler), an object a review does not carry",
    ),
    (
        "KC604",
        "judges the service account's RBAC grants across the input: at admission every account \
         would look grant-less",
    ),
];

/// Listed rules that look up more than the namespace, and why they run anyway.
pub const ACCEPTED_READS: &[(&str, &str)] = &[
    (
        "KC701",
        "a tag is acceptable where an image-verification policy (Kyverno verifyImages, sigstore \
         policy-controller) checks signatures; a review carries no policies, so a tag is judged \
         as if none existed. Set KC701 to warn in a cluster that verifies signatures at admission",
    ),
    (
        "KC603",
        "reads the ConfigMap an env variable takes its value from; a review carries none, so \
         such variables are not judged at admission (literal values are), never judged wrongly",
    ),
    (
        "KC216",
        "reads Pods to tell a control-plane pod by its labels; a review carries none, so a \
         Service is judged by its selector's component label and, without a selector, its \
         ports: it can miss an exposure, never invent one",
    ),
];

/// The admission rules, resolved once.
pub fn admission_rules() -> &'static [&'static Rule] {
    static RULES: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        ADMISSION_RULES
            .iter()
            .filter_map(|code| registry::by_code(code))
            .collect()
    })
}

/// The object kinds some admission rule judges: what the webhook configuration should match.
pub fn judged_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = admission_rules()
        .iter()
        .flat_map(|r| match r.check {
            kcheck_rules::Check::Object { kinds, .. } => kinds.to_vec(),
            _ => Vec::new(),
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Evidence, Inputs, Inventory, Object};
    use kcheck_rules::{Check, Engine};

    #[test]
    fn every_listed_rule_exists_and_is_an_object_rule() {
        assert_eq!(admission_rules().len(), ADMISSION_RULES.len());
        for rule in admission_rules() {
            assert!(
                matches!(rule.check, Check::Object { .. }),
                "{} is not an object rule",
                rule.code
            );
            assert_eq!(rule.evidence, Evidence::Objects, "{}", rule.code);
        }
    }

    /// What each rule declares it looks up besides the objects it runs on.
    #[test]
    fn listed_rules_look_up_nothing_but_the_namespace() {
        for rule in admission_rules() {
            let others: Vec<&str> = rule
                .reads
                .iter()
                .copied()
                .filter(|k| *k != "Namespace")
                .collect();
            let accepted = ACCEPTED_READS.iter().any(|(c, _)| *c == rule.code);
            assert!(
                others.is_empty() || accepted,
                "{} reads {others:?}: exclude it or explain it in ACCEPTED_READS",
                rule.code
            );
        }
    }

    #[test]
    fn every_object_rule_is_listed_or_excluded_with_a_reason() {
        for rule in registry::all() {
            if !matches!(rule.check, Check::Object { .. }) {
                continue;
            }
            let listed = ADMISSION_RULES.contains(&rule.code);
            let excluded = EXCLUDED_OBJECT_RULES.iter().any(|(c, _)| *c == rule.code);
            assert!(
                listed != excluded,
                "{} must be either listed or excluded (listed {listed}, excluded {excluded})",
                rule.code
            );
        }
    }

    fn load(yaml: &str) -> Vec<Object> {
        let loaded = kcheck_load::load_bytes("t.yaml", yaml.as_bytes(), &Default::default());
        assert!(
            !loaded.inputs.has_errors(),
            "{:?}",
            loaded.inputs.diagnostics
        );
        loaded.objects
    }

    /// Objects of every kind the rules judge, each failing something.
    const SUBJECTS: &str = include_str!("../tests/fixtures/subjects.yaml");
    /// The other objects a cluster holds: policies, limit ranges, accounts, grants, runtime
    /// classes, other namespaces.
    const SURROUNDINGS: &str = include_str!("../tests/fixtures/surroundings.yaml");

    fn findings(rule: &'static Rule, objects: Vec<Object>, subject: &Object) -> Vec<String> {
        let report = Engine::new(vec![rule]).run(
            &Inventory::new(objects),
            &[Evidence::Objects],
            Inputs::default(),
        );
        report
            .findings
            .iter()
            .filter(|f| f.object.as_deref() == Some(&subject.reference()))
            .map(|f| format!("{} {:?} {}", f.code, f.path, f.message.en))
            .collect()
    }

    /// Reads only the object and its namespace: the findings on an object are the same whether
    /// the inventory holds the object and its Namespace alone or a whole cluster around them.
    #[test]
    fn listed_rules_read_only_the_object_and_its_namespace() {
        let subjects = load(SUBJECTS);
        let surroundings = load(SURROUNDINGS);
        let mut fired = std::collections::BTreeSet::new();
        for rule in admission_rules() {
            for subject in subjects.iter().filter(|o| o.kind != "Namespace") {
                let ns = subject.namespace.as_deref().unwrap_or("default");
                let namespace = subjects
                    .iter()
                    .find(|o| o.kind == "Namespace" && o.name == ns)
                    .cloned();
                let alone: Vec<Object> = std::iter::once(subject.clone())
                    .chain(namespace.clone())
                    .collect();
                let crowded: Vec<Object> = alone
                    .iter()
                    .cloned()
                    .chain(surroundings.iter().cloned())
                    .collect();
                let a = findings(rule, alone, subject);
                let b = findings(rule, crowded, subject);
                assert_eq!(a, b, "{} on {}", rule.code, subject.reference());
                if !a.is_empty() {
                    fired.insert(rule.code);
                }
            }
            // Namespaces are judged alone (KC306).
            for ns in subjects.iter().filter(|o| o.kind == "Namespace") {
                let a = findings(rule, vec![ns.clone()], ns);
                let crowded: Vec<Object> = std::iter::once(ns.clone())
                    .chain(surroundings.iter().cloned())
                    .collect();
                let b = findings(rule, crowded, ns);
                assert_eq!(a, b, "{} on {}", rule.code, ns.reference());
                if !a.is_empty() {
                    fired.insert(rule.code);
                }
            }
        }
        // The fixtures exercise most rules, so the comparison means something.
        assert!(fired.len() >= 20, "only {fired:?} fired");
    }

    /// The excluded rules do read other objects: the same comparison shows a difference.
    #[test]
    fn excluded_rules_do_depend_on_other_objects() {
        let subjects = load(SUBJECTS);
        let surroundings = load(SURROUNDINGS);
        for (code, _) in EXCLUDED_OBJECT_RULES {
            let Some(rule) = registry::by_code(code) else {
                panic!("{code} is not a rule");
            };
            let differs = subjects.iter().any(|subject| {
                let ns = subject.namespace.as_deref().unwrap_or("default");
                let alone: Vec<Object> = std::iter::once(subject.clone())
                    .chain(
                        subjects
                            .iter()
                            .find(|o| o.kind == "Namespace" && o.name == ns)
                            .cloned(),
                    )
                    .collect();
                let crowded: Vec<Object> = alone
                    .iter()
                    .cloned()
                    .chain(surroundings.iter().cloned())
                    .collect();
                findings(rule, alone, subject) != findings(rule, crowded, subject)
            });
            assert!(
                differs,
                "{code}: the fixtures show no dependence on other objects"
            );
        }
    }
}

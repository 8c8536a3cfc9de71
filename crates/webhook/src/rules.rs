//! Which rules run at admission.
//!
//! A review shows one object (and, for UPDATE, its previous state); the webhook adds the
//! object's Namespace from its cache. A rule runs here only when its verdict on the object
//! depends on nothing else: inventory rules judge the whole input, and some object rules judge
//! the absence of other objects (no NetworkPolicy selects the pod, the service account has no
//! grants), which on a lone object would flag everything. Each object rule says which it is in
//! its declaration (`admission:` in `declare_rule!`, with the reason when it is left out or
//! looks up more); `tests` below checks each judged rule's findings do not change when
//! unrelated objects join the inventory.

use kcheck_rules::{registry, Admission, Rule};
use std::sync::OnceLock;

/// The rules run on every review, by code order: those whose declaration says
/// `Admission::Judged` or `Admission::JudgedDespite`.
pub fn admission_rules() -> &'static [&'static Rule] {
    static RULES: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        registry::all()
            .iter()
            .copied()
            .filter(|r| matches!(r.admission, Admission::Judged | Admission::JudgedDespite(_)))
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
    fn every_judged_rule_is_an_object_rule() {
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
            let accepted = matches!(rule.admission, Admission::JudgedDespite(_));
            assert!(
                others.is_empty() || accepted,
                "{} reads {others:?}: declare it Admission::Excluded, or JudgedDespite with the \
                 reason",
                rule.code
            );
        }
    }

    /// An object rule says whether it runs at admission; any other rule says nothing.
    #[test]
    fn every_object_rule_declares_its_admission_with_reasons() {
        for rule in registry::all() {
            let object_rule = matches!(rule.check, Check::Object { .. });
            match rule.admission {
                Admission::NotApplicable => assert!(
                    !object_rule,
                    "{}: an object rule must declare `admission:` (Judged, JudgedDespite or \
                     Excluded with the reason)",
                    rule.code
                ),
                Admission::Judged => assert!(object_rule, "{}", rule.code),
                Admission::JudgedDespite(why) | Admission::Excluded(why) => {
                    assert!(object_rule, "{}", rule.code);
                    assert!(why.len() > 20, "{}: give the reason", rule.code);
                }
            }
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
        let excluded = registry::all()
            .iter()
            .filter(|r| matches!(r.admission, Admission::Excluded(_)));
        for rule in excluded {
            let code = rule.code;
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

//! Kubernetes label selectors (`matchLabels`, `matchExpressions`), as aggregation rules use them.

use kcheck_model::{Entry, Node};

/// The value of the label `key` (the last one, where a map repeats a key as YAML allows).
pub fn value<'a>(labels: &'a [Entry], key: &str) -> Option<&'a str> {
    labels
        .iter()
        .rev()
        .find(|e| e.key == key)
        .and_then(|e| e.value.as_str())
}

/// Whether `selector` selects an object with `labels`. An empty selector selects everything;
/// an unknown operator selects nothing.
pub fn matches(selector: &Node, labels: &[Entry]) -> bool {
    let label = |key: &str| value(labels, key);
    let match_labels = selector
        .get("matchLabels")
        .map_or(&[][..], Node::as_map)
        .iter()
        .all(|e| label(&e.key).is_some() && label(&e.key) == e.value.as_str());
    let match_expressions = selector
        .get("matchExpressions")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .all(|expr| {
            let Some(key) = expr.str_at("key") else {
                return false;
            };
            let values: Vec<&str> = expr
                .get("values")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let value = label(key);
            match expr.str_at("operator") {
                Some("In") => value.is_some_and(|v| values.contains(&v)),
                Some("NotIn") => value.is_none_or(|v| !values.contains(&v)),
                Some("Exists") => value.is_some(),
                Some("DoesNotExist") => value.is_none(),
                _ => false,
            }
        });
    match_labels && match_expressions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::node;

    #[test]
    fn match_labels_and_expressions() {
        let role =
            node("metadata: {labels: {rbac.example.com/aggregate-to-ops: \"true\", tier: a}}");
        let l = role
            .path(&["metadata", "labels"])
            .map_or(&[][..], Node::as_map);
        assert!(matches(&node("{}"), l));
        assert!(matches(
            &node("matchLabels: {rbac.example.com/aggregate-to-ops: \"true\"}"),
            l
        ));
        assert!(!matches(&node("matchLabels: {tier: b}"), l));
        assert!(!matches(&node("matchLabels: {other: a}"), l));
        assert!(matches(
            &node("matchExpressions: [{key: tier, operator: In, values: [a, b]}]"),
            l
        ));
        assert!(!matches(
            &node("matchExpressions: [{key: tier, operator: NotIn, values: [a]}]"),
            l
        ));
        assert!(matches(
            &node("matchExpressions: [{key: x, operator: DoesNotExist}, {key: tier, operator: Exists}]"),
            l
        ));
        assert!(!matches(
            &node("matchExpressions: [{key: tier, operator: Bogus}]"),
            l
        ));
    }
}

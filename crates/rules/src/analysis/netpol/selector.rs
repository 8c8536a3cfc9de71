//! `metav1.LabelSelector` as the API server turns it into a `labels.Selector`: `matchLabels` and
//! `matchExpressions` are ANDed, an empty selector selects everything, and a selector the API
//! server would reject selects nothing (such a policy cannot exist in a cluster).

use kcheck_model::{Node, Value};
use std::collections::BTreeMap;

/// A set of labels: a pod's or a namespace's.
pub type Labels = BTreeMap<String, String>;

/// The labels of a `labels:` mapping. Non-string scalars (`tier: 1`) are read as their text, as
/// `kubectl` users expect; the API server would refuse them, so this only matters for files.
pub fn labels_of(node: Option<&Node>) -> Labels {
    node.map_or(&[][..], Node::as_map)
        .iter()
        .filter_map(|e| Some((e.key.to_string(), scalar_text(&e.value)?)))
        .collect()
}

fn scalar_text(node: &Node) -> Option<String> {
    Some(match &node.value {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => String::new(),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Operator {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Operator,
}

impl Requirement {
    fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match &self.op {
            Operator::In(values) => value.is_some_and(|v| values.contains(v)),
            Operator::NotIn(values) => value.is_none_or(|v| !values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A parsed label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    /// False when the API server would reject the selector.
    valid: bool,
}

impl Selector {
    /// `{}`: selects everything.
    pub fn everything() -> Selector {
        Selector {
            requirements: Vec::new(),
            valid: true,
        }
    }

    /// A selector field that may be absent: `None` when it is absent or null (a nil pointer in
    /// the API), which is not the same as `{}`.
    pub fn optional(node: Option<&Node>) -> Option<Selector> {
        match node {
            None => None,
            Some(n) if n.is_null() => None,
            Some(n) => Some(Selector::parse(n)),
        }
    }

    pub fn parse(node: &Node) -> Selector {
        let mut selector = Selector::everything();
        if !matches!(node.value, Value::Map(_)) {
            selector.valid = false;
            return selector;
        }
        if let Some(labels) = node.get("matchLabels").filter(|n| !n.is_null()) {
            if !matches!(labels.value, Value::Map(_)) {
                selector.valid = false;
            }
            for entry in labels.as_map() {
                match scalar_text(&entry.value) {
                    Some(v) => selector.requirements.push(Requirement {
                        key: entry.key.to_string(),
                        op: Operator::In(vec![v]),
                    }),
                    None => selector.valid = false,
                }
            }
        }
        for expr in node.get("matchExpressions").map_or(&[][..], Node::as_seq) {
            match requirement(expr) {
                Some(r) => selector.requirements.push(r),
                None => selector.valid = false,
            }
        }
        selector
    }

    /// Whether the selector selects every set of labels (`{}`).
    pub fn is_everything(&self) -> bool {
        self.valid && self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.valid && self.requirements.iter().all(|r| r.matches(labels))
    }
}

fn requirement(expr: &Node) -> Option<Requirement> {
    let key = expr.str_at("key").filter(|k| !k.is_empty())?.to_string();
    let values: Vec<String> = expr
        .get("values")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .map(scalar_text)
        .collect::<Option<_>>()?;
    let op = match expr.str_at("operator")? {
        "In" if !values.is_empty() => Operator::In(values),
        "NotIn" if !values.is_empty() => Operator::NotIn(values),
        "Exists" if values.is_empty() => Operator::Exists,
        "DoesNotExist" if values.is_empty() => Operator::DoesNotExist,
        _ => return None,
    };
    Some(Requirement { key, op })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        crate::analysis::netpol::test_node(json)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn empty_selector_selects_everything_absent_is_none() {
        let s = Selector::parse(&node("{}"));
        assert!(s.is_everything());
        assert!(s.matches(&Labels::new()));
        assert_eq!(Selector::optional(None), None);
        let null = node(r#"{"s": null}"#);
        assert_eq!(Selector::optional(null.get("s")), None);
        assert!(Selector::optional(Some(&node("{}")))
            .unwrap()
            .is_everything());
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = Selector::parse(&node(
            r#"{"matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}"#,
        ));
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "b")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
        assert!(!s.matches(&labels(&[("tier", "a")])));
        assert!(!s.is_everything());
    }

    #[test]
    fn operators() {
        let m = |expr: &str, l: &[(&str, &str)]| {
            Selector::parse(&node(&format!(r#"{{"matchExpressions": [{expr}]}}"#)))
                .matches(&labels(l))
        };
        let not_in = r#"{"key": "env", "operator": "NotIn", "values": ["prod"]}"#;
        assert!(m(not_in, &[]));
        assert!(m(not_in, &[("env", "dev")]));
        assert!(!m(not_in, &[("env", "prod")]));
        let exists = r#"{"key": "env", "operator": "Exists"}"#;
        assert!(m(exists, &[("env", "")]));
        assert!(!m(exists, &[]));
        let absent = r#"{"key": "env", "operator": "DoesNotExist"}"#;
        assert!(m(absent, &[]));
        assert!(!m(absent, &[("env", "x")]));
    }

    #[test]
    fn invalid_selectors_select_nothing() {
        for bad in [
            r#"{"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}"#,
            r#"{"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}"#,
            r#"{"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}"#,
            r#"{"matchExpressions": [{"operator": "Exists"}]}"#,
            r#"{"matchLabels": {"a": {"b": "c"}}}"#,
            r#""app=web""#,
        ] {
            let s = Selector::parse(&node(bad));
            assert!(!s.matches(&Labels::new()), "{bad}");
            assert!(!s.is_everything(), "{bad}");
        }
    }

    #[test]
    fn scalar_label_values_read_as_text() {
        let l = labels_of(Some(&node(r#"{"tier": 1, "on": true, "app": "web"}"#)));
        assert_eq!(l, labels(&[("tier", "1"), ("on", "true"), ("app", "web")]));
        let s = Selector::parse(&node(r#"{"matchLabels": {"tier": 1}}"#));
        assert!(s.matches(&l));
    }
}

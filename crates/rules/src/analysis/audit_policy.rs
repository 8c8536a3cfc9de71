//! Reading an audit Policy (`audit.k8s.io/v1`) the way kube-apiserver applies it: the first rule
//! that matches a request decides its level.

use kcheck_model::Node;

/// One rule of the policy, with its index in `rules`.
pub struct PolicyRule<'a> {
    pub index: usize,
    pub node: &'a Node,
}

/// The levels, least to most verbose.
pub const LEVELS: &[&str] = &["None", "Metadata", "Request", "RequestResponse"];

pub fn rules(policy: &Node) -> impl Iterator<Item = PolicyRule<'_>> {
    policy
        .get("rules")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
        .map(|(index, node)| PolicyRule { index, node })
}

fn non_empty(node: &Node, key: &str) -> bool {
    node.get(key).is_some_and(|n| !n.as_seq().is_empty())
}

impl<'a> PolicyRule<'a> {
    pub fn level(&self) -> &'a str {
        self.node.str_at("level").unwrap_or("")
    }

    /// Whether the level records request bodies (`Request`) or also responses.
    pub fn logs_bodies(&self) -> bool {
        matches!(self.level(), "Request" | "RequestResponse")
    }

    /// Restricted to some users, groups, verbs or namespaces: it matches only some requests.
    fn has_request_conditions(&self) -> bool {
        ["users", "userGroups", "verbs", "namespaces"]
            .iter()
            .any(|k| non_empty(self.node, k))
    }

    /// Matches every request (no selector at all).
    pub fn matches_everything(&self) -> bool {
        !self.has_request_conditions()
            && !non_empty(self.node, "resources")
            && !non_empty(self.node, "nonResourceURLs")
    }

    /// How this rule matches requests on a core-group resource (`secrets`):
    /// `None` when it never does, `Some(true)` when it matches all of them, `Some(false)` when
    /// only some (by user, verb, namespace or object name).
    pub fn matches_core_resource(&self, resource: &str) -> Option<bool> {
        let resources = self.node.get("resources").map_or(&[][..], Node::as_seq);
        let namespaced = non_empty(self.node, "namespaces");
        if resources.is_empty() {
            // A rule with only non-resource URLs never matches a resource request.
            if non_empty(self.node, "nonResourceURLs") && !namespaced {
                return None;
            }
            return Some(!self.has_request_conditions());
        }
        let mut best: Option<bool> = None;
        for gr in resources {
            if !gr.str_at("group").unwrap_or("").is_empty() {
                continue;
            }
            let names = gr.get("resources").map_or(&[][..], Node::as_seq);
            let named = non_empty(gr, "resourceNames");
            let covers = names.is_empty()
                || names
                    .iter()
                    .filter_map(Node::as_str)
                    .any(|r| r == resource || r == "*" || r.strip_suffix("/*") == Some(resource));
            if covers {
                let all = !named && !self.has_request_conditions();
                best = Some(best.unwrap_or(false) || all);
            }
        }
        best
    }
}

/// The first rule that logs request bodies of a core resource before a rule that covers all its
/// requests at a lower level, if any.
pub fn first_body_rule_for<'a>(policy: &'a Node, resource: &str) -> Option<PolicyRule<'a>> {
    for rule in rules(policy) {
        let Some(all) = rule.matches_core_resource(resource) else {
            continue;
        };
        if rule.logs_bodies() {
            return Some(rule);
        }
        if all {
            return None;
        }
    }
    None
}

/// Whether the policy records nothing: every rule up to the first catch-all one is `None`.
pub fn logs_nothing(policy: &Node) -> bool {
    for rule in rules(policy) {
        if rule.level() != "None" {
            return false;
        }
        if rule.matches_everything() {
            return true;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::Node;

    fn policy(text: &str) -> Node {
        let parsed = kcheck_load::parse_documents(text, &kcheck_load::Limits::default());
        match parsed.documents.into_iter().next() {
            Some(kcheck_load::DocOutcome::Node(node)) => node,
            _ => panic!("not a document: {text}"),
        }
    }

    #[test]
    fn first_matching_rule_decides() {
        let p = policy(
            r#"{"rules":[
                {"level":"None","nonResourceURLs":["/healthz"]},
                {"level":"Metadata","users":["admin"],"resources":[{"group":"","resources":["secrets"]}]},
                {"level":"RequestResponse"}
            ]}"#,
        );
        assert_eq!(first_body_rule_for(&p, "secrets").map(|r| r.index), Some(2));
        let p = policy(
            r#"{"rules":[
                {"level":"Metadata","resources":[{"group":"","resources":["secrets","configmaps"]}]},
                {"level":"RequestResponse"}
            ]}"#,
        );
        assert!(first_body_rule_for(&p, "secrets").is_none());
        assert!(first_body_rule_for(&p, "configmaps").is_none());
        let p = policy(
            r#"{"rules":[{"level":"Request","resources":[{"group":"apps"}]},{"level":"Metadata"}]}"#,
        );
        assert!(first_body_rule_for(&p, "secrets").is_none());
        let p = policy(r#"{"rules":[{"level":"Request","resources":[{"group":""}]}]}"#);
        assert_eq!(first_body_rule_for(&p, "secrets").map(|r| r.index), Some(0));
    }

    #[test]
    fn policies_that_log_nothing() {
        assert!(logs_nothing(&policy(r#"{"rules":[{"level":"None"}]}"#)));
        assert!(logs_nothing(&policy(
            r#"{"rules":[{"level":"None","verbs":["get"]},{"level":"None"},{"level":"Metadata"}]}"#
        )));
        assert!(!logs_nothing(&policy(
            r#"{"rules":[{"level":"None","verbs":["get"]},{"level":"Metadata"}]}"#
        )));
    }
}

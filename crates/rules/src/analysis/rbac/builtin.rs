//! The default ClusterRoles Kubernetes creates (cluster-admin, admin, edit, view and the
//! `system:` roles), used when a binding names one that the input does not contain. They are the
//! real API server's own, aggregation included: `default_cluster_roles.json` is what
//! `kubectl get clusterroles -l kubernetes.io/bootstrapping=rbac-defaults` returns from the
//! kube-apiserver and controller manager the e2e harness runs (the test
//! `default_cluster_roles_are_the_servers` fails when it drifts; `KCHECK_E2E_WRITE_ROLES=1`
//! rewrites it).

use super::{PolicyRule, Role};
use std::sync::OnceLock;

static DATA: OnceLock<serde_json::Value> = OnceLock::new();

fn data() -> &'static serde_json::Value {
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("default_cluster_roles.json")).unwrap_or_default()
    })
}

/// The Kubernetes release the default roles were taken from (`v1.37.2`).
pub fn version() -> &'static str {
    data()["kubernetes"].as_str().unwrap_or("unknown")
}

fn strings(v: &'static serde_json::Value) -> Vec<&'static str> {
    v.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default()
}

/// The built-in roles, each used only when the input has no ClusterRole of that name.
pub fn roles() -> Vec<Role<'static>> {
    let Some(roles) = data()["roles"].as_array() else {
        return Vec::new();
    };
    roles
        .iter()
        .filter_map(|r| {
            let name = r["name"].as_str()?;
            let rules = r["rules"]
                .as_array()
                .map(|rules| {
                    rules
                        .iter()
                        .map(|rule| PolicyRule {
                            object: None,
                            index: 0,
                            verbs: strings(&rule["verbs"]),
                            api_groups: strings(&rule["apiGroups"]),
                            resources: strings(&rule["resources"]),
                            resource_names: strings(&rule["resourceNames"]),
                            non_resource_urls: strings(&rule["nonResourceURLs"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(Role {
                object: None,
                kind: "ClusterRole",
                namespace: None,
                name,
                rules,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_defaults_are_complete() {
        let roles = super::roles();
        assert!(roles.len() > 60, "{}", roles.len());
        let rights = |name: &str, verb: &str, resource: &str| {
            roles.iter().find(|r| r.name == name).is_some_and(|r| {
                r.rules.iter().any(|p| {
                    (p.verbs.contains(&verb) || p.verbs.contains(&"*"))
                        && (p.resources.contains(&resource) || p.resources.contains(&"*"))
                })
            })
        };
        assert!(rights("cluster-admin", "delete", "nodes"));
        assert!(rights("view", "list", "pods"));
        assert!(!rights("view", "get", "secrets"));
        assert!(rights("edit", "create", "deployments"));
        assert!(rights("edit", "get", "secrets"));
        assert!(rights("admin", "create", "rolebindings"));
        assert!(!rights("edit", "create", "rolebindings"));
        assert!(super::version().starts_with("v1."));
    }
}

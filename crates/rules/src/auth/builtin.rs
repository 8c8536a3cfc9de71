//! The built-in ClusterRoles that bindings name without the input containing them. Only the
//! parts the auth rules ask about are listed: `cluster-admin` in full, and the workload,
//! exec, secret and impersonation rights of `admin` and `edit`.

use super::rbac::{PolicyRule, Role};

const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ: &[&str] = &["get", "list", "watch"];

fn rule(
    verbs: &[&'static str],
    groups: &[&'static str],
    resources: &[&'static str],
) -> PolicyRule<'static> {
    PolicyRule {
        object: None,
        index: 0,
        verbs: verbs.to_vec(),
        api_groups: groups.to_vec(),
        resources: resources.to_vec(),
        resource_names: Vec::new(),
        non_resource_urls: Vec::new(),
    }
}

fn role(name: &'static str, rules: Vec<PolicyRule<'static>>) -> Role<'static> {
    Role {
        object: None,
        kind: "ClusterRole",
        namespace: None,
        name,
        rules,
    }
}

/// `edit`'s rights that matter here; `admin` has them too.
fn edit_rules() -> Vec<PolicyRule<'static>> {
    vec![
        rule(
            WRITE,
            &[""],
            &[
                "pods",
                "pods/exec",
                "pods/attach",
                "pods/portforward",
                "replicationcontrollers",
            ],
        ),
        rule(
            WRITE,
            &["apps"],
            &["deployments", "statefulsets", "daemonsets", "replicasets"],
        ),
        rule(WRITE, &["batch"], &["jobs", "cronjobs"]),
        rule(READ, &[""], &["secrets"]),
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
    ]
}

/// The built-in roles, each used only when the input has no ClusterRole of that name.
pub fn roles() -> Vec<Role<'static>> {
    let mut cluster_admin = rule(&["*"], &["*"], &["*"]);
    cluster_admin.non_resource_urls = vec!["*"];
    vec![
        role("cluster-admin", vec![cluster_admin]),
        role("admin", edit_rules()),
        role("edit", edit_rules()),
    ]
}

use super::*;
use crate::analysis::testing::inventory;

const INPUT: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-ops: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-pods, labels: {example.com/aggregate-to-ops: "true"}}
rules:
- apiGroups: [""]
  resources: ["pods", "pods/exec"]
  verbs: ["get", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: unrelated}
rules:
- apiGroups: ["apps"]
  resources: ["*"]
  verbs: ["*"]
- nonResourceURLs: ["/metrics"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["tls"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-in-shop, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
subjects:
- {kind: User, name: alice}
- {kind: ServiceAccount, name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: Group, name: "system:serviceaccounts:shop"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: apps-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: unrelated}
subjects:
- {kind: Group, name: platform}
- {kind: ServiceAccount, name: argo, namespace: argocd}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: bob}
"#;

fn sa<'a>(ns: &'a str, name: &'a str) -> Subject<'a> {
    Subject {
        kind: SubjectKind::ServiceAccount,
        name,
        namespace: Some(ns),
        index: 0,
    }
}

fn names(access: &[Access]) -> Vec<String> {
    let mut v: Vec<String> = access
        .iter()
        .map(|a| format!("{} via {}", a.subject.describe(), a.binding.object.name))
        .collect();
    v.sort();
    v
}

#[test]
fn aggregation_resolves_selected_roles() {
    let inv = inventory(INPUT);
    let rbac = Rbac::new(&inv);
    let ops = rbac.roles.iter().find(|r| r.name == "ops").unwrap();
    assert_eq!(ops.rules.len(), 1);
    assert_eq!(ops.rules[0].object.unwrap().name, "ops-pods");
    assert!(ops.rules[0].allows("create", "", "pods/exec"));
    assert!(!ops.rules[0].allows("create", "", "pods/attach"));
    assert!(!ops.rules[0].allows("delete", "", "pods"));
}

#[test]
fn rule_matching_handles_wildcards_and_subresources() {
    let inv = inventory(INPUT);
    let rbac = Rbac::new(&inv);
    let unrelated = rbac.roles.iter().find(|r| r.name == "unrelated").unwrap();
    assert!(unrelated.rules[0].allows("delete", "apps", "deployments"));
    assert!(unrelated.rules[0].allows("update", "apps", "deployments/scale"));
    assert!(!unrelated.rules[0].allows("delete", "", "pods"));
    assert!(!unrelated.rules[1].allows("get", "", "metrics"));
    assert_eq!(unrelated.rules[1].non_resource_urls, ["/metrics"]);
    let sub = PolicyRule {
        resources: vec!["*/scale"],
        ..unrelated.rules[0].clone()
    };
    assert!(sub.allows("update", "apps", "deployments/scale"));
    assert!(!sub.allows("update", "apps", "deployments"));
}

#[test]
fn who_can_respects_binding_scope() {
    let inv = inventory(INPUT);
    let rbac = Rbac::new(&inv);
    assert_eq!(
        names(&rbac.who_can("create", "", "pods/exec", None, Some("shop"))),
        [
            "ServiceAccount shop/deployer via ops-in-shop",
            "User alice via ops-in-shop",
            "User bob via admins",
        ]
    );
    // A RoleBinding to a ClusterRole grants it in its namespace only.
    assert_eq!(
        names(&rbac.who_can("create", "", "pods/exec", None, Some("other"))),
        ["User bob via admins"]
    );
    let anywhere = rbac.who_can("create", "", "pods/exec", None, None);
    assert_eq!(anywhere.len(), 3);
    let alice = anywhere.iter().find(|a| a.subject.name == "alice").unwrap();
    assert_eq!(alice.scope, Scope::Namespace("shop"));
    assert_eq!(alice.role.name, "ops");
    let bob = anywhere.iter().find(|a| a.subject.name == "bob").unwrap();
    assert_eq!(bob.scope, Scope::Cluster);
    assert!(bob.role.object.is_none(), "built-in cluster-admin");
    assert_eq!(
        names(&rbac.who_can("delete", "apps", "deployments", None, Some("x"))),
        [
            "Group platform via apps-admins",
            "ServiceAccount argocd/argo via apps-admins",
            "User bob via admins",
        ]
    );
}

#[test]
fn grants_follow_subjects_and_service_account_groups() {
    let inv = inventory(INPUT);
    let rbac = Rbac::new(&inv);
    let deployer = rbac.grants(&sa("shop", "deployer"));
    let mut bindings: Vec<&str> = deployer
        .iter()
        .map(|g| g.binding.object.name.as_str())
        .collect();
    bindings.sort();
    assert_eq!(bindings, ["ops-in-shop", "reader"]);
    let secret = deployer
        .iter()
        .find(|g| g.binding.object.name == "reader")
        .unwrap();
    assert_eq!(secret.rule.resource_names, ["tls"]);
    assert_eq!(secret.scope, Scope::Namespace("shop"));
    assert!(rbac.grants(&sa("other", "deployer")).is_empty());
    let argo = rbac.grants(&sa("argocd", "argo"));
    assert_eq!(argo.len(), 2);
    assert!(argo.iter().all(|g| g.scope == Scope::Cluster));
}

#[test]
fn system_subjects() {
    let s = |kind, name, namespace| Subject {
        kind,
        name,
        namespace,
        index: 0,
    };
    assert!(s(SubjectKind::Group, "system:masters", None).is_system());
    assert!(s(SubjectKind::User, "system:kube-scheduler", None).is_system());
    assert!(!s(SubjectKind::Group, "system:authenticated", None).is_system());
    assert!(!s(SubjectKind::Group, "system:serviceaccounts:shop", None).is_system());
    assert!(!s(SubjectKind::User, "system:serviceaccount:shop:ci", None).is_system());
    assert!(s(
        SubjectKind::User,
        "system:serviceaccount:kube-system:ci",
        None
    )
    .is_system());
    assert!(s(SubjectKind::ServiceAccount, "x", Some("kube-system")).is_system());
    assert!(!s(SubjectKind::ServiceAccount, "x", Some("shop")).is_system());
    assert!(!s(SubjectKind::User, "alice", None).is_system());
}

//! Who may do what, as `kcheck who-can` and `kcheck access-review` show it: the subjects of RBAC
//! bindings, where a grant applies, and the two commands' answers. Plain data, built by the RBAC
//! analyses of `kcheck-rules` and rendered by `kcheck-report`.

use std::fmt;

/// A subject of a RoleBinding or ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RbacSubject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: &'static str,
    pub name: String,
    /// A service account's namespace.
    pub namespace: Option<String>,
}

/// `User alice`, `ServiceAccount ci/deployer`.
impl fmt::Display for RbacSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Where a grant applies: everywhere (a ClusterRoleBinding) or in one namespace (a RoleBinding).
///
/// The order is that of the texts `Display` gives (`cluster` before `namespace a` before
/// `namespace b`), so sorting by either gives the same order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantScope {
    Cluster,
    Namespace(String),
}

/// `cluster`, `namespace shop`: the words of the JSON outputs, and of the access review's
/// digest.
impl fmt::Display for GrantScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantScope::Cluster => f.write_str("cluster"),
            GrantScope::Namespace(ns) => write!(f, "namespace {ns}"),
        }
    }
}

/// The answer of `kcheck who-can VERB RESOURCE`: the question as it was resolved, and every grant
/// that answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhoCan {
    /// The verb as asked.
    pub verb: String,
    /// The resource as Kubernetes names it (`deploy` asked becomes `deployments`), with its
    /// subresource (`pods/exec`), or a non-resource URL (`/metrics`).
    pub resource: String,
    /// The resource's API group, `""` for the core group.
    pub group: String,
    /// The object asked about, when one was.
    pub name: Option<String>,
    /// The namespace asked about; without one, grants in every namespace answer.
    pub namespace: Option<String>,
    /// Sorted by subject (kind, name, namespace), then scope and binding.
    pub grants: Vec<WhoCanGrant>,
    /// The Kubernetes release whose default ClusterRoles stand in for those the input does not
    /// hold (`v1.37.2`).
    pub default_roles_from: String,
}

/// One subject allowed, through one binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhoCanGrant {
    pub subject: RbacSubject,
    pub scope: GrantScope,
    /// `ClusterRoleBinding ops`, `RoleBinding shop/deployer`.
    pub binding: String,
    /// `ClusterRole edit`, `Role shop/deployer`.
    pub role: String,
    /// The role is one of Kubernetes' defaults that the input does not hold, read as the release
    /// defines it.
    pub default_role: bool,
    /// The rule's `resourceNames` when it allows only these objects.
    pub resource_names: Vec<String>,
    /// Where the binding is: `file:line`, or its API path.
    pub location: String,
}

impl WhoCan {
    /// Whether some grant comes through a default role (the answer then says which release's).
    pub fn uses_default_roles(&self) -> bool {
        self.grants.iter().any(|g| g.default_role)
    }
}

/// The periodic access review of `kcheck access-review` (checklist item 1.5): every subject with
/// its dangerous rights, and the digest a review record keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessReview {
    /// `sha256:` and the hex digest of every (subject, right, scope).
    pub digest: String,
    /// Privileged subjects first, then by number of dangerous rights, then by subject.
    pub subjects: Vec<SubjectReview>,
}

/// A subject and its dangerous rights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectReview {
    pub subject: RbacSubject,
    /// Holds cluster-admin or a rule with `*` verbs on `*` resources.
    pub privileged: bool,
    /// Sorted, without duplicates.
    pub grants: Vec<DangerousGrant>,
}

/// One dangerous right reaching a subject.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DangerousGrant {
    /// `cluster-admin`, `* *` (a wildcard rule: its verbs, then its resources or, without
    /// resources, `URLs` and its non-resource URLs), or verbs and a resource: `get,list secrets`,
    /// `create pods/exec`.
    pub right: String,
    pub scope: GrantScope,
    /// `ClusterRoleBinding ops`, `RoleBinding ci/deployer`.
    pub binding: String,
    /// `ClusterRole cluster-admin`, `Role ci/deployer`.
    pub role: String,
    /// Where the binding is: `file:line`, or its API path.
    pub location: Option<String>,
}

impl AccessReview {
    /// Subjects that hold at least one dangerous right.
    pub fn with_dangerous_rights(&self) -> usize {
        self.subjects
            .iter()
            .filter(|s| !s.grants.is_empty())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_sort_as_their_words() {
        let mut scopes = [
            GrantScope::Namespace("shop".into()),
            GrantScope::Cluster,
            GrantScope::Namespace("ci".into()),
            GrantScope::Namespace("c".into()),
        ];
        scopes.sort();
        let words: Vec<String> = scopes.iter().map(ToString::to_string).collect();
        let mut sorted = words.clone();
        sorted.sort();
        assert_eq!(words, sorted);
        assert_eq!(words[0], "cluster");
    }

    #[test]
    fn a_subject_reads_with_its_namespace() {
        let sa = RbacSubject {
            kind: "ServiceAccount",
            name: "deployer".into(),
            namespace: Some("ci".into()),
        };
        assert_eq!(sa.to_string(), "ServiceAccount ci/deployer");
        let user = RbacSubject {
            kind: "User",
            name: "alice".into(),
            namespace: None,
        };
        assert_eq!(user.to_string(), "User alice");
    }
}

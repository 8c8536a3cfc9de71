//! The RBAC model as the report commands show it: `kcheck who-can`'s answer
//! ([`kcheck_model::WhoCan`]) and the pieces `kcheck access-review` shares with it, as plain data
//! for `kcheck-report`; and the checks that tell a question about nothing from a question with no
//! answer.

use super::{Rbac, Role, Scope, Subject, SubjectKind};
use kcheck_model::{GrantScope, RbacSubject, WhoCan, WhoCanGrant};

impl SubjectKind {
    /// `User`, `Group`, `ServiceAccount`: the kind as bindings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

impl From<&Subject<'_>> for RbacSubject {
    fn from(s: &Subject<'_>) -> RbacSubject {
        RbacSubject {
            kind: s.kind.as_str(),
            name: s.name.to_string(),
            namespace: s.namespace.map(str::to_string),
        }
    }
}

impl From<Scope<'_>> for GrantScope {
    fn from(scope: Scope<'_>) -> GrantScope {
        match scope {
            Scope::Cluster => GrantScope::Cluster,
            Scope::Namespace(ns) => GrantScope::Namespace(ns.to_string()),
        }
    }
}

impl Role<'_> {
    /// `ClusterRole edit`, `Role shop/deployer`.
    pub fn describe(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

impl Rbac<'_> {
    /// Whether some rule of some role names `resource` (`deployments`; a rule on one of its
    /// subresources, `deployments/scale`, counts): a resource that is not built in exists only
    /// if a role names it.
    pub fn names_resource(&self, resource: &str) -> bool {
        let base = resource.split('/').next().unwrap_or(resource);
        self.roles.iter().any(|role| {
            role.rules.iter().any(|r| {
                r.resources
                    .iter()
                    .any(|n| n.split('/').next() == Some(base))
            })
        })
    }

    /// Whether some rule of some role names `verb` (a verb Kubernetes does not authorize may still
    /// be one an extension checks).
    pub fn names_verb(&self, verb: &str) -> bool {
        self.roles
            .iter()
            .any(|role| role.rules.iter().any(|r| r.verbs.contains(&verb)))
    }
}

/// `kcheck who-can`'s answer: every access [`Rbac::who_can`] finds for the question, sorted by
/// subject, then scope and binding. `resource` and `group` are resolved
/// ([`super::resolve_resource`]); `verb`, `name` and `namespace` are as asked.
pub fn who_can_view(
    rbac: &Rbac,
    verb: &str,
    group: &str,
    resource: &str,
    name: Option<&str>,
    namespace: Option<&str>,
) -> WhoCan {
    let mut grants: Vec<WhoCanGrant> = rbac
        .who_can(verb, group, resource, name, namespace)
        .into_iter()
        .map(|access| WhoCanGrant {
            subject: access.subject.into(),
            scope: access.scope.into(),
            binding: access.binding.object.reference().to_string(),
            role: access.role.describe(),
            default_role: access.role.object.is_none(),
            resource_names: access
                .rule
                .resource_names
                .iter()
                .map(|n| n.to_string())
                .collect(),
            location: access.binding.object.place(),
        })
        .collect();
    grants.sort_by(|a, b| {
        (&a.subject, &a.scope, &a.binding).cmp(&(&b.subject, &b.scope, &b.binding))
    });
    WhoCan {
        verb: verb.to_string(),
        resource: resource.to_string(),
        group: group.to_string(),
        name: name.map(str::to_string),
        namespace: namespace.map(str::to_string),
        grants,
        default_roles_from: super::builtin::version().to_string(),
    }
}
